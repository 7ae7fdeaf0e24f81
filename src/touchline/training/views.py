"""The training pages and API: every page answers HTML, JSON and XML.

``/training`` lists every team's current sessions by age group, a team's
page shows its own (a section, and ``/teams/{id}/training``), and each
session has its page with the weeks it is cancelled.  Each list costs a
constant number of queries: the sessions with their teams in one, their
cancelled weeks in the next four weeks in one more (a team's are joined in).
"""
import datetime
import itertools

from pyramid.interfaces import IRoutesMapper
from pyramid.view import view_config
from sqlalchemy import and_, bindparam, or_, select

from touchline.crud import Editor
from touchline.formats import Page
from touchline.pagination import read
from touchline.security import VIEW
from touchline.teams.models import Team

from .models import WEEKDAYS, TrainingCancellation, TrainingSession, session_json
from .schemas import CancellationIn, SessionIn, check_session

SESSIONS, CANCELLATIONS = TrainingSession.__table__, TrainingCancellation.__table__
#: The team's calendar feed (the fixtures add-on's), which carries its training sessions too.
FEED_ROUTE = "fixtures.team_calendar"
#: How far ahead the pages show cancelled weeks.
HORIZON = datetime.timedelta(days=28)
#: A team's page shows at most this many sessions (a team trains a few times a week).
TEAM_SESSIONS_SHOWN = 50
TODAY = bindparam("today", type_=SESSIONS.c.starts_on.type)
CURRENT = or_(SESSIONS.c.ends_on.is_(None), SESSIONS.c.ends_on >= TODAY)
_COLUMNS = (SESSIONS.c.id, SESSIONS.c.team_id, SESSIONS.c.weekday, SESSIONS.c.start_time, SESSIONS.c.end_time,
            SESSIONS.c.place, SESSIONS.c.note, SESSIONS.c.starts_on, SESSIONS.c.ends_on)

#: Every team's current sessions: youngest age group first, then team, then the week's order.
CLUB_SESSIONS = (
    select(*_COLUMNS, Team.__table__.c.name.label("team_name"), Team.__table__.c.level.label("team_level"))
    .join(Team.__table__, Team.__table__.c.id == SESSIONS.c.team_id)
    .where(CURRENT)
    .order_by(Team.__table__.c.level, Team.__table__.c.name, SESSIONS.c.team_id, SESSIONS.c.weekday,
              SESSIONS.c.start_time, SESSIONS.c.id)
)
#: The cancelled weeks of some sessions, from today to the horizon.
UPCOMING_CANCELLATIONS = (
    select(CANCELLATIONS.c.session_id, CANCELLATIONS.c.date, CANCELLATIONS.c.reason)
    .where(CANCELLATIONS.c.session_id.in_(bindparam("ids", expanding=True)),
           CANCELLATIONS.c.date >= TODAY, CANCELLATIONS.c.date < bindparam("horizon", type_=SESSIONS.c.starts_on.type))
    .order_by(CANCELLATIONS.c.session_id, CANCELLATIONS.c.date)
)
#: One team's current sessions, each with its cancelled weeks to the horizon, in one query.
TEAM_SESSIONS = (
    select(*_COLUMNS, CANCELLATIONS.c.date.label("cancelled_on"), CANCELLATIONS.c.reason.label("cancel_reason"))
    .outerjoin(CANCELLATIONS, and_(CANCELLATIONS.c.session_id == SESSIONS.c.id, CANCELLATIONS.c.date >= TODAY,
                                   CANCELLATIONS.c.date < bindparam("horizon", type_=SESSIONS.c.starts_on.type)))
    .where(SESSIONS.c.id.in_(
        select(SESSIONS.c.id).where(SESSIONS.c.team_id == bindparam("team_id"), CURRENT)
        .order_by(SESSIONS.c.weekday, SESSIONS.c.start_time, SESSIONS.c.id).limit(TEAM_SESSIONS_SHOWN)
    ))
    .order_by(SESSIONS.c.weekday, SESSIONS.c.start_time, SESSIONS.c.id, CANCELLATIONS.c.date)
)


def club_today(request):
    """Today's date on the club's clock."""
    return datetime.datetime.now(request.timezone).date()


