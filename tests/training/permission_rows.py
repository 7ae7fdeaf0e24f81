"""The training add-on's rows of the permission matrix (see tests/test_permissions.py).

Targets: "A" / "B" are the world's teams (A coached by the coach, B not);
"sessionA" / "sessionB" a training session of that team, "cancelA" /
"cancelB" a cancelled week of it; with a "*", a fresh one made for that
one request (for the deletes).
"""
import datetime

#: As in tests/test_permissions.py (importing it from here would be circular).
LOGIN = "303 login"

#: Every training view asks for a permission (VIEW for the public pages).
PUBLIC = set()

MATRIX = [
    # route                  method    target            anonymous member coach admin
    ("training.list",        "GET",    None,             (200,      200,   200,  200)),
    ("training.list",        "GET",    ".json",          (200,      200,   200,  200)),
    ("training.team",        "GET",    "A",              (200,      200,   200,  200)),
    ("training.team",        "GET",    "B.json",         (200,      200,   200,  200)),
    ("training.team",        "POST",   "A.json",         (401,      403,   201,  201)),
    ("training.team",        "POST",   "B.json",         (401,      403,   403,  201)),
    ("training.new",         "GET",    "A",              (LOGIN,    403,   200,  200)),
    ("training.new",         "GET",    "B",              (LOGIN,    403,   403,  200)),
    ("training.new",         "POST",   "A",              (401,      403,   303,  303)),
    ("training.new",         "POST",   "B",              (401,      403,   403,  303)),
    ("training.show",        "GET",    "sessionA",       (200,      200,   200,  200)),
    ("training.show",        "GET",    "sessionB.json",  (200,      200,   200,  200)),
    ("training.show",        "PUT",    "sessionA.json",  (401,      403,   200,  200)),
    ("training.show",        "PUT",    "sessionB.json",  (401,      403,   403,  200)),
    ("training.show",        "DELETE", "sessionA*.json", (401,      403,   204,  204)),
    ("training.show",        "DELETE", "sessionB*.json", (401,      403,   403,  204)),
    ("training.edit",        "GET",    "sessionA",       (LOGIN,    403,   200,  200)),
    ("training.edit",        "GET",    "sessionB",       (LOGIN,    403,   403,  200)),
    ("training.edit",        "POST",   "sessionA",       (401,      403,   303,  303)),
    ("training.edit",        "POST",   "sessionB",       (401,      403,   403,  303)),
    ("training.delete",      "GET",    "sessionA",       (LOGIN,    403,   200,  200)),
    ("training.delete",      "GET",    "sessionB",       (LOGIN,    403,   403,  200)),
    ("training.delete",      "POST",   "sessionA*",      (401,      403,   303,  303)),
    ("training.delete",      "POST",   "sessionB*",      (401,      403,   403,  303)),
    ("training.cancel",      "GET",    "sessionA",       (LOGIN,    403,   200,  200)),
    ("training.cancel",      "GET",    "sessionB",       (LOGIN,    403,   403,  200)),
    ("training.cancel",      "POST",   "sessionA*",      (401,      403,   303,  303)),
    ("training.cancel",      "POST",   "sessionB*",      (401,      403,   403,  303)),
    ("training.cancellations", "GET",  "sessionA",       (200,      200,   200,  200)),
    ("training.cancellations", "GET",  "sessionB.json",  (200,      200,   200,  200)),
    ("training.cancellations", "POST", "sessionA*.json", (401,      403,   201,  201)),
    ("training.cancellations", "POST", "sessionB*.json", (401,      403,   403,  201)),
    ("training.cancellation", "GET",   "cancelA",        (200,      200,   200,  200)),
    ("training.cancellation", "GET",   "cancelB.json",   (200,      200,   200,  200)),
    ("training.cancellation", "PUT",   "cancelA.json",   (401,      403,   200,  200)),
    ("training.cancellation", "PUT",   "cancelB.json",   (401,      403,   403,  200)),
    ("training.cancellation", "DELETE", "cancelA*.json", (401,      403,   204,  204)),
    ("training.cancellation", "DELETE", "cancelB*.json", (401,      403,   403,  204)),
    ("training.uncancel",    "GET",    "cancelA",        (LOGIN,    403,   200,  200)),
    ("training.uncancel",    "GET",    "cancelB",        (LOGIN,    403,   403,  200)),
    ("training.uncancel",    "POST",   "cancelA*",       (401,      403,   303,  303)),
    ("training.uncancel",    "POST",   "cancelB*",       (401,      403,   403,  303)),
]

_FORM = {"weekday": "3", "start_time": "17:00", "end_time": "18:15", "place": "Sports hall", "note": "",
         "starts_on": "", "ends_on": ""}

BODIES = {
    ("training.team", "POST"): ("json", lambda world, role: {"weekday": 2, "start_time": "18:00",
                                                             "end_time": "19:00", "place": "Pitch 2"}),
    ("training.new", "POST"): ("form", lambda world, role: dict(_FORM)),
    ("training.show", "PUT"): ("json", lambda world, role: {"place": "Moved by PUT"}),
    ("training.show", "DELETE"): ("json", None),
    ("training.edit", "POST"): ("form", lambda world, role: dict(_FORM, place="Moved by form")),
    ("training.delete", "POST"): ("form", lambda world, role: {}),
    # 5 January 2032 is a Monday, the fresh sessions' day.
    ("training.cancel", "POST"): ("form", lambda world, role: {"date": "2032-01-05", "reason": "Frost"}),
    ("training.uncancel", "POST"): ("form", lambda world, role: {}),
    ("training.cancellations", "POST"): ("json", lambda world, role: {"date": "2032-01-05", "reason": "Frost"}),
    ("training.cancellation", "PUT"): ("json", lambda world, role: {"reason": "Pitch waterlogged"}),
    ("training.cancellation", "DELETE"): ("json", None),
}


def extend_world(world, dbsession):
    from touchline.training.models import TrainingCancellation, TrainingSession

    def make_session(which):
        session = TrainingSession(team=world["teams"][which], weekday=1, start_time=datetime.time(18),
                                  end_time=datetime.time(19), place=f"Ground of {which}")
        dbsession.add(session)
        dbsession.flush()
        return session

    def make_cancellation(which):
        cancellation = TrainingCancellation(session_id=world["sessions"][which].id,
                                            date=datetime.date(2031, 1, 6), reason="")
        dbsession.add(cancellation)
        dbsession.flush()
        return cancellation

    world["sessions"] = {"A": make_session("A"), "B": make_session("B")}
    world["cancellations"] = {"A": make_cancellation("A"), "B": make_cancellation("B")}
    world["fresh_session"] = make_session

    def fresh_cancellation(which):
        cancellation = TrainingCancellation(session_id=make_session(which).id, date=datetime.date(2031, 1, 6))
        dbsession.add(cancellation)
        dbsession.flush()
        return cancellation

    world["fresh_cancellation"] = fresh_cancellation


def route_kw(world, target):
    for prefix, kept, fresh in (("session", "sessions", "fresh_session"),
                                ("cancel", "cancellations", "fresh_cancellation")):
        if target.startswith(prefix):
            which = target[len(prefix):]
            if which.endswith("*"):
                return {"id": str(world[fresh](which[0]).id)}
            return {"id": str(world[kept][which].id)}
    return None
