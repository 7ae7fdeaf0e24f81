"""Every change to a registered model, recorded with who made it, and brought back on request.

An add-on registers a model with ``config.add_history(model, kind, label=None,
exclude=(), collections=())``: from then on every insert, update and delete of
one of its records is written to the ``changes`` table (:class:`Change`) in the
same transaction as the change itself, so a request that fails (and is
rolled back) records nothing, and a change made in ``pshell`` is recorded
when it is committed.  A change keeps who made it (the user and their
display name at the time, or none outside a request), when, the request's
client address, the record's ``label`` and its recorded fields before and
after, as JSON.

- ``kind`` names the model in the history ("fixtures"); the admin's pages
  use it in their URLs.
- ``label(record)`` is the record in a few words ("Under 9 Owls"), kept with
  each change so that a deleted record can still be named.
- ``exclude``: column attributes never recorded (an account's password hash).
  Primary keys and computed columns are never recorded either.
- ``collections``: many-to-many relationships recorded as sorted lists of
  the related records' ids (a player's guardians, a team's coaches).

What the database does on its own is recorded too: deleting a team deletes
its fixtures and players (``ON DELETE CASCADE``), and those deletions are
recorded, as are the links ``ON DELETE SET NULL`` empties (a post's author)
and the members a registered collection loses (a deleted guardian).  Bulk
``UPDATE`` and ``DELETE`` statements (``dbsession.execute(delete(Team))``) and
Core inserts bypass the ORM and are not recorded: registered models are
changed through the session.

:func:`restore` sets a record back to the state before or after one of its
changes, or brings back a deleted record with its old id, as a new change
that is recorded in turn (``restored_from_id``).  It refuses, with a message
for the admin (:class:`RestoreRefused`), what would break a link or a unique
rule.  History is kept ``touchline.history.keep_days`` days (default 365);
``touchline_purge`` deletes older changes.
"""
import datetime
import decimal
import enum
import functools
import re
import uuid
from collections import defaultdict

from pyramid.exceptions import ConfigurationError
from pyramid.threadlocal import get_current_request
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    delete,
    event,
    exists,
    func,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Mapped, aliased, attributes, mapped_column, selectinload
from sqlalchemy.orm.base import NO_VALUE, PASSIVE_NO_INITIALIZE

from touchline.addons import add_pshell_variable
from touchline.models import Base, UTCDateTime, utcnow
from touchline.pagination import Keyset
from touchline.users import User

#: The registry key of the app's :class:`HistoryRegistry`.
HISTORY = "touchline.history"
KEEP_DAYS = "touchline.history.keep_days"
DEFAULT_KEEP_DAYS = 365
MAX_KEEP_DAYS = 100 * 366
#: ``session.info`` keys: the app's registry (for :func:`restore`), and the restore under way.
REGISTRY_INFO = "touchline.history.registry"
RESTORING_INFO = "touchline.history.restoring"
#: Where a flush keeps what ``before_flush`` found for ``after_flush`` (``flush_context.attributes``).
_SCRATCH = "touchline.history.scratch"

CREATE, UPDATE, DELETE = "create", "update", "delete"
ACTIONS = (CREATE, UPDATE, DELETE)
KIND_MAX_LENGTH = 40
LABEL_MAX_LENGTH = 200
USER_NAME_MAX_LENGTH = 80
CLIENT_ADDR_MAX_LENGTH = 45  # an IPv6 address written out in full, with an IPv4 tail


class Change(Base):
    """One recorded insert, update or delete of a registered model's record."""

    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint("action IN ('create', 'update', 'delete')", name="action_known"),
        # A record's history, newest first; "is this the record's latest change?".
        Index("ix_changes_kind_record_id_id", "kind", "record_id", "id"),
        # A model's deleted records, newest first.
        Index("ix_changes_kind_action_id", "kind", "action", "id"),
        # One user's changes, newest first; also the foreign key's (ON DELETE SET NULL).
        Index("ix_changes_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When, in UTC; the purge deletes by it.
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, index=True)
    #: Who, if it was a logged-in user (None in pshell, scripts, and once the account is gone).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Their display name at the time, kept after the account goes.
    user_name: Mapped[str | None] = mapped_column(String(USER_NAME_MAX_LENGTH))
    #: The request's client address (resolved behind trusted proxies), if there was a request.
    client_addr: Mapped[str | None] = mapped_column(String(CLIENT_ADDR_MAX_LENGTH))
    #: The registration's kind: "fixtures", "players"...
    kind: Mapped[str] = mapped_column(String(KIND_MAX_LENGTH))
    record_id: Mapped[int] = mapped_column(Integer)
    #: "create", "update" or "delete".
    action: Mapped[str] = mapped_column(String(10))
    #: The record's recorded fields before the change (None for a create), as JSON.
    before: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    #: The record's recorded fields after the change (None for a delete), as JSON.
    after: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    #: The record's label at the time.
    label: Mapped[str] = mapped_column(String(LABEL_MAX_LENGTH))
    #: The change whose state a restore brought back, when this change is that restore.
    restored_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("changes.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self):
        return f"<Change {self.id} {self.action} {self.kind} {self.record_id}>"

    @property
    def state(self):
        """The record's fields as this change left them (before them, for a delete)."""
        return self.after if self.after is not None else self.before

    def __json__(self, request):
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "user_id": self.user_id,
            "user_name": self.user_name,
            "client_addr": self.client_addr,
            "kind": self.kind,
            "record_id": self.record_id,
            "action": self.action,
            "label": self.label,
            "before": self.before,
            "after": self.after,
            "restored_from_id": self.restored_from_id,
        }


