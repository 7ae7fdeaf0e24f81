"""What an add-on tells the admin about its models: ``config.add_admin_model(FixtureAdmin)``.

The directive belongs to the core, so that an add-on registers its models
whether or not the admin add-on (``touchline.admin``) is enabled; the admin
shows the models of the add-ons that are.  A registration is a
:class:`ModelAdmin` subclass, in the spirit of Django's ``ModelAdmin``:

- ``columns``: what the list shows (:class:`Column`), sortable by its ``attr``;
- ``search``: the text columns ``?q=`` looks in;
- ``filters``: choices, booleans, dates and related records (the
  :class:`Filter` subclasses below), given as ``?f.<name>=<value>``;
- ``ordering``: the default order, e.g. ``("-kickoff",)``;
- ``inlines``: related records shown on a record's page (:class:`Inline`);
- ``actions``: what may be done to the rows ticked in the list
  (:class:`Action`; :class:`DeleteAction` asks for confirmation first);
- ``todos``: the dashboard's to-do lines (:class:`Todo`);
- ``editor``: the add-on's :class:`touchline.crud.Editor`, whose schema,
  rules and templates the admin's add, change and delete forms use;
- ``importer``: a :class:`touchline.spreadsheets.Importer`, for models whose
  records come in from spreadsheets.

Who sees what: admins see every model; a model whose ``coaches`` is true is
shown to coaches too, limited by :meth:`ModelAdmin.scope` to their own
teams' records, and each change is checked against the record's own ACL.
"""
import datetime
from dataclasses import dataclass, field
from typing import Any, Callable

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from sqlalchemy import and_, func, not_, or_, select

from touchline.resources import id_from_matchdict
from touchline.security import DELETE, EDIT, Root

ADMIN_MODELS = "touchline.admin_models"


@dataclass(frozen=True)
class Column:
    """A list column: ``value(record, request)`` gives what a cell shows (text or number)."""

    name: str
    title: str
    #: The model attribute the column sorts by (None: not sortable).
    attr: Any = None
    value: Callable = None

    def cell(self, record, request):
        if self.value is not None:
            return self.value(record, request)
        value = getattr(record, self.name)
        return display(value)


def display(value):
    """A value as a list cell or a history entry shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    label = getattr(value, "label", None)
    if label is not None and not callable(label):
        return label
    return value


def local_time(request, value, style="datetime"):
    """A stored UTC time as the club's clock shows it, written the club's way (``request.dates``)."""
    return request.dates.moment(value, style)


class Filter:
    """One ``?f.<name>=`` filter of a list: its ``choices(request)`` and its ``where``."""

    def __init__(self, name, title):
        self.name = name
        self.title = title

    @property
    def param(self):
        return f"f.{self.name}"

    def choices(self, request):
        """``[(value, label)]`` offered in the list's filter bar."""
        raise NotImplementedError

    def condition(self, request, value):
        """The SQL condition for ``value``, or None when ``value`` is not one of the choices."""
        raise NotImplementedError

    def where(self, request, value):
        condition = self.condition(request, value)
        if condition is None:
            raise HTTPBadRequest(f"“{value}” is not one of the choices of the filter {self.title}.")
        return condition


class ChoiceFilter(Filter):
    """An enumeration column: one of its members (``Level``, ``Status``...)."""

    def __init__(self, name, title, attr, enum):
        super().__init__(name, title)
        self.attr, self.enum = attr, enum

    def choices(self, request):
        return [(member.value, getattr(member, "label", member.value)) for member in self.enum]

    def condition(self, request, value):
        try:
            member = self.enum(value)
        except ValueError:
            return None
        return self.attr == member


class BooleanFilter(Filter):
    """Yes or no: ``expression(request)`` is the SQL condition for yes."""

    def __init__(self, name, title, expression, yes="Yes", no="No"):
        super().__init__(name, title)
        self.expression, self.yes, self.no = expression, yes, no

    def choices(self, request):
        return [("yes", self.yes), ("no", self.no)]

    def condition(self, request, value):
        if value == "yes":
            return self.expression(request)
        if value == "no":
            return not_(self.expression(request))
        return None