class SessionItem:
    """A session as the lists show it, from a plain row: its fields, its next week, its cancelled weeks."""

    __slots__ = ("id", "team_id", "team_name", "level_label", "weekday", "weekday_name", "start_time",
                 "end_time", "place", "note", "starts_on", "ends_on", "path", "cancelled", "next_date")

    def __init__(self, row, path, today, team_name=None, level_label=None):
        self.id, self.team_id = row.id, row.team_id
        self.team_name = team_name if team_name is not None else getattr(row, "team_name", None)
        self.level_label = level_label
        self.weekday, self.weekday_name = row.weekday, WEEKDAYS[row.weekday]
        self.start_time, self.end_time = row.start_time, row.end_time
        self.place, self.note, self.starts_on, self.ends_on = row.place, row.note, row.starts_on, row.ends_on
        self.path = path(row.id)
        self.cancelled = []
        start = max(today, row.starts_on) if row.starts_on else today
        self.next_date = start + datetime.timedelta(days=(row.weekday - start.isoweekday()) % 7)
        if row.ends_on and self.next_date > row.ends_on:
            self.next_date = None

    def cancel(self, date, reason):
        self.cancelled.append({"date": date, "reason": reason})

    @property
    def next_cancelled(self):
        """The reason the next week is cancelled ("" for none given), or None if it takes place."""
        for week in self.cancelled:
            if week["date"] == self.next_date:
                return week["reason"]
        return None

    def __json__(self, request):
        data = session_json(self, self.team_id, self.team_name, cancellations=self.cancelled)
        data["next_date"] = self.next_date
        return data


def _by_team(items):
    return [(key, list(group)) for key, group in
            itertools.groupby(items, key=lambda item: (item.level_label, item.team_id, item.team_name))]


@view_config(route_name="training.list", request_method="GET", permission=VIEW,
             renderer="touchline.training:templates/training.jinja2")
def training_list(request):
    """Every team's current training sessions, by age group and team, with the weeks off soon."""
    today = club_today(request)
    page = request.paginate(CLUB_SESSIONS, columns=True, params={"today": today})
    path = request.path_for("training.show", "id")
    items = [SessionItem(row, path, today, level_label=row.team_level.label) for row in page.items]
    _add_cancellations(request, items, today)
    page.items = items
    return {"sessions": items, "teams": _by_team(items), "page": page}


def _add_cancellations(request, items, today):
    if not items:
        return
    by_id = {item.id: item for item in items}
    rows = read(request, UPCOMING_CANCELLATIONS,
                {"ids": list(by_id), "today": today, "horizon": today + HORIZON}).all()
    for row in rows:
        by_id[row.session_id].cancel(row.date, row.reason)


def team_sessions(request, team):
    """The team's current sessions with their cancelled weeks to the horizon: one query."""
    today = club_today(request)
    rows = read(request, TEAM_SESSIONS, {"team_id": team.id, "today": today, "horizon": today + HORIZON}).all()
    path = request.path_for("training.show", "id")
    items = {}
    for row in rows:
        item = items.get(row.id)
        if item is None:
            item = items[row.id] = SessionItem(row, path, today, team_name=team.name, level_label=team.level.label)
        if row.cancelled_on is not None:
            item.cancel(row.cancelled_on, row.cancel_reason)
    return list(items.values())


@view_config(route_name="training.team", request_method="GET", permission=VIEW,
             renderer="touchline.training:templates/team_training.jinja2")
def team_training(context, request):
    """A team's training sessions, with the calendar feed to add them to a phone."""
    team = context.team
    calendar = webcal = None
    if request.registry.getUtility(IRoutesMapper).get_route(FEED_ROUTE) is not None:
        calendar = request.route_url(FEED_ROUTE, id=team.id)
        webcal = "webcal://" + calendar.split("://", 1)[1]
    return {"team": team, "sessions": team_sessions(request, team), "calendar": calendar, "webcal": webcal}


def team_training_section(request, team):
    """The team page's section: when and where the team trains (None when it has no session)."""
    sessions = team_sessions(request, team)
    if not sessions:
        return None
    return {"team": team, "sessions": sessions}


def _coming_weeks_off(request, session):
    today = club_today(request)
    return today, [week for week in session.cancellations if week.date >= today]


@view_config(route_name="training.show", request_method="GET", permission=VIEW,
             renderer="touchline.training:templates/session.jinja2")
def session_show(context, request):
    """One session with its cancelled weeks from today on (the ones before are history)."""
    today, weeks = _coming_weeks_off(request, context)
    return {"session": context, "today": today, "cancellations": weeks}


@view_config(route_name="training.cancellations", request_method="GET", permission=VIEW,
             renderer="touchline.training:templates/session.jinja2")
def session_cancellations(context, request):
    """The session's cancelled weeks from today on: what an app shows, and where it ``POST`` s one.

    HTML clients get the session's page, which lists them.
    """
    today, weeks = _coming_weeks_off(request, context)
    return Page({"cancellations": weeks}, session=context, today=today)


@view_config(route_name="training.cancellation", request_method="GET", permission=VIEW,
             renderer="touchline.training:templates/cancellation.jinja2")
def cancellation_show(context, request):
    """One cancelled week: where the JSON API's ``Location`` points."""
    return Page({"cancellation": context}, session=context.session)


# Writing ---------------------------------------------------------------------------


