"""Why a request is answered before it reaches the application (``touchline.hardening``).

Each check of the incoming request (``hosts``, ``bodylimits``,
``requestparsing``, ``proxies``) names its refusals here as constants; the
hardening tween answers them with an error page in the format asked for.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """A status and the words of the error page that answers a refused request."""

    status: int
    title: str
    detail: str