class DateFilter(Filter):
    """A date or time column against today, in the club's timezone."""

    PERIODS = (("past", "In the past"), ("today", "Today"), ("week", "In the next 7 days"),
               ("future", "From today on"))

    def __init__(self, name, title, attr, timestamp=True):
        super().__init__(name, title)
        self.attr, self.timestamp = attr, timestamp

    def choices(self, request):
        return list(self.PERIODS)

    def _bound(self, request, days):
        today = datetime.datetime.now(request.timezone).date() + datetime.timedelta(days=days)
        if not self.timestamp:
            return today
        start = datetime.datetime.combine(today, datetime.time(), tzinfo=request.timezone)
        return start.astimezone(datetime.timezone.utc)

    def condition(self, request, value):
        if value == "past":
            return self.attr < self._now(request)
        if value == "today":
            return and_(self.attr >= self._bound(request, 0), self.attr < self._bound(request, 1))
        if value == "week":
            return and_(self.attr >= self._now(request), self.attr < self._bound(request, 8))
        if value == "future":
            return self.attr >= self._bound(request, 0)
        return None

    def _now(self, request):
        now = datetime.datetime.now(datetime.timezone.utc)
        return now if self.timestamp else datetime.datetime.now(request.timezone).date()


class RelatedFilter(Filter):
    """A foreign key: one of the related records, offered by ``label`` in ``order``."""

    #: More related records than this and the filter bar offers the first ones only.
    LIMIT = 200

    def __init__(self, name, title, attr, model, label, order=None):
        super().__init__(name, title)
        self.attr, self.model, self.label = attr, model, label
        self.order = order if order is not None else (label, model.id)

    def choices(self, request):
        rows = request.dbsession.execute(
            select(self.model.id, self.label).order_by(*self.order).limit(self.LIMIT)
        )
        return [(str(id_), label) for id_, label in rows]

    def condition(self, request, value):
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            return None
        return self.attr == int(value)


@dataclass(frozen=True)
class Action:
    """What a list's ticked rows may have done to them: ``apply(request, admin, records)`` returns the message.

    Each record is checked against ``permission`` on its own ACL first; a
    record the user may not change refuses the whole action (403).
    """

    name: str
    title: str
    apply: Callable
    permission: str = EDIT
    #: Show a page listing the records, and act only once it is confirmed.
    confirm: bool = False


def _delete_records(request, admin, records):
    """Delete them all, or none when the add-on's editor refuses one (a category with products)."""
    editor = admin.editor_class
    for record in records:
        if editor is not None and editor(record, request).delete_refused(record) is not None:
            return f"{admin.label(record)} cannot be deleted now, so nothing was deleted."
    for record in records:
        request.dbsession.delete(record)
    request.dbsession.flush()
    return f"{len(records)} {admin.title.lower() if len(records) != 1 else admin.singular} deleted."


def DeleteAction(title="Delete"):
    """Delete the ticked records, after a page that lists what will go."""
    return Action("delete", title, _delete_records, permission=DELETE, confirm=True)


def SetAction(name, title, attr_name, value, done):
    """Set one field of every ticked record (``done``: the message, with ``{count}``)."""

    def apply(request, admin, records):
        for record in records:
            setattr(record, attr_name, value)
        request.dbsession.flush()
        return done.format(count=len(records))

    return Action(name, title, apply)


@dataclass(frozen=True)
class Inline:
    """Related records shown on a record's admin page: the first ``limit`` of the model ``admin``."""

    admin: str
    title: str
    #: The name of the related model's foreign key to this record ("team_id").
    attr: str
    limit: int = 20


@dataclass(frozen=True)
class Todo:
    """A dashboard line: how many records of this model match ``filters`` (a dict of the list's
    filter values), linking to that filtered list."""

    title: str
    filters: dict = field(default_factory=dict)


