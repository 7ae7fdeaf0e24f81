"""The admin's rows of the permission matrix (see tests/test_permissions.py).

Members and visitors have no admin at all.  Coaches open the dashboard and
the lists of the models registered for them (players, fixtures), limited
to their own teams: the coach of team A changes A's records and is refused
B's (403 by the record's ACL; 404 in a bulk action, whose records are
looked up among the coach's own only).  Admins do everything.

Targets (the admin's own, all starting with ``admin:``):

- ``admin:<model>``: the model's list, new form, export...;
- ``admin:<model>:A`` / ``:B``: a record of team A / B (for teams, the team
  itself); ``:A*`` / ``:B*`` a fresh one made for that one request;
- ``admin:new:<model>:A``: the new-record form for team A (``?team=``);
- ``admin:act:<model>:A*``: the bulk action route, with a fresh record of A
  ticked (the body names it);
- ``admin:restore:<model>:A``: a recorded change of a record of A;
  ``admin:restore:<model>:gone`` the change that deleted a record;
- ``admin:<format>:<model>``: the export and template routes in that format.
"""
import base64
import datetime

from sqlalchemy import select

from touchline.fixtures.models import Fixture, FixtureStatus, HomeAway
from touchline.history import Change
from touchline.rosters.models import Player

LOGIN = "303 login"

PUBLIC = set()

NOBODY = (LOGIN, 403, 403, 200)
NOBODY_POST = (401, 403, 403, 303)
COACH = (LOGIN, 403, 200, 200)

