"""The rosters pages and API: lists answer HTML, JSON and XML, for members only.

Every page names children, so every view asks at least VIEW_PRIVATE and
every response of a ``rosters.*`` route carries ``X-Robots-Tag: noindex,
nofollow``.  Names go through the request's :class:`~.models.NameRule`
(``display_name`` in templates, ``Player.__json__`` for JSON and XML).
Forms and JSON writes share one schema, so a player that cannot be saved
from the page cannot be saved through the API either.
"""
from pyramid.view import view_config
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from touchline.crud import Editor
from touchline.security import VIEW_PRIVATE
from touchline.teams.models import TEAM_ORDER, Team
from touchline.users import Role, User

from .models import Player, Position, player_guardians
from .permissions import MANAGE_ROSTER
from .schemas import PlayerIn, birth_year_range

FORM_TEMPLATE = "touchline.rosters:templates/player_form.jinja2"
#: A guardian's own children shown atop the list: a family never has more.
YOUR_PLAYERS_LIMIT = 50


class TeamRoster:
    """A team with the number of players on its roster (one row of ``/rosters``)."""

    def __init__(self, team, players):
        self.team = team
        self.players = players

    def __json__(self, request):
        return {**self.team.__json__(request), "players": self.players}


#: Each team with its number of players, counted for the page's teams only.
ROSTER_TEAMS = select(
    Team, select(func.count(Player.id)).where(Player.team_id == Team.id).correlate(Team).scalar_subquery()
)


@view_config(
    route_name="rosters.list", request_method="GET", permission=VIEW_PRIVATE,
    renderer="touchline.rosters:templates/rosters.jinja2",
)
def roster_list(request):
    """The teams with their player counts; a guardian's own children first."""
    page = request.paginate(ROSTER_TEAMS, keyset=TEAM_ORDER, scalars=False)
    your_players = request.dbsession.scalars(
        select(Player)
        .join(player_guardians, player_guardians.c.player_id == Player.id)
        .where(player_guardians.c.user_id == request.user.id)
        .options(joinedload(Player.team))
        .order_by(Player.first_name, Player.last_name, Player.id)
        .limit(YOUR_PLAYERS_LIMIT)
    ).all()
    return {
        "your_players": your_players,
        "teams": [TeamRoster(team, players) for team, players in page.items],
        "page": page,
    }


@view_config(
    route_name="rosters.roster", request_method="GET", permission=VIEW_PRIVATE,
    renderer="touchline.rosters:templates/roster.jinja2",
)
def roster_show(context, request):
    """A team's players by shirt number, then name; those too old for the team flagged."""
    page = request.paginate(
        select(Player).where(Player.team_id == context.team.id).order_by(*Player.roster_order())
    )
    return {"team": context.team, "players": page.items, "page": page}


@view_config(
    route_name="rosters.player", request_method="GET", permission=VIEW_PRIVATE,
    renderer="touchline.rosters:templates/player.jinja2",
)
def player_show(context, request):
    data = {"player": context, "team": context.team}
    if request.has_permission(MANAGE_ROSTER, context):
        # The parents' accounts are for those who run the roster only.
        data["guardians"] = [{"id": user.id, "name": user.name} for user in context.guardians]
    return data


# Writing ---------------------------------------------------------------------


def _guardians(request, ids):
    """The member accounts named by ``ids``, or the field's errors."""
    if not ids:
        return [], None
    users = request.dbsession.scalars(
        select(User).where(User.id.in_(ids), User.role == Role.MEMBER, User.active.is_(True))
    ).all()
    unknown = sorted(set(ids) - {user.id for user in users})
    if unknown:
        return None, [f"No active member account has the id {', '.join(map(str, unknown))}."]
    return users, None


