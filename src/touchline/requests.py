"""Requests with their properties built in once, at start-up.

Pyramid gives a request the properties added with
``config.add_request_method(..., reify=True)`` (``request.dbsession``,
``request.user``, ``request.format``, ...) by making a new class for every
request (``InstancePropertyHelper.apply_properties``): about 20 µs a
request.  :func:`with_request_class` makes that class once, when the
application is built, and gives it to the router; the properties, and
their once-per-request ``reify`` behaviour, are the same.  Requests that
scripts, ``pshell`` and tests build with Pyramid's own helpers still get
the properties the usual way, from the registry.
"""
from dataclasses import dataclass, field

from pyramid.interfaces import IRequestExtensions

_MISSING = object()


@dataclass
class _MethodsOnly:
    """The router's request extensions once the properties live on its request class."""

    methods: dict
    descriptors: dict = field(default_factory=dict)


def with_request_class(app):
    """Give the router ``app`` a request class that already has the request properties."""
    extensions = app.registry.queryUtility(IRequestExtensions)
    if extensions is None or not extensions.descriptors:
        return app
    base = app.request_factory
    request_class = type(base.__name__, (base,), dict(extensions.descriptors))
    # As Pyramid does for its per-request classes: keep the base's interface
    # declarations, so that adapter lookups treat it as the base.
    for name in ("__implemented__", "__provides__"):
        value = getattr(base, name, _MISSING)
        if value is not _MISSING:
            setattr(request_class, name, value)
    app.request_factory = request_class
    app.request_extensions = _MethodsOnly(methods=dict(extensions.methods))
    return app
