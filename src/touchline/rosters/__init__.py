"""The rosters add-on: the players of each team, for logged-in club members only.

Enable it by naming ``touchline.rosters`` in ``touchline.addons`` after
``touchline.teams``, which it needs.  Settings:

``touchline.rosters.season_start_month``
    The month (1-12) a season starts in, default 9 (September); see
    :mod:`touchline.rosters.models` for the season and age-group rule and
    for who sees a child's full name.

Children's names never reach anonymous visitors or search engines: every
view asks VIEW_PRIVATE at least, the navigation entry is shown to members
only, there is no home-page panel, and every response of a ``rosters.*``
route carries ``X-Robots-Tag: noindex, nofollow``.
"""
import datetime

from pyramid.events import NewResponse
from pyramid.exceptions import ConfigurationError

from touchline.security import VIEW_PRIVATE

from .models import (
    DEFAULT_SEASON_START_MONTH,
    SEASON_START_MONTH,
    NameRule,
    Player,
    season_year,
)

ROBOTS = "noindex, nofollow"


def season_start_month(settings):
    raw = str(settings.get(SEASON_START_MONTH) or DEFAULT_SEASON_START_MONTH).strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 12:
        raise ConfigurationError(f"{SEASON_START_MONTH}: {raw!r} is no month number from 1 to 12")
    return int(raw)


def request_season(request):
    """This request's season year, from today's date in the club's timezone."""
    today = datetime.datetime.now(request.timezone).date()
    return season_year(today, request.registry[SEASON_START_MONTH])


def no_robots(event):
    """Keep every rosters response (pages, API, errors) out of search engines."""
    route = getattr(event.request, "matched_route", None)
    if route is not None and route.name.startswith("rosters."):
        event.response.headers["X-Robots-Tag"] = ROBOTS


def includeme(config):
    config.require_addon("touchline.teams")
    config.registry[SEASON_START_MONTH] = season_start_month(config.registry.settings)
    config.include(".routes")
    config.add_migrations("touchline.rosters:migrations/versions")
    config.add_search_source("players", "touchline.rosters.search.search_players", title="Players", order=15,
                             permission=VIEW_PRIVATE)
    config.add_request_method(NameRule, "rosters_names", reify=True)
    config.add_request_method(request_season, "rosters_season", reify=True)
    config.add_subscriber(no_robots, NewResponse)
    config.add_navigation_entry(
        "rosters", "Rosters", "rosters.list", order=15, permission=VIEW_PRIVATE
    )
    # Members only: visitors never even see that a roster exists.
    config.add_team_link("roster", "Roster", "rosters.roster", order=5, permission=VIEW_PRIVATE)
    config.add_pshell_variable(
        "Player", Player, "The Player model: a child on a team's roster (private data)."
    )
    config.add_demo_populator("rosters", "touchline.rosters.populate.populate_players", order=20)
    config.add_robots_disallow("/rosters", "/teams/*/roster", "/players/")
    config.add_history(Player, "players", label=lambda player: player.full_name,
                       collections=("guardians",))
    config.scan(".views")
    # Its models in the admin (shown when the touchline.admin add-on is on).
    config.include(".admin")
    config.add_editor("touchline.rosters.views.PlayerEditor")