#: Newest first: the order of every list of changes, served by the indexes above.
CHANGE_ORDER = Keyset((Change.id,), descending=True)


class RestoreRefused(Exception):
    """A restore that would break a link or a unique rule; ``message`` says why, for the admin."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# Registrations --------------------------------------------------------------------------


def humanize(name):
    """``"FeedChange"`` -> ``"feed change"``, ``"shirt_number"`` -> ``"shirt number"``."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return name.replace("_", " ").lower().strip()


class HistoryRegistration:
    """One model whose changes are recorded (see :func:`add_history`)."""

    def __init__(self, model, kind, label=None, exclude=(), collections=()):
        self.model = model
        self.kind = kind
        self.label_function = label or str
        self.exclude = tuple(exclude)
        self.collections = tuple(collections)
        mapper = sa_inspect(model, raiseerr=False)
        if mapper is None or not hasattr(mapper, "column_attrs"):
            raise ConfigurationError(f"add_history({kind!r}): {model!r} is not a mapped model")
        self.mapper = mapper
        self.table = mapper.local_table
        if len(mapper.primary_key) != 1:
            raise ConfigurationError(
                f"add_history({kind!r}): {model.__name__} needs a primary key of one column"
            )
        self.pk_column = mapper.primary_key[0]
        self.pk_key = mapper.get_property_by_column(self.pk_column).key
        #: The recorded column attributes and their columns, in the model's order.
        self.columns = {}
        for prop in mapper.column_attrs:
            if len(prop.columns) != 1 or prop.key in self.exclude:
                continue
            column = prop.columns[0]
            if column.primary_key or getattr(column, "computed", None) is not None:
                continue
            self.columns[prop.key] = column
        unknown = [name for name in self.exclude
                   if name not in mapper.column_attrs and name not in mapper.relationships]
        if unknown:
            raise ConfigurationError(
                f"add_history({kind!r}): {model.__name__} has no attribute {unknown[0]!r} to exclude"
            )
        for name in self.collections:
            prop = mapper.relationships.get(name)
            if prop is None or prop.secondary is None or not prop.uselist:
                raise ConfigurationError(
                    f"add_history({kind!r}): {model.__name__}.{name} is not a many-to-many relationship"
                )
            if len(prop.mapper.primary_key) != 1:
                raise ConfigurationError(
                    f"add_history({kind!r}): {model.__name__}.{name} links a model without a "
                    "primary key of one column"
                )
        self.fields = tuple(self.columns)
        #: The model in words, for messages: "fixture", "player".
        self.noun = humanize(model.__name__)

    def __repr__(self):
        return f"<HistoryRegistration {self.kind} {self.model.__name__}>"

    def label(self, record, record_id=None):
        """The record's label (at most 200 characters); "<noun> <id>" if it cannot be made."""
        try:
            text = str(self.label_function(record))
        except (AttributeError, TypeError, ValueError, KeyError, InvalidRequestError):
            # A label that needs a related record gone with this one (or an expired deleted row).
            text = f"{self.noun.capitalize()} {record_id}"
        return text[:LABEL_MAX_LENGTH]

    def dump(self, key, value):
        """A field's value as JSON holds it, the same however it was given (12.5 is "12.50")."""
        if key in self.collections:
            return sorted(value)
        scale = getattr(self.columns[key].type, "scale", None)
        if isinstance(value, decimal.Decimal) and isinstance(scale, int) and value.is_finite():
            value = value.quantize(decimal.Decimal(1).scaleb(-scale))
        return dump_value(value)

    def load(self, key, value):
        """A recorded JSON value as the model's attribute takes it."""
        if key in self.collections:
            return list(value or ())
        return load_value(self.columns[key], value)


