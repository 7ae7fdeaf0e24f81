"""Adding, editing and removing players: the forms and the JSON API, by role.

The coach of a team runs its roster, admins run every roster, members and
other coaches change nothing.  Bad input is answered with the form and its
errors (400) or a 422 with the fields, and nothing is written.
"""
import json

import pytest
from sqlalchemy import func, select

from touchline.rosters.models import Player, Position, player_guardians
from touchline.teams.models import Team
from touchline.testing import csrf_token_of, post_form

JSON = {"Accept": "application/json"}


def player_count(dbsession, team=None):
    dbsession.flush()
    stmt = select(func.count()).select_from(Player)
    if team is not None:
        stmt = stmt.where(Player.team_id == team.id)
    return dbsession.scalar(stmt)


def guardian_ids(dbsession, player_id):
    dbsession.flush()
    return sorted(dbsession.scalars(
        select(player_guardians.c.user_id).where(player_guardians.c.player_id == player_id)))


def api_token(testapp):
    return testapp.get("/account.json").json["account"]["csrf_token"]


def call(testapp, method, url, body=None, status=None, raw=None, content_type="application/json"):
    headers = {**JSON, "X-CSRF-Token": api_token(testapp)}
    raw = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return getattr(testapp, method.lower())(url, params=raw, headers=headers,
                                            content_type=content_type, status=status)


def form(season, **overrides):
    values = {"first_name": "Esme", "last_name": "Rossi", "birth_year": str(season - 8),
              "shirt_number": "11", "position": "midfielder"}
    values.update(overrides)
    return values


def field_errors(page):
    """{field name: [messages]} as the form page shows them."""
    return {ul["id"][: -len("-errors")]: [li.text for li in ul.find_all("li")]
            for ul in page.html.select("ul.field-errors")}


# The forms -------------------------------------------------------------------------------


def test_new_player_form_for_the_coach(testapp, club, login, make_user):
    make_user("gone", "member", display_name="Gone Member", active=False)
    login(testapp, "cora")
    page = testapp.get(f"/teams/{club['badgers'].id}/roster/new")
    assert page.html.h1.text == "New player for Under 9 Badgers"
    boxes = page.html.find_all("input", attrs={"name": "guardians"})
    # Active member accounts only: no coaches, admins or inactive accounts.
    assert [box.parent.text.strip() for box in boxes] == ["Gwen Guardian", "Max Member"]
    options = [o["value"] for o in page.html.find("select", attrs={"name": "position"}).find_all("option")]
    assert options == ["", "goalkeeper", "defender", "midfielder", "forward"]


def test_coach_adds_a_player_through_the_form(testapp, club, login, dbsession, season):
    login(testapp, "cora")
    url = f"/teams/{club['badgers'].id}/roster/new"
    page = testapp.get(url)
    response = testapp.post(url, [
        *form(season, first_name="  Esme ", name_consent="on").items(),
        ("guardians", str(club["guardian"].id)), ("guardians", str(club["member"].id)),
        ("csrf_token", csrf_token_of(page)),
    ], status=303)
    assert response.location == f"http://localhost/teams/{club['badgers'].id}/roster"
    esme = dbsession.scalars(select(Player).where(Player.first_name == "Esme")).one()
    assert (esme.last_name, esme.birth_year, esme.shirt_number, esme.position, esme.name_consent,
            esme.photo_consent) == ("Rossi", season - 8, 11, Position.MIDFIELDER, True, False)
    assert guardian_ids(dbsession, esme.id) == sorted([club["guardian"].id, club["member"].id])
    roster = testapp.get(response.location)
    assert "Esme Rossi was added to Under 9 Badgers." in roster.html.find("p", class_="flash").text
    assert "Esme Rossi" in [a.text for a in roster.html.select("td.name a")]


def test_a_player_without_shirt_number_or_position(testapp, club, login, dbsession, season):
    login(testapp, "ada")
    post_form(testapp, f"/teams/{club['otters'].id}/roster/new",
              form(season, shirt_number="", position=""), status=303)
    player = dbsession.scalars(select(Player).where(Player.first_name == "Esme")).one()
    assert player.shirt_number is None and player.position is None and player.guardians == []


