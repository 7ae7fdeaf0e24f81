"""The rosters pages in every format, for members only."""
import datetime
import xml.etree.ElementTree as ET

import pytest

from touchline.rosters.models import Player, age_flag, season_year
from touchline.teams.models import Level, Team

ROBOTS = "noindex, nofollow"


def roster_rows(page):
    """(shirt, name, flag) for each row of a roster page, as a member reads it."""
    return [
        (row.find("td", class_="shirt").text.strip(), row.find("td", class_="name").text.strip(),
         row.find("td", class_="age-flag").text.strip())
        for row in page.html.select("table.roster tbody tr")
    ]


# Anonymous visitors never get in -----------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/roster", "/roster/new"])
def test_anonymous_browser_is_sent_to_login(testapp, club, suffix):
    path = "/rosters" if not suffix else f"/teams/{club['badgers'].id}{suffix}"
    response = testapp.get(path, status=303)
    assert response.location.startswith("http://localhost/login?next=")
    assert "Thompson" not in response.text and "Sam" not in response.text


@pytest.mark.parametrize("path", ["/rosters.json", "/rosters.xml", "/teams/{team}/roster.json",
                                  "/teams/{team}/roster.xml", "/players/{sam}.json", "/players/{sam}.xml"])
def test_anonymous_api_gets_401_without_names(testapp, club, path):
    path = path.format(team=club["badgers"].id, sam=club["sam"].id)
    response = testapp.get(path, status=401)
    assert "Sam" not in response.text and "Thompson" not in response.text


def test_anonymous_json_by_accept_header_gets_401(testapp, club):
    testapp.get(f"/teams/{club['badgers'].id}/roster", headers={"Accept": "application/json"}, status=401)


def test_navigation_entry_only_for_members(testapp, club, login):
    def entries():
        return [a.text for a in testapp.get("/").html.select("header nav a")]

    assert "Rosters" not in entries()
    login(testapp, "max")
    assert "Rosters" in entries()


# Search engines are told to keep away --------------------------------------------------------


def test_roster_pages_carry_x_robots_tag(testapp, club, login):
    team, sam = club["badgers"], club["sam"]
    assert testapp.get("/rosters", status=303).headers["X-Robots-Tag"] == ROBOTS
    login(testapp, "max")
    for path in ("/rosters", "/rosters.json", f"/teams/{team.id}/roster",
                 f"/teams/{team.id}/roster.xml", f"/players/{sam.id}"):
        assert testapp.get(path).headers["X-Robots-Tag"] == ROBOTS, path
    # Other pages are left alone.
    assert "X-Robots-Tag" not in testapp.get("/teams").headers


# The list of rosters -----------------------------------------------------------------------


def test_roster_list_shows_teams_with_player_counts(testapp, club, login):
    login(testapp, "max")
    page = testapp.get("/rosters")
    rows = [[td.text.strip() for td in tr.find_all("td")] for tr in page.html.select("table.rosters tbody tr")]
    assert rows == [["Under 9 Badgers", "Under 9s", "3"], ["Under 9 Otters", "Under 9s", "0"]]
    assert page.html.find(id="your-players") is None  # Max has no children here


def test_roster_list_in_json_and_xml(testapp, club, login):
    login(testapp, "max")
    data = testapp.get("/rosters.json").json
    assert data["teams"] == [
        {"id": club["badgers"].id, "name": "Under 9 Badgers", "level": "U09", "level_label": "Under 9s",
         "players": 3},
        {"id": club["otters"].id, "name": "Under 9 Otters", "level": "U09", "level_label": "Under 9s",
         "players": 0},
    ]
    assert data["your_players"] == []
    assert data["page"]["number"] == 1
    assert testapp.get("/rosters", headers={"Accept": "application/json"}).json == data
    root = ET.fromstring(testapp.get("/rosters.xml").body)
    items = root.find("teams").findall("item")
    assert [(i.findtext("name"), i.findtext("players")) for i in items] == [
        ("Under 9 Badgers", "3"), ("Under 9 Otters", "0")]


def test_a_guardian_sees_their_own_players_first(testapp, club, login, dbsession):
    # Gwen's second child plays for the Otters and gave no name consent either.
    dbsession.add(Player(team=club["otters"], first_name="Lola", last_name="Thompson",
                         birth_year=club["sam"].birth_year, guardians=[club["guardian"]]))
    dbsession.flush()
    login(testapp, "gwen")
    page = testapp.get("/rosters")
    section = page.html.find("section", attrs={"aria-labelledby": "your-players"})
    assert section is not None
    assert page.html.main.find("section") is section  # first
    items = [" ".join(li.text.split()) for li in section.find_all("li")]
    assert items == ["Lola Thompson · Under 9 Otters", "Sam Thompson · Under 9 Badgers"]
    data = testapp.get("/rosters.json").json
    assert [(p["display_name"], p["team_id"]) for p in data["your_players"]] == [
        ("Lola Thompson", club["otters"].id), ("Sam Thompson", club["badgers"].id)]


