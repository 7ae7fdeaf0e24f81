"""The teams pages in every format, as a visitor sees them."""
import xml.etree.ElementTree as ET

import pytest

from touchline.teams.models import Level


def test_home_lists_the_youngest_teams(testapp, make_team):
    make_team("Under 12 Kestrels", Level.U12)
    make_team("Under 9 Otters", Level.U09)
    make_team("Under 9 Badgers", Level.U09)
    page = testapp.get("/")
    youngest = page.html.find("section", attrs={"aria-labelledby": "panel-youngest_teams"})
    assert youngest.h2.text == "Youngest teams"
    assert [a.text for a in youngest.find_all("a")] == ["Under 9 Badgers", "Under 9 Otters"]
    assert "Under 9s" in youngest.text
    assert "Kestrels" not in youngest.text


def test_home_without_teams_says_so(testapp):
    page = testapp.get("/")
    assert "No teams are available." in page.text


def test_home_as_json_carries_the_panel(testapp, make_team):
    team = make_team("Minis Tigers", Level.U07)
    data = testapp.get("/", headers={"Accept": "application/json"}).json
    panel = data["panels"][0]
    assert panel["name"] == "youngest_teams"
    assert panel["data"]["level"] == "U07"
    assert panel["data"]["teams"] == [
        {"id": team.id, "name": "Minis Tigers", "level": "U07", "level_label": "Under 7s"}
    ]
    assert testapp.get("/.json").json == data


def test_team_list_groups_by_age_group_youngest_first(testapp, make_team):
    make_team("Under 14 Rovers", Level.U14)
    make_team("Minis Lions", Level.U07)
    make_team("Under 11 Wolves", Level.U11)
    make_team("Under 11 Foxes", Level.U11)
    page = testapp.get("/teams")
    headings = [h.text for h in page.html.main.find_all("h2")]
    assert headings == ["Under 7s", "Under 11s", "Under 14s"]
    names = [a.text for a in page.html.main.find_all("a") if "/teams/" in a["href"]]
    assert names == ["Minis Lions", "Under 11 Foxes", "Under 11 Wolves", "Under 14 Rovers"]


def test_team_list_empty(testapp):
    assert "No teams are available." in testapp.get("/teams").text


@pytest.mark.parametrize(
    "path, headers",
    [("/teams", {"Accept": "application/json"}), ("/teams.json", {}),
     ("/teams.json", {"Accept": "application/xml"})],
)
def test_team_list_as_json(testapp, make_team, path, headers):
    foxes = make_team("Under 11 Foxes", Level.U11)
    response = testapp.get(path, headers=headers)
    assert response.content_type == "application/json"
    assert response.json == {
        "teams": [{"id": foxes.id, "name": "Under 11 Foxes", "level": "U11", "level_label": "Under 11s"}],
        "page": {"number": 1, "size": 20, "next": None, "previous": None},
    }


@pytest.mark.parametrize(
    "path, headers",
    [("/teams", {"Accept": "application/xml"}), ("/teams", {"Accept": "text/xml"}),
     ("/teams.xml", {"Accept": "application/json"})],
)
def test_team_list_as_xml_has_the_same_fields(testapp, make_team, path, headers):
    foxes = make_team("Under 11 Foxes", Level.U11)
    response = testapp.get(path, headers=headers)
    assert response.content_type == "application/xml"
    root = ET.fromstring(response.body)
    assert root.tag == "response"
    (item,) = root.find("teams").findall("item")
    assert {child.tag: child.text for child in item} == {
        "id": str(foxes.id), "name": "Under 11 Foxes", "level": "U11", "level_label": "Under 11s"
    }


def test_team_page_in_three_formats(testapp, make_team):
    team = make_team("Under 9 Badgers", Level.U09)
    page = testapp.get(f"/teams/{team.id}")
    assert page.html.h1.text == "Under 9 Badgers"
    assert "Under 9s" in page.text
    json = testapp.get(f"/teams/{team.id}.json").json
    assert json == {"team": {"id": team.id, "name": "Under 9 Badgers", "level": "U09", "level_label": "Under 9s"}}
    root = ET.fromstring(testapp.get(f"/teams/{team.id}.xml").body)
    assert root.tag == "team" and root.findtext("name") == "Under 9 Badgers"
    assert testapp.get(f"/teams/{team.id}", headers={"Accept": "application/json"}).json == json


