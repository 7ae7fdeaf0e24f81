"""The players in the site's search: for logged-in members only, under the name rule.

Registered with ``permission=VIEW_PRIVATE``, so a visitor who is not logged
in never searches players at all.  A member finds a player by first name;
by last name only where :class:`~touchline.rosters.models.NameRule` shows
them the full name (name consent, the player's coaches, guardians and
admins), so that a hidden last name can never be tested by searching for
it.  Names are shown as the rule says ("Sam T.").
"""
from sqlalchemy import or_, select, true

from touchline.search import FullText, SearchResult
from touchline.teams.models import Team

from .models import Player, short_name

#: The migration ``rosters_search_0001`` creates it; the model declares its PostgreSQL index.
PLAYERS_TEXT = FullText("players", ["first_name", "last_name"])

P = Player.__table__
#: Its PostgreSQL index, on the model's table, so that the models describe what the migration made.
PLAYERS_TEXT.model_index(P)
T = Team.__table__
_TEAM_NAME = select(T.c.name).where(T.c.id == P.c.team_id).scalar_subquery().label("team_name")
COLUMNS = (P.c.id, P.c.team_id, P.c.first_name, P.c.last_name, P.c.name_consent, _TEAM_NAME)


class PlayerRow:
    """A player read as a plain row: what :class:`NameRule` needs to name them."""

    __slots__ = ("id", "team_id", "first_name", "last_name", "name_consent")

    def __init__(self, row):
        self.id, self.team_id, self.first_name, self.last_name, self.name_consent = row[:5]

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def short_name(self):
        return short_name(self.first_name, self.last_name)


def search_players(request, query, limit):
    """Players the user may find (see the module docstring), first-name matches first."""
    rule = request.rosters_names
    where, params = (), {}
    if not rule.is_admin:
        full_name_shown = [P.c.name_consent == true()]
        if rule.coached_team_ids:
            full_name_shown.append(P.c.team_id.in_(sorted(rule.coached_team_ids)))
        if rule.guarded_player_ids:
            full_name_shown.append(P.c.id.in_(sorted(rule.guarded_player_ids)))
        first_name, params = PLAYERS_TEXT.in_title(request, P, query, "player_first_name")
        where = (or_(first_name, *full_name_shown),)
    rows = PLAYERS_TEXT.search(request, P, COLUMNS, query, limit, where=where, params=params,
                               order_by=(P.c.first_name, P.c.last_name))
    url = request.url_for("rosters.player", "id")
    return [SearchResult(rule.display_name(PlayerRow(row)), url(row.id), summary=row.team_name)
            for row in rows]