@pytest.mark.parametrize("overrides, field, message", [
    ({"shirt_number": "7"}, "shirt_number", "Another player of Under 9 Badgers wears number 7."),
    ({"shirt_number": "0"}, "shirt_number", "Enter a shirt number from 1 to 99."),
    ({"shirt_number": "100"}, "shirt_number", "Enter a shirt number from 1 to 99."),
    ({"shirt_number": "seven"}, "shirt_number", "Enter a shirt number from 1 to 99."),
    ({"birth_year": "1990"}, "birth_year", "Must be a year from"),
    ({"birth_year": "2099"}, "birth_year", "Must be a year from"),
    ({"birth_year": ""}, "birth_year", "Enter the year of birth."),
    ({"birth_year": "twenty"}, "birth_year", "Enter the year of birth as a whole number."),
    ({"first_name": "   "}, "first_name", "Enter the player's first name."),
    ({"last_name": "x" * 41}, "last_name", "Shorten the player's last name to 40 characters or fewer."),
    ({"position": "striker"}, "position", "Choose the position from the list."),
    ({"guardians": "999999"}, "guardians", "No active member account has the id 999999."),
])
def test_form_errors_are_shown_and_nothing_is_written(testapp, club, login, dbsession, season,
                                                      overrides, field, message):
    login(testapp, "cora")
    before = player_count(dbsession)
    page = post_form(testapp, f"/teams/{club['badgers'].id}/roster/new",
                     form(season, **overrides), status=400)
    errors = field_errors(page)
    assert any(message in text for text in errors.get(field, [])), errors
    # What the user typed is kept.
    typed = form(season, **overrides)["shirt_number"]
    assert page.html.find("input", attrs={"name": "shirt_number"})["value"] == typed
    assert player_count(dbsession) == before


def test_a_coach_or_admin_cannot_be_a_guardian(testapp, club, login, dbsession, season):
    login(testapp, "ada")
    page = post_form(testapp, f"/teams/{club['badgers'].id}/roster/new",
                     {**form(season), "guardians": str(club["coach"].id)}, status=400)
    assert field_errors(page)["guardians"] == [f"No active member account has the id {club['coach'].id}."]


def test_coach_edits_a_player(testapp, club, login, dbsession, season):
    login(testapp, "cora")
    sam = club["sam"]
    page = testapp.get(f"/players/{sam.id}/edit")
    assert page.html.find("input", attrs={"name": "last_name"})["value"] == "Thompson"
    assert page.html.find("input", attrs={"name": "shirt_number"})["value"] == "7"
    assert page.html.find("input", attrs={"name": "photo_consent"}).has_attr("checked")
    assert not page.html.find("input", attrs={"name": "name_consent"}).has_attr("checked")
    checked = [box["value"] for box in page.html.find_all("input", attrs={"name": "guardians"})
               if box.has_attr("checked")]
    assert checked == [str(club["guardian"].id)]
    # Keeping one's own number is no clash; unticking the photo consent withdraws it.
    response = testapp.post(f"/players/{sam.id}/edit", {
        "csrf_token": csrf_token_of(page), "first_name": "Samuel", "last_name": "Thompson",
        "birth_year": str(sam.birth_year), "shirt_number": "7", "position": "defender",
    }, status=303)
    assert response.location == f"http://localhost/players/{sam.id}"
    dbsession.refresh(sam)
    assert (sam.first_name, sam.position, sam.photo_consent, sam.guardians) == (
        "Samuel", Position.DEFENDER, False, [])


def test_editing_to_a_taken_shirt_number_is_refused(testapp, club, login, dbsession):
    login(testapp, "cora")
    sam = club["sam"]
    page = post_form(testapp, f"/players/{sam.id}/edit", {
        "first_name": "Sam", "last_name": "Thompson", "birth_year": str(sam.birth_year),
        "shirt_number": "3"}, status=400)
    assert field_errors(page)["shirt_number"] == ["Another player of Under 9 Badgers wears number 3."]
    dbsession.expire_all()
    assert dbsession.get(Player, sam.id).shirt_number == 7


def test_the_same_shirt_number_in_another_team_is_fine(testapp, club, login, dbsession, season):
    login(testapp, "olly")
    post_form(testapp, f"/teams/{club['otters'].id}/roster/new", form(season, shirt_number="7"), status=303)
    assert player_count(dbsession, club["otters"]) == 1


