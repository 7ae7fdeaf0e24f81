"""The news pages in every format, as visitors, members, coaches and admins see them."""
import datetime
import xml.etree.ElementTree as ET

import pytest

from touchline.news.models import utcnow

JSON = {"Accept": "application/json"}


def days_ago(days):
    return utcnow() - datetime.timedelta(days=days)


def test_news_list_shows_published_posts_newest_first(testapp, make_post, admin, coach):
    make_post("Older news", published=days_ago(5), author=admin)
    make_post("Newest news", published=days_ago(1), author=admin)
    make_post("Middle news", published=days_ago(3))
    make_post("Secret draft", author=coach, draft=True)
    page = testapp.get("/news")
    titles = [a.text for a in page.html.main.select(".post-list h2 a")]
    assert titles == ["Newest news", "Middle news", "Older news"]
    assert "Secret draft" not in page.text
    first = page.html.main.select_one(".post-list li")
    assert "Alex Admin" in first.text
    assert "alex@example.org" not in page.text
    assert first.select_one(".excerpt").text == "Some news."


def test_news_list_empty_says_so(testapp):
    assert "No news has been published yet." in testapp.get("/news").text


def test_navigation_links_the_news(testapp):
    nav = testapp.get("/").html.find("nav", attrs={"aria-label": "Main"})
    assert "http" not in nav.find("a", string="News")["href"]
    assert nav.find("a", string="News")["href"] == "/news"


@pytest.mark.parametrize(
    "path, headers",
    [("/news", JSON), ("/news.json", {}), ("/news.json", {"Accept": "application/xml"})],
)
def test_news_list_as_json(testapp, make_post, admin, path, headers):
    post = make_post("Cup final", body="We **won**.", author=admin, slug="cup-final",
                     published=datetime.datetime(2026, 5, 2, 14, 30, tzinfo=datetime.UTC))
    response = testapp.get(path, headers=headers)
    assert response.content_type == "application/json"
    assert response.json == {
        "posts": [{
            "id": post.id, "slug": "cup-final", "title": "Cup final",
            "html": "<p>We <strong>won</strong>.</p>\n", "author": "Alex Admin",
            "status": "published", "published_at": "2026-05-02T14:30:00+00:00",
            "url": "http://localhost/news/cup-final",
        }],
        "page": {"number": 1, "size": 20, "next": None, "previous": None},
    }


def test_news_list_as_xml(testapp, make_post, admin):
    make_post("Cup final", author=admin, slug="cup-final")
    for path, headers in [("/news.xml", {}), ("/news", {"Accept": "application/xml"})]:
        response = testapp.get(path, headers=headers)
        assert response.content_type == "application/xml"
        root = ET.fromstring(response.body)
        (item,) = root.find("posts").findall("item")
        assert item.findtext("title") == "Cup final"
        assert item.findtext("slug") == "cup-final"
        assert item.findtext("author") == "Alex Admin"
        assert item.find("body") is None


def test_post_page_in_three_formats(testapp, make_post, admin):
    post = make_post("Pitch closures", body="## Saturday\n\nTraining *moves* indoors.",
                     author=admin, slug="pitch-closures")
    page = testapp.get("/news/pitch-closures")
    assert page.html.h1.text == "Pitch closures"
    body = page.html.select_one(".post-body")
    assert body.h2.text == "Saturday"
    assert body.em.text == "moves"
    assert "by Alex Admin" in page.html.select_one(".meta").text
    assert page.html.select_one(".meta time")
    data = testapp.get("/news/pitch-closures.json").json["post"]
    assert data["title"] == "Pitch closures" and data["id"] == post.id
    assert data["html"] == "<h2>Saturday</h2>\n<p>Training <em>moves</em> indoors.</p>\n"
    assert "body" not in data  # the Markdown source is for those who may edit it
    assert testapp.get("/news/pitch-closures", headers=JSON).json["post"] == data
    root = ET.fromstring(testapp.get("/news/pitch-closures.xml").body)
    assert root.tag == "post" and root.findtext("title") == "Pitch closures"
    assert root.findtext("status") == "published"


