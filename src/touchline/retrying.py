"""Which requests ``pyramid_retry`` may run again: ``retry.activate_hook``.

pyramid_retry runs before any tween and, to retry, copies the whole body
first (and turns an invalid Content-Length into an empty body).  A request
the hardening tween will refuse is tried once, its body never copied;
every other keeps ``retry.attempts``.
"""
from touchline.hardening import REGISTRY_KEY, screen


def retry_attempts(request):
    hardening = request.registry.get(REGISTRY_KEY)
    if hardening is not None and screen(request, hardening) is not None:
        return 1
    return None
