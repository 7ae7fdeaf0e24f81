"""The site's search (``/search?q=``): every add-on's records, ranked, within the user's rights.

Each record type is found through its add-on's full-text index (FTS5 on
SQLite, a tsvector GIN index on PostgreSQL), kept current in the same
transaction as the change; players only by members, and by last name only
where the name rule shows it; drafts and scheduled posts never.
"""
import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import insert

from touchline.catalog.models import Category, Product
from touchline.fixtures.models import Fixture, FixtureStatus, HomeAway
from touchline.models import utcnow
from touchline.news.models import Post, Status
from touchline.rosters.models import Player
from touchline.search import MAX_QUERY_LENGTH, SearchQuery
from touchline.teams.models import Level, Team

JSON = {"Accept": "application/json"}
PYDANTIC_OR_SQL = ("Traceback", "sqlite3", "psycopg", "fts5", "tsquery", "syntax error")


def sections(testapp, q, **kw):
    """The JSON answer's results by source name: {name: [titles]}."""
    data = testapp.get("/search.json", {"q": q}, **kw).json["search"]
    return {section["name"]: [result["title"] for result in section["results"]]
            for section in data["sections"]}


@pytest.fixture
def club(dbsession, make_team, make_user):
    people = {
        "admin": make_user("ada", "admin", display_name="Ada Admin"),
        "coach": make_user("cora", "coach", display_name="Cora Coach"),
        "member": make_user("max", "member", display_name="Max Member"),
        "guardian": make_user("gwen", "member", display_name="Gwen Guardian"),
    }
    falcons = make_team("Under 8 Falcons", Level.U08)
    badgers = make_team("Under 9 Badgers", Level.U09)
    badgers.coaches = [people["coach"]]
    now = utcnow()
    kit = Category(name="Match kit", slug="match-kit")
    dbsession.add_all([
        Fixture(team=falcons, opponent="Riverside Rovers", venue="Meadow Lane", home_away=HomeAway.AWAY,
                kickoff=now + datetime.timedelta(days=3)),
        Fixture(team=badgers, opponent="Hilltop Harriers", venue="Riverside Park",
                kickoff=now - datetime.timedelta(days=3), status=FixtureStatus.PLAYED,
                goals_for=3, goals_against=1),
        Fixture(team=badgers, opponent="Castle Comets", venue="Castle Fields",
                kickoff=now + datetime.timedelta(days=10), status=FixtureStatus.CANCELLED),
        Post(title="Summer tournament", slug="summer-tournament", body="Our **Falcons** won the cup.",
             status=Status.PUBLISHED, published_at=now - datetime.timedelta(days=1)),
        Post(title="Secret draft", slug="secret-draft", body="The tournament plans.", status=Status.DRAFT),
        Post(title="Scheduled tournament news", slug="scheduled", body="Not yet.",
             status=Status.PUBLISHED, published_at=now + datetime.timedelta(days=2)),
        # Made first, so that a lower id cannot be why the name match comes first.
        Product(name="Scarf", description="Warm, and goes with the match kit bag.", price=Decimal("9.00"),
                category=kit),
        Product(name="Kit bag", description="A bag.", price=Decimal("15.00"), category=kit,
                in_stock=False),
        Player(team=badgers, first_name="Sam", last_name="Thompson", birth_year=now.year - 8,
               name_consent=False, guardians=[people["guardian"]]),
        Player(team=badgers, first_name="Ava", last_name="Okafor", birth_year=now.year - 8,
               name_consent=True),
        Player(team=falcons, first_name="Thompson", last_name="Smith", birth_year=now.year - 7,
               name_consent=False),
    ])
    dbsession.flush()
    return {**people, "falcons": falcons, "badgers": badgers}