def test_the_database_keeps_shirt_numbers_unique_too(club, dbsession, season):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), dbsession.begin_nested():
        dbsession.add(Player(team=club["badgers"], first_name="Dup", last_name="Licate",
                             birth_year=season - 8, shirt_number=7))
        dbsession.flush()


def test_coach_removes_a_player(testapp, club, login, dbsession):
    login(testapp, "cora")
    sam = club["sam"]
    page = testapp.get(f"/players/{sam.id}/delete")
    assert page.html.h1.text == "Remove Sam Thompson from Under 9 Badgers?"
    response = testapp.post(f"/players/{sam.id}/delete", {"csrf_token": csrf_token_of(page)}, status=303)
    assert response.location == f"http://localhost/teams/{club['badgers'].id}/roster"
    assert player_count(dbsession, club["badgers"]) == 2
    assert guardian_ids(dbsession, sam.id) == []


@pytest.mark.parametrize("user", ["max", "olly", "gwen"])
def test_others_change_nothing(testapp, club, login, dbsession, season, user):
    login(testapp, user)
    sam, team = club["sam"], club["badgers"]
    testapp.get(f"/teams/{team.id}/roster/new", status=403)
    testapp.get(f"/players/{sam.id}/edit", status=403)
    token = csrf_token_of(testapp.get("/login"))
    testapp.post(f"/teams/{team.id}/roster/new", {**form(season), "csrf_token": token}, status=403)
    testapp.post(f"/players/{sam.id}/delete", {"csrf_token": token}, status=403)
    call(testapp, "PUT", f"/players/{sam.id}.json", {"first_name": "X"}, status=403)
    call(testapp, "DELETE", f"/players/{sam.id}.json", status=403)
    assert player_count(dbsession, team) == 3
    # No edit links either.
    page = testapp.get(f"/players/{sam.id}")
    assert page.html.find("a", string="Edit player") is None


# Deleting a team takes its players with it ---------------------------------------------------


def test_deleting_a_team_deletes_its_players(testapp, club, login, dbsession):
    login(testapp, "ada")
    team = club["badgers"]
    player_ids = [club[name].id for name in ("sam", "ava", "noah")]
    post_form(testapp, f"/teams/{team.id}/delete", {}, status=303)
    dbsession.expire_all()
    assert dbsession.get(Team, team.id) is None
    assert dbsession.scalar(select(func.count()).select_from(Player).where(Player.id.in_(player_ids))) == 0
    assert dbsession.scalar(select(func.count()).select_from(player_guardians).where(
        player_guardians.c.player_id.in_(player_ids))) == 0


def test_deleting_a_team_through_the_api_deletes_its_players(testapp, club, login, dbsession):
    login(testapp, "ada")
    call(testapp, "DELETE", f"/teams/{club['badgers'].id}.json", status=204)
    assert player_count(dbsession) == 0


# The JSON API ------------------------------------------------------------------------------


def test_api_creates_a_player(testapp, club, login, dbsession, season):
    login(testapp, "cora")
    team = club["badgers"]
    response = call(testapp, "POST", f"/teams/{team.id}/roster", {
        "first_name": "Theo", "last_name": "Sato", "birth_year": season - 7, "shirt_number": 9,
        "position": "forward", "name_consent": False, "photo_consent": True,
        "guardians": [club["guardian"].id]}, status=201)
    player = response.json["player"]
    assert response.location == f"http://localhost/players/{player['id']}"
    assert player == {
        "id": player["id"], "team_id": team.id, "display_name": "Theo Sato", "first_name": "Theo",
        "last_name": "Sato", "birth_year": season - 7, "shirt_number": 9, "position": "forward",
        "age_flag": None, "name_consent": False, "photo_consent": True,
    }
    assert guardian_ids(dbsession, player["id"]) == [club["guardian"].id]