MATRIX = [
    # route                        method  target                               anonymous member coach admin
    ("admin.dashboard",            "GET",  None,                                COACH),
    ("admin.list",                 "GET",  "admin:fixtures",                    COACH),
    ("admin.list",                 "GET",  "admin:players",                     COACH),
    ("admin.list",                 "GET",  "admin:teams",                       NOBODY),
    ("admin.list",                 "GET",  "admin:posts",                       NOBODY),
    ("admin.list",                 "GET",  "admin:products",                    NOBODY),
    ("admin.list",                 "GET",  "admin:categories",                  NOBODY),
    ("admin.list",                 "GET",  "admin:users",                       NOBODY),
    ("admin.new",                  "GET",  "admin:fixtures",                    COACH),
    ("admin.new",                  "GET",  "admin:new:fixtures:A",              COACH),
    ("admin.new",                  "GET",  "admin:new:fixtures:B",              (LOGIN, 403, 403, 200)),
    ("admin.new",                  "GET",  "admin:new:players:A",               COACH),
    ("admin.new",                  "GET",  "admin:new:players:B",               (LOGIN, 403, 403, 200)),
    ("admin.new",                  "GET",  "admin:teams",                       NOBODY),
    ("admin.new",                  "POST", "admin:new:fixtures:A",              (401, 403, 303, 303)),
    ("admin.new",                  "POST", "admin:new:fixtures:B",              (401, 403, 403, 303)),
    ("admin.new",                  "POST", "admin:new:players:A",               (401, 403, 303, 303)),
    ("admin.new",                  "POST", "admin:new:players:B",               (401, 403, 403, 303)),
    ("admin.new",                  "POST", "admin:teams",                       NOBODY_POST),
    ("admin.change",               "GET",  "admin:fixtures:A",                  COACH),
    ("admin.change",               "GET",  "admin:fixtures:B",                  (LOGIN, 403, 403, 200)),
    ("admin.change",               "GET",  "admin:players:A",                   COACH),
    ("admin.change",               "GET",  "admin:players:B",                   (LOGIN, 403, 403, 200)),
    ("admin.change",               "GET",  "admin:teams:A",                     COACH),  # the team's own ACL
    ("admin.change",               "GET",  "admin:teams:B",                     (LOGIN, 403, 403, 200)),
    ("admin.change",               "POST", "admin:fixtures:A",                  (401, 403, 303, 303)),
    ("admin.change",               "POST", "admin:fixtures:B",                  (401, 403, 403, 303)),
    ("admin.change",               "POST", "admin:players:A",                   (401, 403, 303, 303)),
    ("admin.change",               "POST", "admin:players:B",                   (401, 403, 403, 303)),
    ("admin.delete",               "GET",  "admin:fixtures:A",                  COACH),
    ("admin.delete",               "GET",  "admin:fixtures:B",                  (LOGIN, 403, 403, 200)),
    ("admin.delete",               "GET",  "admin:teams:A",                     NOBODY),
    ("admin.delete",               "POST", "admin:fixtures:A*",                 (401, 403, 303, 303)),
    ("admin.delete",               "POST", "admin:fixtures:B*",                 (401, 403, 403, 303)),
    ("admin.delete",               "POST", "admin:players:A*",                  (401, 403, 303, 303)),
    ("admin.delete",               "POST", "admin:players:B*",                  (401, 403, 403, 303)),
    ("admin.action",               "GET",  "admin:fixtures",                    (405, 405, 405, 405)),
    ("admin.action",               "POST", "admin:act:fixtures:A*",             (401, 403, 303, 303)),
    ("admin.action",               "POST", "admin:act:fixtures:B*",             (401, 403, 404, 303)),
    ("admin.action",               "POST", "admin:act:players:A*",              (401, 403, 303, 303)),
    ("admin.action",               "POST", "admin:act:players:B*",              (401, 403, 404, 303)),
    ("admin.action",               "POST", "admin:act:teams:B*",                NOBODY_POST),
    ("admin.history",              "GET",  "admin:fixtures:A",                  COACH),
    ("admin.history",              "GET",  "admin:fixtures:B",                  (LOGIN, 403, 403, 200)),
    ("admin.history",              "GET",  "admin:players:A",                   COACH),
    ("admin.history",              "GET",  "admin:players:B",                   (LOGIN, 403, 403, 200)),
    ("admin.history",              "GET",  "admin:restore:fixtures:gone",       (LOGIN, 403, 403, 200)),
    ("admin.restore",              "GET",  "admin:restore:fixtures:A",          (405, 405, 405, 405)),
    ("admin.restore",              "POST", "admin:restore:fixtures:A",          (401, 403, 303, 303)),
    ("admin.restore",              "POST", "admin:restore:fixtures:B",          (401, 403, 403, 303)),
    ("admin.restore",              "POST", "admin:restore:players:A",           (401, 403, 303, 303)),
    ("admin.restore",              "POST", "admin:restore:players:B",           (401, 403, 403, 303)),
    ("admin.restore",              "POST", "admin:restore:fixtures:gone",       NOBODY_POST),
    ("admin.deleted",              "GET",  "admin:fixtures",                    NOBODY),
    ("admin.deleted",              "GET",  "admin:players",                     NOBODY),
    ("admin.export",               "GET",  "admin:csv:fixtures",                COACH),
    ("admin.export",               "GET",  "admin:xlsx:players",                COACH),
    ("admin.export",               "GET",  "admin:csv:teams",                   NOBODY),
    ("admin.import",               "GET",  "admin:players",                     COACH),
    ("admin.import",               "GET",  "admin:fixtures",                    COACH),
    ("admin.import",               "POST", "admin:players",                     (401, 403, 200, 200)),
    ("admin.import_api",           "GET",  "admin:players",                     (405, 405, 405, 405)),
    ("admin.import_api",           "POST", "admin:fixtures",                    (401, 403, 200, 200)),
    ("admin.import_template",      "GET",  "admin:csv:players",                 COACH),
    ("admin.import_template",      "GET",  "admin:xlsx:fixtures",               COACH),
]


def _year():
    return datetime.date.today().year


def _fixture(dbsession, team, opponent="Matrix Rovers"):
    fixture = Fixture(team=team, opponent=opponent, status=FixtureStatus.SCHEDULED, home_away=HomeAway.HOME,
                      venue="", kickoff=datetime.datetime(2030, 1, 12, 10, tzinfo=datetime.timezone.utc))
    dbsession.add(fixture)
    dbsession.flush()
    return fixture


def _player(dbsession, team, first_name="Matt"):
    player = Player(team=team, first_name=first_name, last_name="Rix", birth_year=_year() - 8)
    dbsession.add(player)
    dbsession.flush()
    return player


