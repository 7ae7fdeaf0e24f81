"""Random input thrown at the team form and the teams JSON API (hypothesis).

Whatever a client sends, the answer is never a 5xx; a refused input (4xx)
leaves the teams table and the coach links exactly as they were; an
accepted one (303 / 201 / 200) stores exactly the name as typed less its
surrounding whitespace, with the age group and coaches sent.  An oracle
below says, from the rules (name: 1..40 characters after stripping, no
control characters, one line; level: U06..U18; coaches: ids of active
coach accounts, admins only; no other field), which inputs must be
accepted and which refused.

Each test logs in once and reuses its CSRF token; every example runs in a
savepoint that is rolled back after it, so examples are independent (a
failure on PostgreSQL does not poison the next one) and shrink cleanly.

``TOUCHLINE_FUZZ_SCALE`` (default 1) multiplies the number of examples.
"""
import collections
import contextlib
import json
import math
import os
import re
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from touchline.teams.models import Level, Team, team_coaches
from touchline.testing import csrf_token_of

SCALE = float(os.environ.get("TOUCHLINE_FUZZ_SCALE", "1"))


def fuzz(examples):
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# The rules, as the oracle applies them -----------------------------------------------

LEVELS = [level.value for level in Level]
FIELDS = ("name", "level", "coaches")
#: Unicode's White_Space: what "stripped" takes off both ends of a name.
WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + (
    "\u2028\u2029\u202f\u205f\u3000"
)
C0_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
C1_CONTROL = re.compile(r"[\x80-\x9f]")
LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]")
SURROGATE = re.compile("[\ud800-\udfff]")
NAME_MAX = 40
MAX_COACHES = 50
MAX_DEPTH = 32

ACCEPT, REFUSE, EITHER = "accept", "refuse", "either"


def combine(*verdicts):
    if REFUSE in verdicts:
        return REFUSE
    if EITHER in verdicts:
        return EITHER
    return ACCEPT


def name_verdict(name):
    """ACCEPT or REFUSE for a name by the rules; EITHER for C1 controls and surrogates.

    C1 control characters (U+0080..U+009F) are tested on their own in
    test_editing, and lone surrogates (which JSON can carry escaped but no
    database can store) must at least never make a 5xx; for those either
    answer is taken, as long as what is stored is what was sent.
    """
    if not isinstance(name, str):
        return REFUSE
    stripped = name.strip(WHITESPACE)
    if not 1 <= len(stripped) <= NAME_MAX or C0_CONTROL.search(stripped) or LINE_BREAK.search(stripped):
        return REFUSE
    if C1_CONTROL.search(stripped) or SURROGATE.search(stripped):
        return EITHER
    return ACCEPT


def level_verdict(level):
    return ACCEPT if isinstance(level, str) and level in LEVELS else REFUSE


def coach_verdict(value, active_coaches):
    """One element of ``coaches``: (verdict, id or None)."""
    if isinstance(value, bool):
        return EITHER, None
    if isinstance(value, int):
        return (ACCEPT if value in active_coaches else REFUSE), value
    if isinstance(value, str):
        if re.fullmatch(r"-?[0-9]+", value):
            number = int(value)
            return (ACCEPT if number in active_coaches else REFUSE), number
        if re.fullmatch(r"[\s+]*-?[0-9_.]+\s*", value):
            return EITHER, None  # " 1 ", "1_0", "+1", "1.0": lax parsing, either answer
        return REFUSE, None
    if isinstance(value, float):
        if value == value and value not in (float("inf"), float("-inf")) and value == int(value):
            return EITHER, None
        return REFUSE, None
    return REFUSE, None


def coaches_verdict(values, active_coaches):
    """(verdict, the ids when all are known) for a ``coaches`` value."""
    if not isinstance(values, list) or len(values) > MAX_COACHES:
        return REFUSE, None
    verdicts, ids = [], []
    for value in values:
        verdict, number = coach_verdict(value, active_coaches)
        verdicts.append(verdict)
        ids.append(number)
    verdict = combine(ACCEPT, *verdicts)
    return verdict, (sorted(set(ids)) if verdict == ACCEPT else None)


