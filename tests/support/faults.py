"""A test-only add-on whose pages fail where only the outer layers can answer.

Named in ``touchline.addons`` by tests/test_faults.py.  Every page needs a
login, writes a team named "fault" (which must never be committed) and
then fails in its own way:

* ``unsaveable-user``: breaks the logged-in user (``username_key`` is NOT
  NULL) and redirects, so the failure comes when pyramid_tm commits, after
  which the request's user can no longer be loaded;
* ``commit-fails``: joins a resource that refuses to commit (a bug, not a
  database error);
* ``exception-view-raises``: raises an exception whose exception view
  raises too;
* ``broken-layout``: a bug in a page whose error page cannot be rendered
  either (the layout's navigation fails);
* ``commit-and-page-fail``: the commit fails and so does the error page.
"""
from pyramid.httpexceptions import HTTPSeeOther
from transaction.interfaces import IDataManager
from zope.interface import implementer

from touchline.security import VIEW_PRIVATE
from touchline.teams.models import Team


class Boom(Exception):
    """Raised by a page; its exception view fails too."""


class BrokenNavigation:
    """Stands in for ``request.navigation``: the layout fails when it lists the entries."""

    def __iter__(self):
        raise RuntimeError("the layout failed")


@implementer(IDataManager)
class RefusesToCommit:
    """A resource of the request's transaction whose vote fails.

    It sorts before zope.sqlalchemy's data manager ("~sqlalchemy:..."), so
    it votes before the database commits: the whole transaction aborts.
    """

    def __init__(self, manager):
        self.transaction_manager = manager

    def sortKey(self):
        return "!touchline-faults"

    def abort(self, transaction):
        pass

    def tpc_begin(self, transaction):
        pass

    def commit(self, transaction):
        pass

    def tpc_vote(self, transaction):
        raise RuntimeError("the commit failed")

    def tpc_finish(self, transaction):
        pass

    def tpc_abort(self, transaction):
        pass


def _write(request):
    request.dbsession.add(Team(name="fault"))
    request.dbsession.flush()


def _home(request):
    return HTTPSeeOther(location=request.route_url("home"))


def unsaveable_user(request):
    _write(request)
    request.user.username_key = None
    return _home(request)


def commit_fails(request):
    _write(request)
    request.tm.get().join(RefusesToCommit(request.tm))
    return _home(request)


def exception_view_raises(request):
    _write(request)
    raise Boom("a page failed")


def broken_layout(request):
    _write(request)
    request.navigation = BrokenNavigation()
    raise RuntimeError("a bug in a view")


def commit_and_page_fail(request):
    _write(request)
    request.navigation = BrokenNavigation()
    request.tm.get().join(RefusesToCommit(request.tm))
    return _home(request)


CASES = {
    "unsaveable-user": unsaveable_user,
    "commit-fails": commit_fails,
    "exception-view-raises": exception_view_raises,
    "broken-layout": broken_layout,
    "commit-and-page-fail": commit_and_page_fail,
}


def dispatch(request):
    return CASES[request.matchdict["case"]](request)


def failing_exception_view(exc, request):
    raise RuntimeError("an exception view failed")


def includeme(config):
    config.add_resource_route("faults", "/_faults/{case:[a-z-]+}")
    config.add_view(dispatch, route_name="faults", request_method="POST",
                    permission=VIEW_PRIVATE, require_csrf=False)
    config.add_exception_view(failing_exception_view, context=Boom)