def test_each_record_type_is_found(testapp, club):
    # A fixture is found by its opponent or venue; the team's own name finds the team.
    assert sections(testapp, "falcons") == {
        "teams": ["Under 8 Falcons"],
        "news": ["Summer tournament"],  # "Falcons" in its text
    }
    # A fixture by its opponent, and by its venue; a word's beginning and any case will do.
    assert sections(testapp, "HARRIERS")["fixtures"] == ["Under 9 Badgers v Hilltop Harriers"]
    assert sections(testapp, "meadow")["fixtures"] == ["Under 8 Falcons v Riverside Rovers"]
    assert sections(testapp, "falc") == sections(testapp, "falcons")
    # A word of one character is a whole word: "8" is not the start of "89".
    assert sections(testapp, "under 8") == {"teams": ["Under 8 Falcons"]}
    assert sections(testapp, "f") == {}
    assert sections(testapp, "scarf") == {"catalog": ["Scarf"]}
    # Every word must match, in any column, in any order.
    assert sections(testapp, "lane riverside") == {"fixtures": ["Under 8 Falcons v Riverside Rovers"]}
    assert sections(testapp, "falcons harriers") == {}


def test_results_say_what_parents_need(testapp, club):
    data = testapp.get("/search.json", {"q": "castle"}).json["search"]
    assert data["q"] == "castle"
    [fixture] = data["sections"][0]["results"]
    assert (fixture["title"], fixture["label"]) == ("Under 9 Badgers v Castle Comets", "Cancelled")
    assert fixture["summary"] == "Home · Castle Fields"
    assert datetime.datetime.fromisoformat(fixture["when"]).tzinfo is not None
    result = testapp.get("/search.json", {"q": "hilltop"}).json["search"]["sections"][0]["results"][0]
    assert result["label"] == "Played 3-1"
    bag = testapp.get("/search.json", {"q": "bag"}).json["search"]["sections"][0]["results"][0]
    assert (bag["title"], bag["summary"], bag["label"]) == ("Kit bag", "£15.00", "Out of stock")
    # Each result links to its page, which answers.
    for q in ("falcons", "castle", "bag"):
        for section in testapp.get("/search.json", {"q": q}).json["search"]["sections"]:
            for found in section["results"]:
                testapp.get(urlsplit(found["url"]).path, status=200)


def test_a_name_match_ranks_before_a_description_match(testapp, club):
    # "Scarf" was made first and mentions a kit bag; "Kit bag" is named so.
    assert sections(testapp, "kit bag")["catalog"] == ["Kit bag", "Scarf"]
    assert sections(testapp, "bag")["catalog"] == ["Kit bag", "Scarf"]
    # The same for news: a title before a text.
    assert sections(testapp, "tournament")["news"] == ["Summer tournament"]


def test_drafts_and_scheduled_posts_are_never_found(testapp, login, club):
    assert "news" not in sections(testapp, "secret")
    assert sections(testapp, "scheduled") == {}
    login(testapp, "ada")
    assert "news" not in sections(testapp, "secret")
    assert sections(testapp, "tournament")["news"] == ["Summer tournament"]


def test_anonymous_visitors_never_find_players(testapp, club):
    for q in ("sam", "thompson", "ava okafor"):
        assert "players" not in sections(testapp, q)
        page = testapp.get("/search", {"q": q})
        assert page.html.find(id="search-players") is None
        assert "Okafor" not in page.text and "Sam T" not in page.text


def test_players_are_found_by_members_under_the_name_rule(testapp, login, club):
    login(testapp, "max")
    # First names are found, and shown as the rule says.
    assert sections(testapp, "sam")["players"] == ["Sam T."]
    assert sections(testapp, "ava")["players"] == ["Ava Okafor"]
    # A last name is found only where the member may see it: Ava's family consented.
    assert sections(testapp, "okafor")["players"] == ["Ava Okafor"]
    # Sam's last name is hidden, so it finds only the player whose *first* name is Thompson.
    assert sections(testapp, "thompson")["players"] == ["Thompson S."]
    assert "players" not in sections(testapp, "sam thompson")
    html = testapp.get("/search", {"q": "thompson"})
    assert html.html.find(id="search-players").text == "Players"
    assert "Sam" not in html.html.find("section", attrs={"aria-labelledby": "search-players"}).text