class HistoryRegistry:
    """An app's registrations, by kind and by model class."""

    def __init__(self):
        self.by_kind = {}
        self.by_model = {}
        self._by_class = {}
        self._cascades = None

    def add(self, registration):
        self.by_kind[registration.kind] = registration
        self.by_model[registration.model] = registration
        self._by_class.clear()
        self._cascades = None

    def for_class(self, cls):
        """The registration of ``cls`` or of the nearest mapped class it inherits from."""
        try:
            return self._by_class[cls]
        except KeyError:
            pass
        found = None
        for base in cls.__mro__:
            found = self.by_model.get(base)
            if found is not None:
                break
        self._by_class[cls] = found
        return found

    def cascades(self):
        """What the database changes on its own when a row goes, for each table.

        ``(rows, links)``: ``rows[table]`` lists ``(registration, foreign key,
        "CASCADE" or "SET NULL")`` for the registered tables whose foreign
        key to ``table`` (its primary key) deletes or empties itself;
        ``links[table]`` lists ``(registration, collection)`` for the
        registered collections whose link rows to ``table`` are deleted with it.
        """
        if self._cascades is None:
            rows, links = defaultdict(list), defaultdict(list)
            for registration in self.by_kind.values():
                for constraint in registration.table.foreign_key_constraints:
                    action = (constraint.ondelete or "").upper()
                    if (action in ("CASCADE", "SET NULL") and len(constraint.elements) == 1
                            and constraint.elements[0].column.primary_key):
                        rows[constraint.referred_table].append((registration, constraint, action))
                for key in registration.collections:
                    prop = registration.mapper.relationships[key]
                    target = prop.mapper.local_table
                    for constraint in prop.secondary.foreign_key_constraints:
                        if (constraint.referred_table is target and target is not registration.table
                                and (constraint.ondelete or "").upper() == "CASCADE"):
                            links[target].append((registration, key))
                            break
            self._cascades = (dict(rows), dict(links))
        return self._cascades


def add_history(config, model, kind, label=None, exclude=(), collections=()):
    """Record every change to ``model``'s records under ``kind`` (see the module's docstring).

    ``label(record)`` names a record (default ``str(record)``); ``exclude``
    names column attributes never recorded; ``collections`` names
    many-to-many relationships recorded as sorted lists of ids.
    """
    model = config.maybe_dotted(model)
    label = config.maybe_dotted(label) if label is not None else None
    if not isinstance(kind, str) or not re.fullmatch(r"[a-z][a-z0-9_-]*", kind) or \
            len(kind) > KIND_MAX_LENGTH:
        raise ConfigurationError(
            f"add_history: the kind {kind!r} should be lower-case letters, digits, '-' or '_', "
            f"at most {KIND_MAX_LENGTH} characters"
        )
    registry = config.registry

    def register():
        registry.setdefault(HISTORY, HistoryRegistry()).add(
            HistoryRegistration(model, kind, label, exclude, collections)
        )

    intr = config.introspectable(HISTORY, kind, f"{kind}: {getattr(model, '__name__', model)}",
                                 "touchline history")
    intr["kind"] = kind
    intr["model"] = model
    intr["exclude"] = tuple(exclude)
    intr["collections"] = tuple(collections)
    config.action((HISTORY, kind), register, introspectables=(intr,))
    # One registration per model: a second kind for the same model conflicts too.
    config.action((HISTORY, "model", model), None)


def history_registration(registry, kind):
    """The registration recorded under ``kind``, or None (unknown, or its add-on is off)."""
    history = registry.get(HISTORY)
    return history.by_kind.get(kind) if history is not None else None


def registrations(registry):
    """Every registration, by kind."""
    history = registry.get(HISTORY)
    if history is None:
        return []
    return [history.by_kind[kind] for kind in sorted(history.by_kind)]


# Values as JSON, and back -----------------------------------------------------------------


def dump_value(value):
    """A column value as JSON can hold it: dates as ISO strings, enums by value, decimals as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.timezone.utc).isoformat()  # one instant, one spelling
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [dump_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): dump_value(item) for key, item in value.items()}
    return str(value)


def load_value(column, value):
    """A recorded JSON value typed as ``column`` stores it (the reverse of :func:`dump_value`)."""
    if value is None:
        return None
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if issubclass(python_type, enum.Enum):
        return python_type(value)
    if issubclass(python_type, datetime.datetime):
        return datetime.datetime.fromisoformat(value)
    if issubclass(python_type, datetime.date):
        return datetime.date.fromisoformat(value)
    if issubclass(python_type, datetime.time):
        return datetime.time.fromisoformat(value)
    if issubclass(python_type, decimal.Decimal):
        return decimal.Decimal(value)
    if issubclass(python_type, uuid.UUID):
        return uuid.UUID(value)
    if python_type is float and isinstance(value, str):
        return float(value)
    return value


def _same(a, b):
    if a is None or b is None:
        return a is b
    try:
        if a == b:
            return True
    except TypeError:
        pass
    return dump_value(a) == dump_value(b)


def _identity(obj):
    """An object's primary key value, without loading it (also right after its INSERT)."""
    state = attributes.instance_state(obj)
    if state.key is not None:
        return state.key[1][0]
    mapper = state.mapper
    return state.dict.get(mapper.get_property_by_column(mapper.primary_key[0]).key)


# Recording ---------------------------------------------------------------------------------


