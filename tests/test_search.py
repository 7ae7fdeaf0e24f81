"""The site's search (``/search?q=``): every add-on's records, ranked, within the user's rights.

Each record type is found through its add-on's full-text index (FTS5 on
SQLite, a tsvector GIN index on PostgreSQL), kept current in the same
transaction as the change; players only by members, and by last name only
where the name rule shows it; drafts and scheduled posts never.
"""
import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import insert
from webtest import TestApp

from touchline.catalog.models import Category, Product
from touchline.fixtures.models import Fixture, FixtureStatus, HomeAway
from touchline.models import utcnow
from touchline.news.models import Post, Status
from touchline.rosters.models import Player
from touchline.scripts.initialize_db import alembic_config
from touchline.search import MAX_QUERY_LENGTH, SearchQuery
from touchline.teams.models import Level, Team
from touchline.testing import _postgresql_database, make_app, migrate, query_plan

JSON = {"Accept": "application/json"}
#: The add-ons whose records the site's search finds, each with its own index's migration branch.
SEARCH_BRANCHES = ("teams", "fixtures", "news", "catalog", "rosters")
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


def test_accents_do_not_count(testapp, login, dbsession, make_team, club):
    now = utcnow()
    make_team("Under 10 Zoë Stars", Level.U10)
    make_team("Under 11 Zoe Rockets", Level.U11)
    dbsession.add_all([
        Post(title="The new café", slug="cafe", body="Tea and cake after every home game.",
             status=Status.PUBLISHED, published_at=now - datetime.timedelta(days=2)),
        Post(title="Cafe rota", slug="cafe-rota", body="Who serves the teas on Saturday.",
             status=Status.PUBLISHED, published_at=now - datetime.timedelta(days=3)),
        Fixture(team=club["badgers"], opponent="FC Zürich Juniors", venue="Sportplatz Allmend",
                kickoff=now + datetime.timedelta(days=5)),
        Player(team=club["falcons"], first_name="Zoë", last_name="Martín", birth_year=now.year - 7,
               name_consent=True),
    ])
    dbsession.flush()
    # Without the accent, with it, in capitals, and as the start of the word ("zo").
    for q in ("zoe", "zoë", "ZOË", "Zoë", "zo"):
        assert sorted(sections(testapp, q)["teams"]) == ["Under 10 Zoë Stars", "Under 11 Zoe Rockets"], q
    assert sections(testapp, "zoe stars")["teams"] == ["Under 10 Zoë Stars"]
    for q in ("cafe", "café", "CAFÉ", "caf"):
        assert sorted(sections(testapp, q)["news"]) == ["Cafe rota", "The new café"], q
    assert sections(testapp, "zurich")["fixtures"] == ["Under 9 Badgers v FC Zürich Juniors"]
    assert sections(testapp, "zürich juniors")["fixtures"] == ["Under 9 Badgers v FC Zürich Juniors"]
    login(testapp, "max")
    assert sections(testapp, "zoe martin")["players"] == ["Zoë Martín"]


def test_words_in_other_scripts_are_found_as_typed(testapp, make_team, club):
    # Each database takes off the accents it knows, in the text and in the search alike: a word
    # typed as it is written is found on both (PostgreSQL also finds "αθηνα", SQLite does not).
    make_team("Under 12 Αθήνα", Level.U12)
    make_team("Under 13 Ørsted", Level.U13)
    assert sections(testapp, "αθήνα")["teams"] == ["Under 12 Αθήνα"]
    assert sections(testapp, "ΑΘΉΝΑ")["teams"] == ["Under 12 Αθήνα"]
    assert sections(testapp, "ørsted")["teams"] == ["Under 13 Ørsted"]