@pytest.mark.parametrize(
    "path", ["/teams/abc", "/teams/1.5", "/teams/999999", "/teams/99999999999999999999",
             "/teams/-1", "/teams/0", "/teams/1.html", "/teams/%00"]
)
def test_bad_team_ids_are_404(testapp, path):
    response = testapp.get(path, status=404)
    assert "Page not found" in response.text


def test_bad_team_id_in_json_is_a_json_404(testapp):
    response = testapp.get("/teams/abc.json", status=404)
    assert response.json["error"]["status"] == 404


def test_names_are_escaped_in_html_and_xml(testapp, make_team):
    team = make_team("<script>alert(1)</script>&\x01", Level.U10)
    page = testapp.get(f"/teams/{team.id}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in page.text
    root = ET.fromstring(testapp.get(f"/teams/{team.id}.xml").body)
    assert root.findtext("name") == "<script>alert(1)</script>&\ufffd"
    assert testapp.get(f"/teams/{team.id}.json").json["team"]["name"] == team.name


def test_unacceptable_format_is_406(testapp, make_team):
    response = testapp.get("/teams", headers={"Accept": "image/png"}, status=406)
    assert "Not Acceptable" in response.text


def test_wrong_method_is_405_with_allow(testapp):
    response = testapp.delete("/teams", status=405)
    assert response.headers["Allow"] == "GET, HEAD, POST"
    response = testapp.patch("/teams/1.json", status=405)
    assert response.json["error"]["status"] == 405
    assert response.headers["Allow"] == "DELETE, GET, HEAD, PUT"


def test_negotiated_responses_vary_on_accept(testapp):
    assert "Accept" in testapp.get("/teams").headers["Vary"]
    assert "Vary" not in testapp.get("/teams.json").headers


@pytest.mark.parametrize("count", [3, 300])
def test_team_list_runs_constant_queries(app, testapp, dbsession, count_queries, count):
    from touchline.teams.models import Team

    levels = list(Level)
    dbsession.add_all(Team(name=f"Team {i}", level=levels[i % len(levels)]) for i in range(count))
    dbsession.flush()
    # The home page: one query for each enabled add-on's panel.
    panels = len(app.registry.get("touchline.home_panels", ()))
    for path, expected in (("/teams", 1), ("/teams.json", 1), ("/", panels)):
        with count_queries() as queries:
            testapp.get(path)
        assert len(queries) == expected, (path, queries.statements)


def test_other_addons_link_their_pages_from_a_team_page(app_settings, tm, dbsession, make_team, make_user):
    from webtest import TestApp

    from touchline.database import DBSESSION_ENVIRON_KEY
    from touchline.testing import HOST, PASSWORD, make_app, post_form

    app = make_app(app_settings, **{
        "touchline.addons": "touchline.accounts touchline.teams tests.support.teamlinks",
        "sqlalchemy.url": dbsession.bind.engine.url.render_as_string(hide_password=False),
    })
    client = TestApp(app, extra_environ={"HTTP_HOST": HOST, "tm.active": True, "tm.manager": tm,
                                         DBSESSION_ENVIRON_KEY: dbsession})
    team = make_team("Under 9 Otters", Level.U09)
    make_user("ada", "admin")

    def links():
        page = client.get(f"/teams/{team.id}")
        return [(a.text, a["href"]) for a in page.html.select(".team-links a")]

    assert links() == [("Public page", f"http://{HOST}/teams/{team.id}/public-page")]
    post_form(client, "/login", {"username": "ada", "password": PASSWORD}, status=303)
    assert links() == [("Public page", f"http://{HOST}/teams/{team.id}/public-page"),
                       ("Coaches' page", f"http://{HOST}/teams/{team.id}/coaches-page")]
    assert "links" not in client.get(f"/teams/{team.id}.json").json
    app.registry["touchline.engine"].dispose()
