"""Creating, editing and deleting teams: the forms and the JSON API, by role.

Admins do everything and choose the coaches; a coach edits the name and age
group of the teams they coach; members and visitors do none of it.  What a
request wrote is checked in the database through ``dbsession``.
"""
import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from touchline.teams.models import Level, Team, team_coaches
from touchline.testing import csrf_token_of, post_form

JSON = {"Accept": "application/json"}


# Fixtures and helpers ----------------------------------------------------------


@pytest.fixture
def foxes(make_team, dbsession, coach):
    """A team coached by ``coach``."""
    team = make_team("Under 11 Foxes", Level.U11)
    team.coaches = [coach]
    dbsession.flush()
    return team


@pytest.fixture
def otters(make_team):
    """A team nobody coaches."""
    return make_team("Under 9 Otters", Level.U09)


def team_rows(dbsession):
    """Every team as stored: ``{id: (name, level code)}``."""
    dbsession.flush()
    rows = dbsession.execute(select(Team.__table__.c.id, Team.__table__.c.name, Team.__table__.c.level))
    return {row.id: (row.name, row.level.value) for row in rows}


def team_count(dbsession):
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(Team))


def coach_ids(dbsession, team_id):
    dbsession.flush()
    return sorted(
        dbsession.scalars(select(team_coaches.c.user_id).where(team_coaches.c.team_id == team_id))
    )


def api_token(testapp):
    """The CSRF token of the logged-in session, as a JSON client gets it."""
    return testapp.get("/account.json").json["account"]["csrf_token"]


def call(testapp, method, url, body=None, token=None, status=None,
         content_type="application/json", raw=None, headers=None):
    """A JSON API call: ``body`` is serialised unless ``raw`` bytes are given."""
    all_headers = dict(JSON)
    if token is not None:
        all_headers["X-CSRF-Token"] = token
    all_headers.update(headers or {})
    if raw is None:
        raw = b"" if body is None else json.dumps(body).encode("utf-8")
    send = getattr(testapp, method.lower())
    return send(url, params=raw, headers=all_headers, content_type=content_type, status=status)


def assert_json_error(response, status):
    assert response.content_type == "application/json"
    error = response.json["error"]
    assert error["status"] == status
    return error


# Admin: the forms ----------------------------------------------------------------


def test_new_team_form_for_an_admin(testapp, login, admin, coach, make_user):
    make_user("gone", "coach", display_name="Gone Coach", active=False)
    make_user("morgan", "member", display_name="Morgan Member")
    login(testapp, "alex")
    page = testapp.get("/teams/new", status=200)
    form = page.html.main.form
    assert form["method"] == "post"
    assert form.find("input", attrs={"name": "name"})["value"] == ""
    selected = form.find("select", attrs={"name": "level"}).find("option", selected=True)
    assert selected["value"] == "U11"
    options = [o["value"] for o in form.find("select", attrs={"name": "level"}).find_all("option")]
    assert options == [level.value for level in Level]
    boxes = form.find_all("input", attrs={"name": "coaches"})
    assert [(box["value"], box.parent.text.strip()) for box in boxes] == [(str(coach.id), "Casey Coach")]
    assert csrf_token_of(page)


def test_admin_creates_a_team_through_the_form(testapp, dbsession, login, admin, coach):
    login(testapp, "alex")
    before = team_count(dbsession)
    page = testapp.get("/teams/new")
    response = testapp.post(
        "/teams/new",
        [("csrf_token", csrf_token_of(page)), ("name", "  Under 10 Hawks  "), ("level", "U10"),
         ("coaches", str(coach.id))],
        status=303,
    )
    assert team_count(dbsession) == before + 1
    team = dbsession.scalars(select(Team).where(Team.name == "Under 10 Hawks")).one()
    assert team.level is Level.U10
    assert coach_ids(dbsession, team.id) == [coach.id]
    assert response.location == f"http://localhost/teams/{team.id}"
    shown = testapp.get(response.location)
    assert shown.html.h1.text == "Under 10 Hawks"
    assert "The team Under 10 Hawks was created." in shown.html.find("p", class_="flash").text


def test_a_new_team_without_a_level_is_under_11(testapp, dbsession, login, admin):
    login(testapp, "alex")
    post_form(testapp, "/teams/new", {"name": "Default Level"}, status=303)
    team = dbsession.scalars(select(Team).where(Team.name == "Default Level")).one()
    assert team.level is Level.U11
    assert coach_ids(dbsession, team.id) == []