def test_the_more_relevant_match_comes_first(testapp, dbsession, club):
    """Among matches whose title does not hold every word: the one where a word is more often, or in
    a heavier column (the title), comes first, before the source's own order (newest post first)."""
    now = utcnow()

    def post(slug, title, body, days_ago):
        return Post(title=title, slug=slug, body=body, status=Status.PUBLISHED,
                    published_at=now - datetime.timedelta(days=days_ago))

    dbsession.add_all([
        # "otters" once, in the newer post; three times in the older one (as many words each).
        post("once", "Saturday round-up", "The lions came, the otters saw, the tigers won at last.", 1),
        post("thrice", "Sunday round-up", "The otters came, the otters saw, the otters won at last.", 2),
        # "herons" in the older post's title, in the newer one's text; "trophy" in both texts.
        post("light", "Sunday at home",
             "We play the herons on Sunday morning, and the trophy is on show.", 3),
        post("heavy", "Herons at home", "We play the hosts on Sunday morning, and the trophy is on show.", 4),
        # Both words in the title: first, though it is the oldest.
        post("titled", "Herons win the trophy", "At last.", 5),
    ])
    dbsession.flush()
    assert sections(testapp, "otters")["news"] == ["Sunday round-up", "Saturday round-up"]
    assert sections(testapp, "herons trophy")["news"] == [
        "Herons win the trophy", "Herons at home", "Sunday at home"]
    # The word's beginning ranks the same way.
    assert sections(testapp, "otter")["news"] == ["Sunday round-up", "Saturday round-up"]
    assert sections(testapp, "her troph")["news"] == [
        "Herons win the trophy", "Herons at home", "Sunday at home"]


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


def _statements(dbsession):
    """Each source's statement for a search of two words, the rosters' with the name rule's condition."""
    from touchline.catalog.search import PRODUCTS_TEXT
    from touchline.fixtures.search import COLUMNS as FIXTURE_COLUMNS
    from touchline.fixtures.search import FIXTURES_TEXT
    from touchline.news.models import public_condition
    from touchline.news.search import NEWS_TEXT
    from touchline.rosters.search import COLUMNS as PLAYER_COLUMNS
    from touchline.rosters.search import PLAYERS_TEXT
    from touchline.teams.search import TEAMS_TEXT

    request = SimpleNamespace(dbsession=dbsession)
    query = SearchQuery("falc rov")
    T, F, N, C, P = (Team.__table__, Fixture.__table__, Post.__table__, Product.__table__,
                     Player.__table__)
    first_name, params = PLAYERS_TEXT.in_title(request, P, query, "player_first_name")
    sources = [
        (TEAMS_TEXT, T, (T.c.id, T.c.name), (), (T.c.level,)),
        (FIXTURES_TEXT, F, FIXTURE_COLUMNS, (), (F.c.kickoff.desc(),)),
        (NEWS_TEXT, N, (N.c.id, N.c.title), (public_condition(utcnow()),), (N.c.published_at.desc(),)),
        (PRODUCTS_TEXT, C, (C.c.id, C.c.name), (), (C.c.sort_name,)),
        (PLAYERS_TEXT, P, PLAYER_COLUMNS, (first_name | P.c.name_consent,), (P.c.first_name,)),
    ]
    for text, table, columns, where, order_by in sources:
        stmt, found = text.statement(request, table, columns, query, 10, where, order_by)
        yield text, table, bool(where), stmt.params(**params, **found)