def _make(world, model, which):
    admin = world["admin"]
    team = world["teams"][which.rstrip("*")]
    if model == "teams":
        return world["fresh"](which[0]) if which.endswith("*") else team
    if which.endswith("*"):
        return (_fixture if model == "fixtures" else _player)(admin["dbsession"], team)
    return admin["records"][model][which]


def _last_change(dbsession, kind, record_id):
    return dbsession.scalar(select(Change).where(Change.kind == kind, Change.record_id == record_id)
                            .order_by(Change.id.desc()).limit(1))


def extend_world(world, dbsession):
    teams = world["teams"]
    world["admin"] = {
        "dbsession": dbsession,
        "records": {
            "fixtures": {which: _fixture(dbsession, team) for which, team in teams.items()},
            "players": {which: _player(dbsession, team) for which, team in teams.items()},
        },
        "model": None,
        "ticked": [],
    }


def route_kw(world, target):
    if not target.startswith("admin:"):
        return None
    admin = world["admin"]
    parts = target.split(":")[1:]
    if parts[0] in ("csv", "xlsx"):
        admin["model"] = parts[1]
        return {"model": parts[1], "format": parts[0]}
    if parts[0] == "new":
        admin["model"] = parts[1]
        return {"model": parts[1], "_query": {"team": world["teams"][parts[2]].id}}
    if parts[0] == "act":
        admin["model"] = parts[1]
        admin["ticked"] = [str(_make(world, parts[1], parts[2]).id)]
        return {"model": parts[1]}
    if parts[0] == "restore":
        model, which = parts[1], parts[2]
        admin["model"] = model
        dbsession = admin["dbsession"]
        if which == "gone":
            record = _fixture(dbsession, world["teams"]["A"], "Deleted Rovers")
            record_id = record.id
            dbsession.delete(record)
            dbsession.flush()
        else:
            record = _make(world, model, which + "*")
            record_id = record.id
            if model == "fixtures":
                record.venue = "A changed venue"
            else:
                record.shirt_number = 42
            dbsession.flush()
        change = _last_change(dbsession, model, record_id)
        return {"model": model, "change": str(change.id), "id": str(record_id)}
    admin["model"] = parts[0]
    if len(parts) == 1:
        return {"model": parts[0]}
    return {"model": parts[0], "id": str(_make(world, parts[0], parts[1]).id)}


def _form(world, role):
    """A valid add or change form for the model the target named."""
    model = world["admin"]["model"]
    if model == "fixtures":
        return {"opponent": "Admin Rovers", "home_away": "away", "venue": "", "date": "2030-02-01",
                "time": "11:00", "status": "scheduled", "goals_for": "", "goals_against": ""}
    if model == "players":
        # No shirt number, so that no two requests clash.
        return {"first_name": "Ada", "last_name": "Admins", "birth_year": str(_year() - 8),
                "shirt_number": "", "position": ""}
    return {"name": "Under 10 Admins", "level": "U10"}


def _import(world, role):
    # The teams rows rename both teams alike; a spreadsheet names its team, so tell them apart.
    world["teams"]["B"].name = "Matrix B"
    world["admin"]["dbsession"].flush()
    team = world["teams"]["A"].name
    model = world["admin"]["model"]
    if model == "players":
        text = f"team,first_name,last_name,birth_year\n{team},Ivy,Import,{_year() - 8}\n"
    else:
        text = f"team,opponent,home_away,date,time\n{team},Import Rovers,home,2030-03-01,10:00\n"
    return {"filename": f"{model}.csv", "content": base64.b64encode(text.encode()).decode("ascii"),
            "dry_run": "1"}


BODIES = {
    ("admin.new", "POST"): ("form", _form),
    ("admin.change", "POST"): ("form", _form),
    ("admin.delete", "POST"): ("form", lambda world, role: {}),
    ("admin.action", "POST"): ("form", lambda world, role: {
        "action": "delete", "ids": world["admin"]["ticked"], "confirmed": "yes"}),
    ("admin.restore", "POST"): ("form", lambda world, role: {"state": "before"}),
    ("admin.import", "POST"): ("form", _import),
    ("admin.import_api", "POST"): ("form", _import),
}
