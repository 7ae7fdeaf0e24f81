"""Server-side sessions, kept in the database so every app process shares them.

The cookie carries only a random id (256 bits); the database keeps a
SHA-256 of it, so a copy of the table gives nobody a live session.  A
session dies after ``touchline.session.idle_timeout`` seconds without a
request and ``touchline.session.absolute_timeout`` seconds after it began,
whatever happens; ``expires_at`` keeps the earlier of the two, indexed, so
``touchline_purge`` deletes dead rows with one range scan.  Logging in gives
a new id; logging out deletes the row (``invalidate``), so a cookie
replayed afterwards is worthless on every process.

Only a logged-in user has a session row.  An anonymous visitor's CSRF
token lives in a cookie (``touchline.csrf``), so nobody can fill the table
by asking for the login page, and nothing an anonymous request puts in its
session is kept.

Changes are written by a tween inside the request's transaction, so a
request that fails leaves the stored session as it was.
"""
import datetime
import hashlib
import secrets

from pyramid.interfaces import ISession
from pyramid.settings import asbool
from sqlalchemy import JSON, ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column
from zope.interface import implementer

from touchline.models import Base, UTCDateTime
from touchline.users import User, utcnow

COOKIE_NAME = "touchline_session"


class SessionRecord(Base):
    """One session: its data, and the user logged in with it (if any)."""

    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    #: When the session dies unless it is used again; purged after that.
    expires_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, index=True)

    def touch(self, now, settings):
        self.last_seen_at = now
        self.expires_at = min(
            self.created_at + datetime.timedelta(seconds=settings.absolute_timeout),
            now + datetime.timedelta(seconds=settings.idle_timeout),
        )


def hash_id(session_id):
    return hashlib.sha256(session_id.encode("ascii", "replace")).hexdigest()


@implementer(ISession)
class ServerSession(dict):
    """A Pyramid session whose data lives in the ``sessions`` table."""

    def __init__(self, request, record=None, user=None):
        super().__init__(record.data if record else {})
        self.request = request
        self.record = record
        self.user = user
        self.new = record is None
        self.created = (record.created_at if record else utcnow()).timestamp()
        self.dirty = False
        self.invalidated = False
        self.session_id = None  # set when a new id is issued to the client

    # Pyramid's ISession -------------------------------------------------
    def changed(self):
        self.dirty = True

    def invalidate(self):
        """Forget everything: the row is deleted and the cookie expired."""
        if self.record is not None:
            self.request.dbsession.delete(self.record)
            self.record = None
        self.clear()
        self.user = None
        self.invalidated = True
        self.dirty = False

    def flash(self, msg, queue="", allow_duplicate=True):
        messages = self.setdefault("_f_" + queue, [])
        if allow_duplicate or msg not in messages:
            messages.append(msg)
            self.changed()

    def pop_flash(self, queue=""):
        messages = super().pop("_f_" + queue, [])
        if messages:
            self.changed()
        return messages

    def peek_flash(self, queue=""):
        return self.get("_f_" + queue, [])

    def new_csrf_token(self):
        token = secrets.token_urlsafe(32)
        self["_csrft_"] = token
        return token

    def get_csrf_token(self):
        return self.get("_csrft_") or self.new_csrf_token()

    # dict mutations mark the session as changed -------------------------
    def _mutating(name):
        method = getattr(dict, name)

        def mutate(self, *args, **kwargs):
            self.dirty = True
            return method(self, *args, **kwargs)

        mutate.__name__ = name
        return mutate

    __setitem__ = _mutating("__setitem__")
    __delitem__ = _mutating("__delitem__")
    setdefault = _mutating("setdefault")
    update = _mutating("update")
    pop = _mutating("pop")
    popitem = _mutating("popitem")
    clear = _mutating("clear")
    del _mutating

    # Touchline's own ------------------------------------------------------
    def detach(self):
        """Become an empty, anonymous session that saves nothing, without touching the database."""
        dict.clear(self)
        self.record = None
        self.user = None
        self.dirty = False

    def login(self, user):
        """Start an authenticated session: a new id, a new CSRF token, the user."""
        data = {key: value for key, value in self.items() if key != "_csrft_"}
        if self.record is not None:
            self.request.dbsession.delete(self.record)
            self.record = None
        dict.clear(self)
        dict.update(self, data)
        self.new_csrf_token()
        self.user = user
        self.invalidated = False
        self.dirty = True

    def save(self, settings):
        """Write the session if it changed; returns the id to send as a cookie, if any.

        Without a logged-in user nothing is kept, and a row left from
        before (a user since deactivated) is deleted with its cookie.
        """
        now = utcnow()
        if self.user is None:
            if self.record is not None:
                self.invalidate()
            return None
        if self.record is None:
            self.session_id = secrets.token_urlsafe(32)
            self.record = SessionRecord(id_hash=hash_id(self.session_id), created_at=now)
            self.record.touch(now, settings)
            self.request.dbsession.add(self.record)
        elif self.dirty or (now - self.record.last_seen_at).total_seconds() > settings.touch_every:
            self.record.touch(now, settings)
        if self.dirty:
            self.record.data = dict(self)
            self.record.user_id = self.user.id if self.user is not None else None
        return self.session_id


