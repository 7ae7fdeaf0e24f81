"""Helpers for resource factories: typed ids and 404s.

URLs take integer ids (``{id:\\d+}`` in the route pattern), so a
non-number never reaches a view; an id beyond what the database stores, or
one with no row behind it, is a 404 too, never a 500.
"""
from pyramid.httpexceptions import HTTPNotFound

#: The largest id an INTEGER primary key holds on every supported database.
MAX_ID = 2**31 - 1


def id_from_matchdict(request, name="id"):
    """The integer ``name`` from the route's match, or 404."""
    try:
        value = int(request.matchdict[name])
    except (KeyError, TypeError, ValueError):
        raise HTTPNotFound() from None
    if not 0 < value <= MAX_ID:
        raise HTTPNotFound()
    return value


def get_or_404(request, model, name="id"):
    """The ``model`` row whose primary key is the route's ``name``, or 404."""
    obj = request.dbsession.get(model, id_from_matchdict(request, name))
    if obj is None:
        raise HTTPNotFound()
    return obj