def depth(value):
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 1


# What is in the database ------------------------------------------------------------


def snapshot(dbsession):
    """Every team and every coach link, as stored (after flushing the session)."""
    dbsession.flush()
    table = Team.__table__
    teams = {row.id: (row.name, row.level.value) for row in dbsession.execute(select(table.c.id, table.c.name, table.c.level))}
    links = sorted(tuple(row) for row in dbsession.execute(select(team_coaches.c.team_id, team_coaches.c.user_id)))
    return teams, links


def coach_links(links, team_id):
    return sorted(user for team, user in links if team == team_id)


@contextlib.contextmanager
def rolled_back(dbsession):
    """Run one example in a savepoint that is rolled back afterwards."""
    savepoint = dbsession.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        dbsession.expire_all()


class Tally(collections.Counter):
    """How many examples were accepted and refused: the fuzzing must reach both."""

    def check(self, minimum_share=0.05):
        total = sum(self.values())
        print(f"{total} examples: {dict(self)}")
        if total >= 100:  # too few to judge when TOUCHLINE_FUZZ_SCALE is small
            for outcome in ("accepted", "refused"):
                assert self[outcome] >= minimum_share * total, dict(self)


def describe(response):
    body = response.body[:2000]
    return f"{response.status} {response.content_type} {body!r}"


def no_server_error(response, sent):
    assert response.status_int < 500, f"{describe(response)}\nfor input: {sent!r}"


# The club the examples run against --------------------------------------------------------


class Club:
    def __init__(self, make_user, make_team, dbsession):
        self.admin = make_user("alex", "admin")
        self.coach = make_user("casey", "coach")
        self.other_coach = make_user("robin", "coach")
        self.member = make_user("morgan", "member")
        self.inactive = make_user("gone", "coach", active=False)
        self.foxes = make_team("Under 11 Foxes", Level.U11)
        self.foxes.coaches = [self.coach]
        self.otters = make_team("Under 9 Otters", Level.U09)
        dbsession.flush()
        self.active_coaches = {self.coach.id, self.other_coach.id}
        self.refs = {
            "coach": self.coach.id, "other_coach": self.other_coach.id, "member": self.member.id,
            "inactive": self.inactive.id, "admin": self.admin.id,
        }

    def resolve(self, value):
        """Replace the ``Ref`` placeholders in generated data by real account ids."""
        if isinstance(value, Ref):
            return self.refs[value.name]
        if isinstance(value, StrRef):
            return str(self.refs[value.name])
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value