def test_admin_edits_a_team_and_its_coaches(testapp, dbsession, login, admin, coach, other_coach, foxes):
    login(testapp, "alex")
    page = testapp.get(f"/teams/{foxes.id}/edit", status=200)
    form = page.html.main.form
    assert page.html.h1.text == "Edit Under 11 Foxes"
    assert form.find("input", attrs={"name": "name"})["value"] == "Under 11 Foxes"
    assert form.find("select", attrs={"name": "level"}).find("option", selected=True)["value"] == "U11"
    checked = {box["value"] for box in form.find_all("input", attrs={"name": "coaches"}) if box.has_attr("checked")}
    assert checked == {str(coach.id)}

    response = testapp.post(
        f"/teams/{foxes.id}/edit",
        [("csrf_token", csrf_token_of(page)), ("name", "Under 12 Foxes"), ("level", "U12"),
         ("coaches", str(other_coach.id))],
        status=303,
    )
    assert response.location == f"http://localhost/teams/{foxes.id}"
    assert team_rows(dbsession)[foxes.id] == ("Under 12 Foxes", "U12")
    assert coach_ids(dbsession, foxes.id) == [other_coach.id]
    assert "The team Under 12 Foxes was saved." in testapp.get(response.location).text


def test_admin_removes_every_coach(testapp, dbsession, login, admin, foxes):
    login(testapp, "alex")
    post_form(testapp, f"/teams/{foxes.id}/edit", {"name": "Under 11 Foxes", "level": "U11"}, status=303)
    assert coach_ids(dbsession, foxes.id) == []


def test_admin_deletes_a_team_after_confirming(testapp, dbsession, login, admin, foxes, otters):
    login(testapp, "alex")
    page = testapp.get(f"/teams/{foxes.id}/delete", status=200)
    assert page.html.h1.text == "Delete Under 11 Foxes?"
    assert page.html.main.form["method"] == "post"
    assert team_count(dbsession) == 2  # the confirmation page deletes nothing
    response = testapp.post(f"/teams/{foxes.id}/delete", {"csrf_token": csrf_token_of(page)}, status=303)
    assert response.location == "http://localhost/teams"
    assert set(team_rows(dbsession)) == {otters.id}
    assert coach_ids(dbsession, foxes.id) == []
    listing = testapp.get(response.location)
    assert "The team Under 11 Foxes was deleted." in listing.text
    testapp.get(f"/teams/{foxes.id}.json", status=404)


def test_a_deleted_team_is_a_404_page_for_a_logged_in_user(testapp, dbsession, login, admin, foxes):
    login(testapp, "alex")
    post_form(testapp, f"/teams/{foxes.id}/delete", status=303)
    for path in (f"/teams/{foxes.id}", f"/teams/{foxes.id}/edit", f"/teams/{foxes.id}/delete", "/teams/999999"):
        response = testapp.get(path, status=404)
        assert "Page not found" in response.text


def test_team_page_offers_edit_and_delete_to_an_admin(testapp, login, admin, foxes):
    login(testapp, "alex")
    page = testapp.get(f"/teams/{foxes.id}")
    links = {a.text: a["href"] for a in page.html.main.find_all("a")}
    assert links["Edit team"] == f"/teams/{foxes.id}/edit"
    assert links["Delete team"] == f"/teams/{foxes.id}/delete"
    assert "New team" in testapp.get("/teams").text


# Coaches ----------------------------------------------------------------------------


def test_coach_edits_their_own_team(testapp, dbsession, login, coach, foxes):
    login(testapp, "casey")
    page = testapp.get(f"/teams/{foxes.id}/edit", status=200)
    assert page.html.main.form.find("input", attrs={"name": "coaches"}) is None
    response = testapp.post(
        f"/teams/{foxes.id}/edit",
        {"csrf_token": csrf_token_of(page), "name": "Foxes Reds", "level": "U10"},
        status=303,
    )
    assert response.location == f"http://localhost/teams/{foxes.id}"
    assert team_rows(dbsession)[foxes.id] == ("Foxes Reds", "U10")
    assert coach_ids(dbsession, foxes.id) == [coach.id]


def test_coach_sees_edit_but_not_delete_on_their_team(testapp, login, coach, foxes, otters):
    login(testapp, "casey")
    links = [a.text for a in testapp.get(f"/teams/{foxes.id}").html.main.find_all("a")]
    assert "Edit team" in links and "Delete team" not in links
    links = [a.text for a in testapp.get(f"/teams/{otters.id}").html.main.find_all("a")]
    assert "Edit team" not in links and "Delete team" not in links
    assert "New team" not in testapp.get("/teams").text