class _Scratch:
    """What ``before_flush`` found out for ``after_flush``, kept on the flush's context."""

    def __init__(self):
        #: Recorded fields read from the database, for states whose values were not all loaded.
        self.rows = {}
        #: Collections' ids read from the database: {(state, key): [ids]}.
        self.collections = {}
        #: Labels of the records about to be deleted, made while they still exist.
        self.labels = {}
        #: Rows the database deletes with their parent: [(state, registration, before)].
        self.db_deleted = []
        #: Rows whose links the database empties: {state: (registration, before, after)}.
        self.db_updated = {}
        #: The records loaded for those two, kept alive (the session holds them weakly) until
        #: the flush is over.
        self.loaded = []


def _has_recorded_changes(state, registration):
    committed = state.committed_state
    return any(key in committed for key in registration.fields) or \
        any(key in committed for key in registration.collections)


class Recorder:
    """The session events that record the changes of one app's registered models."""

    def __init__(self, registry):
        self.registry = registry

    @property
    def history(self):
        return self.registry.get(HISTORY)

    def listen(self, factory):
        event.listen(factory, "after_begin", self.after_begin)
        event.listen(factory, "before_flush", self.before_flush)
        event.listen(factory, "after_flush", self.after_flush)
        event.listen(factory, "after_flush_postexec", self.after_flush_postexec)

    def after_begin(self, session, transaction, connection):
        # Lets restore() find the registrations from the session alone.
        session.info[REGISTRY_INFO] = self.registry

    # before the flush: what can only be read while the rows are still there ---------------

    def before_flush(self, session, flush_context, instances):
        history = self.history
        if history is None or not history.by_model:
            return
        scratch = _Scratch()
        flush_context.attributes[_SCRATCH] = scratch
        wanted_rows = defaultdict(list)
        wanted_collections = defaultdict(list)
        deleted = []
        for obj in session.deleted:
            state = attributes.instance_state(obj)
            deleted.append(state)
            registration = history.for_class(state.class_)
            if registration is not None:
                self._want(state, registration, wanted_rows, wanted_collections)
        for obj in session.dirty:
            state = attributes.instance_state(obj)
            registration = history.for_class(state.class_)
            if registration is not None and _has_recorded_changes(state, registration):
                self._want(state, registration, wanted_rows, wanted_collections)
        self._read_rows(session, scratch, wanted_rows)
        self._read_collections(session, scratch, wanted_collections)
        for state in deleted:
            registration = history.for_class(state.class_)
            if registration is not None:
                scratch.labels[state] = registration.label(state.obj(), state.key[1][0])
        if deleted:
            self._find_cascades(session, history, scratch, deleted)

    @staticmethod
    def _want(state, registration, wanted_rows, wanted_collections):
        """Note what the database must tell about ``state`` that the session does not hold."""
        if state.key is None:
            return
        committed, loaded = state.committed_state, state.dict
        if any(committed.get(key, None) is NO_VALUE or (key not in loaded and key not in committed)
               for key in registration.fields):
            wanted_rows[registration].append(state)
        for key in registration.collections:
            if key not in loaded:
                wanted_collections[(registration, key)].append(state)

    @staticmethod
    def _read_rows(session, scratch, wanted):
        for registration, states in wanted.items():
            by_id = {state.key[1][0]: state for state in states}
            columns = [registration.columns[key] for key in registration.fields]
            stmt = select(registration.pk_column, *columns).where(
                registration.pk_column.in_(list(by_id)))
            for row in session.connection().execute(stmt):
                scratch.rows[by_id[row[0]]] = dict(zip(registration.fields, row[1:]))

    @staticmethod
    def _read_collections(session, scratch, wanted):
        for (registration, key), states in wanted.items():
            prop = registration.mapper.relationships[key]
            (parent, parent_link), = prop.synchronize_pairs
            (_target, target_link), = prop.secondary_synchronize_pairs
            by_id = {state.key[1][0]: state for state in states}
            found = {state: [] for state in states}
            stmt = select(parent_link, target_link).where(parent_link.in_(list(by_id)))
            for parent_id, target_id in session.connection().execute(stmt):
                found[by_id[parent_id]].append(target_id)
            for state, ids in found.items():
                scratch.collections[(state, key)] = sorted(ids)

    def _find_cascades(self, session, history, scratch, deleted):
        """Load the registered records the database will delete or change with ``deleted``.

        Deleting a team deletes its fixtures and players (``ON DELETE
        CASCADE``), deleting an account empties its posts' author (``SET
        NULL``) and takes it out of the players' guardians: the ORM never
        sees those rows, so they are loaded here, one query per kind of
        link, and recorded after the flush.  The deletions first (they
        cascade further), then what the rows that go leave behind in the
        records that stay.
        """
        rows, links = history.cascades()
        seen = {state.key for state in deleted}
        gone = defaultdict(set)  # table -> ids of its rows that go
        queue = deleted
        while queue:
            added = defaultdict(set)
            for state in queue:
                if state.key is not None:
                    added[state.mapper.local_table].add(state.key[1][0])
            queue = []
            for table, ids in added.items():
                gone[table] |= ids
                for registration, constraint, action in rows.get(table, ()):
                    if action != "CASCADE":
                        continue
                    column = constraint.elements[0].parent
                    for state in self._load(session, scratch, registration, column.in_(sorted(ids)),
                                            seen):
                        seen.add(state.key)
                        before = self._snapshot(state, registration, scratch, "before")
                        scratch.labels[state] = registration.label(state.obj(), state.key[1][0])
                        scratch.db_deleted.append((state, registration, before))
                        queue.append(state)
        for table, ids in gone.items():
            for registration, constraint, action in rows.get(table, ()):
                if action == "SET NULL":
                    column = constraint.elements[0].parent
                    key = registration.mapper.get_property_by_column(column).key
                    for state in self._load(session, scratch, registration, column.in_(sorted(ids)),
                                            seen):
                        self._db_update(state, registration, scratch)[key] = None
            for registration, key in links.get(table, ()):
                prop = registration.mapper.relationships[key]
                target_pk = prop.mapper.primary_key[0]
                criterion = getattr(registration.model, key).any(target_pk.in_(sorted(ids)))
                for state in self._load(session, scratch, registration, criterion, seen):
                    after = self._db_update(state, registration, scratch)
                    if key in after:
                        after[key] = [item for item in after[key] if item not in ids]

    @staticmethod
    def _load(session, scratch, registration, criterion, seen):
        """The registered records matching ``criterion``, but those already going (``seen`` keys)."""
        stmt = select(registration.model).where(criterion)
        for key in registration.collections:
            stmt = stmt.options(selectinload(getattr(registration.model, key)))
        found = session.scalars(stmt).unique().all()
        scratch.loaded.extend(found)
        for obj in found:
            state = attributes.instance_state(obj)
            if state.key not in seen:
                yield state

    def _db_update(self, state, registration, scratch):
        """The values ``state`` will have once the database is done: a copy of its own, to change."""
        entry = scratch.db_updated.get(state)
        if entry is None:
            before = self._snapshot(state, registration, scratch, "before")
            entry = scratch.db_updated[state] = (registration, before, dict(before))
        return entry[2]

    # after the flush: the rows have ids; write the changes ---------------------------------

    def after_flush(self, session, flush_context):
        scratch = flush_context.attributes.get(_SCRATCH)
        if scratch is None:
            return
        history = self.history
        entries = []
        new = None
        for state, (isdelete, listonly) in list(flush_context.states.items()):
            if listonly:
                continue
            registration = history.for_class(state.class_)
            if registration is None:
                continue
            if new is None:
                new = {attributes.instance_state(obj) for obj in session.new}
            if isdelete:
                if state.key is None:
                    continue  # pending, never inserted
                record_id = state.key[1][0]
                before = self._snapshot(state, registration, scratch, "before")
                label = scratch.labels.get(state) or registration.label(state.obj(), record_id)
                entries.append((registration, record_id, DELETE, before, None, label))
            elif state in new:
                after = self._snapshot(state, registration, scratch, "after", new=True)
                record_id = _identity(state.obj())
                label = registration.label(state.obj(), record_id)
                entries.append((registration, record_id, CREATE, None, after, label))
            elif _has_recorded_changes(state, registration):
                before = self._snapshot(state, registration, scratch, "before")
                after = self._snapshot(state, registration, scratch, "after")
                if before != after:
                    record_id = state.key[1][0]
                    label = registration.label(state.obj(), record_id)
                    entries.append((registration, record_id, UPDATE, before, after, label))
        for state, registration, before in scratch.db_deleted:
            entries.append((registration, state.key[1][0], DELETE, before, None, scratch.labels[state]))
        for state, (registration, before, after) in scratch.db_updated.items():
            if before != after:
                record_id = state.key[1][0]
                entries.append((registration, record_id, UPDATE, before, after,
                                registration.label(state.obj(), record_id)))
        if entries:
            self._write(session, flush_context, entries)

    def after_flush_postexec(self, session, flush_context):
        scratch = flush_context.attributes.get(_SCRATCH)
        if scratch is None:
            return
        # The database deleted or changed these rows behind the session's back.
        for state, _registration, _before in scratch.db_deleted:
            obj = state.obj()
            if obj is not None and state.session_id == session.hash_key:
                session.expunge(obj)
        for state in scratch.db_updated:
            obj = state.obj()
            if obj is not None and state.session_id == session.hash_key and state.key is not None:
                session.expire(obj)

    def _snapshot(self, state, registration, scratch, side, new=False):
        """The record's recorded fields as JSON, before the flush or after it (``new``: inserted)."""
        values = {}
        loaded, committed = state.dict, state.committed_state
        row = scratch.rows.get(state)
        for key in registration.fields:
            if side == "before" and key in committed:
                value = committed[key]
                if value is NO_VALUE:
                    if row is None or key not in row:
                        continue
                    value = row[key]
            elif key in loaded:
                value = loaded[key]
            elif row is not None and key in row:
                value = row[key]
            elif side == "after":
                value = getattr(state.obj(), key)  # expired by the flush (a SQL expression set)
            else:
                continue
            values[key] = registration.dump(key, value)
        for key in registration.collections:
            if key in loaded:
                if side == "after":
                    members = loaded[key] or ()
                else:
                    history = state.get_history(key, PASSIVE_NO_INITIALIZE)
                    members = list(history.unchanged or ()) + list(history.deleted or ())
                values[key] = sorted(_identity(member) for member in members)
            elif (state, key) in scratch.collections:
                values[key] = list(scratch.collections[(state, key)])
            elif new:
                values[key] = []
        return values

    def _write(self, session, flush_context, entries):
        user_id, user_name, client_addr = actor(session)
        if user_id is not None:
            # An admin who deletes their own account: the change outlives the row.
            for state, (isdelete, _listonly) in flush_context.states.items():
                if isdelete and state.key is not None and state.key[1][0] == user_id and \
                        issubclass(state.class_, User):
                    user_id = None
        restoring = session.info.get(RESTORING_INFO) or {}
        now = utcnow()
        rows = [
            {
                "at": now,
                "user_id": user_id,
                "user_name": user_name,
                "client_addr": client_addr,
                "kind": registration.kind,
                "record_id": record_id,
                "action": action,
                "before": before,
                "after": after,
                "label": label,
                "restored_from_id": restoring.get((registration.kind, record_id)),
            }
            for registration, record_id, action, before, after, label in entries
        ]
        session.connection().execute(Change.__table__.insert(), rows)


