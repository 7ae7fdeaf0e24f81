"""News lists a page at a time, each in a constant number of queries whatever its size.

Page links carry the last row seen (``?page=2&after=...``), so that the next
page is read from where the last one ended; a bare ``?page=N`` still works.
"""
import datetime
from urllib.parse import parse_qs, urlsplit

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
    next_url = first.html.find("a", rel="next")["href"]
    assert next_url.startswith("http://localhost/news?page=2&after=")
    assert first.headers["Link"] == f'<{next_url}>; rel="next"'
    second = testapp.get(next_url)
    assert [a.text for a in second.html.main.select(".post-list h2 a")] == [
        f"News {n:03d}" for n in range(20, 40)]
    assert second.html.find("a", rel="prev")["href"].startswith("http://localhost/news?page=1") is False
    assert second.html.find("a", rel="prev")["href"] == "http://localhost/news"
    # A bare page number (a bookmark, a typed URL) still resolves.
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
    next_url = first.html.find("a", rel="next")["href"]
    assert next_url.startswith("http://localhost/news/drafts?page=2&after=")
    assert [a.text for a in testapp.get(next_url).html.main.select(".post-list h2 a")] == [
        f"Draft {n:03d}" for n in range(20, 25)]
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


def walk(testapp, url, rel):
    """Follow ``rel`` links (HTML) from ``url``: the titles of each page, in order."""
    pages = []
    while url:
        page = testapp.get(url)
        pages.append([a.text for a in page.html.main.select(".post-list h2 a")])
        link = page.html.find("a", rel=rel)
        url = link["href"] if link else None
    return pages


def walk_json(testapp, url, key):
    pages = []
    while url:
        data = testapp.get(url).json
        pages.append([post["title"] for post in data["posts"]])
        url = data["page"][key]
    return pages


def test_walking_the_pages_both_ways_gives_every_post_once(testapp, dbsession, admin):
    # Posts that share a publication time are told apart by their id.
    add_posts(dbsession, 47, author=admin)
    same = utcnow() - datetime.timedelta(minutes=30)
    dbsession.add_all(Post(title=f"Tie {n:02d}", slug=f"tie-{n:02d}", body="Tied.", author=admin,
                           status=Status.PUBLISHED, published_at=same) for n in range(25))
    dbsession.flush()
    forwards = walk(testapp, "/news", "next")
    assert [len(page) for page in forwards] == [20, 20, 20, 12]
    titles = [title for page in forwards for title in page]
    assert len(titles) == len(set(titles)) == 72
    # Newest first; the ties (newer than every "News" post but "News 000") by id, newest first.
    assert titles[0] == "News 000" and titles[1:26] == [f"Tie {n:02d}" for n in reversed(range(25))]
    assert titles[26:] == [f"News {n:03d}" for n in range(1, 47)]

    # From the last page back to the first by the "previous" links: the same pages.
    last = testapp.get("/news")
    for _ in range(3):
        last = testapp.get(last.html.find("a", rel="next")["href"])
    backwards = walk(testapp, last.request.url, "prev")
    assert backwards == list(reversed(forwards))

    # The API's links, in the body and in the Link header, walk the same way.
    assert walk_json(testapp, "/news.json", "next") == forwards
    last_json = testapp.get(last.request.url.replace("/news?", "/news.json?"))
    assert last_json.json["page"]["next"] is None
    previous = last_json.json["page"]["previous"]
    assert last_json.headers["Link"] == f'<{previous}>; rel="prev"'
    assert walk_json(testapp, last_json.request.url, "previous") == list(reversed(forwards))


def test_drafts_walk_both_ways(testapp, login, dbsession, coach, admin):
    add_posts(dbsession, 45, author=coach, status=Status.DRAFT, prefix="Mine")
    add_posts(dbsession, 5, author=admin, status=Status.DRAFT, prefix="Theirs")
    login(testapp, "casey")
    forwards = walk(testapp, "/news/drafts", "next")
    assert [title for page in forwards for title in page] == [f"Mine {n:03d}" for n in range(45)]
    url = "/news/drafts"
    for _ in range(2):
        url = testapp.get(url).html.find("a", rel="next")["href"]
    assert walk(testapp, url, "prev") == list(reversed(forwards))


def test_a_post_published_meanwhile_does_not_shift_the_next_page(testapp, dbsession, admin):
    add_posts(dbsession, 30, author=admin)
    next_url = testapp.get("/news").html.find("a", rel="next")["href"]
    add_posts(dbsession, 3, author=admin, prefix="Fresh")  # newer than every other post
    titles = [a.text for a in testapp.get(next_url).html.main.select(".post-list h2 a")]
    assert titles == [f"News {n:03d}" for n in range(20, 30)]


def test_page_links_keep_other_parameters_and_refuse_damaged_positions(testapp, dbsession, admin):
    add_posts(dbsession, 25, author=admin)
    next_url = testapp.get("/news.json?utm=x").json["page"]["next"]
    query = parse_qs(urlsplit(next_url).query)
    assert query["utm"] == ["x"] and query["page"] == ["2"] and "after" in query
    for bad in ("x", "e30", "WzFd", "WyJub3QgYSB0aW1lIiwxXQ"):
        response = testapp.get(f"/news.json?page=2&after={bad}", status=400)
        assert "page link" in response.json["error"]["detail"]