def _hhmm(value):
    return value.strftime("%H:%M") if value else ""


class SessionEditor(Editor):
    """Training sessions' forms and JSON API writes (admins and the team's coaches)."""

    key = "session"
    schema_class = SessionIn
    collection_route = "training.team"
    item_route = "training.show"
    new_route = "training.new"
    edit_route = "training.edit"
    delete_route = "training.delete"
    form_template = "touchline.training:templates/session_form.jinja2"
    delete_template = "touchline.training:templates/session_delete.jinja2"
    created_message = "The {record.weekday_name} training session was added."
    saved_message = "The {record.weekday_name} training session was saved."
    deleted_message = "The {record.weekday_name} training session was deleted."

    def new(self):
        return TrainingSession(team=self.context.team)

    def current(self, session):
        return {"weekday": session.weekday, "start_time": _hhmm(session.start_time),
                "end_time": _hhmm(session.end_time), "place": session.place, "note": session.note,
                "starts_on": session.starts_on.isoformat() if session.starts_on else None,
                "ends_on": session.ends_on.isoformat() if session.ends_on else None}

    def apply(self, session, data):
        errors = check_session(data)
        if errors:
            return errors
        for name in ("weekday", "start_time", "end_time", "place", "note", "starts_on", "ends_on"):
            if getattr(session, name) != getattr(data, name):
                setattr(session, name, getattr(data, name))
        return None

    def new_values(self):
        return {"weekday": "2", "start_time": "18:00", "end_time": "19:00"}

    def form_values(self, session):
        values = self.current(session)
        values["weekday"] = str(session.weekday)
        values["starts_on"] = values["starts_on"] or ""
        values["ends_on"] = values["ends_on"] or ""
        return values

    def form_page(self, form, session=None):
        team = session.team if session is not None else self.context.team
        return {"form": form, "session": session, "team": team,
                "weekdays": [(str(number), name) for number, name in WEEKDAYS.items()]}

    def after_create(self, session):
        return self.request.route_url("training.team", id=session.team_id)

    def after_delete(self, session):
        return self.request.route_url("training.team", id=session.team_id)


class CancellationEditor(Editor):
    """Cancelling one week of a session, and taking it back: the forms and the JSON API.

    ``POST /training/{id}/cancellations`` cancels a week (201),
    ``PUT /training/cancellations/{id}`` moves it or changes its reason,
    ``DELETE`` takes it back (204); the team's coaches and the admins.
    """

    key = "cancellation"
    schema_class = CancellationIn
    collection_route = "training.cancellations"
    item_route = "training.cancellation"
    new_route = "training.cancel"
    delete_route = "training.uncancel"
    form_template = "touchline.training:templates/cancellation_form.jinja2"
    delete_template = "touchline.training:templates/cancellation_delete.jinja2"

    def created(self, record):
        return f"Training on {self.request.dates.date(record.date, 'full')} is cancelled."

    def deleted(self, record):
        return f"Training on {self.request.dates.date(record.date, 'full')} takes place again."

    def new(self):
        # By its id: a refused form must leave nothing attached to the session.
        return TrainingCancellation(session_id=self.context.id)

    def current(self, cancellation):
        return {"date": cancellation.date.isoformat(), "reason": cancellation.reason}

    def apply(self, cancellation, data):
        if data.date != cancellation.date:
            errors = self._check_week(cancellation, data.date)
            if errors:
                return errors
        cancellation.date = data.date
        cancellation.reason = data.reason
        return None

    def _check_week(self, cancellation, date):
        """Errors if ``date`` may not be cancelled: a week the session has, not cancelled yet.

        Only a new or moved week is checked: a PUT that changes the reason of a week
        cancelled before the session moved to another day is still taken.
        """
        # A new week is cancelled in the session's context; a PUT's context is the week itself.
        session = cancellation.session if cancellation.id is not None else self.context
        if date.isoweekday() != session.weekday:
            return {"date": [f"Choose a {session.weekday_name}: this session is on {session.weekday_name}s."]}
        if session.starts_on and date < session.starts_on or session.ends_on and date > session.ends_on:
            return {"date": ["Choose a date between the session's first and last dates."]}
        taken = self.request.dbsession.scalar(
            select(TrainingCancellation.id).where(TrainingCancellation.session_id == session.id,
                                                  TrainingCancellation.date == date))
        if taken is not None:
            return {"date": ["That week is already cancelled."]}
        return None

    def form_page(self, form, cancellation=None):
        return {"form": form, "session": self.context}

    def delete_page(self, cancellation):
        return {"cancellation": cancellation, "session": cancellation.session}

    def after_save(self, cancellation):
        return self.request.route_url("training.show", id=cancellation.session_id)

    def after_delete(self, cancellation):
        return self.request.route_url("training.show", id=cancellation.session_id)