class Ref:
    """An account's id, chosen by name before the ids are known."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Ref({self.name!r})"


class StrRef(Ref):
    def __repr__(self):
        return f"StrRef({self.name!r})"


ACCOUNT_NAMES = ["coach", "other_coach", "member", "inactive", "admin"]


# Strategies -----------------------------------------------------------------------------


def weighted(*choices):
    """``weighted((3, a), (1, b))``: ``a`` three times as often as ``b`` (one_of draws evenly)."""
    total = sum(weight for weight, _ in choices)

    def pick(number):
        for weight, strategy in choices:
            if number < weight:
                return strategy
            number -= weight
        raise AssertionError(number)

    return st.integers(0, total - 1).flatmap(pick)


# Any character but surrogates: controls, NUL, line breaks, every plane.
any_text = st.text(max_size=60)
likely_valid = st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=45)
padding = st.text(st.sampled_from(WHITESPACE + "\x1c\x1f\u200b"), max_size=4)
padded = st.builds(lambda left, name, right: left + name + right, padding, likely_valid, padding)
huge = st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=8), st.integers(41, 5_000))
special_names = st.sampled_from([
    "", " ", "\x00", "Foxes\x00", "\x00Foxes", "Fo\x00xes", "\u0000" * 40, "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "Robert'); DROP TABLE teams;--", "x" * 40, "x" * 41,
    " " + "x" * 40 + " ", "\u3000" + "y" * 40 + "\u2029", "💥" * 40, "💥" * 41, "e\u0301" * 20,
    "\ufeffFoxes", "Foxes\u202e", "\u200b", "Fo\rxes", "Fo\u2028xes", "Fo\x85xes", "Fo\x9bxes",
    "\x1cFoxes\x1f", "NULL", "null", "None", "%00", "\\x00", "\udbff\udfff".encode("utf-16", "surrogatepass").decode("utf-16"),
])
names = weighted((2, any_text), (2, likely_valid), (1, padded), (1, huge), (2, special_names))

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(), st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
levels = st.one_of(st.sampled_from(LEVELS), st.sampled_from(["u11", "U05", "U19", " U10", "U10 ", "U1", "Under 11s", ""]), any_text)
account_refs = st.sampled_from(ACCOUNT_NAMES)
coach_ids_json = st.lists(
    st.one_of(account_refs.map(Ref), st.integers(), st.integers(min_value=2**31 - 2, max_value=2**31 + 2),
              st.integers(min_value=2**63 - 2, max_value=2**63 + 2), st.integers(min_value=2**64),
              account_refs.map(StrRef), json_scalars),
    max_size=6,
)
coaches_json = st.one_of(coach_ids_json, st.lists(account_refs.map(Ref), min_size=49, max_size=52), json_values)
extra_keys = st.one_of(
    st.sampled_from(["id", "role", "level_label", "coach", "Name", "name ", "NAME", "", "__proto__", "csrf_token"]),
    st.text(max_size=12),
).filter(lambda key: key not in FIELDS)
extras = weighted((6, st.just({})), (1, st.dictionaries(extra_keys, json_values, min_size=1, max_size=3)))


#: Names with lone surrogates: JSON can carry them (escaped), no database can store them.
surrogate_names = st.builds(
    lambda before, surrogate, after: before + surrogate + after,
    likely_valid, st.characters(categories=("Cs",)), st.text(max_size=5),
)
valid_refs = st.lists(st.sampled_from(["coach", "other_coach"]).map(Ref), max_size=4)
good_names = weighted((2, likely_valid), (1, padded))
good_levels = st.sampled_from(LEVELS)


def json_bodies(fields=FIELDS):
    """Objects whose fields are each right more often than not, and anything else."""
    field_values = {
        "name": weighted((4, good_names), (1, names), (1, json_values), (1, surrogate_names)),
        "level": weighted((4, good_levels), (1, levels), (1, json_values)),
        "coaches": weighted((3, valid_refs), (1, coaches_json)),
    }
    optional = {name: field_values[name] for name in fields if name != "name"}
    with_name = st.fixed_dictionaries({"name": field_values["name"]}, optional=optional)
    anything = st.fixed_dictionaries({}, optional={name: field_values[name] for name in fields})
    return st.builds(lambda body, more: {**body, **more}, weighted((4, with_name), (1, anything)), extras)


form_text = st.one_of(any_text, st.sampled_from(["", "\x00", "x" * 100]))
form_coaches = st.lists(
    st.one_of(account_refs.map(StrRef), st.integers().map(str),
              st.integers(min_value=2**31 - 2, max_value=10**30).map(str),
              st.sampled_from([" 1 ", "1_0", "+1", "1.0", "1e3", "０１", "", "abc", "-1", "0"]), form_text),
    max_size=6,
)
form_extra_keys = st.one_of(
    st.sampled_from(["id", "role", "level_label", "Name", "name ", "", "coach"]),
    st.text(max_size=12),
).filter(lambda key: key not in FIELDS + ("csrf_token",))
form_fields = {
    "name": weighted((4, good_names), (1, names), (1, form_text)),
    "level": weighted((4, good_levels), (1, levels)),
    "coaches": weighted((3, st.lists(st.sampled_from(["coach", "other_coach"]).map(StrRef), max_size=4)), (1, form_coaches)),
}
form_extras = weighted((6, st.just({})), (1, st.dictionaries(form_extra_keys, form_text, min_size=1, max_size=3)))


def _form_body(fields, extra):
    return {**fields, "_extra": extra} if extra else fields


form_bodies = st.builds(
    _form_body,
    weighted(
        (2, st.fixed_dictionaries({"name": form_fields["name"]}, optional={"level": form_fields["level"]})),
        (2, st.fixed_dictionaries({"name": form_fields["name"]}, optional={k: v for k, v in form_fields.items() if k != "name"})),
        (1, st.fixed_dictionaries({}, optional=form_fields)),
    ),
    form_extras,
)


# The oracle --------------------------------------------------------------------------------


def expectation(data, club, allowed=FIELDS, current=None):
    """(verdict, expected (name, level, coach ids or None)) for validated data.

    ``current`` is the team's values that a PUT merges ``data`` into.
    """
    merged = {**(current or {}), **data}
    verdicts = [REFUSE if set(data) - set(allowed) else ACCEPT]
    if "name" in merged:
        verdicts.append(name_verdict(merged["name"]))
    else:
        verdicts.append(REFUSE)
    level = merged.get("level", "U11")
    verdicts.append(level_verdict(level))
    coaches = None
    if "coaches" in merged:
        verdict, coaches = coaches_verdict(merged["coaches"], club.active_coaches)
        verdicts.append(verdict)
    else:
        coaches = []
    verdict = combine(*verdicts)
    if verdict == REFUSE:
        return verdict, None
    return verdict, (merged["name"].strip(WHITESPACE), level, coaches)


def check_refused(before, after, response, sent):
    assert 400 <= response.status_int < 500, f"{describe(response)}\nfor input: {sent!r}"
    assert after == before, f"a refused input changed the data: {response.status}\nfor input: {sent!r}"


def check_written(after, team_id, expected, club, sent):
    teams, links = after
    name, level, coaches = expected
    assert teams[team_id] == (name, level), f"stored {teams[team_id]!r}, expected {(name, level)!r}\nfor input: {sent!r}"
    stored_coaches = coach_links(links, team_id)
    if coaches is not None:
        assert stored_coaches == coaches, f"coaches {stored_coaches} != {coaches}\nfor input: {sent!r}"
    else:
        assert set(stored_coaches) <= club.active_coaches, sent
    stored = teams[team_id][0]
    assert 1 <= len(stored) <= NAME_MAX and not C0_CONTROL.search(stored) and not LINE_BREAK.search(stored)
    assert stored == stored.strip(WHITESPACE)


# Setting up a logged-in client -------------------------------------------------------------------


def logged_in(testapp, login, username):
    login(testapp, username)
    return csrf_token_of(testapp.get("/teams")), testapp.get("/account.json").json["account"]["csrf_token"]


def send_json(testapp, method, url, raw, token, content_type="application/json"):
    """Send ``raw`` as it is: WebTest neither parses nor re-encodes it."""
    headers = {"Accept": "application/json", "X-CSRF-Token": token}
    if content_type:
        headers["Content-Type"] = content_type
    return testapp.request(url, method=method, body=raw, headers=headers, expect_errors=True)


# The form ---------------------------------------------------------------------------------------


def form_params(generated, club, token):
    params = [("csrf_token", token)]
    if "name" in generated:
        params.append(("name", generated["name"]))
    if "level" in generated:
        params.append(("level", generated["level"]))
    for value in club.resolve(generated.get("coaches", [])):
        params.append(("coaches", value))
    for key, value in generated.get("_extra", {}).items():
        params.append((key, value))
    return params


def check_form_shown_again(response, generated, sent, list_fields=("coaches",)):
    """A refused form comes back with its errors shown and the name as typed.

    A field sent twice that is not a list (``coaches`` for a coach, who has
    no such field) is a plain 400 page instead: no form sends that.
    """
    assert response.content_type == "text/html"
    if response.status_int == 413:
        return
    keys = [key for key, _ in sent]
    if any(keys.count(key) > 1 and key not in list_fields for key in keys):
        assert "more than once" in response.text, sent
        return
    main = response.html.main
    messages = [item.text.strip() for item in main.select("ul.field-errors li")]
    assert messages and all(messages), f"a refused form shows no error: {sent!r}"
    field = main.find("input", attrs={"name": "name"})
    if main.find("ul", id="name-errors") is not None:
        assert field["aria-invalid"] == "true" and field["aria-describedby"] == "name-errors", sent
    name = generated.get("name")
    if isinstance(name, str) and name.isprintable():
        assert field["value"] == name, sent


def form_data(generated, club):
    """The form's fields as the schema sees them."""
    data = {key: generated[key] for key in ("name", "level") if key in generated}
    coaches = club.resolve(generated.get("coaches", []))
    if coaches:
        data["coaches"] = coaches
    data.update(generated.get("_extra", {}))
    return data