@pytest.mark.parametrize("username", ["gwen", "cora", "ada"])
def test_who_sees_a_full_name_finds_it(testapp, login, club, username):
    # Sam's guardian, the coach of Sam's team and admins see (and find) the full name.
    login(testapp, username)
    assert sections(testapp, "sam thompson")["players"] == ["Sam Thompson"]
    # The first-name match first; only an admin sees every full name.
    other = "Thompson Smith" if username == "ada" else "Thompson S."
    assert sections(testapp, "thompson")["players"] == [other, "Sam Thompson"]


def test_three_formats(testapp, club):
    page = testapp.get("/search", {"q": "falcons"})
    assert page.content_type == "text/html"
    assert page.html.find("h1").text == "Search"
    assert page.html.find("input", id="search-q")["value"] == "falcons"
    headings = [h2.text for h2 in page.html.find("main").find_all("h2")]
    assert headings == ["Teams", "News"]
    links = {a.text: a["href"] for a in page.html.select(".search-results a")}
    assert links["Under 8 Falcons"].endswith(f"/teams/{club['falcons'].id}")
    assert links["Summer tournament"].endswith("/news/summer-tournament")
    assert page.html.find("time")["datetime"]

    data = testapp.get("/search.json", {"q": "falcons"}).json
    assert data["search"]["q"] == "falcons"
    assert data["search"]["message"] is None
    assert testapp.get("/search", {"q": "falcons"}, headers=JSON).json == data

    xml = testapp.get("/search.xml", {"q": "falcons"})
    assert xml.content_type == "application/xml"
    root = ET.fromstring(xml.body)
    assert root.tag == "search"
    assert [name.text for name in root.iter("name")] == ["teams", "news"]
    assert "Under 8 Falcons" in [title.text for title in root.iter("title")]


def test_empty_and_wordless_searches_are_answered(testapp, club):
    page = testapp.get("/search")
    assert "Type what you are looking for" in page.html.find(class_="search-message").text
    assert testapp.get("/search.json", {"q": "   "}).json["search"]["sections"] == []
    wordless = testapp.get("/search.json", {"q": "\"*-:()^"}).json["search"]
    assert wordless["message"] == "Search for a word of letters or numbers."
    nothing = testapp.get("/search", {"q": "zebra"})
    assert "Nothing matches “zebra”." in nothing.text


def test_a_search_too_long_or_with_control_characters_is_a_400(testapp, club):
    testapp.get("/search", {"q": "a" * MAX_QUERY_LENGTH}, status=200)
    answer = testapp.get("/search.json", {"q": "a" * (MAX_QUERY_LENGTH + 1)}, status=400).json
    assert answer["error"]["detail"] == f"Search for at most {MAX_QUERY_LENGTH} characters."
    page = testapp.get("/search", {"q": "a" * (MAX_QUERY_LENGTH + 1)}, status=400)
    assert "at most 100 characters" in page.text
    assert testapp.get("/search.json", {"q": "kit\x00"}, status=400).json["error"]["status"] == 400


@pytest.mark.parametrize("q", [
    '"', '""', '"kit', 'kit"', "kit*", "*", "-kit", "kit -bag", "kit AND", "AND", "OR bag", "NOT kit",
    "NEAR(kit bag)", "name:kit", "name : kit", "{name}: kit", "^kit", "kit:*", "kit & bag", "kit | bag",
    "!kit", "'", "O'Brien", "kit'); DROP TABLE teams; --", "\\", "kit\\", "(kit", "kit)", "<b>kit</b>",
    "%", "_", "kit_bag", "ʼ", "🙂", "  kit  ", "k", "KIT" * 10,
])
def test_fts_syntax_in_a_search_is_just_text(testapp, club, q):
    answer = testapp.get("/search.json", {"q": q}, status=200).json["search"]
    found = {s["name"]: [r["title"] for r in s["results"]] for s in answer["sections"]}
    words = SearchQuery(q).terms
    # A word of one letter is matched whole, longer ones as the start of a word.
    if words and all(("kit".startswith(w) and len(w) > 1) or w == "bag" for w in words):
        assert "Kit bag" in found.get("catalog", []), (q, found)
    page = testapp.get("/search", {"q": q}, status=200)
    assert not any(word in page.text for word in PYDANTIC_OR_SQL[:3])
    assert testapp.get("/teams.json").json["teams"]  # nothing was dropped


