"""Training sessions in each team's calendar feed: one weekly recurring event a session.

The feed is the fixtures add-on's (``touchline.fixtures.calendar``); this is
the source it asks (``config.add_team_calendar_source``, see
``touchline.teams.calendars``).  Each session is an event whose ``DTSTART``
and ``DTEND`` are wall-clock times in the club's timezone (``TZID``, with
the feed's ``VTIMEZONE``), repeated with ``RRULE:FREQ=WEEKLY;BYDAY=..``
until the session's last date (``UNTIL``, in UTC as RFC 5545 asks), and
each cancelled week an ``EXDATE`` at the session's start time that day.
Being wall-clock times, a session at 18:00 stays at 18:00 after the clocks
change, which a series of UTC instants would not.

A poll costs no query of its own: the feed's one state query also reads
the team's sessions' count, latest change, ``SEQUENCE``\\ s, ids and last
deletion (:meth:`TrainingSource.state_columns`).  A feed that is sent
reads the sessions and their cancelled weeks in one more query, and none
for a team without sessions.
"""
import datetime

from sqlalchemy import DateTime, Integer, bindparam, func, select, type_coerce

from touchline.models import utcnow

from .models import BYDAY, TrainingCancellation, TrainingFeedChange, TrainingSession

UTC = datetime.timezone.utc
SESSIONS = TrainingSession.__table__
CANCELLATIONS = TrainingCancellation.__table__
CHANGES = TrainingFeedChange.__table__
#: How many years of clock changes the feed's VTIMEZONE carries beyond the current one.
YEARS_AHEAD = 5


def _instant(value):
    """An instant as read from either database: aware, in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def first_date(session_row, tz):
    """The date of a session's first week: on or after ``starts_on`` (or the day it was made)."""
    start = session_row.starts_on or _instant(session_row.created_at).astimezone(tz).date()
    return start + datetime.timedelta(days=(session_row.weekday - start.isoweekday()) % 7)


class TrainingSource:
    """The training add-on's events in a team's feed (the protocol of ``touchline.teams.calendars``)."""

    name = "training"

    @staticmethod
    def state_columns(team_id):
        team_sessions = SESSIONS.c.team_id == team_id
        return [
            select(func.count(SESSIONS.c.id)).where(team_sessions).scalar_subquery().label("training_count"),
            select(type_coerce(func.max(SESSIONS.c.updated_at), DateTime(timezone=True)))
            .where(team_sessions).scalar_subquery().label("training_updated_at"),
            select(func.coalesce(func.sum(SESSIONS.c.sequence), 0)).where(team_sessions)
            .scalar_subquery().label("training_sequences"),
            select(func.coalesce(func.sum(SESSIONS.c.id), 0)).where(team_sessions)
            .scalar_subquery().label("training_ids"),
            select(type_coerce(CHANGES.c.changed_at, DateTime(timezone=True)))
            .where(CHANGES.c.team_id == team_id).scalar_subquery().label("training_deleted_at"),
        ]

    @staticmethod
    def _validators(count, updated_at, sequences, ids, deleted_at):
        updated_at, deleted_at = _instant(updated_at), _instant(deleted_at)
        text = "|".join((
            "training-1", str(count), updated_at.isoformat() if updated_at else "", str(sequences), str(ids),
            deleted_at.isoformat() if deleted_at else "",
            # The VTIMEZONE's years follow the calendar year.
            str(utcnow().year) if count else "",
        ))
        changes = [moment for moment in (updated_at, deleted_at) if moment is not None]
        return text, max(changes) if changes else None

    def validators(self, request, state):
        return self._validators(state.training_count, state.training_updated_at, state.training_sequences,
                                state.training_ids, state.training_deleted_at)

    def events(self, request, team_id, team_name, state):
        """``(text, last_modified, years, lines)`` for the feed: see ``touchline.teams.calendars``."""
        if not state.training_count:
            text, last_modified = self._validators(0, None, 0, 0, state.training_deleted_at)
            return text, last_modified, None, []
        rows = request.dbsession.connection().execute(FEED_ROWS, {"team_id": team_id}).all()
        sessions = {}
        for row in rows:
            entry = sessions.setdefault(row.id, (row, []))
            if row.cancelled_on is not None:
                entry[1].append(row.cancelled_on)
        found = [row for row, _dates in sessions.values()]
        text, last_modified = self._validators(
            len(found), max((_instant(row.updated_at) for row in found), default=None),
            sum(row.sequence for row in found), sum(row.id for row in found), state.training_deleted_at,
        )
        tz = request.timezone
        firsts = {row.id: first_date(row, tz) for row in found}
        years = (min(first.year for first in firsts.values()), utcnow().year + YEARS_AHEAD)
        lines = [event_text(request, team_name, row, firsts[row.id], dates, tz)
                 for row, dates in sessions.values()]
        return text, last_modified, years, lines