def test_fuzz_new_team_form(testapp, dbsession, login, make_user, make_team):
    club = Club(make_user, make_team, dbsession)
    token, _ = logged_in(testapp, login, "alex")
    tally = Tally()

    @fuzz(900)
    @given(generated=form_bodies)
    def post_new_team(generated):
        with rolled_back(dbsession):
            before = snapshot(dbsession)
            params = form_params(generated, club, token)
            response = testapp.post("/teams/new", params, expect_errors=True)
            no_server_error(response, params)
            after = snapshot(dbsession)
            verdict, expected = expectation(form_data(generated, club), club)
            if response.status_int == 303:
                tally["accepted"] += 1
                assert verdict != REFUSE, f"accepted an invalid form: {params!r}"
                (new_id,) = set(after[0]) - set(before[0])
                assert response.location == f"http://localhost/teams/{new_id}"
                check_written(after, new_id, expected, club, params)
                assert {k: v for k, v in after[0].items() if k != new_id} == before[0]
            else:
                tally["refused"] += 1
                assert verdict != ACCEPT, f"refused a valid form: {describe(response)}\n{params!r}"
                check_refused(before, after, response, params)
                assert response.status_int in (400, 413), describe(response)
                check_form_shown_again(response, generated, params)

    post_new_team()
    tally.check()


