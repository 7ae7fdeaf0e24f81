"""News lists a page at a time, each in a constant number of queries whatever its size."""
import datetime

import pytest

from touchline.news.models import Post, Status, utcnow


def add_posts(dbsession, count, author=None, status=Status.PUBLISHED, prefix="News"):
    now = utcnow()
    dbsession.add_all(
        Post(title=f"{prefix} {number:03d}", slug=f"{prefix.lower()}-{number:03d}",
             body=f"Story *{number}*.", author=author, status=status,
             published_at=now - datetime.timedelta(hours=number) if status is Status.PUBLISHED else None,
             updated_at=now - datetime.timedelta(hours=number))
        for number in range(count)
    )
    dbsession.flush()


def test_news_paginates_with_links(testapp, dbsession, admin):
    add_posts(dbsession, 45, author=admin)
    first = testapp.get("/news")
    titles = [a.text for a in first.html.main.select(".post-list h2 a")]
    assert titles == [f"News {n:03d}" for n in range(20)]
    assert first.html.find("a", rel="next")["href"] == "http://localhost/news?page=2"
    assert 'rel="next"' in first.headers["Link"]
    third = testapp.get("/news.json?page=3").json
    assert [p["title"] for p in third["posts"]] == [f"News {n:03d}" for n in range(40, 45)]
    assert third["page"]["next"] is None
    testapp.get("/news?page=4", status=404)
    for bad in ("0", "abc", "-1", "1.5"):
        assert "page number" in testapp.get(f"/news.json?page={bad}", status=400).json["error"]["detail"]


def test_drafts_paginate(testapp, login, dbsession, coach):
    add_posts(dbsession, 25, author=coach, status=Status.DRAFT, prefix="Draft")
    login(testapp, "casey")
    first = testapp.get("/news/drafts")
    assert len(first.html.main.select(".post-list h2 a")) == 20
    assert first.html.find("a", rel="next")["href"] == "http://localhost/news/drafts?page=2"
    second = testapp.get("/news/drafts.json?page=2").json
    assert [p["title"] for p in second["posts"]] == [f"Draft {n:03d}" for n in range(20, 25)]


@pytest.mark.parametrize("count", [3, 60])
def test_public_lists_run_constant_queries(testapp, dbsession, count_queries, make_user, count):
    authors = [make_user(f"writer{n}", "coach", display_name=f"Writer {n}") for n in range(3)]
    for number, author in enumerate(authors):
        add_posts(dbsession, count, author=author, prefix=f"W{number}")
    counts = {}
    for path in ("/news", "/news.json", "/news.xml", "/news/feed.atom", "/news?page=2"):
        if path.endswith("page=2") and count < 20:
            continue
        with count_queries() as queries:
            testapp.get(path)
        counts[path] = len(queries)
    assert set(counts.values()) == {1}, counts


@pytest.mark.parametrize("count", [3, 60])
def test_home_panel_runs_one_query(testapp, dbsession, count_queries, make_user, count):
    add_posts(dbsession, count, author=make_user("writer", "coach"))
    with count_queries() as queries:
        testapp.get("/")
    panel_queries = [q for q in queries.statements if "news_posts" in q]
    assert len(panel_queries) == 1


def test_drafts_run_constant_queries(testapp, login, dbsession, count_queries, admin, make_user):
    writers = [make_user(f"writer{number}", "coach") for number in range(3)]
    login(testapp, "alex")
    testapp.get("/news/drafts")  # the session's own bookkeeping settles first

    def measure():
        counts = {}
        for path in ("/news/drafts", "/news/drafts.json"):
            with count_queries() as queries:
                testapp.get(path)
            assert len([q for q in queries.statements if "news_posts" in q]) == 1, queries.statements
            counts[path] = len(queries)
        return counts

    for number, writer in enumerate(writers):
        add_posts(dbsession, 2, author=writer, status=Status.DRAFT, prefix=f"A{number}")
    few = measure()
    for number, writer in enumerate(writers):
        add_posts(dbsession, 40, author=writer, status=Status.DRAFT, prefix=f"B{number}")
    assert measure() == few
