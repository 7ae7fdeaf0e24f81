"""The teams list a page at a time: the core's pagination as every list uses it."""
from touchline.teams.models import Level


def test_teams_paginate_with_links_and_link_header(testapp, make_team, count_queries):
    for number in range(45):
        make_team(f"Team {number:02d}", Level.U10)
    first = testapp.get("/teams")
    names = [a.text for a in first.html.select(".team-list a")]
    assert names == [f"Team {n:02d}" for n in range(20)]
    next_url = first.html.find("a", rel="next")["href"]
    assert next_url.startswith("http://localhost/teams?page=2&after=")  # the last team seen
    assert first.html.find("a", rel="prev") is None
    assert f'<{next_url}>; rel="next"' in first.headers["Link"]

    third = testapp.get("/teams.json?page=3").json  # a bare page number still resolves
    assert [t["name"] for t in third["teams"]] == [f"Team {n:02d}" for n in range(40, 45)]
    assert third["page"]["number"] == 3
    assert third["page"]["next"] is None
    assert "/teams.json?page=2&before=" in third["page"]["previous"]

    with count_queries() as queries:
        second = testapp.get(next_url)
    assert len(queries) == 1
    assert [a.text for a in second.html.select(".team-list a")] == [f"Team {n:02d}" for n in range(20, 40)]


def test_walking_the_links_shows_every_team_once_both_ways(testapp, make_team):
    levels = [Level.U09, Level.U10, Level.U12]
    for number in range(53):
        make_team(f"Team {number:02d}", levels[number % 3])
    expected = [t["name"] for t in testapp.get("/teams.json?page=1").json["teams"]]
    url, seen, pages = "/teams.json", [], []
    while url:
        data = testapp.get(url).json
        pages.append(data)
        seen += [team["name"] for team in data["teams"]]
        url = data["page"]["next"]
    assert len(seen) == 53 == len(set(seen)) and seen[:20] == expected
    assert [page["page"]["number"] for page in pages] == [1, 2, 3]
    url, back = pages[-1]["page"]["previous"], []
    while url:
        data = testapp.get(url).json
        back = [team["name"] for team in data["teams"]] + back
        url = data["page"]["previous"]
    assert back == seen[:40]


def test_a_damaged_page_link_is_a_400(testapp, make_team):
    make_team("Only team", Level.U10)
    for bad in ("not-base64!", "WyJVMTAiXQ", "e30", "WyJVOTkiLCJ4IiwxXQ"):
        response = testapp.get(f"/teams.json?page=2&after={bad}", status=400)
        assert "page link" in response.json["error"]["detail"]


def test_the_teams_list_and_panel_read_an_index_range(dbsession, make_team):
    from touchline.teams.models import TEAM_ORDER
    from touchline.teams.views import TEAM_ROWS, YOUNGEST_TEAMS
    from touchline.testing import assert_index_range

    team = make_team("Team A", Level.U10)
    assert_index_range(dbsession, TEAM_ORDER.ordered(TEAM_ROWS).limit(21))
    assert_index_range(dbsession, TEAM_ORDER.beyond(TEAM_ROWS, ["U10", "Team A", team.id]).limit(21))
    assert_index_range(dbsession, TEAM_ORDER.beyond(TEAM_ROWS, ["U10", "Team A", team.id],
                                                    backwards=True).limit(21))
    plan = assert_index_range(dbsession, YOUNGEST_TEAMS.params(limit=13))
    assert any("ix_teams_level_name_id" in line for line in plan)


def test_bad_page_numbers(testapp, make_team):
    make_team("Only team", Level.U10)
    for bad in ("0", "-1", "abc", "1.5", "99999999999", "%D9%A3"):
        response = testapp.get(f"/teams.json?page={bad}", status=400)
        assert "page number" in response.json["error"]["detail"]
    testapp.get("/teams?page=2", status=404)
    testapp.get("/teams?page=1", status=200)
