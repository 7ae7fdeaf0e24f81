"""The roster and the list of rosters a page at a time."""
from touchline.rosters.models import Player
from touchline.teams.models import Level, Team


def test_roster_pages(testapp, club, login, dbsession, season):
    team = club["otters"]
    dbsession.add_all(Player(team=team, first_name=f"Kid{n:02d}", last_name="Family", birth_year=season - 8,
                             shirt_number=n + 1, name_consent=True) for n in range(25))
    dbsession.flush()
    login(testapp, "max")
    first = testapp.get(f"/teams/{team.id}/roster")
    names = [a.text for a in first.html.select("td.name a")]
    assert names == [f"Kid{n:02d} Family" for n in range(20)]
    assert first.html.find("a", rel="next")["href"] == f"http://localhost/teams/{team.id}/roster?page=2"
    assert 'rel="next"' in first.headers["Link"]
    second = testapp.get(f"/teams/{team.id}/roster.json?page=2").json
    assert [p["shirt_number"] for p in second["players"]] == list(range(21, 26))
    assert second["page"]["next"] is None
    assert second["page"]["previous"].endswith(f"/teams/{team.id}/roster.json")
    testapp.get(f"/teams/{team.id}/roster?page=3", status=404)


def test_roster_list_pages(testapp, club, login, dbsession):
    dbsession.add_all(Team(name=f"Team {n:02d}", level=Level.U12) for n in range(25))
    dbsession.flush()
    login(testapp, "max")
    first = testapp.get("/rosters")
    rows = first.html.select("table.rosters tbody tr")
    assert len(rows) == 20
    next_url = first.html.find("a", rel="next")["href"]
    assert next_url.startswith("http://localhost/rosters?page=2&after=")  # the last team seen
    assert testapp.get(next_url.replace("/rosters?", "/rosters.json?")).json["teams"] == \
        testapp.get("/rosters.json?page=2").json["teams"]
    second = testapp.get("/rosters.json?page=2").json
    # The two under-9 teams come first, so page 2 ends with the last 7 of the 25.
    assert [t["name"] for t in second["teams"]] == [f"Team {n:02d}" for n in range(18, 25)]
    assert second["page"]["number"] == 2