def test_coach_may_not_choose_coaches_in_the_form(testapp, dbsession, login, coach, other_coach, foxes):
    login(testapp, "casey")
    page = testapp.get(f"/teams/{foxes.id}/edit")
    response = testapp.post(
        f"/teams/{foxes.id}/edit",
        [("csrf_token", csrf_token_of(page)), ("name", "Renamed"), ("level", "U11"),
         ("coaches", str(other_coach.id))],
        status=400,
    )
    assert "This field cannot be set." in response.text
    assert team_rows(dbsession)[foxes.id] == ("Under 11 Foxes", "U11")
    assert coach_ids(dbsession, foxes.id) == [coach.id]


def test_coach_gets_403_on_another_teams_pages(testapp, dbsession, login, coach, foxes, otters):
    login(testapp, "casey")
    token = csrf_token_of(testapp.get(f"/teams/{foxes.id}/edit"))
    before = team_rows(dbsession)
    response = testapp.get(f"/teams/{otters.id}/edit", status=403)
    assert "You do not have permission" in response.text
    testapp.post(f"/teams/{otters.id}/edit", {"csrf_token": token, "name": "Mine now"}, status=403)
    for team in (foxes, otters):
        testapp.get(f"/teams/{team.id}/delete", status=403)
        testapp.post(f"/teams/{team.id}/delete", {"csrf_token": token}, status=403)
    testapp.get("/teams/new", status=403)
    testapp.post("/teams/new", {"csrf_token": token, "name": "New"}, status=403)
    assert team_rows(dbsession) == before


def test_coach_gets_403_from_the_api_beyond_their_teams(testapp, dbsession, login, coach, foxes, otters):
    login(testapp, "casey")
    token = api_token(testapp)
    before = team_rows(dbsession)
    assert_json_error(call(testapp, "POST", "/teams", {"name": "New"}, token, status=403), 403)
    assert_json_error(call(testapp, "PUT", f"/teams/{otters.id}", {"name": "X"}, token, status=403), 403)
    for team in (foxes, otters):
        assert_json_error(call(testapp, "DELETE", f"/teams/{team.id}", token=token, status=403), 403)
    assert team_rows(dbsession) == before


# Members and visitors -----------------------------------------------------------------


def test_member_gets_403_everywhere(testapp, dbsession, login, member, foxes):
    login(testapp, "morgan")
    page = testapp.get("/teams")
    assert "New team" not in page.text
    token = csrf_token_of(page)
    before = team_rows(dbsession)
    for path in ("/teams/new", f"/teams/{foxes.id}/edit", f"/teams/{foxes.id}/delete"):
        testapp.get(path, status=403)
        testapp.post(path, {"csrf_token": token, "name": "Hacked"}, status=403)
    json_token = api_token(testapp)
    call(testapp, "POST", "/teams", {"name": "Hacked"}, json_token, status=403)
    call(testapp, "PUT", f"/teams/{foxes.id}", {"name": "Hacked"}, json_token, status=403)
    call(testapp, "DELETE", f"/teams/{foxes.id}", token=json_token, status=403)
    links = [a.text for a in testapp.get(f"/teams/{foxes.id}").html.main.find_all("a")]
    assert "Edit team" not in links and "Delete team" not in links
    assert team_rows(dbsession) == before


@pytest.mark.parametrize("suffix", ["new", "{id}/edit", "{id}/delete"])
def test_anonymous_browser_is_sent_to_log_in(testapp, foxes, suffix):
    path = "/teams/" + suffix.format(id=foxes.id)
    response = testapp.get(path, status=303)
    assert response.location == "http://localhost/login?next=" + path.replace("/", "%2F")


def test_anonymous_is_asked_to_log_in_and_after_logging_in_comes_back(testapp, login, admin, foxes):
    response = testapp.get(f"/teams/{foxes.id}/edit", status=303)
    assert response.location == f"http://localhost/login?next=%2Fteams%2F{foxes.id}%2Fedit"
    back = login(testapp, "alex", next=f"/teams/{foxes.id}/edit")
    assert back.location == f"http://localhost/teams/{foxes.id}/edit"
    assert testapp.get(back.location).status_int == 200


def test_anonymous_api_calls_are_401(testapp, dbsession, foxes):
    before = team_rows(dbsession)
    for method, path in [("POST", "/teams"), ("POST", "/teams.json"), ("PUT", f"/teams/{foxes.id}"),
                         ("PUT", f"/teams/{foxes.id}.json"), ("DELETE", f"/teams/{foxes.id}")]:
        response = call(testapp, method, path, {"name": "Anonymous"}, status=401)
        assert_json_error(response, 401)
        assert response.headers["WWW-Authenticate"]
    response = testapp.get("/teams/new", headers=JSON, status=401)
    assert_json_error(response, 401)
    assert team_rows(dbsession) == before


