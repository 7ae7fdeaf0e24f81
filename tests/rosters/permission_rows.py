"""The rosters add-on's rows of the role-by-route matrix (see tests/test_permissions.py).

Every rosters page names children, so nothing here is public: anonymous
browsers are sent to log in, anonymous API clients get 401.  Members read;
the coach of team A runs team A's roster (not B's); admins run every roster.

Targets of our own: ``player:A`` / ``player:B`` a player of team A / B, and
``player:A*`` / ``player:B*`` a fresh one made for that one request (for
the deletes).  Team targets ("A", "B") are the matrix's own.
"""
import datetime

from touchline.rosters.models import Player

ANON = "303 login"

#: Nothing about rosters is public.
PUBLIC = set()

MATRIX = [
    # route                     method    target            anonymous member coach admin
    ("rosters.list",            "GET",    None,             (ANON,     200,   200,  200)),
    ("rosters.list",            "GET",    ".json",          (401,      200,   200,  200)),
    ("rosters.roster",          "GET",    "A",              (ANON,     200,   200,  200)),
    ("rosters.roster",          "GET",    "B.json",         (401,      200,   200,  200)),
    ("rosters.roster",          "POST",   "A.json",         (401,      403,   201,  201)),
    ("rosters.roster",          "POST",   "B.json",         (401,      403,   403,  201)),
    ("rosters.player_new",      "GET",    "A",              (ANON,     403,   200,  200)),
    ("rosters.player_new",      "GET",    "B",              (ANON,     403,   403,  200)),
    ("rosters.player_new",      "POST",   "A",              (401,      403,   303,  303)),
    ("rosters.player_new",      "POST",   "B",              (401,      403,   403,  303)),
    ("rosters.player",          "GET",    "player:A",       (ANON,     200,   200,  200)),
    ("rosters.player",          "GET",    "player:B.json",  (401,      200,   200,  200)),
    ("rosters.player",          "PUT",    "player:A.json",  (401,      403,   200,  200)),
    ("rosters.player",          "PUT",    "player:B.json",  (401,      403,   403,  200)),
    ("rosters.player",          "DELETE", "player:A*.json", (401,      403,   204,  204)),
    ("rosters.player",          "DELETE", "player:B*.json", (401,      403,   403,  204)),
    ("rosters.player_edit",     "GET",    "player:A",       (ANON,     403,   200,  200)),
    ("rosters.player_edit",     "GET",    "player:B",       (ANON,     403,   403,  200)),
    ("rosters.player_edit",     "POST",   "player:A",       (401,      403,   303,  303)),
    ("rosters.player_edit",     "POST",   "player:B",       (401,      403,   403,  303)),
    ("rosters.player_delete",   "GET",    "player:A",       (ANON,     403,   200,  200)),
    ("rosters.player_delete",   "GET",    "player:B",       (ANON,     403,   403,  200)),
    ("rosters.player_delete",   "POST",   "player:A*",      (401,      403,   303,  303)),
    ("rosters.player_delete",   "POST",   "player:B*",      (401,      403,   403,  303)),
]


def _birth_year():
    return datetime.date.today().year - 8


def _new_player(world, role):
    # No shirt number: every role's request may add one without a clash.
    return {"first_name": "Newt", "last_name": "Newcombe", "birth_year": _birth_year()}


def _form_player(world, role):
    return {"first_name": "Edna", "last_name": "Edwards", "birth_year": str(_birth_year()),
            "shirt_number": "", "position": "defender", "name_consent": "on"}


BODIES = {
    ("rosters.roster", "POST"): ("json", _new_player),
    ("rosters.player_new", "POST"): ("form", lambda world, role: {
        **_new_player(world, role), "birth_year": str(_birth_year())}),
    ("rosters.player", "PUT"): ("json", lambda world, role: {"first_name": "Renamed"}),
    ("rosters.player", "DELETE"): ("json", None),
    ("rosters.player_edit", "POST"): ("form", _form_player),
    ("rosters.player_delete", "POST"): ("form", lambda world, role: {}),
}


def _player(dbsession, team, first_name):
    player = Player(team=team, first_name=first_name, last_name="Matrixson", birth_year=_birth_year())
    dbsession.add(player)
    dbsession.flush()
    return player


def extend_world(world, dbsession):
    world["rosters"] = {
        "dbsession": dbsession,
        "players": {which: _player(dbsession, team, f"Player{which}")
                    for which, team in world["teams"].items()},
    }


def route_kw(world, target):
    if not target.startswith("player:"):
        return None
    which = target[len("player:"):]
    rosters = world["rosters"]
    if which.endswith("*"):
        player = _player(rosters["dbsession"], world["teams"][which[:-1]], "Fresh")
    else:
        player = rosters["players"][which]
    return {"id": str(player.id)}
