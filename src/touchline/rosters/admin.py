"""The players in the admin: coaches manage their own teams' rosters; names follow the consent rule."""
import types

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, subqueryload

from touchline.admin.registry import BooleanFilter, ChoiceFilter, Column, DeleteAction, RelatedFilter, Todo
from touchline.teams.admin import TeamOwned
from touchline.teams.models import Level, Team

from .models import Player, Position, Roster, short_name


def too_old(request):
    """Players who no longer fit their team's age group this season (see ``age_flag``)."""
    season = request.rosters_season
    return or_(*[and_(Team.level == level, Player.birth_year <= season - level.age) for level in Level])


class PlayerAdmin(TeamOwned):
    name = "players"
    model = Player
    title, singular = "Players", "player"
    editor = "touchline.rosters.views.PlayerEditor"
    importer = "touchline.rosters.importing.PlayerImporter"
    columns = (
        Column("name", "Name", Player.last_name, lambda player, request: request.rosters_names.display_name(player)),
        Column("team", "Team", Team.name, lambda player, request: player.team.name),
        Column("birth_year", "Born", Player.birth_year),
        Column("shirt_number", "Shirt", Player.shirt_number),
        Column("position", "Position", Player.position),
        Column("age_flag", "Age group", None,
               lambda player, request: player.age_flag(request.rosters_season) or "fits"),
    )
    search = (Player.first_name, Player.last_name)
    filters = (
        RelatedFilter("team", "Team", Player.team_id, Team, Team.name),
        ChoiceFilter("position", "Position", Player.position, Position),
        BooleanFilter("too_old", "Too old for the age group", too_old),
        BooleanFilter("name_consent", "Name consent", lambda request: Player.name_consent.is_(True)),
    )
    ordering = ("team",)
    label_attr = "full_name"
    actions = (DeleteAction(),)
    todos = (Todo("Players flagged for their age group", {"too_old": "yes"}),)

    #: The export names each player's guardians: read in one query however many players there are.
    export_options = (subqueryload(Player.guardians),)

    def query(self, request):
        return select(Player).join(Player.team).options(contains_eager(Player.team))

    def context_for_parent(self, request, team):
        return Roster(team)

    def change_label(self, request, change):
        """The consent rule, applied to the player as the change recorded them."""
        values = change.after or change.before or {}
        player = types.SimpleNamespace(id=change.record_id, team_id=values.get("team_id"),
                                       name_consent=values.get("name_consent", False))
        if request.rosters_names.shows_full_name(player):
            return change.label
        return short_name(values.get("first_name", ""), values.get("last_name", ""))


def includeme(config):
    config.add_admin_model(PlayerAdmin)