def test_anonymous_form_posts_write_nothing(testapp, dbsession, foxes):
    before = team_rows(dbsession)
    token = csrf_token_of(testapp.get("/login"))
    for path in ("/teams/new", f"/teams/{foxes.id}/edit", f"/teams/{foxes.id}/delete"):
        response = testapp.post(path, {"csrf_token": token, "name": "Anonymous"}, expect_errors=True)
        assert response.status_int in (303, 401, 403), (path, response.status)
    assert team_rows(dbsession) == before


# CSRF ---------------------------------------------------------------------------


def test_form_posts_without_a_valid_token_are_refused(testapp, dbsession, login, admin, foxes):
    login(testapp, "alex")
    before = team_rows(dbsession)
    for token in (None, "", "not-the-token"):
        params = {"name": "Forged", "level": "U10"}
        if token is not None:
            params["csrf_token"] = token
        for path in ("/teams/new", f"/teams/{foxes.id}/edit", f"/teams/{foxes.id}/delete"):
            response = testapp.post(path, params, status=400)
            assert "Form expired" in response.text
    assert team_rows(dbsession) == before


def test_api_calls_without_a_valid_token_are_refused(testapp, dbsession, login, admin, foxes):
    login(testapp, "alex")
    before = team_rows(dbsession)
    for token in (None, "", "not-the-token"):
        assert_json_error(call(testapp, "POST", "/teams", {"name": "Forged"}, token, status=400), 400)
        call(testapp, "PUT", f"/teams/{foxes.id}", {"name": "Forged"}, token, status=400)
        call(testapp, "DELETE", f"/teams/{foxes.id}", token=token, status=400)
    assert team_rows(dbsession) == before


# Invalid forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Enter the team's name."),
        ("     ", "Enter the team's name."),
        ("x" * 41, "Shorten the team's name to 40 characters or fewer."),
        ("Foxes\x07", "Must not contain control characters."),
        ("Foxes\x00", "Must not contain control characters."),
        ("Foxes\nReds", "Must be a single line."),
        ("Foxes\u2028Reds", "Must be a single line."),
    ],
)
def test_invalid_new_team_is_shown_again_with_the_errors(testapp, dbsession, login, admin, name, message):
    login(testapp, "alex")
    before = team_count(dbsession)
    response = post_form(testapp, "/teams/new", {"name": name, "level": "U14"}, status=400)
    assert team_count(dbsession) == before
    main = response.html.main
    assert "Please correct the errors below." in main.find(attrs={"role": "alert"}).text
    errors = main.find("ul", id="name-errors")
    assert errors is not None and "field-errors" in errors["class"]
    assert message in errors.text
    field = main.find("input", attrs={"name": "name"})
    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "name-errors"
    if name.isprintable():
        assert field["value"] == name  # what the user typed, not stripped
    assert main.find("select", attrs={"name": "level"}).find("option", selected=True)["value"] == "U14"
    assert main.find("ul", id="level-errors") is None


def test_missing_name_and_bad_level_are_both_reported(testapp, dbsession, login, admin):
    login(testapp, "alex")
    before = team_count(dbsession)
    response = post_form(testapp, "/teams/new", {"level": "U19"}, status=400)
    assert team_count(dbsession) == before
    assert "Enter the team's name." in response.html.find("ul", id="name-errors").text
    assert response.html.find("ul", id="level-errors") is not None
    assert response.html.find("select", attrs={"name": "level"})["aria-invalid"] == "true"


def test_invalid_edit_keeps_the_input_and_changes_nothing(testapp, dbsession, login, admin, coach, foxes):
    login(testapp, "alex")
    response = post_form(
        testapp, f"/teams/{foxes.id}/edit", {"name": "y" * 50, "level": "U08"}, status=400
    )
    assert response.html.h1.text == "Edit Under 11 Foxes"
    assert response.html.find("input", attrs={"name": "name"})["value"] == "y" * 50
    assert response.html.find("ul", id="name-errors") is not None
    assert response.html.find("select", attrs={"name": "level"}).find("option", selected=True)["value"] == "U08"
    assert team_rows(dbsession)[foxes.id] == ("Under 11 Foxes", "U11")
    assert coach_ids(dbsession, foxes.id) == [coach.id]


