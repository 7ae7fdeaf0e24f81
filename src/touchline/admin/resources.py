"""The admin's contexts: the dashboard, a model's list, a record, a recorded change.

A record's pages take the record itself as their context, so its own ACL
(the one every page of its add-on uses) decides who may change it.
"""
from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from touchline.history import Change
from touchline.resources import id_from_matchdict
from touchline.security import BASE_ACL

from .permissions import USE_ADMIN
from .registry import admin_models

COACHES = "role:coach"


class AdminRoot:
    """``/admin``: the dashboard, for admins and coaches."""

    __acl__ = ((Allow, COACHES, USE_ADMIN),) + tuple(BASE_ACL)

    def __init__(self, request):
        self.request = request


def model_admin(request):
    """The registration named by the route's ``{model}``, or 404 (unknown, or its add-on is off)."""
    admin = admin_models(request.registry).get(request.matchdict.get("model"))
    if admin is None:
        raise HTTPNotFound()
    return admin


class ModelResource:
    """A model's list, export, import and bulk actions: coaches too where the model says so."""

    def __init__(self, request, admin=None):
        self.request = request
        self.admin = admin if admin is not None else model_admin(request)

    def __acl__(self):
        if self.admin.coaches:
            yield (Allow, COACHES, USE_ADMIN)
        yield from BASE_ACL


class ChooseParent:
    """A new record that belongs to a parent (a player to a team) before the parent is chosen."""

    def __init__(self, request, admin):
        self.request = request
        self.admin = admin

    def __acl__(self):
        if self.admin.coaches:
            yield (Allow, COACHES, USE_ADMIN)
        yield from BASE_ACL


def record_factory(request):
    """The record named by ``/admin/{model}/{id}``: its own ACL applies."""
    return model_admin(request).record_from_matchdict(request)


def history_factory(request):
    """The record whose history ``/admin/{model}/{id}/history`` shows, or the deleted record it was."""
    admin = model_admin(request)
    record_id = id_from_matchdict(request)
    record = admin.get(request, record_id)
    if record is not None:
        return record
    change = request.dbsession.scalar(
        select(Change).where(Change.kind == admin.name, Change.record_id == record_id)
        .order_by(Change.id.desc()).limit(1)
    )
    if change is None:
        raise HTTPNotFound()
    return DeletedRecord(admin, change)


def new_factory(request):
    """Where a new record is created: the add-on's context, or the parent chooser."""
    admin = model_admin(request)
    if admin.parent and not request.GET.get(admin.parent):
        return ChooseParent(request, admin)
    return admin.new_context(request)


class DeletedRecord:
    """A deleted record, known only from its history: admins alone bring it back."""

    __acl__ = BASE_ACL

    def __init__(self, admin, change):
        self.admin = admin
        self.change = change


def change_factory(request):
    """The recorded change ``{change}`` of the model: its live record (whose ACL applies), or the
    deleted record it was."""
    admin = model_admin(request)
    change = request.dbsession.get(Change, id_from_matchdict(request, "change"))
    if change is None or change.kind != admin.name:
        raise HTTPNotFound()
    record = admin.get(request, change.record_id)
    if record is None:
        return DeletedRecord(admin, change)
    return record