def actor(session):
    """``(user_id, user_name, client_addr)`` of the change being flushed in ``session``.

    An ORM event has no request argument, so the request is the one Pyramid
    is serving on this thread (``get_current_request``): the user it loaded
    with its session, and its client address (``touchline.proxies`` has
    already resolved any trusted proxy).  pshell's and the scripts' request
    has no session cookie, so no user, and no client address; a flush
    outside any request (a test's session, a worker) records neither.

    The user comes from what the request already loaded, so recording costs
    no query.  Only if the request changed a record before asking who is
    logged in (every view's permission check asks, so hardly ever) is the
    session cookie looked up, by :func:`_logged_in`.
    """
    request = get_current_request()
    if request is None:
        return None, None, None
    client_addr = None
    if request.environ.get("REMOTE_ADDR"):
        client_addr = (request.client_addr or "")[:CLIENT_ADDR_MAX_LENGTH] or None
    try:
        slot = request.session_slot
    except AttributeError:  # a bare request without Touchline's request methods
        return None, None, client_addr
    if slot.session is None:
        user_id, name = _logged_in(request, session)
    else:
        user = slot.session.user
        if user is None:
            return None, None, client_addr
        state = sa_inspect(user)
        user_id = state.key[1][0] if state.key is not None else state.dict.get("id")
        name = state.dict.get("display_name") or state.dict.get("username") or None
    return user_id, (name[:USER_NAME_MAX_LENGTH] if name else None), client_addr