@pytest.mark.parametrize("coach_value", ["999999", "abc", "99999999999999999999999", "member", "inactive"])
def test_admin_form_with_a_wrong_coach_is_shown_again(
    testapp, dbsession, login, admin, make_user, coach_value
):
    make_user("casey", "coach")  # so that the form has its coaches field
    member = make_user("morgan", "member")
    inactive = make_user("gone", "coach", active=False)
    coach_value = {"member": str(member.id), "inactive": str(inactive.id)}.get(coach_value, coach_value)
    login(testapp, "alex")
    before = team_count(dbsession)
    page = testapp.get("/teams/new")
    response = testapp.post(
        "/teams/new",
        [("csrf_token", csrf_token_of(page)), ("name", "Coached"), ("coaches", coach_value)],
        status=400,
    )
    assert team_count(dbsession) == before
    assert response.html.find("ul", id="coaches-errors") is not None
    assert response.html.find("input", attrs={"name": "name"})["value"] == "Coached"


def test_a_coach_error_is_shown_when_no_coach_is_left_to_choose(testapp, dbsession, login, admin, make_user):
    # The page was loaded while the only coach was active; they were deactivated before it was sent.
    gone = make_user("gone", "coach", active=False)
    login(testapp, "alex")
    before = team_count(dbsession)
    page = testapp.get("/teams/new")
    response = testapp.post(
        "/teams/new", [("csrf_token", csrf_token_of(page)), ("name", "Coached"), ("coaches", str(gone.id))], status=400
    )
    assert team_count(dbsession) == before
    assert f"No active coach has the id {gone.id}." in response.text


@pytest.mark.parametrize("name", ["Fo\x85xes", "Fo\x9bxes", "\x80Foxes", "Foxes\x9f", "Fo\x90xes"])
def test_c1_control_characters_in_a_name_are_refused(testapp, dbsession, login, admin, foxes, name):
    """U+0080..U+009F are control characters too (NEL, CSI...), and U+0085 is a line break."""
    login(testapp, "alex")
    before = team_rows(dbsession)
    response = post_form(testapp, "/teams/new", {"name": name}, status=400)
    assert response.html.find("ul", id="name-errors") is not None
    token = api_token(testapp)
    for method, path in (("POST", "/teams"), ("PUT", f"/teams/{foxes.id}")):
        error = assert_json_error(call(testapp, method, path, {"name": name}, token, status=422), 422)
        assert list(error["fields"]) == ["name"]
    assert team_rows(dbsession) == before


@pytest.mark.parametrize("field", ["role", "id", "colour"])
def test_form_fields_that_cannot_be_set_are_refused(testapp, dbsession, login, admin, field):
    login(testapp, "alex")
    before = team_count(dbsession)
    response = post_form(testapp, "/teams/new", {"name": "Sneaky", field: "1"}, status=400)
    assert "This field cannot be set." in response.text
    assert team_count(dbsession) == before


def test_a_field_sent_twice_is_400(testapp, dbsession, login, admin, foxes):
    login(testapp, "alex")
    before = team_rows(dbsession)
    token = csrf_token_of(testapp.get("/teams/new"))
    for path in ("/teams/new", f"/teams/{foxes.id}/edit"):
        response = testapp.post(
            path, [("csrf_token", token), ("name", "First"), ("name", "Second"), ("level", "U10")], status=400
        )
        assert "more than once" in response.text
        testapp.post(path, [("csrf_token", token), ("name", "Ok"), ("level", "U10"), ("level", "U12")], status=400)
    assert team_rows(dbsession) == before


def test_a_file_as_the_name_is_400(testapp, dbsession, login, admin):
    login(testapp, "alex")
    before = team_count(dbsession)
    token = csrf_token_of(testapp.get("/teams/new"))
    testapp.post("/teams/new", {"csrf_token": token}, upload_files=[("name", "name.txt", b"Foxes")], status=400)
    assert team_count(dbsession) == before


# Escaping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "Tom & Jerry's <b>U11</b>"],
)
def test_markup_in_a_name_is_stored_as_typed_and_escaped(testapp, dbsession, login, admin, name):
    login(testapp, "alex")
    response = post_form(testapp, "/teams/new", {"name": name, "level": "U10"}, status=303)
    team_id = int(response.location.rsplit("/", 1)[1])
    assert team_rows(dbsession)[team_id] == (name, "U10")

    page = testapp.get(f"/teams/{team_id}")
    assert name not in page.text
    assert page.html.h1.text == name
    assert page.html.find("script") is None and page.html.find("img") is None
    assert page.html.main.find("b") is None
    listing = testapp.get("/teams")
    assert name not in listing.text
    assert [a.text for a in listing.html.main.find_all("a") if a.text == name] == [name]
    edit = testapp.get(f"/teams/{team_id}/edit")
    assert name not in edit.text
    assert edit.html.find("input", attrs={"name": "name"})["value"] == name
    assert edit.html.find("img") is None

    root = ET.fromstring(testapp.get(f"/teams/{team_id}.xml").body)
    assert root.findtext("name") == name
    assert testapp.get(f"/teams/{team_id}.json").json["team"]["name"] == name