def test_the_markdown_source_is_given_to_editors_only(testapp, login, make_post, admin, coach):
    make_post("Published", body="*source*", author=coach, slug="published")
    make_post("Draft", body="*draft source*", author=coach, slug="a-draft", draft=True)
    login(testapp, "casey")
    assert "body" not in testapp.get("/news/published.json").json["post"]
    assert testapp.get("/news/a-draft.json").json["post"]["body"] == "*draft source*"
    testapp.reset()
    login(testapp, "alex")
    assert testapp.get("/news/published.json").json["post"]["body"] == "*source*"


@pytest.mark.parametrize(
    "path", ["/news/no-such-post", "/news/UPPER", "/news/a--b", "/news/-a", "/news/a-",
             "/news/" + "a" * 81, "/news/a.html", "/news/%00", "/news/caf%C3%A9",
             "/news/no-such-post/edit", "/news/no-such-post.json"],
)
def test_bad_slugs_are_404(testapp, path):
    testapp.get(path, status=404)


def test_post_title_is_escaped(testapp, make_post):
    make_post("<script>alert(1)</script> & co", slug="escaped")
    page = testapp.get("/news/escaped")
    assert page.html.find("script") is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page.text


def test_wrong_methods_are_405(testapp, make_post):
    make_post(slug="some-post")
    assert testapp.delete("/news", status=405).headers["Allow"] == "GET, HEAD, POST"
    assert testapp.patch("/news/some-post.json", status=405).headers["Allow"] == "DELETE, GET, HEAD, PUT"
    assert testapp.get("/news/some-post/publish", status=405).headers["Allow"] == "POST"
    testapp.post("/news/feed.atom", status=405)


# Drafts: their author and the admins see them; everyone else gets a 404 -------------


@pytest.fixture
def draft(make_post, coach):
    return make_post("Awards evening", body="Trophies for *everyone*.", author=coach,
                     slug="awards-evening", draft=True)


@pytest.mark.parametrize("who", [None, "morgan", "robin"])
@pytest.mark.parametrize("path", ["/news/awards-evening", "/news/awards-evening.json",
                                  "/news/awards-evening/edit", "/news/awards-evening/delete"])
def test_a_draft_is_404_for_others(testapp, login, draft, member, other_coach, who, path):
    if who:
        login(testapp, who)
    response = testapp.get(path, status=404)
    assert "Awards evening" not in response.text


def test_a_draft_is_shown_to_its_author_and_admins(testapp, login, draft, admin):
    login(testapp, "casey")
    page = testapp.get("/news/awards-evening")
    assert page.html.h1.text == "Awards evening"
    assert "Draft" in page.html.select_one(".meta").text
    actions = [a.text for a in page.html.select(".actions a")]
    assert actions == ["Edit post", "Delete post"]
    assert page.html.find("button", string="Publish") is None
    testapp.reset()
    login(testapp, "alex")
    page = testapp.get("/news/awards-evening")
    assert page.html.find("button", string="Publish")
    assert testapp.get("/news/awards-evening.json").json["post"]["status"] == "draft"


def test_drafts_list_shows_each_user_what_they_may_see(testapp, login, make_post, draft, admin,
                                                       other_coach, member):
    make_post("Robin's draft", author=other_coach, slug="robins-draft", draft=True)
    make_post("Alex's draft", author=admin, slug="alexs-draft", draft=True)
    make_post("Published one", author=admin)

    def titles():
        page = testapp.get("/news/drafts")
        assert page.html.h1.text == "Drafts"
        return sorted(a.text for a in page.html.main.select(".post-list h2 a"))

    login(testapp, "casey")
    assert titles() == ["Awards evening"]
    assert [p["title"] for p in testapp.get("/news/drafts.json").json["posts"]] == ["Awards evening"]
    testapp.reset()
    login(testapp, "robin")
    assert titles() == ["Robin's draft"]
    testapp.reset()
    login(testapp, "alex")
    assert titles() == ["Alex's draft", "Awards evening", "Robin's draft"]
    testapp.reset()
    login(testapp, "morgan")
    testapp.get("/news/drafts", status=403)
    testapp.reset()
    assert testapp.get("/news/drafts", status=303).location.startswith("http://localhost/login?next=")