def _logged_in(request, session):
    """``(user_id, name)`` behind the request's session cookie, or ``(None, None)``.

    Read with one Core statement on the flush's own connection, under the
    rule ``touchline.sessions`` loads a session by (an unexpired session of
    an active user), but without loading it: this flush may be the
    autoflush of that very load, and a second load inside it would put a
    second copy of the session's row in the ORM session.
    """
    from touchline.sessions import SessionRecord, hash_id

    settings = request.registry.get("touchline.session_settings")
    cookie = request.cookies.get(settings.cookie_name) if settings is not None else None
    if not cookie or len(cookie) > 128:
        return None, None
    row = session.connection().execute(
        select(User.id, User.display_name, User.username, SessionRecord.created_at,
               SessionRecord.last_seen_at, SessionRecord.expires_at)
        .join(User, User.id == SessionRecord.user_id)
        .where(SessionRecord.id_hash == hash_id(cookie), User.active.is_(True))
    ).first()
    if row is None:
        return None, None
    user_id, display_name, username, created_at, last_seen_at, expires_at = row
    if settings.expired(created_at, last_seen_at, expires_at):
        return None, None
    return user_id, display_name or username


# Reading the history ------------------------------------------------------------------------


def history_query(kind, record_id):
    """A select of the record's changes, newest first (``ix_changes_kind_record_id_id``)."""
    return CHANGE_ORDER.ordered(
        select(Change).where(Change.kind == kind, Change.record_id == record_id)
    )


def history_of(dbsession, kind, record_id, limit=100):
    """The record's changes, newest first (at most ``limit``)."""
    return dbsession.scalars(history_query(kind, record_id).limit(limit)).all()