def test_markup_sent_through_the_api_is_escaped_too(testapp, dbsession, login, admin):
    login(testapp, "alex")
    name = "<script>alert('api')</script>"
    response = call(testapp, "POST", "/teams", {"name": name}, api_token(testapp), status=201)
    team_id = response.json["team"]["id"]
    assert team_rows(dbsession)[team_id] == (name, "U11")
    page = testapp.get(f"/teams/{team_id}")
    assert "<script>alert(" not in page.text
    assert "&lt;script&gt;" in page.text
    assert ET.fromstring(testapp.get(f"/teams/{team_id}", headers={"Accept": "application/xml"}).body).findtext("name") == name


# The JSON API -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/teams", "/teams.json"])
def test_api_creates_a_team(testapp, dbsession, login, admin, coach, path):
    login(testapp, "alex")
    before = team_count(dbsession)
    response = call(
        testapp, "POST", path, {"name": "  Under 13 Eagles ", "level": "U13", "coaches": [coach.id]},
        api_token(testapp), status=201,
    )
    assert response.content_type == "application/json"
    team = response.json["team"]
    assert response.location == f"http://localhost/teams/{team['id']}"
    assert response.json == {
        "team": {"id": team["id"], "name": "Under 13 Eagles", "level": "U13", "level_label": "Under 13s"}
    }
    assert team_count(dbsession) == before + 1
    assert team_rows(dbsession)[team["id"]] == ("Under 13 Eagles", "U13")
    assert coach_ids(dbsession, team["id"]) == [coach.id]
    assert testapp.get(response.location + ".json").json == response.json


def test_api_create_defaults(testapp, dbsession, login, admin):
    login(testapp, "alex")
    response = call(testapp, "POST", "/teams", {"name": "Plain"}, api_token(testapp), status=201)
    team_id = response.json["team"]["id"]
    assert team_rows(dbsession)[team_id] == ("Plain", "U11")
    assert coach_ids(dbsession, team_id) == []


def test_api_update_merges_with_the_current_values(testapp, dbsession, login, admin, coach, foxes):
    login(testapp, "alex")
    token = api_token(testapp)
    response = call(testapp, "PUT", f"/teams/{foxes.id}", {"level": "U12"}, token, status=200)
    assert response.json == {
        "team": {"id": foxes.id, "name": "Under 11 Foxes", "level": "U12", "level_label": "Under 12s"}
    }
    assert team_rows(dbsession)[foxes.id] == ("Under 11 Foxes", "U12")
    assert coach_ids(dbsession, foxes.id) == [coach.id]

    response = call(testapp, "PUT", f"/teams/{foxes.id}.json", {"name": " Foxes "}, token, status=200)
    assert response.json["team"]["name"] == "Foxes"
    assert team_rows(dbsession)[foxes.id] == ("Foxes", "U12")
    assert coach_ids(dbsession, foxes.id) == [coach.id]

    call(testapp, "PUT", f"/teams/{foxes.id}", {"coaches": []}, token, status=200)
    assert coach_ids(dbsession, foxes.id) == []
    assert team_rows(dbsession)[foxes.id] == ("Foxes", "U12")
    call(testapp, "PUT", f"/teams/{foxes.id}", {}, token, status=200)
    assert team_rows(dbsession)[foxes.id] == ("Foxes", "U12")


def test_coach_updates_their_team_through_the_api(testapp, dbsession, login, coach, other_coach, foxes):
    login(testapp, "casey")
    token = api_token(testapp)
    response = call(testapp, "PUT", f"/teams/{foxes.id}", {"name": "Foxes Blues"}, token, status=200)
    assert response.json["team"] == {
        "id": foxes.id, "name": "Foxes Blues", "level": "U11", "level_label": "Under 11s"
    }
    assert team_rows(dbsession)[foxes.id] == ("Foxes Blues", "U11")

    for coaches in ([other_coach.id], [coach.id], []):
        response = call(
            testapp, "PUT", f"/teams/{foxes.id}", {"name": "Coup", "coaches": coaches}, token, status=422
        )
        error = assert_json_error(response, 422)
        assert error["fields"] == {"coaches": ["This field cannot be set."]}
    assert team_rows(dbsession)[foxes.id] == ("Foxes Blues", "U11")
    assert coach_ids(dbsession, foxes.id) == [coach.id]