def _time(value):
    """A TIME column's value (SQLite gives text when read as plain columns)."""
    if isinstance(value, str):
        return datetime.time.fromisoformat(value)
    return value


def _date(value):
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


#: A team's sessions, each with its cancelled weeks (one row a week; one row for none), in week order.
FEED_ROWS = (
    select(
        SESSIONS.c.id, SESSIONS.c.weekday, SESSIONS.c.start_time, SESSIONS.c.end_time, SESSIONS.c.place,
        SESSIONS.c.note, SESSIONS.c.starts_on, SESSIONS.c.ends_on, SESSIONS.c.sequence,
        SESSIONS.c.created_at, SESSIONS.c.updated_at,
        CANCELLATIONS.c.date.label("cancelled_on"),
    )
    .select_from(SESSIONS.outerjoin(CANCELLATIONS, CANCELLATIONS.c.session_id == SESSIONS.c.id))
    .where(SESSIONS.c.team_id == bindparam("team_id", type_=Integer()))
    .order_by(SESSIONS.c.weekday, SESSIONS.c.start_time, SESSIONS.c.id, CANCELLATIONS.c.date)
)


def _local(day, time):
    return "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031
        day.year, day.month, day.day, time.hour, time.minute, time.second)


def event_text(request, team_name, row, first, cancelled, tz):
    """One session as a VEVENT: weekly from its first week, its cancelled weeks excepted."""
    from touchline.fixtures.calendar import _stamp, escape, fold, uid_host

    start, end = _time(row.start_time), _time(row.end_time)
    tzid = escape(tz.key)
    updated = _stamp(_instant(row.updated_at))
    rule = f"RRULE:FREQ=WEEKLY;BYDAY={BYDAY[row.weekday]}"
    ends_on = _date(row.ends_on)
    if ends_on is not None:
        # UNTIL is in UTC when DTSTART has a TZID (RFC 5545 3.3.10): the last week's start.
        last = datetime.datetime.combine(ends_on, start, tzinfo=tz)
        rule += f";UNTIL={_stamp(last.astimezone(UTC))}"
    summary = f"{team_name} training"
    description = f"Training at {row.place}." + (f"\n{row.note}" if row.note else "")
    lines = [
        "BEGIN:VEVENT",
        fold("SUMMARY:" + escape(summary)),
        fold(f"DTSTART;TZID={tzid}:{_local(first, start)}"),
        fold(f"DTEND;TZID={tzid}:{_local(first, end)}"),
        f"DTSTAMP:{updated}",
        fold(f"UID:training-{row.id}@{escape(uid_host(request))}"),
        f"SEQUENCE:{row.sequence}",
        f"CREATED:{_stamp(_instant(row.created_at))}",
        fold("DESCRIPTION:" + escape(description)),
        f"LAST-MODIFIED:{updated}",
        fold("LOCATION:" + escape(row.place)),
        rule,
    ]
    weeks = sorted({_date(day) for day in cancelled
                    if _date(day).isoweekday() == row.weekday and _date(day) >= first})
    if weeks:
        lines.append(fold(f"EXDATE;TZID={tzid}:" + ",".join(_local(day, start) for day in weeks)))
    lines += ["STATUS:CONFIRMED", fold("URL:" + request.route_url("training.show", id=row.id)), "END:VEVENT"]
    return "\r\n".join(lines)