def change_diff(change):
    """``[(field, before, after)]``: the fields an update changed; every field of a create or delete."""
    before, after = change.before or {}, change.after or {}
    fields = list(before) + [key for key in after if key not in before]
    if change.action != UPDATE:
        return [(key, before.get(key), after.get(key)) for key in fields]
    return [(key, before.get(key), after.get(key)) for key in fields
            if before.get(key) != after.get(key)]


@functools.lru_cache(maxsize=64)
def deleted_records_query(kind, model=None, ordered=True):
    """The latest delete of each ``kind`` record that has not come back since, newest first.

    A record that was brought back (or whose id a new record took, which
    SQLite can do with the highest id) has a later change, so it is not
    listed.  With ``model``, records that exist now are left out too (for
    records written without the ORM).  A select of :class:`Change`, for
    ``request.paginate(stmt)``; with ``ordered=False`` it is left unordered,
    for ``request.paginate(stmt, keyset=CHANGE_ORDER)``.  Read newest first
    through ``ix_changes_kind_action_id``; each row's "is it the latest?"
    through ``ix_changes_kind_record_id_id``.  Built once per arguments, so
    that the pagination's statements built from it are reused.
    """
    later = aliased(Change)
    latest = (select(func.max(later.id))
              .where(later.kind == Change.kind, later.record_id == Change.record_id)
              .scalar_subquery())
    stmt = select(Change).where(Change.kind == kind, Change.action == DELETE, Change.id == latest)
    if model is not None:
        pk = sa_inspect(model).primary_key[0]
        stmt = stmt.where(~exists().where(pk == Change.record_id))
    return CHANGE_ORDER.ordered(stmt) if ordered else stmt


def recent_changes_query(user_id=None, ordered=True):
    """Every change, or one user's, newest first (``ordered=False``: for ``keyset=CHANGE_ORDER``)."""
    stmt = select(Change)
    if user_id is not None:
        stmt = stmt.where(Change.user_id == user_id)
    return CHANGE_ORDER.ordered(stmt) if ordered else stmt


# Restoring ------------------------------------------------------------------------------------


def restore(dbsession, change, state="after", registry=None):
    """Set ``change``'s record back to its state ``"after"`` (or ``"before"``) that change.

    A live record gets that state's recorded fields; a deleted record is
    created again, with its old id.  The session is flushed, so the restore
    is recorded as a new change whose ``restored_from_id`` is ``change.id``;
    returns the record.  Raises :class:`RestoreRefused`, before anything is
    written (the transaction stays usable), when:

    - the state is no record at all: before a create (delete the record
      instead) or after a delete (the same);
    - a link in that state leads to a record that no longer exists (the team
      of a fixture).  A link the database itself empties when its target
      goes (``ON DELETE SET NULL``, a post's author) comes back empty
      instead, as the database would have left it;
    - another record now has a value that must be unique (a shirt number in
      the team, a username);
    - the record's id was taken by a new record since;
    - the record is already in that state.

    Members of a recorded collection that no longer exist (a guardian's
    deleted account) are left out of it.  Fields recorded since the change
    was made (a column added later) keep their current or default values;
    fields no longer recorded are ignored.
    """
    if state not in ("after", "before"):
        raise ValueError(f"restore(): state must be 'after' or 'before', not {state!r}")
    if registry is None:
        dbsession.connection()  # begun: the history's after_begin names the registry
        registry = dbsession.info.get(REGISTRY_INFO)
    registration = history_registration(registry, change.kind) if registry is not None else None
    if registration is None:
        raise RestoreRefused(f"Changes of {change.kind} can no longer be restored: "
                             "the add-on that records them is not enabled.")
    noun = registration.noun
    values = change.after if state == "after" else change.before
    if values is None:
        if change.action == CREATE:
            raise RestoreRefused(f"Before this change there was no {noun}: "
                                 f"to go back to that, delete the {noun}.")
        raise RestoreRefused(f"After this change there was no {noun}: "
                             f"to go back to that, delete the {noun}.")
    record = dbsession.get(registration.model, change.record_id)
    bring_back = record is None
    outcome = "it cannot be brought back" if bring_back else "this version cannot be restored"
    if not bring_back and _id_taken_since(dbsession, change):
        raise RestoreRefused(f"This {noun}'s id was given to a new {noun} since, so {outcome}.")
    fields = {key: registration.load(key, value) for key, value in values.items()
              if key in registration.columns}
    _check_links(dbsession, registry, registration, fields, record, outcome)
    _check_unique(dbsession, registration, fields, record, change.record_id, outcome)
    members = {}
    for key in registration.collections:
        if key in values:
            prop = registration.mapper.relationships[key]
            ids = registration.load(key, values[key])
            target_pk = prop.mapper.primary_key[0]
            members[key] = dbsession.scalars(
                select(prop.mapper.class_).where(target_pk.in_(ids)).order_by(target_pk)
            ).all() if ids else []
    if not bring_back and _unchanged(registration, record, fields, members):
        raise RestoreRefused(f"The {noun} is already as it was in this version: "
                             "there is nothing to restore.")
    marks = dbsession.info.setdefault(RESTORING_INFO, {})
    marks[(change.kind, change.record_id)] = change.id
    try:
        with dbsession.no_autoflush:
            if bring_back:
                record = registration.mapper.class_manager.new_instance()
                setattr(record, registration.pk_key, change.record_id)
            for key, value in fields.items():
                setattr(record, key, value)
            for key, value in members.items():
                setattr(record, key, value)
            if bring_back:
                dbsession.add(record)
        dbsession.flush()
    finally:
        marks.pop((change.kind, change.record_id), None)
    return record