def test_api_deletes_a_team(testapp, dbsession, login, admin, foxes, otters):
    login(testapp, "alex")
    response = call(testapp, "DELETE", f"/teams/{foxes.id}", token=api_token(testapp), status=204)
    assert response.body == b""
    assert set(team_rows(dbsession)) == {otters.id}
    assert coach_ids(dbsession, foxes.id) == []
    testapp.get(f"/teams/{foxes.id}.json", status=404)
    call(testapp, "DELETE", f"/teams/{foxes.id}", token=api_token(testapp), status=404)


def test_api_on_a_missing_team_is_404(testapp, dbsession, login, admin):
    login(testapp, "alex")
    token = api_token(testapp)
    before = team_count(dbsession)
    for path in ("/teams/999999", "/teams/99999999999999999999"):
        assert_json_error(call(testapp, "PUT", path, {"name": "Ghost"}, token, status=404), 404)
        call(testapp, "DELETE", path, token=token, status=404)
    assert team_count(dbsession) == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", "", "application/json-seq"]
)
def test_api_writes_need_json_content(testapp, dbsession, login, admin, foxes, content_type):
    login(testapp, "alex")
    token = api_token(testapp)
    before = team_rows(dbsession)
    body = json.dumps({"name": "Typed wrong"}).encode()
    for method, path in (("POST", "/teams"), ("PUT", f"/teams/{foxes.id}")):
        response = call(testapp, method, path, token=token, raw=body, content_type=content_type, status=415)
        assert_json_error(response, 415)
    assert team_rows(dbsession) == before


def test_json_with_a_charset_is_accepted(testapp, dbsession, login, admin):
    login(testapp, "alex")
    response = call(
        testapp, "POST", "/teams", raw=json.dumps({"name": "Zürich Zebras"}).encode("utf-8"),
        token=api_token(testapp), content_type="application/json; charset=utf-8", status=201,
    )
    assert team_rows(dbsession)[response.json["team"]["id"]] == ("Zürich Zebras", "U11")


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b'{"name": "Foxes",}', b"{'name': 'Foxes'}", b"\xff\xfe{}", b'{"name": "\xe9"}',
     b"null", b"[]", b'["name"]', b'"Foxes"', b"42", b'{"name": "A"} {"name": "B"}'],
)
def test_bad_json_is_400(testapp, dbsession, login, admin, foxes, raw):
    login(testapp, "alex")
    token = api_token(testapp)
    before = team_rows(dbsession)
    for method, path in (("POST", "/teams"), ("PUT", f"/teams/{foxes.id}")):
        assert_json_error(call(testapp, method, path, token=token, raw=raw, status=400), 400)
    assert team_rows(dbsession) == before


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "Deep", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"name": "Deep", "x": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}",
        b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"name": "Deep", "x": ' + b"[" * 40 + b"]" * 40 + b"}",
    ],
    ids=["lists", "objects", "name", "just-over-the-limit"],
)
def test_deeply_nested_json_is_400_not_500(testapp, dbsession, login, admin, foxes, raw):
    login(testapp, "alex")
    token = api_token(testapp)
    before = team_rows(dbsession)
    for method, path in (("POST", "/teams"), ("PUT", f"/teams/{foxes.id}")):
        assert_json_error(call(testapp, method, path, token=token, raw=raw, status=400), 400)
    assert team_rows(dbsession) == before