def test_a_search_reads_the_full_text_index_and_each_row_by_its_key(dbsession, club):
    """The matches come from the full-text index, at most CANDIDATES of them (ranked there), and the
    table is read only by key, never scanned: the plan stays the same whatever the table's size."""
    sqlite = dbsession.get_bind().dialect.name == "sqlite"
    for text, table, has_where, stmt in _statements(dbsession):
        plan = query_plan(dbsession, stmt)
        shown = "\n".join(plan)
        if sqlite:
            assert any(line.startswith(f"SCAN {text.fts_name} VIRTUAL TABLE") for line in plan), shown
            assert not any(re.match(rf"SCAN {table.name}\b(?!_)", line) for line in plan), shown
            assert f"SEARCH {table.name} USING INTEGER PRIMARY KEY" in shown, shown
        else:
            assert "Seq Scan" not in shown, shown
            assert f"Index Scan using pk_{table.name} on {table.name}" in shown, shown
            if not has_where:  # on a few rows, the news' public filter may walk its own index instead
                assert f"Bitmap Index Scan on {text.index_name} " in shown, shown
                if text.title_index_name:
                    assert f"Bitmap Index Scan on {text.title_index_name} " in shown, shown


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path):
    """An empty database of this test's own, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/before.sqlite"
        return
    server_url = request.config.getoption("postgresql_url")
    if server_url.lower() == "none":
        pytest.skip("PostgreSQL tests switched off with --postgresql-url=none")
    yield from _postgresql_database(server_url)


def _index_definitions(engine):
    """How the search indexes read words: {"simple"} (accents count), {"touchline_search"} (not)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            sql = connection.execute(sa.text(
                "SELECT sql FROM sqlite_master WHERE name LIKE '%_search_fts'")).scalars().all()
            forms = {"touchline_search" if "remove_diacritics 2" in text else "simple" for text in sql}
        else:
            sql = connection.execute(sa.text(
                "SELECT indexdef FROM pg_indexes WHERE indexname LIKE 'ix_%_search%'")).scalars().all()
            forms = {"touchline_search" if "'touchline_search'::regconfig" in text else "simple"
                     for text in sql}
    assert len(sql) == (5 if engine.dialect.name == "sqlite" else 9)
    return forms


def test_the_accent_migrations_index_every_row_again_and_go_back(fresh_database, app_settings, ini_file):
    """``*_search_0002`` on a site whose records were indexed with accents counting (what the
    downgrade brings back): every row is indexed again, and found without its accents."""
    app = make_app(app_settings, **{"sqlalchemy.url": fresh_database})
    engine = app.registry["touchline.engine"]
    config = alembic_config(ini_file, app.registry)
    client = TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    try:
        migrate(ini_file, app.registry)
        for branch in SEARCH_BRANCHES:
            command.downgrade(config, f"{branch}_search_0001")
        now = utcnow()
        with engine.begin() as connection:
            [team_id] = connection.execute(insert(Team.__table__).returning(Team.__table__.c.id),
                                           [{"name": "Under 10 Zoë Stars", "level": Level.U10}]).scalars()
            connection.execute(insert(Fixture.__table__), [
                {"team_id": team_id, "opponent": "FC Zürich Juniors", "venue": "Allmend",
                 "home_away": HomeAway.HOME, "kickoff": now, "status": FixtureStatus.SCHEDULED,
                 "sequence": 0, "created_at": now, "updated_at": now}])
        found = {"teams": ["Under 10 Zoë Stars"], "fixtures": ["Under 10 Zoë Stars v FC Zürich Juniors"]}
        assert sections(client, "zoë")["teams"] == found["teams"]
        if engine.dialect.name == "sqlite":
            assert sections(client, "zoe") == {} and sections(client, "zurich") == {}
        # (PostgreSQL would read the rows themselves, the queries' expressions no longer the indexes'.)
        assert _index_definitions(engine) == {"simple"}

        migrate(ini_file, app.registry)
        assert _index_definitions(engine) == {"touchline_search"}
        assert sections(client, "zoe") == {"teams": found["teams"]}
        assert sections(client, "zurich") == {"fixtures": found["fixtures"]}
        # Still kept current by the database: a new row is found without its accents too.
        with engine.begin() as connection:
            connection.execute(insert(Team.__table__), [{"name": "Under 11 Zoé Comets", "level": Level.U11}])
        assert sections(client, "zoe")["teams"] == ["Under 10 Zoë Stars", "Under 11 Zoé Comets"]
    finally:
        engine.dispose()