# One roster --------------------------------------------------------------------------------


def test_roster_orders_by_shirt_number_then_name(testapp, club, login):
    login(testapp, "max")
    page = testapp.get(f"/teams/{club['badgers'].id}/roster")
    assert page.html.h1.text == "Under 9 Badgers: roster"
    assert roster_rows(page) == [("3", "Ava Okafor", ""), ("7", "Sam T.", ""), ("", "Noah P.", "")]
    # Members do not see consent flags, nor the link to add a player.
    assert page.html.find("td", class_="photo-consent") is None
    assert page.html.find("a", string="Add a player") is None


def test_roster_in_json_and_xml(testapp, club, login, season):
    login(testapp, "max")
    team = club["badgers"]
    data = testapp.get(f"/teams/{team.id}/roster.json").json
    assert data["team"]["name"] == "Under 9 Badgers"
    assert data["players"][0] == {
        "id": club["ava"].id, "team_id": team.id, "display_name": "Ava Okafor", "first_name": "Ava",
        "last_name": "Okafor", "birth_year": season - 7, "shirt_number": 3, "position": "goalkeeper",
        "age_flag": None,
    }
    assert [p["display_name"] for p in data["players"]] == ["Ava Okafor", "Sam T.", "Noah P."]
    root = ET.fromstring(testapp.get(f"/teams/{team.id}/roster.xml").body)
    items = root.find("players").findall("item")
    assert [i.findtext("display_name") for i in items] == ["Ava Okafor", "Sam T.", "Noah P."]
    assert items[1].find("last_name").get("null") == "true"


def test_the_roster_shows_consent_flags_to_its_coach(testapp, club, login):
    login(testapp, "cora")
    page = testapp.get(f"/teams/{club['badgers'].id}/roster")
    photo = [td.text for td in page.html.select("td.photo-consent")]
    assert photo == ["No", "Yes", "No"]
    assert page.html.find("a", string="Add a player")["href"] == f"/teams/{club['badgers'].id}/roster/new"
    data = testapp.get(f"/teams/{club['badgers'].id}/roster.json").json
    assert [p["photo_consent"] for p in data["players"]] == [False, True, False]


def test_an_empty_roster_says_so(testapp, club, login):
    login(testapp, "max")
    page = testapp.get(f"/teams/{club['otters'].id}/roster")
    assert "No players are on this roster yet." in page.text


def test_player_page_in_three_formats(testapp, club, login, season):
    login(testapp, "max")
    sam = club["sam"]
    page = testapp.get(f"/players/{sam.id}")
    assert page.html.h1.text == "Sam T."
    assert "Thompson" not in page.text
    assert page.html.find("dd", class_="guardians") is None
    data = testapp.get(f"/players/{sam.id}.json").json
    assert data["player"]["display_name"] == "Sam T."
    assert data["player"]["last_name"] is None
    assert data["team"]["name"] == "Under 9 Badgers"
    assert "guardians" not in data
    root = ET.fromstring(testapp.get(f"/players/{sam.id}.xml").body)
    assert root.find("player").findtext("display_name") == "Sam T."


def test_player_page_shows_guardians_to_the_coach(testapp, club, login):
    login(testapp, "cora")
    sam = club["sam"]
    page = testapp.get(f"/players/{sam.id}")
    assert page.html.find("dd", class_="guardians").text == "Gwen Guardian"
    assert page.html.find("dd", class_="photo-consent").text == "Yes"
    data = testapp.get(f"/players/{sam.id}.json").json
    assert data["guardians"] == [{"id": club["guardian"].id, "name": "Gwen Guardian"}]


@pytest.mark.parametrize("path", ["/players/abc", "/players/0", "/players/999999", "/players/99999999999999",
                                  "/teams/999999/roster", "/teams/999999/roster/new", "/players/999999/edit",
                                  "/players/1.5"])
def test_bad_ids_are_404(testapp, club, login, path):
    login(testapp, "ada")
    testapp.get(path, status=404)


def test_bad_page_numbers_are_400(testapp, club, login):
    login(testapp, "max")
    testapp.get(f"/teams/{club['badgers'].id}/roster?page=abc", status=400)
    testapp.get("/rosters.json?page=0", status=400)
    testapp.get(f"/teams/{club['badgers'].id}/roster?page=2", status=404)


def test_wrong_method_is_405(testapp, club, login):
    login(testapp, "ada")
    assert testapp.delete("/rosters", status=405).headers["Allow"] == "GET, HEAD"
    response = testapp.patch(f"/players/{club['sam'].id}.json", status=405)
    assert response.headers["Allow"] == "DELETE, GET, HEAD, PUT"


# The age-group rule ------------------------------------------------------------------------


@pytest.mark.parametrize("today, start_month, expected", [
    (datetime.date(2026, 11, 21), 9, 2026),
    (datetime.date(2026, 9, 1), 9, 2026),
    (datetime.date(2026, 8, 31), 9, 2025),
    (datetime.date(2027, 3, 1), 9, 2026),
    (datetime.date(2027, 1, 1), 1, 2027),
    (datetime.date(2026, 12, 31), 12, 2026),
    (datetime.date(2026, 11, 30), 12, 2025),
])
def test_season_year(today, start_month, expected):
    assert season_year(today, start_month) == expected