def test_fuzz_edit_team_form_as_a_coach(testapp, dbsession, login, make_user, make_team):
    club = Club(make_user, make_team, dbsession)
    token, _ = logged_in(testapp, login, "casey")
    tally = Tally()
    team_id = club.foxes.id

    @fuzz(500)
    @given(generated=form_bodies)
    def post_edit(generated):
        with rolled_back(dbsession):
            before = snapshot(dbsession)
            params = form_params(generated, club, token)
            response = testapp.post(f"/teams/{team_id}/edit", params, expect_errors=True)
            no_server_error(response, params)
            after = snapshot(dbsession)
            verdict, expected = expectation(form_data(generated, club), club, allowed=("name", "level"))
            if response.status_int == 303:
                tally["accepted"] += 1
                assert verdict != REFUSE, f"accepted an invalid form: {params!r}"
                name, level, _ = expected
                check_written(after, team_id, (name, level, [club.coach.id]), club, params)
                assert len(after[0]) == len(before[0])
            else:
                tally["refused"] += 1
                assert verdict != ACCEPT, f"refused a valid form: {describe(response)}\n{params!r}"
                check_refused(before, after, response, params)
                assert response.status_int in (400, 413), describe(response)
                check_form_shown_again(response, generated, params, list_fields=())

    post_edit()
    tally.check()


# The JSON API ------------------------------------------------------------------------------------


