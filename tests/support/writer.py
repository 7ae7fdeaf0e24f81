"""A test-only add-on whose pages write a team and then end in each way a request can.

Named in ``touchline.addons`` by the tests of the commit rule and of error pages.
"""
from pyramid.httpexceptions import (
    HTTPBadRequest,
    HTTPForbidden,
    HTTPFound,
    HTTPSeeOther,
)
from transaction.interfaces import TransientError

from touchline.teams.models import Team


def _write(request):
    request.dbsession.add(Team(name=request.matchdict["case"]))
    request.dbsession.flush()


def return_redirect(request):
    _write(request)
    return HTTPSeeOther(location=request.route_url("home"))


def raise_redirect(request):
    _write(request)
    raise HTTPFound(location=request.route_url("home"))


def raise_error(request):
    _write(request)
    raise RuntimeError("a bug in a view")


def client_error(request):
    _write(request)
    raise HTTPBadRequest("bad input")


def returned_client_error(request):
    _write(request)
    request.response.status_int = 422
    return request.response


def transient_once(request):
    """Fails with a transient error on the first attempt; pyramid_retry tries again."""
    request.dbsession.add(Team(name=f"attempt {request.environ['retry.attempt']}"))
    request.dbsession.flush()
    if request.environ["retry.attempt"] == 0:
        raise TransientError("serialization failure")
    return request.response


def conflict(request):
    """What two people saving the same unique value at once comes to: a unique violation."""
    from touchline.users import Role, User

    _write(request)
    request.dbsession.add_all([User("twin", display_name="One", role=Role.MEMBER),
                               User("Twin", display_name="Two", role=Role.MEMBER)])
    request.dbsession.flush()
    return request.response


def forbidden(request):
    raise HTTPForbidden()


def ok(request):
    _write(request)
    return request.response


CASES = {
    "return-redirect": return_redirect,
    "raise-redirect": raise_redirect,
    "raise-error": raise_error,
    "raise-4xx": client_error,
    "return-4xx": returned_client_error,
    "transient-once": transient_once,
    "conflict": conflict,
    "forbidden": forbidden,
    "ok": ok,
}


def dispatch(request):
    return CASES[request.matchdict["case"]](request)


def includeme(config):
    config.add_resource_route("writer", "/_writer/{case:[a-z0-9-]+}")
    config.add_view(dispatch, route_name="writer", request_method="POST", require_csrf=False)
