"""The host names this site answers to: any other Host header is a 400.

So no URL the site generates, and no cache entry, can carry a forged host.
``touchline.allowed_hosts`` (whitespace separated; ``.example.org`` also
allows its subdomains, ``*`` any host) is replaced by the environment
variable ``TOUCHLINE_ALLOWED_HOSTS`` when that is set, so a deployment
names its host without editing the ini file.
"""
import logging
import os
import re

from pyramid.settings import aslist

from touchline.refusals import Refusal

log = logging.getLogger(__name__)

ALLOWED_HOSTS_ENVIRON = "TOUCHLINE_ALLOWED_HOSTS"
DEFAULT_ALLOWED_HOSTS = "localhost 127.0.0.1 ::1"

BAD_HOST = Refusal(400, "Bad request", "This site does not answer to that host name.")

# A host name or IPv4 address, or a bracketed IPv6 address; then maybe a port.
_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::[0-9]+)?")


def host_name(host):
    """The name part of a Host header, lower case, without port or brackets.

    None when the header is not a syntactically valid host, such as one
    with a path, spaces or a user name in it.
    """
    match = _HOST.fullmatch(host.lower())
    if match is None:
        return None
    name = match.group("name")
    if name.startswith("["):
        return name[1:-1]
    return name[:-1] if name.endswith(".") else name


def _host_pattern(entry):
    entry = entry.lower()
    if entry.startswith("[") and entry.endswith("]"):
        return entry[1:-1]
    return entry


class AllowedHosts:
    """The allowed hosts, read once at start-up."""

    def __init__(self, settings, environ=os.environ):
        hosts = environ.get(ALLOWED_HOSTS_ENVIRON) or settings.get(
            "touchline.allowed_hosts", DEFAULT_ALLOWED_HOSTS
        )
        patterns = [_host_pattern(entry) for entry in aslist(hosts)]
        self.any_host = "*" in patterns
        self.hosts = frozenset(p for p in patterns if not p.startswith(".") and p != "*")
        self.domains = tuple(p for p in patterns if p.startswith("."))

    def host_allowed(self, name):
        if name is None:
            return False
        if self.any_host or name in self.hosts:
            return True
        return any(name == domain[1:] or name.endswith(domain) for domain in self.domains)

    def safe_host(self):
        """An allowed host to build URLs with when answering a refused one."""
        names = sorted(self.hosts) or [domain[1:] for domain in self.domains] or ["localhost"]
        return f"[{names[0]}]" if ":" in names[0] else names[0]

    def check(self, request):
        """``BAD_HOST`` when the request's Host is not allowed, else None."""
        environ = request.environ
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if self.host_allowed(host_name(host)):
            return None
        log.info("refused host %r", host)
        return BAD_HOST