def has_non_finite(value):
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(has_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(has_non_finite(v) for v in value)
    return False


def check_json_refusal(response, body, before, after):
    check_refused(before, after, response, body)
    assert response.content_type == "application/json", describe(response)
    error = response.json["error"]
    assert error["status"] == response.status_int
    # NaN and Infinity are not JSON (RFC 8259): the body itself is refused.
    expected_status = 422 if depth(body) <= MAX_DEPTH and not has_non_finite(body) else 400
    assert response.status_int in (expected_status, 413), f"{describe(response)}\nfor input: {body!r}"
    if response.status_int == 422:
        assert error["fields"] and all(isinstance(m, list) and m for m in error["fields"].values())


def test_fuzz_api_create(testapp, dbsession, login, make_user, make_team):
    club = Club(make_user, make_team, dbsession)
    _, token = logged_in(testapp, login, "alex")
    tally = Tally()

    @fuzz(900)
    @given(generated=json_bodies())
    def post_team(generated):
        body = club.resolve(generated)
        with rolled_back(dbsession):
            before = snapshot(dbsession)
            response = send_json(testapp, "POST", "/teams", json.dumps(body).encode(), token)
            no_server_error(response, body)
            after = snapshot(dbsession)
            verdict, expected = expectation(body, club)
            if response.status_int == 201:
                tally["accepted"] += 1
                assert verdict != REFUSE, f"accepted invalid data: {body!r}"
                (new_id,) = set(after[0]) - set(before[0])
                assert response.location == f"http://localhost/teams/{new_id}"
                name, level = after[0][new_id]
                assert response.json == {
                    "team": {"id": new_id, "name": name, "level": level, "level_label": Level(level).label}
                }
                check_written(after, new_id, expected, club, body)
            else:
                tally["refused"] += 1
                assert verdict != ACCEPT, f"refused valid data: {describe(response)}\n{body!r}"
                check_json_refusal(response, body, before, after)

    post_team()
    tally.check()


def test_fuzz_api_update(testapp, dbsession, login, make_user, make_team):
    club = Club(make_user, make_team, dbsession)
    _, token = logged_in(testapp, login, "alex")
    tally = Tally()
    team_id = club.foxes.id
    current = {"name": "Under 11 Foxes", "level": "U11", "coaches": [club.coach.id]}

    @fuzz(700)
    @given(generated=json_bodies())
    def put_team(generated):
        body = club.resolve(generated)
        with rolled_back(dbsession):
            before = snapshot(dbsession)
            response = send_json(testapp, "PUT", f"/teams/{team_id}", json.dumps(body).encode(), token)
            no_server_error(response, body)
            after = snapshot(dbsession)
            verdict, expected = expectation(body, club, current=current)
            if response.status_int == 200:
                tally["accepted"] += 1
                assert verdict != REFUSE, f"accepted invalid data: {body!r}"
                check_written(after, team_id, expected, club, body)
                assert set(after[0]) == set(before[0])
                others = {k: v for k, v in after[0].items() if k != team_id}
                assert others == {k: v for k, v in before[0].items() if k != team_id}
                assert response.json["team"]["name"] == after[0][team_id][0]
            else:
                tally["refused"] += 1
                assert verdict != ACCEPT, f"refused valid data: {describe(response)}\n{body!r}"
                check_json_refusal(response, body, before, after)

    put_team()
    tally.check()


def test_fuzz_api_update_as_a_coach(testapp, dbsession, login, make_user, make_team):
    club = Club(make_user, make_team, dbsession)
    _, token = logged_in(testapp, login, "casey")
    tally = Tally()
    own, other = club.foxes.id, club.otters.id

    @fuzz(500)
    @given(
        generated=weighted((4, json_bodies(("name", "level"))), (1, json_bodies())),
        own_team=weighted((4, st.just(True)), (1, st.just(False))),
    )
    def put_team(generated, own_team):
        body = club.resolve(generated)
        team_id = own if own_team else other
        with rolled_back(dbsession):
            before = snapshot(dbsession)
            response = send_json(testapp, "PUT", f"/teams/{team_id}", json.dumps(body).encode(), token)
            no_server_error(response, body)
            after = snapshot(dbsession)
            if not own_team:
                tally["forbidden"] += 1
                assert response.status_int == 403, describe(response)
                assert after == before
                return
            current = {"name": "Under 11 Foxes", "level": "U11"}
            verdict, expected = expectation(body, club, allowed=("name", "level"), current=current)
            if response.status_int == 200:
                tally["accepted"] += 1
                assert verdict != REFUSE, f"accepted invalid data: {body!r}"
                name, level, _ = expected
                check_written(after, team_id, (name, level, [club.coach.id]), club, body)
            else:
                tally["refused"] += 1
                assert verdict != ACCEPT, f"refused valid data: {describe(response)}\n{body!r}"
                check_json_refusal(response, body, before, after)

    put_team()
    tally.check()


def nested(opening, closing, times, inner=""):
    return opening * times + inner + closing * times


well_formed = st.builds(
    lambda body, ascii_only, before, after: (
        before + json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass") + after
    ),
    json_bodies(("name", "level")), st.booleans(),
    st.sampled_from([b"", b" ", b"\n", b"\xef\xbb\xbf"]), st.sampled_from([b"", b"\r\n", b"\x00"]),
)
malformed = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda text: text.encode("utf-8")),
    st.text(st.sampled_from('{}[]":,0123456789.eE+-tfnrulasNIy \\u"'), max_size=120).map(str.encode),
    st.builds(
        lambda name, times, kind: ('{"name": %s, "x": %s}' % (json.dumps(name), nested(*kind, times, "1"))).encode(),
        names, st.integers(1, 100_000), st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"a":', "}]")]),
    ),
    st.builds(lambda times: ('{"name": %s}' % nested("[", "]", times, '"Deep"')).encode(), st.integers(1, 100_000)),
    st.builds(lambda name: ('{"name": %s}' % json.dumps(name)).encode("utf-16"), names),
    st.builds(lambda name, junk: ('{"name": %s}' % json.dumps(name)).encode() + junk, names, st.binary(min_size=1, max_size=8)),
    st.builds(lambda name: ('{"name": "%s"}' % name).encode("utf-8", "surrogatepass"), any_text),
    # Lone surrogates, escaped: valid JSON whose strings no database can store.
    st.builds(
        lambda before, surrogate, after, key: ('{"%s": "%s\\u%04x%s"}' % (key, before, surrogate, after)).encode(),
        st.text(st.characters(min_codepoint=0x41, max_codepoint=0x7a), max_size=10),
        st.integers(0xD800, 0xDFFF), st.text(st.characters(min_codepoint=0x41, max_codepoint=0x7a), max_size=10),
        st.sampled_from(["name", "level", "colour"]),
    ),
)
# Well-formed objects (escaped or not, with or without whitespace or a byte order mark around), and anything else.
raw_bodies = weighted((1, well_formed), (2, malformed))


