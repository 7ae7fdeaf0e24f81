"""A test-only add-on whose pages call Pyramid's ``remember`` and ``forget`` as documented.

Named in ``touchline.addons`` by the tests of the security policy.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember


def remember_view(request):
    """``remember(request, userid)`` with nothing else, then what the request now knows."""
    remember(request, int(request.matchdict["userid"]))
    user = request.user
    return {"user": user.username if user is not None else None,
            "identity": request.authenticated_userid}


def forget_view(request):
    forget(request)
    return HTTPSeeOther(location=request.route_url("home"))


def includeme(config):
    config.add_route("remembering.remember", "/_remember/{userid:\\d+}")
    config.add_route("remembering.forget", "/_forget")
    config.add_view(remember_view, route_name="remembering.remember", request_method="POST",
                    require_csrf=False, renderer="json", permission=NO_PERMISSION_REQUIRED)
    config.add_view(forget_view, route_name="remembering.forget", request_method="POST",
                    require_csrf=False, permission=NO_PERMISSION_REQUIRED)