@pytest.mark.parametrize("body, fields", [
    ({"first_name": "Theo", "last_name": "Sato", "birth_year": 2000 - 100}, {"birth_year"}),
    ({"first_name": "Theo", "last_name": "Sato"}, {"birth_year"}),
    ({"first_name": "Theo", "last_name": "Sato", "birth_year": "{season}", "shirt_number": 7}, {"shirt_number"}),
    ({"first_name": "Theo", "last_name": "Sato", "birth_year": "{season}", "guardians": [999999]}, {"guardians"}),
    ({"first_name": "Theo", "last_name": "Sato", "birth_year": "{season}", "guardians": ["{coach}"]}, {"guardians"}),
    ({"first_name": "Theo", "last_name": "Sato", "birth_year": "{season}", "guardians": [0]}, {"guardians"}),
    ({"first_name": "Theo", "last_name": "Sato", "birth_year": "{season}", "id": 5}, {"_form"}),
    ({"first_name": "Theo", "last_name": "Sato", "birth_year": "{season}", "team_id": 5}, {"_form"}),
    ({"first_name": "", "last_name": "Sato", "birth_year": "{season}", "shirt_number": 100}, {"first_name", "shirt_number"}),
])
def test_api_refuses_bad_players_with_422(testapp, club, login, dbsession, season, body, fields):
    login(testapp, "cora")
    substitutions = {"{season}": season - 8, "{coach}": club["coach"].id}
    body = {key: substitutions.get(value, value) if isinstance(value, str) else
            [substitutions.get(v, v) for v in value] if isinstance(value, list) else value
            for key, value in body.items()}
    before = player_count(dbsession)
    response = call(testapp, "POST", f"/teams/{club['badgers'].id}/roster", body, status=422)
    got = set(response.json["error"]["fields"])
    assert got == fields or (fields == {"_form"} and got <= {"_form", "id", "team_id"}), response.json
    assert player_count(dbsession) == before


def test_api_refuses_bad_bodies(testapp, club, login):
    login(testapp, "cora")
    url = f"/teams/{club['badgers'].id}/roster"
    call(testapp, "POST", url, raw=b"{not json", status=400)
    call(testapp, "POST", url, raw=b"[1, 2]", status=400)
    call(testapp, "POST", url, raw=b"first_name=x", content_type="application/x-www-form-urlencoded",
         status=415)


def test_api_updates_a_player_partially(testapp, club, login, dbsession):
    login(testapp, "cora")
    sam = club["sam"]
    response = call(testapp, "PUT", f"/players/{sam.id}.json", {"shirt_number": None, "name_consent": True})
    assert response.json["player"]["shirt_number"] is None
    dbsession.refresh(sam)
    assert (sam.first_name, sam.shirt_number, sam.name_consent) == ("Sam", None, True)
    assert guardian_ids(dbsession, sam.id) == [club["guardian"].id]  # kept


def test_api_update_errors(testapp, club, login, dbsession):
    login(testapp, "cora")
    sam = club["sam"]
    response = call(testapp, "PUT", f"/players/{sam.id}.json", {"shirt_number": 3}, status=422)
    assert response.json["error"]["fields"] == {"shirt_number": ["Another player of Under 9 Badgers wears number 3."]}
    response = call(testapp, "PUT", f"/players/{sam.id}.json", {"guardians": [club["admin"].id]}, status=422)
    assert "guardians" in response.json["error"]["fields"]
    dbsession.expire_all()
    assert dbsession.get(Player, sam.id).shirt_number == 7
    assert guardian_ids(dbsession, sam.id) == [club["guardian"].id]


def test_api_deletes_a_player(testapp, club, login, dbsession):
    login(testapp, "ada")
    call(testapp, "DELETE", f"/players/{club['noah'].id}.json", status=204)
    assert player_count(dbsession, club["badgers"]) == 2
    call(testapp, "DELETE", f"/players/{club['noah'].id}.json", status=404)


def test_anonymous_api_writes_are_401(testapp, club):
    testapp.put_json(f"/players/{club['sam'].id}.json", {"first_name": "X"}, status="4*")
    testapp.delete(f"/players/{club['sam'].id}.json", headers=JSON, status="4*")


@pytest.mark.parametrize("name", ["\\ud800", "\\u0000", "a\\u0085b", "\\u2028"])
def test_api_refuses_or_stores_odd_characters_without_a_5xx(testapp, club, login, dbsession, season, name):
    login(testapp, "cora")
    raw = ('{"first_name": "' + name + '", "last_name": "Sato", "birth_year": ' + str(season - 8) + '}').encode()
    before = player_count(dbsession)
    response = call(testapp, "POST", f"/teams/{club['badgers'].id}/roster", raw=raw, status="*")
    assert response.status_int in (201, 422), response.status
    if response.status_int == 422:
        assert player_count(dbsession) == before