content_types = weighted(
    (3, st.just("application/json")),
    (1, st.sampled_from(["application/json; charset=utf-8", "application/json; charset=latin-1",
                     "application/json; charset=utf-16", "application/json; charset=bogus",
                     "text/plain", "application/x-www-form-urlencoded", "", "application/JSON",
                     "multipart/form-data; boundary=x", "application/merge-patch+json"])),
)


def media_type(content_type):
    return content_type.split(";")[0].strip().lower()


def test_fuzz_api_raw_bodies(testapp, dbsession, login, make_user, make_team):
    club = Club(make_user, make_team, dbsession)
    _, token = logged_in(testapp, login, "alex")
    tally = Tally()
    team_id = club.foxes.id

    @fuzz(600)
    @given(raw=raw_bodies, content_type=content_types, method=st.sampled_from(["POST", "PUT"]))
    def send_raw(raw, content_type, method):
        url = "/teams" if method == "POST" else f"/teams/{team_id}"
        sent = (method, content_type, raw)
        with rolled_back(dbsession):
            before = snapshot(dbsession)
            response = send_json(testapp, method, url, raw, token, content_type=content_type)
            no_server_error(response, sent)
            after = snapshot(dbsession)
            if response.status_int in (200, 201):
                tally["accepted"] += 1
                team = response.json["team"]
                stored = after[0][team["id"]]
                assert stored == (team["name"], team["level"])
                assert name_verdict(stored[0]) != REFUSE and stored[0] == stored[0].strip(WHITESPACE)
                assert media_type(content_type) == "application/json", sent
            else:
                tally["refused"] += 1
                check_refused(before, after, response, sent)
                if media_type(content_type) != "application/json":
                    assert response.status_int == 415, (describe(response), sent)

    send_raw()
    tally.check()


