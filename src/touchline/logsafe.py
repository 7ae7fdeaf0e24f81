"""Values from users, made safe to write into a log line.

A username or path can carry newlines and other control characters that
would forge extra log lines; they are escaped (``\\n``, ``\\x1b``) and long
values cut short.
"""
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_LENGTH = 120


def log_value(value):
    text = "-" if value is None else str(value)
    text = _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)
    if len(text) > MAX_LENGTH:
        text = text[:MAX_LENGTH] + "..."
    return text


def security_event(log, event, request, user=None, username=None, **details):
    """One log line for a security event: who, from where, what.

    Never pass a password, a token or a session id in ``details``.
    """
    name = user.username if user is not None else username
    extra = "".join(f" {key}={log_value(value)}" for key, value in details.items())
    log.info(
        "%s user=%s client=%s%s",
        event,
        log_value(name),
        log_value(request.remote_addr),
        extra,
    )