def test_a_coach_demoted_to_member_loses_their_drafts(testapp, login, draft, coach, dbsession):
    from touchline.users import Role

    coach.role = Role.MEMBER
    dbsession.flush()
    login(testapp, "casey")
    testapp.get("/news/awards-evening", status=404)


# The home page panel ---------------------------------------------------------------


def test_home_panel_shows_the_three_latest_posts_with_excerpts(testapp, make_post, coach):
    for days, title in [(4, "Four"), (1, "One"), (3, "Three"), (2, "Two")]:
        make_post(title, published=days_ago(days), body=f"# {title} heading\n\nThe *{title}* story.")
    make_post("Draft", author=coach, draft=True)
    page = testapp.get("/")
    panel = page.html.find("section", attrs={"aria-labelledby": "panel-latest_news"})
    assert panel.h2.text == "Latest news"
    items = panel.select(".post-list li")
    assert [li.a.text for li in items] == ["One", "Two", "Three"]
    assert items[0].select_one(".excerpt").text == "One heading The One story."
    assert items[0].a["href"].endswith("/news/" + "post-2")
    assert items[0].time
    data = testapp.get("/.json").json
    (news,) = [panel for panel in data["panels"] if panel["name"] == "latest_news"]
    assert [post["title"] for post in news["data"]["posts"]] == ["One", "Two", "Three"]
    assert news["data"]["posts"][0]["excerpt"] == "One heading The One story."


def test_home_panel_without_news_says_so(testapp):
    panel = testapp.get("/").html.find("section", attrs={"aria-labelledby": "panel-latest_news"})
    assert "No news has been published yet." in panel.text


def test_long_excerpts_are_cut_at_a_word(testapp, make_post):
    make_post("Long", body="word " * 100)
    excerpt = testapp.get("/").html.select_one("#panel-latest_news ~ ul .excerpt").text
    assert excerpt.endswith("…") and len(excerpt) <= 201
    assert excerpt[:-1].split(" ") == ["word"] * len(excerpt[:-1].split(" "))


# Lists read plain rows: what they give must be what each post gives ------------------


@pytest.mark.parametrize("who", [None, "morgan", "casey", "robin", "alex"])
def test_list_items_are_the_posts_own_json(testapp, login, make_post, admin, coach, other_coach,
                                          member, dbsession, who):
    make_post("By the admin", body="*one*", author=admin, slug="by-admin")
    make_post("By the coach", body="**two**", author=coach, slug="by-coach")
    make_post("Nobody's", body="three", slug="nobodys")
    make_post("Named nothing", body="four", author=member, slug="no-name")
    member.display_name = ""
    make_post("Coach draft", body="draft *one*", author=coach, slug="coach-draft", draft=True)
    make_post("Admin draft", body="draft two", author=admin, slug="admin-draft", draft=True)
    make_post("Orphan draft", body="draft three", slug="orphan-draft", draft=True)
    dbsession.flush()
    if who:
        login(testapp, who)
    for path in ("/news", "/news/drafts"):
        response = testapp.get(path + ".json", expect_errors=True)
        if response.status_int != 200:
            assert path == "/news/drafts" and who in (None, "morgan")
            continue
        items = response.json["posts"]
        assert items or (who == "robin" and path == "/news/drafts"), path
        for item in items:
            assert item == testapp.get(f"/news/{item['slug']}.json").json["post"]
        xml = ET.fromstring(testapp.get(path + ".xml").body)
        assert [item.findtext("slug") for item in xml.find("posts").findall("item")] == [
            item["slug"] for item in items]
        page = testapp.get(path)
        assert [a["href"] for a in page.html.main.select(".post-list h2 a")] == [
            f"/news/{item['slug']}" for item in items]
