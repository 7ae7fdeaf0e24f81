"""Training sessions: when and where a team trains every week, and the weeks it does not.

A session is a weekly slot (a weekday, a start and an end time on the
club's clock, a place, a note), from ``starts_on`` to ``ends_on`` when
those are given (a season, a block of indoor sessions).  A cancelled week
is a :class:`TrainingCancellation` of that session on that date.  The
team's calendar feed writes each session as one weekly recurring event in
the club's timezone, each cancelled week an exception of it (``EXDATE``),
so a subscribed phone shows 18:00 in summer and in winter alike.

Like the fixtures, a session carries an iCalendar ``SEQUENCE``: every change
a calendar shows, a cancelled week added or taken back included, raises it
and stamps ``updated_at`` (:func:`_track_changes`, :func:`_cancellations_changed`),
so subscribed calendars replace the event.  A deleted session stamps the
team's :class:`TrainingFeedChange`, the feed's ``Last-Modified``.
"""
import datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from touchline.models import Base, UTCDateTime, utcnow
from touchline.security import BASE_ACL, CREATE, DELETE, EDIT
from touchline.teams.models import Team

PLACE_MAX_LENGTH = 120
NOTE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 200

#: ISO weekday numbers (Monday is 1), as stored, and their names.
WEEKDAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday",
            7: "Sunday"}
#: The iCalendar BYDAY code of each weekday.
BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}

#: The fields a subscribed calendar shows: changing one raises ``sequence``.
CALENDAR_FIELDS = ("weekday", "start_time", "end_time", "place", "note", "starts_on", "ends_on")


def training_acl(team):
    """Who manages a team's training sessions: admins (base ACL) and the team's coaches."""
    yield from BASE_ACL
    yield from team.coach_aces((CREATE, EDIT, DELETE))


class TrainingSession(Base):
    """A team's weekly training slot."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_range"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("length(place) > 0", name="place_not_empty"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        # A team's sessions in the week's order (the team's page, its feed, the foreign key).
        Index("ix_training_sessions_team_id_weekday_start_time_id", "team_id", "weekday", "start_time", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_time: Mapped[datetime.time] = mapped_column(Time)
    end_time: Mapped[datetime.time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(PLACE_MAX_LENGTH))
    note: Mapped[str] = mapped_column(String(NOTE_MAX_LENGTH), default="")
    starts_on: Mapped[datetime.date | None] = mapped_column(Date)
    ends_on: Mapped[datetime.date | None] = mapped_column(Date)
    #: The iCalendar SEQUENCE: raised whenever a calendar-visible field or a cancelled week changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)
    cancellations: Mapped[list["TrainingCancellation"]] = relationship(
        back_populates="session", order_by="TrainingCancellation.date", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self):
        return f"<TrainingSession {self.id} team={self.team_id} {self.weekday_name} {self.start_time}>"

    def __acl__(self):
        yield from training_acl(self.team)

    @property
    def weekday_name(self):
        return WEEKDAYS[self.weekday]

    @property
    def label(self):
        """"Tuesday 18:00–19:30 at Club ground": the session in a line."""
        return (f"{self.weekday_name} {self.start_time:%H:%M}–{self.end_time:%H:%M} at {self.place}")

    def __json__(self, request):
        return session_json(self, self.team.id, self.team.name)


def session_json(session, team_id, team_name, cancellations=None):
    """A session's fields in JSON and XML: the same for an entity and a list's row."""
    data = {
        "id": session.id,
        "team": {"id": team_id, "name": team_name},
        "weekday": session.weekday,
        "weekday_name": WEEKDAYS[session.weekday],
        "start_time": session.start_time.strftime("%H:%M"),
        "end_time": session.end_time.strftime("%H:%M"),
        "place": session.place,
        "note": session.note,
        "starts_on": session.starts_on,
        "ends_on": session.ends_on,
    }
    if cancellations is not None:
        data["cancellations"] = cancellations
    return data


class TrainingCancellation(Base):
    """One week in which a session does not take place, and why."""

    __tablename__ = "training_cancellations"
    __table_args__ = (
        UniqueConstraint("session_id", "date", name="uq_training_cancellations_session_id_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    date: Mapped[datetime.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(REASON_MAX_LENGTH), default="")

    session: Mapped[TrainingSession] = relationship(back_populates="cancellations", lazy="joined",
                                                    innerjoin=True)

    def __repr__(self):
        return f"<TrainingCancellation {self.id} session={self.session_id} {self.date}>"

    def __acl__(self):
        yield from training_acl(self.session.team)

    def __json__(self, request):
        return {"id": self.id, "session": self.session_id, "date": self.date, "reason": self.reason}


class TrainingFeedChange(Base):
    """When a team's feed last lost a training session: the ``Last-Modified`` a deletion leaves."""

    __tablename__ = "training_feed_changes"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    changed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime(), default=utcnow)


@event.listens_for(TrainingSession, "after_delete")
def _record_deletion(mapper, connection, session):
    """Stamp the team's feed as changed, in the same transaction as the deletion."""
    table = TrainingFeedChange.__table__
    now = utcnow()
    updated = connection.execute(table.update().where(table.c.team_id == session.team_id).values(changed_at=now))
    if updated.rowcount == 0:
        connection.execute(table.insert().values(team_id=session.team_id, changed_at=now))


@event.listens_for(TrainingSession, "before_update")
def _track_changes(mapper, connection, session):
    """Raise ``sequence`` and stamp ``updated_at`` when a calendar-visible field changed."""
    state = inspect(session)
    if any(state.attrs[name].history.has_changes() for name in CALENDAR_FIELDS):
        session.sequence = (session.sequence or 0) + 1
        session.updated_at = utcnow()


def _cancellations_changed(mapper, connection, cancellation):
    """A week cancelled or taken back changes the session's event: raise its ``sequence``."""
    table = TrainingSession.__table__
    connection.execute(
        table.update().where(table.c.id == cancellation.session_id)
        .values(sequence=table.c.sequence + 1, updated_at=utcnow())
    )


for _event in ("after_insert", "after_update", "after_delete"):
    event.listen(TrainingCancellation, _event, _cancellations_changed)