def _apply(request, player, team, data):
    """Copy valid data onto ``player`` of ``team``; returns field errors instead.

    Everything is checked before anything is changed, so a refused request
    leaves the session clean (no autoflush of half-applied values).
    """
    errors = {}
    if data.shirt_number is not None:
        taken = request.dbsession.scalar(select(exists().where(
            Player.team_id == team.id,
            Player.shirt_number == data.shirt_number,
            Player.id != (player.id or 0),
        )))
        if taken:
            errors["shirt_number"] = [f"Another player of {team.name} wears number {data.shirt_number}."]
    guardians, guardian_errors = _guardians(request, data.guardians)
    if guardian_errors:
        errors["guardians"] = guardian_errors
    if errors:
        return errors
    player.first_name = data.first_name
    player.last_name = data.last_name
    player.birth_year = data.birth_year
    player.shirt_number = data.shirt_number
    player.position = data.position
    player.name_consent = data.name_consent
    player.photo_consent = data.photo_consent
    player.guardians = guardians
    if player.team_id is None:
        player.team = team
    return None


def _values(player):
    """A player's fields as the form shows them."""
    values = {
        "first_name": player.first_name,
        "last_name": player.last_name,
        "birth_year": str(player.birth_year),
        "shirt_number": "" if player.shirt_number is None else str(player.shirt_number),
        "position": player.position.value if player.position else "",
        "guardians": [str(user.id) for user in player.guardians],
    }
    for flag in ("name_consent", "photo_consent"):
        if getattr(player, flag):
            values[flag] = "on"
    return values


def player_fields(player):
    """A player's own fields as the JSON API and the spreadsheets take them (guardians apart)."""
    return {
        "first_name": player.first_name,
        "last_name": player.last_name,
        "birth_year": player.birth_year,
        "shirt_number": player.shirt_number,
        "position": player.position.value if player.position else None,
        "name_consent": player.name_consent,
        "photo_consent": player.photo_consent,
    }


def _json_values(player):
    """A player's fields as the JSON API takes them (what a PUT leaves unchanged)."""
    return {**player_fields(player), "guardians": [user.id for user in player.guardians]}


def _form_page(request, form, team, player=None):
    guardian_choices = [
        (str(user.id), user.name)
        for user in request.dbsession.scalars(
            select(User).where(User.role == Role.MEMBER, User.active.is_(True)).order_by(User.username_key)
        )
    ]
    low, high = birth_year_range()
    return {
        "form": form,
        "team": team,
        "player": player,
        "positions": [("", "None")] + [(p.value, p.label) for p in Position],
        "guardian_choices": guardian_choices,
        "birth_year_hint": f"A year from {low} to {high}.",
    }


# Writing: the forms and the JSON API ------------------------------------------------------------------


class PlayerEditor(Editor):
    """The rosters' forms and JSON API writes: the consent, shirt number and guardian rules are ``_apply``'s."""

    key = "player"
    collection_route = "rosters.roster"
    item_route = "rosters.player"
    new_route = "rosters.player_new"
    edit_route = "rosters.player_edit"
    delete_route = "rosters.player_delete"
    form_template = FORM_TEMPLATE
    delete_template = "touchline.rosters:templates/player_delete.jinja2"
    created_message = "{record.full_name} was added to {editor.context.team.name}."
    saved_message = "{record.full_name} was saved."
    deleted_message = "{record.full_name} was removed from {record.team.name}."
    schema_class = PlayerIn

    def new(self):
        return Player()

    def current(self, player):
        return _json_values(player)

    def apply(self, player, data):
        # The context is the roster (to add to) or the player: either knows the team.
        return _apply(self.request, player, self.context.team, data)

    def form_values(self, player):
        return _values(player)

    def form_page(self, form, player=None):
        return _form_page(self.request, form, self.context.team, player)

    def delete_page(self, player):
        return {"player": player, "team": player.team}

    def after_create(self, player):
        return self.request.route_url("rosters.roster", id=self.context.team.id)

    def after_delete(self, player):
        return self.request.route_url("rosters.roster", id=player.team.id)