def _id_taken_since(dbsession, change):
    """Whether a record created (not restored) after ``change`` took its record's id."""
    return dbsession.scalar(
        select(exists().where(
            Change.kind == change.kind, Change.record_id == change.record_id,
            Change.id > change.id, Change.action == CREATE, Change.restored_from_id.is_(None),
        ))
    )


def _noun_of_table(registry, table):
    """A table's records in words: its registration's noun, its model's, or its name."""
    history = registry.get(HISTORY)
    for registration in (history.by_kind.values() if history else ()):
        if registration.table is table:
            return registration.noun
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return humanize(mapper.class_.__name__)
    return humanize(table.name)


def _check_links(dbsession, registry, registration, fields, record, outcome):
    for constraint in registration.table.foreign_key_constraints:
        keys = [registration.mapper.get_property_by_column(element.parent).key
                for element in constraint.elements]
        if any(key not in fields or fields[key] is None for key in keys):
            continue
        if record is not None and all(_same(getattr(record, key), fields[key]) for key in keys):
            continue  # the link the record has now: the database vouches for it
        found = dbsession.scalar(select(exists().where(and_(*(
            element.column == fields[key] for element, key in zip(constraint.elements, keys)
        )))))
        if found:
            continue
        if (constraint.ondelete or "").upper() == "SET NULL":
            for key in keys:
                fields[key] = None
            continue
        raise RestoreRefused(
            f"The {_noun_of_table(registry, constraint.referred_table)} this {registration.noun} "
            f"belonged to no longer exists, so {outcome}."
        )


def _unique_column_sets(table):
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            yield list(constraint.columns)
    for index in table.indexes:
        if index.unique and all(isinstance(expression, Column) for expression in index.expressions):
            yield list(index.columns)
    for column in table.columns:
        if column.unique:
            yield [column]


def _check_unique(dbsession, registration, fields, record, record_id, outcome):
    seen = set()
    for columns in _unique_column_sets(registration.table):
        keys = []
        for column in columns:
            if column.primary_key:
                break
            prop = registration.mapper.get_property_by_column(column)
            keys.append(prop.key)
        else:
            if tuple(keys) in seen or any(key not in fields or fields[key] is None for key in keys):
                continue
            seen.add(tuple(keys))
            if record is not None and all(_same(getattr(record, key), fields[key]) for key in keys):
                continue
            clash = dbsession.scalar(select(exists().where(
                registration.pk_column != record_id,
                *(registration.columns[key] == fields[key] for key in keys),
            )))
            if clash:
                names = " and ".join(humanize(re.sub(r"_(id|key)$", "", key)) for key in keys)
                raise RestoreRefused(
                    f"Another {registration.noun} already has this {names}, so {outcome}."
                )


def _unchanged(registration, record, fields, members):
    for key, value in fields.items():
        if not _same(getattr(record, key), value):
            return False
    for key, value in members.items():
        if sorted(_identity(item) for item in getattr(record, key)) != \
                sorted(_identity(item) for item in value):
            return False
    return True


# The purge and the setting ----------------------------------------------------------------


def keep_days(settings):
    """``touchline.history.keep_days``: a whole number of days from 1, default 365."""
    raw = str(settings.get(KEEP_DAYS) or DEFAULT_KEEP_DAYS).strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_KEEP_DAYS:
        raise ConfigurationError(
            f"{KEEP_DAYS}: {raw!r} is not a number of days from 1 to {MAX_KEEP_DAYS}"
        )
    return int(raw)


def purge_history(request):
    """Delete the changes older than ``touchline.history.keep_days`` days (``touchline_purge``)."""
    cutoff = utcnow() - datetime.timedelta(days=request.registry[KEEP_DAYS])
    return request.dbsession.execute(
        delete(Change).where(Change.at < cutoff).execution_options(synchronize_session=False)
    ).rowcount


def includeme(config):
    registry = config.registry
    registry[KEEP_DAYS] = keep_days(registry.settings)
    registry.setdefault(HISTORY, HistoryRegistry())
    Recorder(registry).listen(registry["touchline.dbsession_factory"])
    config.add_directive("add_history", add_history)
    config.add_purge_job("history", purge_history)
    # addons (which offers the directive) is included later; the function records the same.
    add_pshell_variable(config, "Change", Change,
                        "The Change model: the recorded history of the registered models.")