class ModelAdmin:
    """One model in the admin.  Subclass it and register it with ``config.add_admin_model``."""

    #: The model's name in URLs (``/admin/fixtures``) and in its history (the history kind).
    name = None
    model = None
    #: "Fixtures", and one of them: "fixture".
    title = None
    singular = None
    editor = None
    columns = ()
    search = ()
    filters = ()
    ordering = ()
    inlines = ()
    actions = ()
    todos = ()
    importer = None
    #: Coaches use this model's admin too, limited to their teams' records by :meth:`scope`.
    coaches = False
    #: Whether the model's creation needs a parent record chosen first: the parameter naming it
    #: (``?team=``); see :meth:`context_for_parent`.
    parent = None
    #: The attribute that names a record in a sentence (see :meth:`label`).
    label_attr = "name"
    #: Loader options for the export (what its rows need besides the list's columns).
    export_options = ()
    #: The most records an action or an export takes at once.
    MAX_SELECTED = 200
    MAX_EXPORT = 10_000

    def __init__(self, registry):
        self.registry = registry
        self.editor_class = _resolve(self.editor)
        self.importer_class = _resolve(self.importer)
        self.admin_editor = _admin_editor(self, self.editor_class) if self.editor_class else None
        self.columns_by_name = {column.name: column for column in self.columns}
        self.filters_by_name = {item.name: item for item in self.filters}
        self.actions_by_name = {item.name: item for item in self.actions}

    # What a registration may override ---------------------------------------------

    def query(self, request):
        """The list's statement, before search, filters, scope and order."""
        return select(self.model)

    def scope(self, request, stmt):
        """``stmt`` limited to what this request's user may manage: everything, for admins."""
        return stmt

    def label(self, record):
        """The record in a sentence: "Under 9 Owls", "Sam Taylor"."""
        return str(getattr(record, self.label_attr)) if self.label_attr else str(record)

    def get(self, request, id_):
        """The record ``id_``, or None."""
        return request.dbsession.get(self.model, id_)

    def new_context(self, request):
        """The context a new record is created in (its ACL says who may): the editor's.

        For a model with a ``parent``, the parent named by ``?<parent>=`` (404 if none).
        """
        if self.parent:
            value = request.GET.get(self.parent, "")
            if not (value.isascii() and value.isdigit()) or len(value) > 10:
                raise HTTPNotFound()
            parent = self.get_parent(request, int(value))
            if parent is None:
                raise HTTPNotFound()
            return self.context_for_parent(request, parent)
        # The root: its base ACL lets admins create (the add-on's own new-record route's context).
        return Root(request)

    # A model whose records belong to a parent (players and fixtures to a team) ---------

    def parents(self, request):
        """The parents a new record may be added to (the chooser's list)."""
        raise NotImplementedError

    def get_parent(self, request, id_):
        raise NotImplementedError

    def parent_label(self, parent):
        return str(parent)

    def context_for_parent(self, request, parent):
        """The add-on's context for adding a record to ``parent`` (its ACL decides who may)."""
        raise NotImplementedError

    # History ------------------------------------------------------------------------------

    def change_label(self, request, change):
        """How a recorded change names its record to this request's user."""
        return change.label

    def field_title(self, name):
        """A recorded field's name as the history page shows it."""
        column = self.columns_by_name.get(name)
        return column.title if column is not None else name.replace("_", " ").capitalize()

    # Inlines -------------------------------------------------------------------------------

    def inline_rows(self, request, record):
        """``[{inline, admin, rows}]``: each inline's first records, one query each."""
        models = admin_models(request.registry)
        blocks = []
        for inline in self.inlines:
            related = models.get(inline.admin)
            if related is None:
                continue  # that model's add-on is off
            stmt = related.query(request).where(getattr(related.model, inline.attr) == record.id)
            stmt = stmt.order_by(*related.order_by()[1]).limit(inline.limit + 1)
            records = request.dbsession.scalars(stmt).unique().all()
            blocks.append({
                "inline": inline, "admin": related, "more": len(records) > inline.limit,
                "rows": [(item, [column.cell(item, request) for column in related.columns])
                         for item in records[:inline.limit]],
            })
        return blocks

    # The list -------------------------------------------------------------------------

    def order(self, request):
        """``(sort key, order_by clauses)`` from ``?sort=`` or the default ordering."""
        return self.order_by(request.GET.get("sort") or "")

    def order_by(self, key=""):
        """``(sort key, order_by clauses)`` for ``key`` ("name", "-kickoff"; empty: the default)."""
        key = key or (self.ordering[0] if self.ordering else "")
        name = key.removeprefix("-")
        if not key:
            return "", [self.model.id]
        column = self.columns_by_name.get(name)
        if column is None or column.attr is None:
            raise HTTPBadRequest(f"The list cannot be sorted by “{name}”.")
        attr = column.attr
        clause = attr.desc() if key.startswith("-") else attr.asc()
        tiebreak = self.model.id.desc() if key.startswith("-") else self.model.id.asc()
        return key, [clause, tiebreak]

    def active_filters(self, request):
        """``{filter: value}`` for the ``?f.<name>=`` parameters given (an empty one is no filter)."""
        active = {}
        for item in self.filters:
            value = request.GET.get(item.param, "")
            if value:
                active[item] = value
        return active

    def statement(self, request):
        """What the user sees of the list: scoped, searched, filtered and ordered."""
        stmt = self.scope(request, self.query(request))
        query = request.GET.get("q", "").strip()
        if query and self.search:
            if len(query) > 100:
                raise HTTPBadRequest("A search is at most 100 characters long.")
            pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(or_(*[func.lower(attr).like(pattern, escape="\\") for attr in self.search]))
        for item, value in self.active_filters(request).items():
            stmt = stmt.where(item.where(request, value))
        return stmt.order_by(*self.order(request)[1])

    def selected(self, request, ids):
        """The records ``ids`` that the user's list could show (at most MAX_SELECTED)."""
        if len(ids) > self.MAX_SELECTED:
            raise HTTPBadRequest(f"Choose at most {self.MAX_SELECTED} records at once.")
        try:
            numbers = sorted({int(value) for value in ids})
        except ValueError:
            raise HTTPBadRequest("The records are chosen by their numbers.") from None
        stmt = self.scope(request, self.query(request)).where(self.model.id.in_(numbers))
        records = request.dbsession.scalars(stmt.order_by(self.model.id)).unique().all()
        if len(records) != len(numbers):
            raise HTTPNotFound("Some of the chosen records do not exist, or are not yours to change.")
        return records

    def record_from_matchdict(self, request):
        record = self.get(request, id_from_matchdict(request))
        if record is None:
            raise HTTPNotFound()
        return record


