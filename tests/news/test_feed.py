"""The Atom feed: valid XML in the Atom namespace, the published posts newest first."""
import datetime
import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup

from touchline.news.models import Status, utcnow

NS = "{http://www.w3.org/2005/Atom}"
UTC = datetime.UTC


def parse_time(text):
    return datetime.datetime.fromisoformat(text)


def aware(value):
    """SQLite gives back naive UTC; PostgreSQL aware times."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def test_feed_lists_published_posts_newest_first(testapp, make_post, admin, coach, dbsession):
    first = make_post("First", body="One *1*", author=admin, slug="first",
                      published=datetime.datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    third = make_post("Third", body="Three", author=coach, slug="third",
                      published=datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    second = make_post("Second", body="Two", slug="second",
                       published=datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    make_post("Draft", author=coach, slug="a-draft", draft=True)
    response = testapp.get("/news/feed.atom")
    assert response.content_type == "application/atom+xml"
    root = ET.fromstring(response.body)
    assert root.tag == f"{NS}feed"
    assert root.findtext(f"{NS}title") == "Touchline Test FC: news"
    # Links and ids come from touchline.base_url, not the request's host.
    assert root.findtext(f"{NS}id") == "https://club.example.org/news"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{NS}link")}
    assert links == {"self": "https://club.example.org/news/feed.atom",
                     "alternate": "https://club.example.org/news"}
    entries = root.findall(f"{NS}entry")
    assert [e.findtext(f"{NS}title") for e in entries] == ["Third", "Second", "First"]
    posts = [third, second, first]
    for entry, post in zip(entries, posts):
        created = aware(post.created_at)
        assert entry.findtext(f"{NS}id") == f"tag:club.example.org,{created:%Y-%m-%d}:news/{post.id}"
        assert entry.find(f"{NS}link").get("href") == f"https://club.example.org/news/{post.slug}"
        published = parse_time(entry.findtext(f"{NS}published"))
        assert published == aware(post.published_at)
        updated = parse_time(entry.findtext(f"{NS}updated"))
        assert updated.tzinfo is not None
        assert abs(updated - utcnow()) < datetime.timedelta(minutes=5)
    assert [e.findtext(f"{NS}author/{NS}name") for e in entries] == [
        "Casey Coach", "Touchline Test FC", "Alex Admin"]
    assert b"@example.org" not in response.body  # names, never email addresses
    content = entries[2].find(f"{NS}content")
    assert content.get("type") == "html"
    assert BeautifulSoup(content.text, "html.parser").find("em").text == "1"
    assert b"Draft" not in response.body and b"a-draft" not in response.body


def test_feed_ids_stay_when_a_post_changes(testapp, make_post, dbsession):
    post = make_post("Before", slug="before")
    entry_id = ET.fromstring(testapp.get("/news/feed.atom").body).findtext(f"{NS}entry/{NS}id")
    post.title, post.slug = "After", "after"
    dbsession.flush()
    entry = ET.fromstring(testapp.get("/news/feed.atom").body).find(f"{NS}entry")
    assert entry.findtext(f"{NS}title") == "After"
    assert entry.findtext(f"{NS}id") == entry_id


def test_feed_holds_the_latest_twenty(testapp, make_post):
    for number in range(25):
        make_post(f"News {number:02d}", published=utcnow() - datetime.timedelta(days=number))
    root = ET.fromstring(testapp.get("/news/feed.atom").body)
    assert [e.findtext(f"{NS}title") for e in root.findall(f"{NS}entry")] == [
        f"News {number:02d}" for number in range(20)]


def test_empty_feed_is_valid(testapp):
    root = ET.fromstring(testapp.get("/news/feed.atom").body)
    assert root.tag == f"{NS}feed" and root.findall(f"{NS}entry") == []
    assert root.findtext(f"{NS}updated")


def test_feed_answers_304_when_nothing_changed(testapp, make_post, dbsession):
    post = make_post("Cached", slug="cached")
    first = testapp.get("/news/feed.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = testapp.get("/news/feed.atom", headers={"If-None-Match": etag}, status=304)
    assert again.body == b""
    testapp.get("/news/feed.atom", headers={"If-Modified-Since": modified}, status=304)
    post.title = "Changed"
    dbsession.flush()
    changed = testapp.get("/news/feed.atom", headers={"If-None-Match": etag}, status=200)
    assert changed.headers["ETag"] != etag
    assert b"Changed" in changed.body


def test_feed_content_is_sanitised_and_xml_safe(testapp, make_post):
    make_post("Bad \ufffe title", body="<script>alert(1)</script> [x](javascript:alert(1)) "
              "<img src=x onerror=alert(1)> *fine*\ufffe", slug="bad")
    root = ET.fromstring(testapp.get("/news/feed.atom").body)
    entry = root.find(f"{NS}entry")
    assert entry.findtext(f"{NS}title") == "Bad \ufffd title"
    soup = BeautifulSoup(entry.find(f"{NS}content").text, "html.parser")
    assert soup.find("script") is None
    assert not [name for tag in soup.find_all(True) for name in tag.attrs if name.startswith("on")]
    assert not [a for a in soup.find_all("a") if "javascript" in a.get("href", "").lower()]
    assert soup.find("em").text == "fine"


def test_a_304_costs_one_small_query(testapp, make_post, admin, count_queries):
    for number in range(25):
        make_post(f"News {number}", author=admin)
    first = testapp.get("/news/feed.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified},
                    {"If-None-Match": f'"other", {etag}', "If-Modified-Since": modified}):
        with count_queries() as queries:
            response = testapp.get("/news/feed.atom", headers=headers, status=304)
        assert len(queries) == 1, queries.statements
        (statement,) = queries.statements
        assert "body_html" not in statement and "LIMIT" in statement.upper()
        assert response.headers["ETag"] == etag and response.body == b""
    # A stale validator gets the whole feed: the small query, then the feed's own.
    with count_queries() as queries:
        stale = testapp.get("/news/feed.atom", headers={"If-None-Match": '"stale"'}, status=200)
    assert len(queries) == 2
    assert stale.body == first.body and stale.headers["ETag"] == etag
    # If-None-Match wins over If-Modified-Since when both are sent.
    testapp.get("/news/feed.atom", headers={"If-None-Match": '"stale"', "If-Modified-Since": modified},
                status=200)


def etag_of(testapp):
    return testapp.get("/news/feed.atom").headers["ETag"]


def test_the_etag_follows_what_the_feed_shows(testapp, make_post, admin, coach, dbsession):
    posts = [make_post(f"News {number}", author=coach) for number in range(21)]  # the 21st is left out
    draft = make_post("Draft", author=coach, draft=True)
    etag = etag_of(testapp)

    def changed():
        nonlocal etag
        dbsession.flush()
        new = etag_of(testapp)
        result, etag = new != etag, new
        return result

    draft.body = "Changed draft"
    posts[20].title = "Changed, but too old for the feed"
    assert not changed()
    posts[3].body = "New text"
    assert changed()
    coach.display_name = "Casey C."  # the authors' names are in the feed
    assert changed()
    posts[0].status, posts[0].published_at = Status.DRAFT, None  # the 21st comes in
    assert changed()
    dbsession.delete(posts[5])
    assert changed()
    assert not changed()


def test_the_feed_is_bounded_and_its_entries_are_stored_html(testapp, make_post, count_queries):
    for number in range(60):
        make_post(f"News {number:02d}", body=f"Story **{number}**")
    with count_queries() as queries:
        body = testapp.get("/news/feed.atom").body
    assert len(queries) == 1 and "LIMIT" in queries.statements[0].upper()
    entries = ET.fromstring(body).findall(f"{NS}entry")
    assert len(entries) == 20
    assert entries[0].findtext(f"{NS}content") == "<p>Story <strong>0</strong></p>\n"