def test_the_index_follows_every_change_in_the_same_transaction(testapp, dbsession, club):
    falcons = club["falcons"]
    falcons.name = "Under 8 Eagles"
    dbsession.flush()
    assert "teams" not in sections(testapp, "falcons")
    assert sections(testapp, "eagles")["teams"] == ["Under 8 Eagles"]
    product = dbsession.query(Product).filter_by(name="Scarf").one()
    dbsession.delete(product)
    dbsession.flush()
    assert sections(testapp, "scarf") == {}
    # Rows written through Core (bulk inserts, imports) are indexed too.
    dbsession.execute(insert(Team.__table__), [{"name": "Under 12 Kestrels", "level": Level.U12}])
    assert sections(testapp, "kestrels")["teams"] == ["Under 12 Kestrels"]


def test_the_header_has_a_search_box(testapp, club):
    header = testapp.get("/teams").html.find("header")
    form = header.find("form", role="search")
    assert form["action"] == "/search" and form["method"] == "get"
    field = form.find("input", attrs={"name": "q"})
    assert header.find("label", attrs={"for": field["id"]}).text == "Search the site"
    assert form.find_parent("nav") is None
    # A search from the box lands on the results.
    assert testapp.get(form["action"], {"q": "falcons"}).html.select(".search-results a")


def _grow(dbsession, club, n, tag):
    """``n`` more of every record type, each matching the searches below."""
    now = utcnow()
    team_ids = [row[0] for row in dbsession.execute(
        insert(Team.__table__).returning(Team.__table__.c.id),
        [{"name": f"Under 10 Falcons {i}", "level": Level.U10} for i in range(n)])]
    dbsession.execute(insert(Fixture.__table__), [
        {"team_id": team_ids[i], "opponent": f"Falcons Rovers {i}", "venue": "Meadow Lane",
         "home_away": HomeAway.HOME, "kickoff": now, "status": FixtureStatus.SCHEDULED, "sequence": 0,
         "created_at": now, "updated_at": now} for i in range(n)])
    dbsession.execute(insert(Post.__table__), [
        {"slug": f"falcons-{tag}-{i}", "title": f"Falcons news {i}", "body": "Falcons", "body_html": "",
         "excerpt": "Falcons", "status": Status.PUBLISHED, "published_at": now, "created_at": now,
         "updated_at": now} for i in range(n)])
    kit = dbsession.query(Category).one()
    dbsession.execute(insert(Product.__table__), [
        {"name": f"Falcons scarf {i}", "description": "", "category_id": kit.id, "price": Decimal("5"),
         "sizes": "", "in_stock": True} for i in range(n)])
    dbsession.execute(insert(Player.__table__), [
        {"team_id": team_ids[i], "first_name": "Falcon", "last_name": f"Falconer{i}",
         "birth_year": now.year - 9, "name_consent": i % 2 == 0, "photo_consent": False}
        for i in range(n)])


@pytest.mark.parametrize("username", [None, "max", "cora", "ada"])
def test_a_search_costs_the_same_queries_whatever_the_data(testapp, login, dbsession, club, count_queries,
                                                            username):
    if username:
        login(testapp, username)

    def measure():
        testapp.get("/search", {"q": "falc"})  # warm
        with count_queries() as counter:
            page = testapp.get("/search.json", {"q": "falc"}).json["search"]
        return len(counter), {s["name"]: len(s["results"]) for s in page["sections"]}

    _grow(dbsession, club, 10, "small")
    small, found_small = measure()
    _grow(dbsession, club, 1000, "large")
    large, found_large = measure()
    assert small == large
    assert set(found_large.values()) == {10}
    assert ("players" in found_large) == (username is not None)
