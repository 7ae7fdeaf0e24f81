"""The teams in the admin, and the rule the team-owned models share: coaches see their own teams."""
from sqlalchemy import select

from touchline.admin.registry import ChoiceFilter, Column, DeleteAction, Inline, ModelAdmin
from touchline.users import Role

from .models import TEAM_ORDER, Level, Team, team_coaches


def coached(request, team_id):
    """``team_id`` limited to the teams this request's coach coaches; None for an admin (all)."""
    user = request.user
    if user is not None and user.role is Role.ADMIN:
        return None
    return team_id.in_(select(team_coaches.c.team_id).where(team_coaches.c.user_id == user.id))


class TeamOwned(ModelAdmin):
    """A model whose records belong to a team (players, fixtures): coaches manage their teams'."""

    coaches = True
    parent = "team"

    def scope(self, request, stmt):
        # The model's foreign key to its team is ``team_id``.
        condition = coached(request, self.model.team_id)
        return stmt if condition is None else stmt.where(condition)

    def parents(self, request):
        stmt = TEAM_ORDER.ordered(select(Team))
        condition = coached(request, Team.id)
        return request.dbsession.scalars(stmt if condition is None else stmt.where(condition)).all()

    def get_parent(self, request, id_):
        return request.dbsession.get(Team, id_)

    def parent_label(self, team):
        return f"{team.name} ({team.level.label})"


class TeamAdmin(ModelAdmin):
    name = "teams"
    model = Team
    title, singular = "Teams", "team"
    editor = "touchline.teams.views.TeamEditor"
    columns = (
        Column("name", "Name", Team.name),
        Column("level", "Age group", Team.level),
    )
    search = (Team.name,)
    filters = (ChoiceFilter("level", "Age group", Team.level, Level),)
    ordering = ("level",)
    inlines = (
        # Shown when their add-ons are on.
        Inline("players", "Players", "team_id"),
        Inline("fixtures", "Fixtures", "team_id"),
    )
    actions = (DeleteAction(),)


def includeme(config):
    config.add_admin_model(TeamAdmin)