def test_age_flag_on_a_fixed_date():
    season = season_year(datetime.date(2026, 11, 21))  # 2026
    # Under 9 in the 2026 season: born 2018 (8) fits, born 2017 (9) does not.
    assert age_flag(2018, Level.U09, season) is None
    assert age_flag(2017, Level.U09, season) == "too old for Under 9"
    assert age_flag(2005, Level.U18, season) == "too old for Under 18"
    assert age_flag(2009, Level.U18, season) is None
    # Playing up is fine.
    assert age_flag(2020, Level.U12, season) is None
    # On 31 August 2026 the 2025 season still runs: born 2017 is 8 and fits.
    assert age_flag(2017, Level.U09, season_year(datetime.date(2026, 8, 31))) is None


def test_roster_flags_a_player_too_old_for_the_team(testapp, club, login, dbsession, season):
    dbsession.add(Player(team=club["badgers"], first_name="Finn", last_name="Quinn", name_consent=True,
                         birth_year=season - 9, shirt_number=10))
    dbsession.flush()
    login(testapp, "max")
    page = testapp.get(f"/teams/{club['badgers'].id}/roster")
    assert ("10", "Finn Quinn", "too old for Under 9") in roster_rows(page)
    flagged = page.html.select("tr.flagged")
    assert len(flagged) == 1
    data = testapp.get(f"/teams/{club['badgers'].id}/roster.json").json
    assert [p["age_flag"] for p in data["players"]] == [None, None, "too old for Under 9", None]


def test_season_start_month_setting(app_settings):
    from pyramid.exceptions import ConfigurationError

    from touchline.testing import make_app

    settings = {**app_settings, "sqlalchemy.url": "sqlite://"}
    app = make_app(settings, **{"touchline.rosters.season_start_month": " 8 "})
    assert app.registry["touchline.rosters.season_start_month"] == 8
    for bad in ("0", "13", "September", "-1"):
        with pytest.raises(ConfigurationError, match="season_start_month"):
            make_app(settings, **{"touchline.rosters.season_start_month": bad})


def test_rosters_needs_teams(app_settings):
    from pyramid.exceptions import ConfigurationError

    from touchline.testing import make_app

    with pytest.raises(ConfigurationError, match="touchline.teams"):
        make_app(app_settings, **{"sqlalchemy.url": "sqlite://",
                                  "touchline.addons": "touchline.accounts touchline.rosters"})


# Constant queries --------------------------------------------------------------------------


def test_roster_page_runs_constant_queries(testapp, club, login, dbsession, count_queries, season):
    team, guardian_id = club["otters"], club["guardian"].id

    def add_players(start, stop):
        from touchline.users import User

        guardian = dbsession.get(User, guardian_id)
        dbsession.add_all(
            Player(team_id=team.id, first_name=f"Kid{i}", last_name=f"Family{i}",
                   birth_year=season - 8 - (i % 2), shirt_number=i + 1, name_consent=bool(i % 2),
                   guardians=[guardian] if i % 5 == 0 else [])
            for i in range(start, stop)
        )
        dbsession.flush()

    def measure():
        counts = {}
        for user in ("max", "olly", "gwen", "ada"):
            testapp.reset()
            login(testapp, user)
            testapp.get("/rosters")  # the first page after logging in also writes the session
            for path in (f"/teams/{team.id}/roster", f"/teams/{team.id}/roster.json",
                         f"/teams/{team.id}/roster?page=1"):
                dbsession.expunge_all()  # nothing comes from the test's own identity map
                with count_queries() as queries:
                    testapp.get(path)
                counts[user, path] = len(queries)
        return counts

    add_players(0, 3)
    few = measure()
    add_players(3, 60)
    many = measure()
    assert many == few
    # Session and user, team, its coaches (ACL, HTML only), coached teams or
    # guarded players (the name rule), the page.
    assert max(few.values()) <= 5, few


@pytest.mark.parametrize("count", [3, 60])
def test_roster_list_runs_constant_queries(testapp, club, login, dbsession, count_queries, count, season):
    for i in range(count):
        team = Team(name=f"Team {i:03d}", level=Level.U10)
        dbsession.add(team)
        dbsession.add(Player(team=team, first_name="Kid", last_name=f"Family{i}", birth_year=season - 9,
                             guardians=[club["guardian"]]))
    dbsession.flush()
    login(testapp, "gwen")
    testapp.get("/rosters")  # the first page after logging in also writes the session
    for path in ("/rosters", "/rosters.json", "/rosters?page=2" if count > 20 else "/rosters?page=1"):
        dbsession.expunge_all()
        with count_queries() as queries:
            testapp.get(path)
        # session+user, the page, your players, guarded players (name rule)
        assert len(queries) == 4, (path, queries.statements)