def test_too_large_a_body_is_413(testapp, dbsession, login, admin):
    login(testapp, "alex")
    before = team_count(dbsession)
    raw = json.dumps({"name": "Huge", "x": "a" * (2 * 1024 * 1024)}).encode()
    call(testapp, "POST", "/teams", token=api_token(testapp), raw=raw, status=413)
    assert team_count(dbsession) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Sneaky", "id": 5}, "id"),
        ({"name": "Sneaky", "role": "admin"}, "role"),
        ({"name": "Sneaky", "colour": "red"}, "colour"),
        ({"name": "Sneaky", "level_label": "Under 99s"}, "level_label"),
        ({"name": "Sneaky", "": 1}, ""),
    ],
)
def test_fields_that_cannot_be_set_are_422_and_nothing_is_written(
    testapp, dbsession, login, admin, foxes, body, field
):
    login(testapp, "alex")
    token = api_token(testapp)
    before = team_rows(dbsession)
    for method, path in (("POST", "/teams"), ("PUT", f"/teams/{foxes.id}")):
        error = assert_json_error(call(testapp, method, path, body, token, status=422), 422)
        assert error["fields"] == {field: ["This field cannot be set."]}
    assert team_rows(dbsession) == before
    assert team_count(dbsession) == len(before)


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 41}, "name"),
        ({"name": None}, "name"),
        ({"name": 42}, "name"),
        ({"name": ["Foxes"]}, "name"),
        ({"name": {"en": "Foxes"}}, "name"),
        ({"name": "Fo\u0000xes"}, "name"),
        ({"name": "Fo\u001bxes"}, "name"),
        ({"name": "Fo\rxes"}, "name"),
        ({"name": "Foxes", "level": "U19"}, "level"),
        ({"name": "Foxes", "level": "u11"}, "level"),
        ({"name": "Foxes", "level": 11}, "level"),
        ({"name": "Foxes", "level": None}, "level"),
        ({"name": "Foxes", "coaches": "1"}, "coaches"),
        ({"name": "Foxes", "coaches": [999999]}, "coaches"),
        ({"name": "Foxes", "coaches": ["x"]}, "coaches"),
        ({"name": "Foxes", "coaches": [1.5]}, "coaches"),
        ({"name": "Foxes", "coaches": [None]}, "coaches"),
        ({"name": "Foxes", "coaches": list(range(1000, 1051))}, "coaches"),
        ({"name": "Foxes", "coaches": [-1]}, "coaches"),
        ({"name": "Foxes", "coaches": [2**31]}, "coaches"),
        ({"name": "Foxes", "coaches": [2**63]}, "coaches"),
        ({"name": "Foxes", "coaches": [10**30]}, "coaches"),
    ],
    ids=lambda value: json.dumps(value)[:48] if isinstance(value, dict) else value,
)
def test_invalid_fields_are_422_with_the_errors(testapp, dbsession, login, admin, foxes, body, field):
    login(testapp, "alex")
    token = api_token(testapp)
    before = team_rows(dbsession)
    methods = [("POST", "/teams")]
    if body:
        methods.append(("PUT", f"/teams/{foxes.id}"))
    for method, path in methods:
        error = assert_json_error(call(testapp, method, path, body, token, status=422), 422)
        assert error["title"] and error["detail"]
        assert list(error["fields"]) == [field]
        assert all(isinstance(message, str) and message for message in error["fields"][field])
    assert team_rows(dbsession) == before


def test_api_refuses_accounts_that_are_not_active_coaches(testapp, dbsession, login, admin, make_user, foxes, coach):
    member = make_user("morgan", "member")
    gone = make_user("gone", "coach", active=False)
    login(testapp, "alex")
    token = api_token(testapp)
    for user in (member, gone, admin):
        response = call(testapp, "PUT", f"/teams/{foxes.id}", {"coaches": [coach.id, user.id]}, token, status=422)
        assert response.json["error"]["fields"] == {"coaches": [f"No active coach has the id {user.id}."]}
    assert coach_ids(dbsession, foxes.id) == [coach.id]


def test_api_errors_are_json_even_without_an_accept_header(testapp, dbsession, login, admin):
    login(testapp, "alex")
    before = team_count(dbsession)
    response = testapp.post(
        "/teams.json", json.dumps({"name": "Bad", "id": 1}), status=422,
        headers={"X-CSRF-Token": api_token(testapp)}, content_type="application/json",
    )
    assert_json_error(response, 422)
    assert team_count(dbsession) == before


# Queries ---------------------------------------------------------------------------


def test_team_list_queries_for_an_admin_do_not_grow_with_the_teams(
    testapp, dbsession, login, admin, coach, count_queries
):
    levels = list(Level)
    with count_queries() as anonymous:
        testapp.get("/teams")
    login(testapp, "alex")
    counts = []
    for count in (3, 60):
        teams = [Team(name=f"Team {count} {i}", level=levels[i % len(levels)]) for i in range(count)]
        for team in teams[::3]:
            team.coaches = [coach]
        dbsession.add_all(teams)
        dbsession.flush()
        dbsession.expire_all()
        with count_queries() as queries:
            testapp.get("/teams")
        counts.append(len(queries))
    # The teams, as for a visitor, plus the one query that loads the session with its user:
    # the links the page shows an admin (New team) cost nothing, whatever the number of teams.
    assert counts == [len(anonymous) + 1] * 2, (counts, queries.statements)
