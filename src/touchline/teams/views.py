"""The teams pages: every view answers HTML, JSON and XML."""
from pyramid.view import view_config
from sqlalchemy import func, select

from .models import Team


@view_config(
    route_name="teams.list",
    request_method="GET",
    renderer="touchline.teams:templates/teams.jinja2",
)
def team_list(request):
    """Every team, youngest age group first."""
    return {"teams": request.dbsession.scalars(Team.ordered()).all()}


@view_config(
    route_name="teams.show",
    request_method="GET",
    renderer="touchline.teams:templates/team.jinja2",
)
def team_show(context, request):
    return {"team": context}


def youngest_teams_panel(request):
    """The home page's panel: the teams of the youngest age group that has any."""
    youngest = select(func.min(Team.level)).scalar_subquery()
    teams = request.dbsession.scalars(Team.ordered().where(Team.level == youngest)).all()
    level = teams[0].level if teams else None
    return {
        "level": level.value if level else None,
        "level_label": level.label if level else None,
        "teams": teams,
    }
