"""The teams list a page at a time: the core's pagination as every list uses it."""
from touchline.teams.models import Level


def test_teams_paginate_with_links_and_link_header(testapp, make_team, count_queries):
    for number in range(45):
        make_team(f"Team {number:02d}", Level.U10)
    first = testapp.get("/teams")
    names = [a.text for a in first.html.select(".team-list a")]
    assert names == [f"Team {n:02d}" for n in range(20)]
    assert first.html.find("a", rel="next")["href"] == "http://localhost/teams?page=2"
    assert first.html.find("a", rel="prev") is None
    assert 'rel="next"' in first.headers["Link"]

    third = testapp.get("/teams.json?page=3").json
    assert [t["name"] for t in third["teams"]] == [f"Team {n:02d}" for n in range(40, 45)]
    assert third["page"]["number"] == 3
    assert third["page"]["next"] is None
    assert third["page"]["previous"].endswith("/teams.json?page=2")

    with count_queries() as queries:
        testapp.get("/teams?page=2")
    assert len(queries) == 1


def test_bad_page_numbers(testapp, make_team):
    make_team("Only team", Level.U10)
    for bad in ("0", "-1", "abc", "1.5", "99999999999", "%D9%A3"):
        response = testapp.get(f"/teams.json?page={bad}", status=400)
        assert "page number" in response.json["error"]["detail"]
    testapp.get("/teams?page=2", status=404)
    testapp.get("/teams?page=1", status=200)
