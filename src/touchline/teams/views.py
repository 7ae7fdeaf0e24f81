"""The teams pages and API: every view answers HTML, JSON and XML.

Forms and JSON writes share one schema (``schemas.py``), so a team that
cannot be saved from the page cannot be saved through the API either.
"""
import itertools
import operator

from pyramid.view import view_config
from sqlalchemy import bindparam, func, select

from touchline.crud import Editor
from touchline.pagination import read
from touchline.security import VIEW
from touchline.users import Role, User

from .models import DEFAULT_LEVEL, TEAM_ORDER, Level, Team
from .permissions import MANAGE_COACHES
from .schemas import TeamAdminIn, TeamIn

FORM_TEMPLATE = "touchline.teams:templates/team_form.jinja2"


@view_config(
    route_name="teams.list",
    request_method="GET",
    permission=VIEW,
    renderer="touchline.teams:templates/teams.jinja2",
)
def team_list(request):
    """Every team, youngest age group first, a page at a time (plain rows: only shown)."""
    page = request.paginate(TEAM_ROWS, keyset=TEAM_ORDER, columns=True)
    path = request.path_for("teams.show", "id")
    page.items = TeamList(TeamItem(row, path) for row in page.items)
    return {"teams": page.items, "page": page}


#: The columns a list of teams shows.
TEAM_ROWS = select(Team.id, Team.name, Team.level)
#: The youngest teams panel: the first of the youngest age group, one more
#: than it shows to know whether there are others.
YOUNGEST_TEAMS = (
    TEAM_ROWS.where(Team.level == select(func.min(Team.level)).scalar_subquery())
    .order_by(Team.name, Team.id)
    .limit(bindparam("limit"))
)
YOUNGEST_TEAMS_SHOWN = 12


class TeamItem:
    """A team as lists show it, from a plain row: the fields of ``Team.__json__``, and its path.

    Plain attributes, because a template reads them fastest (a dict's keys
    cost Jinja a failed attribute lookup each), and the page's path made
    here, where a call costs a tenth of one in a template.
    """

    __slots__ = ("id", "name", "level", "level_label", "path")

    def __init__(self, row, path):
        self.id = row.id
        self.name = row.name
        self.level = row.level.value
        self.level_label = LEVEL_LABELS[row.level]
        self.path = path(row.id)

    def __json__(self, request):
        return {"id": self.id, "name": self.name, "level": self.level, "level_label": self.level_label}


class TeamList(list):
    """Teams in their list order; ``by_level()`` groups them for the page (JSON and XML get the list)."""

    def by_level(self):
        return [(label, list(group))
                for label, group in itertools.groupby(self, key=operator.attrgetter("level_label"))]


LEVEL_LABELS = {level: level.label for level in Level}


@view_config(
    route_name="teams.show",
    request_method="GET",
    permission=VIEW,
    renderer="touchline.teams:templates/team.jinja2",
)
def team_show(context, request):
    return {"team": context}


def youngest_teams_panel(request):
    """The home page's panel: the youngest age group's teams, a dozen at most.

    ``more`` says whether that age group has more teams than shown; the
    panel then links to the whole list.
    """
    rows = read(request, YOUNGEST_TEAMS, {"limit": YOUNGEST_TEAMS_SHOWN + 1}).all()
    path = request.path_for("teams.show", "id")
    teams = [TeamItem(row, path) for row in rows[:YOUNGEST_TEAMS_SHOWN]]
    level = rows[0].level if rows else None
    return {
        "level": level.value if level else None,
        "level_label": level.label if level else None,
        "teams": teams,
        "more": len(rows) > YOUNGEST_TEAMS_SHOWN,
    }


# Writing ---------------------------------------------------------------------


def _schema(request, context):
    return TeamAdminIn if request.has_permission(MANAGE_COACHES, context) else TeamIn


def _coaches(request, ids):
    """The coach accounts named by ``ids``, or the field's errors."""
    if not ids:
        return [], None
    coaches = request.dbsession.scalars(
        select(User).where(User.id.in_(ids), User.role == Role.COACH, User.active.is_(True))
    ).all()
    unknown = sorted(set(ids) - {coach.id for coach in coaches})
    if unknown:
        return None, [f"No active coach has the id {', '.join(map(str, unknown))}."]
    return coaches, None


def _apply(request, team, data):
    """Copy valid data onto ``team``; returns field errors instead if coaches are wrong."""
    coaches = None
    if isinstance(data, TeamAdminIn):
        coaches, errors = _coaches(request, data.coaches)
        if errors:
            return {"coaches": errors}
    team.name = data.name
    team.level = data.level
    if coaches is not None:
        team.coaches = coaches
    return None


def _form_page(request, form, team=None):
    context = team if team is not None else request.context
    coach_choices = []
    if _schema(request, context) is TeamAdminIn:
        coach_choices = [
            (str(user.id), user.name)
            for user in request.dbsession.scalars(
                select(User).where(User.role == Role.COACH, User.active.is_(True)).order_by(User.username_key)
            )
        ]
    return {
        "form": form,
        "team": team,
        "levels": [(level.value, level.label) for level in Level],
        "coach_choices": coach_choices,
    }


def _values(team):
    return {
        "name": team.name,
        "level": team.level.value,
        "coaches": [str(coach.id) for coach in team.coaches],
    }




class TeamEditor(Editor):
    """The teams' forms and JSON API writes; only an admin may name coaches."""

    key = "team"
    collection_route = "teams.list"
    item_route = "teams.show"
    new_route = "teams.new"
    edit_route = "teams.edit"
    delete_route = "teams.delete"
    form_template = FORM_TEMPLATE
    delete_template = "touchline.teams:templates/team_delete.jinja2"
    created_message = "The team {record.name} was created."
    saved_message = "The team {record.name} was saved."
    deleted_message = "The team {record.name} was deleted."
    after_delete_route = "teams.list"

    def schema(self):
        return _schema(self.request, self.context)

    def new(self):
        return Team()

    def current(self, team):
        current = _values(team)
        if self.schema() is TeamIn:
            del current["coaches"]
        else:
            current["coaches"] = [coach.id for coach in team.coaches]
        return current

    def apply(self, team, data):
        return _apply(self.request, team, data)

    def new_values(self):
        return {"level": DEFAULT_LEVEL.value}

    def form_values(self, team):
        return _values(team)

    def form_page(self, form, team=None):
        return _form_page(self.request, form, team)