# Raw form bodies --------------------------------------------------------------------------------

raw_form_names = st.one_of(
    st.binary(max_size=60),
    names.map(lambda name: name.encode("utf-8")),
    st.sampled_from([b"\xff", b"ok\xed\xa0\x80", b"a\xc0\x80b", b"\xef\xbb\xbfFoxes", b"Fo\x00xes", b"%", b"+Foxes+"]),
)
raw_form_junk = weighted(
    (4, st.just(b"")),
    (1, st.binary(max_size=30)),
    (1, st.sampled_from([b"&", b"&&", b"=", b"&=", b"&name", b"&name=Other", b"&level", b"&level=U19", b"%zz",
                         b"&%ff=1", b"&csrf_token=x", b"&coaches=1&coaches=1", b";name=x"])),
)
form_content_types = weighted(
    (4, st.just("application/x-www-form-urlencoded")),
    (1, st.sampled_from([
        "application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded; charset=latin-1",
        "application/x-www-form-urlencoded; charset=bogus", "multipart/form-data; boundary=x",
        "multipart/form-data", "text/plain", "", "application/json",
    ])),
)


def test_fuzz_new_team_form_raw_bodies(testapp, dbsession, login, make_user, make_team):
    """Bytes no browser sends: invalid UTF-8, stray separators, other content types."""
    Club(make_user, make_team, dbsession)  # the accounts and teams the inputs work on
    token, _ = logged_in(testapp, login, "alex")
    tally = Tally()

    @fuzz(500)
    @given(
        name=raw_form_names,
        level=weighted((3, st.just(b"")), (1, st.just(b"&level=U10"))),
        junk=raw_form_junk,
        content_type=form_content_types,
    )
    def post_raw(name, level, junk, content_type):
        body = b"csrf_token=" + token.encode() + b"&name=" + quote_from_bytes(name).encode() + level + junk
        sent = (content_type, body)
        with rolled_back(dbsession):
            before = snapshot(dbsession)
            headers = {"Content-Type": content_type} if content_type else {}
            response = testapp.request("/teams/new", method="POST", body=body, headers=headers, expect_errors=True)
            no_server_error(response, sent)
            after = snapshot(dbsession)
            if response.status_int == 303:
                tally["accepted"] += 1
                (new_id,) = set(after[0]) - set(before[0])
                stored = after[0][new_id][0]
                assert name_verdict(stored) != REFUSE and stored == stored.strip(WHITESPACE), sent
                try:
                    typed = name.decode("utf-8")
                except UnicodeDecodeError:
                    typed = None
                plain = content_type in ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8")
                if typed is not None and plain and not junk:
                    assert stored == typed.strip(WHITESPACE), sent
                    assert after[0][new_id][1] == ("U10" if level else "U11")
            else:
                tally["refused"] += 1
                check_refused(before, after, response, sent)

    post_raw()
    tally.check(minimum_share=0.01)