def _admin_editor(admin, editor):
    """``editor`` sending the user back into the admin once a form has done its work."""

    def record_url(self, record):
        return self.request.route_url("admin.change", model=admin.name, id=record.id)

    def after_delete(self, record):
        return self.request.route_url("admin.list", model=admin.name)

    return type(f"Admin{editor.__name__}", (editor,), {
        "after_save": record_url, "after_create": record_url, "after_delete": after_delete,
    })


def _resolve(dotted):
    if isinstance(dotted, str):
        from pyramid.path import DottedNameResolver

        return DottedNameResolver().resolve(dotted)
    return dotted


def add_admin_model(config, admin):
    """Show ``admin`` (a :class:`ModelAdmin` subclass, or its dotted name) in the admin.

    Two add-ons that register the same name conflict at start-up.
    """
    admin = config.maybe_dotted(admin)
    if not admin.name:
        from pyramid.exceptions import ConfigurationError

        raise ConfigurationError(f"{admin.__name__} has no name")

    def register():
        config.registry.setdefault(ADMIN_MODELS, {})[admin.name] = admin(config.registry)

    intr = config.introspectable(ADMIN_MODELS, admin.name, admin.title, ADMIN_MODELS)
    intr["item"] = admin
    config.action((ADMIN_MODELS, admin.name), register, introspectables=(intr,))


def admin_models(registry):
    """``{name: ModelAdmin}`` of the enabled add-ons, in registration order."""
    return registry.get(ADMIN_MODELS, {})


def includeme(config):
    config.add_directive("add_admin_model", add_admin_model)
