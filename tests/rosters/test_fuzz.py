"""Random input thrown at the player form and the rosters JSON API (hypothesis).

Whatever a client sends, the answer is never a 5xx; a refused input (4xx)
writes nothing; an accepted one stores what was sent.  Each example runs in
a savepoint rolled back after it.  ``TOUCHLINE_FUZZ_SCALE`` multiplies the
number of examples.
"""
import contextlib
import datetime
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from touchline.rosters.models import Player
from touchline.testing import csrf_token_of

SCALE = float(os.environ.get("TOUCHLINE_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=max(1, int(60 * SCALE)), deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
YEAR = datetime.date.today().year

names = st.one_of(st.sampled_from(["Sam", " Ava ", "O'Brien", "Zoë", "x" * 40, "x" * 41, "", "a\nb"]),
                  st.text(max_size=45))
numbers = st.one_of(st.integers(min_value=-5, max_value=120), st.integers(), st.none(),
                    st.sampled_from(["7", "", "seven", "1e3", 7.0, 7.5, True]))
years = st.one_of(st.integers(min_value=YEAR - 25, max_value=YEAR), st.integers(),
                  st.sampled_from(["2015", "", None, 2015.0, "MMXV"]))
positions = st.one_of(st.sampled_from(["goalkeeper", "defender", "midfielder", "forward", "", None,
                                       "GOALKEEPER", "striker", 1]))
flags = st.one_of(st.booleans(), st.sampled_from(["on", "yes", "", "maybe", None, 2]))
guardian_lists = st.one_of(st.lists(st.integers(min_value=-2, max_value=2**40), max_size=4),
                           st.sampled_from(["1", None, [None], [[1]]]))
bodies = st.fixed_dictionaries(
    {},
    optional={"first_name": names, "last_name": names, "birth_year": years, "shirt_number": numbers,
              "position": positions, "name_consent": flags, "photo_consent": flags,
              "guardians": guardian_lists, "id": st.integers(), "team_id": st.integers()},
)


@contextlib.contextmanager
def rolled_back(dbsession):
    savepoint = dbsession.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        dbsession.expire_all()


def count(dbsession):
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(Player))


def test_json_api_never_fails(testapp, club, login, dbsession):
    login(testapp, "cora")
    token = testapp.get("/account.json").json["account"]["csrf_token"]
    headers = {"Accept": "application/json", "X-CSRF-Token": token}
    team, sam = club["badgers"], club["sam"]

    @FUZZ
    @given(body=bodies, method=st.sampled_from(["POST", "PUT"]))
    def example(body, method):
        with rolled_back(dbsession):
            before = count(dbsession)
            url = f"/teams/{team.id}/roster" if method == "POST" else f"/players/{sam.id}.json"
            response = getattr(testapp, method.lower())(
                url, params=json.dumps(body), headers=headers, content_type="application/json",
                status="*")
            assert response.status_int < 500, (body, response.body[:500])
            if response.status_int >= 400:
                assert count(dbsession) == before
            else:
                assert response.status_int == (201 if method == "POST" else 200)
                stored = dbsession.get(Player, response.json["player"]["id"])
                if "first_name" in body:
                    assert stored.first_name == body["first_name"].strip()
                assert 1 <= (stored.shirt_number or 1) <= 99

    example()


def test_form_never_fails(testapp, club, login, dbsession):
    login(testapp, "cora")
    url = f"/teams/{club['badgers'].id}/roster/new"
    token = csrf_token_of(testapp.get(url))
    text = st.one_of(st.text(max_size=45), st.sampled_from(["7", "", "2016", str(YEAR - 8), "on"]))

    @FUZZ
    @given(fields=st.dictionaries(
        st.sampled_from(["first_name", "last_name", "birth_year", "shirt_number", "position",
                         "name_consent", "photo_consent", "guardians", "team_id"]), text))
    def example(fields):
        with rolled_back(dbsession):
            before = count(dbsession)
            response = testapp.post(url, {**fields, "csrf_token": token}, status="*")
            assert response.status_int < 500, (fields, response.body[:500])
            if response.status_int != 303:
                assert response.status_int == 400
                assert count(dbsession) == before
            else:
                assert count(dbsession) == before + 1

    example()
