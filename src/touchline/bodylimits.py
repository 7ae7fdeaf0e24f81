"""The largest body a request may have: ``touchline.max_body_size`` bytes (1 MiB by default).

A larger body gets a 413, and a Content-Length that is not a number a 400,
before anything reads or parses the body.
"""
import re

from pyramid.exceptions import ConfigurationError

from touchline.refusals import Refusal

DEFAULT_MAX_BODY_SIZE = 1024 * 1024

BAD_LENGTH = Refusal(400, "Bad request", "The request's Content-Length is not a valid number.")
TOO_LARGE = Refusal(413, "Request too large", "The request's body is more than this site accepts.")

_CONTENT_LENGTH = re.compile(r"[0-9]+")


def max_body_size(settings):
    size = int(settings.get("touchline.max_body_size", DEFAULT_MAX_BODY_SIZE))
    if size < 0:
        raise ConfigurationError("touchline.max_body_size must not be negative")
    return size


def _read_at_most(stream, size):
    chunks = []
    while size > 0:
        chunk = stream.read(min(size, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def check_body(request, limit):
    """Refuse a body over ``limit`` bytes before anything reads it.

    A body without a Content-Length (``Transfer-Encoding: chunked``, that
    the server dechunks and flags with ``wsgi.input_terminated``) is read
    here, at most one byte over the limit, and kept as the request's body.
    """
    length = request.environ.get("CONTENT_LENGTH")
    if length:
        if not _CONTENT_LENGTH.fullmatch(length):
            return BAD_LENGTH
        return TOO_LARGE if int(length) > limit else None
    if request.is_body_readable:
        body = _read_at_most(request.environ["wsgi.input"], limit + 1)
        if len(body) > limit:
            return TOO_LARGE
        if body:
            request.body = body
    return None