class SessionSettings:
    """The session settings, coerced once at start-up."""

    def __init__(self, settings):
        self.idle_timeout = int(settings.get("touchline.session.idle_timeout", 2 * 3600))
        self.absolute_timeout = int(settings.get("touchline.session.absolute_timeout", 12 * 3600))
        self.secure = asbool(settings.get("touchline.session.secure", False))
        self.cookie_name = settings.get("touchline.session.cookie_name", COOKIE_NAME)
        # Remember a request at most this often, not on every page view.
        self.touch_every = min(60, self.idle_timeout // 10)

    def expired(self, created_at, last_seen_at, expires_at, now=None):
        """Whether a session with these times is over: past its expiry, or idle or old too long."""
        now = now or utcnow()
        return (
            now >= expires_at
            or (now - created_at).total_seconds() > self.absolute_timeout
            or (now - last_seen_at).total_seconds() > self.idle_timeout
        )


def load_session(request):
    """The session for this request's cookie, or a new, empty one.

    One query loads the session and its user; expired sessions are deleted.
    """
    slot = request.session_slot
    if slot.session is None:
        slot.session = _load(request)
    return slot.session


class SessionSlot:
    """Where a request keeps its session once loaded (``request.session_slot``).

    ``request.user`` reads the user from it, and the session tween saves
    it, without loading a session that the request never asked for.  One
    per request object: a request that ``pyramid_retry`` runs again starts
    with an empty slot.
    """

    __slots__ = ("session",)

    def __init__(self, request):
        self.session = None


def anonymous_session(request):
    """Answer the rest of this request with an empty session, without asking the database.

    For a request that met a database outage: whether or not the session
    was loaded, the user is nobody and nothing is saved.
    """
    slot = request.session_slot
    if slot.session is None:
        slot.session = ServerSession(request)
    else:
        slot.session.detach()


def _load(request):
    settings = request.registry["touchline.session_settings"]
    session_id = request.cookies.get(settings.cookie_name)
    if not session_id or len(session_id) > 128:
        return ServerSession(request)
    row = request.dbsession.execute(
        select(SessionRecord, User)
        .outerjoin(User, User.id == SessionRecord.user_id)
        .where(SessionRecord.id_hash == hash_id(session_id))
    ).first()
    if row is None:
        return ServerSession(request)
    record, user = row
    if settings.expired(record.created_at, record.last_seen_at, record.expires_at):
        request.dbsession.delete(record)
        return ServerSession(request)
    if user is not None and not user.active:
        user = None
    return ServerSession(request, record, user)


def purge_sessions(request):
    """Delete the sessions that have expired; returns how many (``touchline_purge``)."""
    result = request.dbsession.execute(
        delete(SessionRecord).where(SessionRecord.expires_at < utcnow())
    )
    return result.rowcount


def end_other_sessions(request, user):
    """Log ``user`` out everywhere but here (after a password change)."""
    keep = request.session.record.id_hash if request.session.record is not None else ""
    request.dbsession.execute(
        delete(SessionRecord).where(SessionRecord.user_id == user.id, SessionRecord.id_hash != keep)
    )


def end_all_sessions(request, user):
    request.dbsession.execute(delete(SessionRecord).where(SessionRecord.user_id == user.id))


def session_tween_factory(handler, registry):
    """Save the session inside the request's transaction and set its cookie.

    Sits under pyramid_tm, so the write commits or aborts with the request.
    """
    settings = registry["touchline.session_settings"]

    def session_tween(request):
        response = handler(request)
        session = request.session_slot.session  # only if this request loaded it
        if session is None:
            return response
        session_id = session.save(settings)
        if session.invalidated and session.record is None and request.cookies.get(settings.cookie_name):
            response.delete_cookie(settings.cookie_name, path="/")
        if session_id is not None:
            response.set_cookie(
                settings.cookie_name,
                session_id,
                max_age=settings.absolute_timeout,
                path="/",
                secure=settings.secure,
                httponly=True,
                samesite="Lax",
            )
        return response

    return session_tween


def includeme(config):
    config.registry["touchline.session_settings"] = SessionSettings(config.registry.settings)
    config.add_request_method(SessionSlot, "session_slot", reify=True)
    config.set_session_factory(load_session)
    config.add_purge_job("sessions", purge_sessions)
    config.add_tween(
        "touchline.sessions.session_tween_factory",
        under="pyramid_tm.tm_tween_factory",
        over="pyramid.tweens.excview_tween_factory",
    )
