"""Being found and shared: robots.txt, sitemap.xml, /favicon.ico and every page's head.

What a crawler, a feed reader, a phone and a link preview see: the public
pages listed with their dates, the private ones kept out, the tags that make
a shared link show a title card, and the feeds announced on the pages.
"""
import datetime
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from PIL import Image

from touchline import seo
from touchline.catalog.models import Category, Product
from touchline.fixtures.models import Fixture, FixtureStatus, HomeAway
from touchline.models import utcnow
from touchline.news.models import Post, Status
from touchline.rosters.models import Player
from touchline.teams.models import Level
from touchline.testing import service

BASE = "https://club.example.org"  # touchline.base_url in testing.ini
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


@pytest.fixture
def make_post(dbsession):
    counter = iter(range(1, 1_000_000))

    def make(title=None, body="Some *news*.", draft=False, published=None):
        number = next(counter)
        if published is None and not draft:
            published = utcnow() - datetime.timedelta(hours=number)
        post = Post(title=title or f"Post {number}", slug=f"post-{number}", body=body,
                    status=Status.DRAFT if draft else Status.PUBLISHED,
                    published_at=None if draft else published)
        dbsession.add(post)
        dbsession.flush()
        return post

    return make


@pytest.fixture
def make_product(dbsession):
    category = Category(name="Match kit", slug="match-kit")
    dbsession.add(category)

    def make(name="Home shirt", description="", image=None):
        product = Product(name=name, price=Decimal("24.00"), category=category, sizes="S M L",
                          in_stock=True, description=description, image=image)
        dbsession.add(product)
        dbsession.flush()
        return product

    return make


def png_bytes(size=(120, 80)):
    out = io.BytesIO()
    Image.new("RGB", size, (11, 93, 30)).save(out, "PNG")
    return out.getvalue()


def sitemap(testapp):
    response = testapp.get("/sitemap.xml")
    assert response.content_type == "application/xml"
    root = ET.fromstring(response.body)
    assert root.tag == "{%s}urlset" % NS["s"]
    return {
        url.find("s:loc", NS).text: getattr(url.find("s:lastmod", NS), "text", None)
        for url in root.findall("s:url", NS)
    }


def head(page):
    """The head's tags a crawler reads: meta by name or property, links by rel."""
    tags = {}
    for meta in page.html.head.find_all("meta"):
        key = meta.get("name") or meta.get("property")
        if key:
            tags[key] = meta.get("content")
    canonical = page.html.head.find("link", rel="canonical")
    tags["canonical"] = canonical["href"] if canonical else None
    return tags


# robots.txt --------------------------------------------------------------------------------------


def test_robots_txt_lets_crawlers_into_the_public_site_only(testapp):
    response = testapp.get("/robots.txt")
    assert response.content_type == "text/plain"
    assert response.cache_control.max_age == 3600
    lines = response.text.splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")}
    # The add-ons' private pages: the admin, the rosters, the accounts, news drafts.
    assert {"/admin", "/rosters", "/teams/*/roster", "/players/", "/users", "/account",
            "/login", "/password-reset", "/news/drafts"} <= disallowed
    assert not disallowed & {"/", "/teams", "/fixtures", "/news", "/catalogs"}
    # The sitemap is named on the site's public URL, whatever Host the crawler used.
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


# sitemap.xml -------------------------------------------------------------------------------------


def test_sitemap_lists_the_public_pages_with_their_dates(testapp, dbsession, make_team, make_post,
                                                         make_product, admin):
    team = make_team("Under 9 Badgers", Level.U09)
    kickoff = utcnow() + datetime.timedelta(days=3)
    dbsession.add(Fixture(team=team, opponent="Rovers", kickoff=kickoff, status=FixtureStatus.SCHEDULED,
                          home_away=HomeAway.HOME, venue="Club ground"))
    post = make_post("Match report")
    shirt = make_product("Home shirt")
    dbsession.flush()
    urls = sitemap(testapp)
    assert f"{BASE}/" in urls
    for path in ("/teams", f"/teams/{team.id}", "/fixtures", "/fixtures/results",
                 f"/teams/{team.id}/fixtures", "/news", f"/news/{post.slug}", "/catalogs/",
                 "/catalogs/categories", f"/catalogs/products/{shirt.id}"):
        assert BASE + path in urls, path
    assert all(url.startswith(BASE + "/") for url in urls)
    # Dates in the W3C format the protocol asks for, from each record's own changes.
    assert W3C_DATETIME.fullmatch(urls[f"{BASE}/news/{post.slug}"])
    # The news list changed when its latest post came out; the post when it was last edited.
    assert urls[f"{BASE}/news"] == post.published_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert urls[f"{BASE}/news/{post.slug}"] == post.updated_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert W3C_DATETIME.fullmatch(urls[f"{BASE}/fixtures"])
    assert W3C_DATETIME.fullmatch(urls[f"{BASE}/teams/{team.id}/fixtures"])
    # Teams and products have no timestamp: their last change in the history is their date.
    assert W3C_DATETIME.fullmatch(urls[f"{BASE}/teams/{team.id}"])
    assert W3C_DATETIME.fullmatch(urls[f"{BASE}/catalogs/products/{shirt.id}"])


def test_sitemap_never_lists_a_private_page_or_a_draft(testapp, dbsession, make_team, make_post,
                                                       admin, login):
    team = make_team("Under 9 Badgers", Level.U09)
    player = Player(team=team, first_name="Sam", last_name="Thompson", birth_year=2017,
                    shirt_number=7, name_consent=False, photo_consent=False)
    dbsession.add(player)
    draft = make_post("Secret plans", draft=True)
    scheduled = make_post("Next season", published=utcnow() + datetime.timedelta(days=7))
    public = make_post("Old news")
    dbsession.flush()
    urls = sitemap(testapp)
    text = "\n".join(urls)
    assert f"{BASE}/news/{public.slug}" in urls
    assert draft.slug not in text and scheduled.slug not in text
    for private in ("/players/", "/roster", "/rosters", "/admin", "/users", "/account", "/login",
                    "/password-reset", "/drafts"):
        assert private not in text, private
    assert not [url for url in urls if re.search(r"/(new|edit|delete)$", url)]
    assert "Thompson" not in testapp.get("/sitemap.xml").text
    # Logged in, the sitemap is the same: it is made for crawlers, never for a user.
    login(testapp, admin.username)
    assert sitemap(testapp) == urls


def test_sitemap_costs_the_same_queries_for_ten_and_a_hundred_records(
        testapp, dbsession, make_team, make_post, make_product, count_queries):
    def grow(count):
        for _ in range(count):
            team = make_team(f"Team {len(dbsession.new)}", Level.U10)
            dbsession.add(Fixture(team=team, opponent="Rovers", kickoff=utcnow(), home_away=HomeAway.AWAY,
                                  venue="Away ground", status=FixtureStatus.SCHEDULED))
            make_post()
            make_product(f"Scarf {team.id}")
        dbsession.flush()

    grow(10)
    with count_queries() as small:
        assert len(sitemap(testapp)) > 40
    grow(90)
    with count_queries() as large:
        assert len(sitemap(testapp)) > 400
    assert len(small) == len(large)
    assert len(large) <= 8


def test_sitemap_is_bounded(testapp, make_team, monkeypatch):
    for number in range(5):
        make_team(f"Team {number}", Level.U10)
    monkeypatch.setattr(seo, "MAX_URLS", 4)
    assert len(sitemap(testapp)) == 4


# /favicon.ico ------------------------------------------------------------------------------------


def test_favicon_is_a_real_ico_file_cached_for_a_week(testapp):
    response = testapp.get("/favicon.ico")
    assert response.content_type == "image/x-icon"
    assert response.cache_control.max_age == 7 * 24 * 3600 and response.cache_control.public
    image = Image.open(io.BytesIO(response.body))
    assert image.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= set(image.info["sizes"])
    # The club's green square, with the white mark in the middle.
    image = image.convert("RGBA")
    assert image.getpixel((2, image.height // 2 + 8))[:3] == (0x0B, 0x5D, 0x1E)
    assert image.getpixel((image.width // 2, image.height // 2))[:3] == (255, 255, 255)
    again = testapp.get("/favicon.ico", headers={"If-None-Match": response.etag}, status=304)
    assert again.body == b""


# The head of every page --------------------------------------------------------------------------


def test_home_page_has_description_canonical_open_graph_and_the_news_feed(testapp):
    page = testapp.get("/", headers={"Host": "localhost"})
    tags = head(page)
    assert tags["description"] == tags["og:description"] == tags["twitter:description"]
    assert "Touchline Test FC" in tags["description"]
    # On the public URL, never on the Host the request came with.
    assert tags["canonical"] == tags["og:url"] == f"{BASE}/"
    assert tags["og:site_name"] == "Touchline Test FC"
    assert tags["og:type"] == "website"
    assert tags["og:title"] == "Home"
    assert tags["twitter:card"] == "summary" and "og:image" not in tags
    feed = page.html.head.find("link", rel="alternate", type="application/atom+xml")
    assert feed["href"] == f"{BASE}/news/feed.atom" and feed["title"]


def test_canonical_url_drops_the_query_but_the_page_number(testapp, make_team):
    for number in range(21):
        make_team(f"Team {number:02d}", Level.U10)
    assert head(testapp.get("/teams?page=1"))["canonical"] == f"{BASE}/teams"
    second = testapp.get("/teams?page=2")
    assert head(second)["canonical"] == f"{BASE}/teams?page=2"
    following = second.html.find("a", rel="prev") or second.html.find("a", string=re.compile("Previous"))
    assert following is not None
    assert head(testapp.get("/catalogs/?q=shirt&category=match-kit"))["canonical"] == f"{BASE}/catalogs/"


def test_error_pages_are_kept_out_of_search_results(testapp):
    page = testapp.get("/teams/999999", status=404)
    assert head(page)["robots"] == "noindex" and head(page)["canonical"] is None


def test_a_post_is_shared_with_its_excerpt_and_first_image(testapp, make_post):
    post = make_post("Cup <win> & more",
                     body="We won the cup!\n\n![The team](/static/cup.png?size=large&v=2)\n\n"
                          "![Later](https://photos.example.net/2.jpg)")
    page = testapp.get(f"/news/{post.slug}")
    tags = head(page)
    assert tags["og:type"] == "article"
    assert tags["og:title"] == "Cup <win> & more"
    assert tags["description"] == tags["og:description"] == "We won the cup!"
    assert tags["og:image"] == tags["twitter:image"] == f"{BASE}/static/cup.png?size=large&v=2"
    assert tags["twitter:card"] == "summary_large_image"
    # Escaped in the page's source: the title cannot open a tag.
    assert "<win>" not in page.text and "Cup &lt;win&gt; &amp; more" in page.text
    without = make_post("Plain", body="Nothing to see")
    assert "og:image" not in head(testapp.get(f"/news/{without.slug}"))


def test_a_product_is_shared_with_its_description_and_image(app, testapp, make_product):
    from touchline.uploads import IUploadStore

    name = service(app, IUploadStore).save_image(png_bytes())
    scarf = make_product("Club scarf", description="Warm and green.\n\nOne size fits all.", image=name)
    tags = head(testapp.get(f"/catalogs/products/{scarf.id}"))
    assert tags["description"] == "Warm and green. One size fits all."
    assert tags["og:image"].startswith(f"{BASE}/") and name in tags["og:image"]
    assert tags["og:url"] == f"{BASE}/catalogs/products/{scarf.id}"
    plain = make_product("Socks", description="")
    tags = head(testapp.get(f"/catalogs/products/{plain.id}"))
    assert tags["description"] == "Socks from the Touchline Test FC shop."
    assert "og:image" not in tags


def test_a_long_description_is_cut_at_a_word(make_post, testapp):
    post = make_post("Long", body="word " * 100)
    description = head(testapp.get(f"/news/{post.slug}"))["description"]
    assert len(description) <= seo.DESCRIPTION_LENGTH and description.endswith("word…")


def test_team_pages_announce_the_team_calendar(testapp, make_team):
    team = make_team("Under 7 Owls", Level.U07)
    page = testapp.get(f"/teams/{team.id}")
    tags = head(page)
    assert "Under 7 Owls" in tags["description"] and team.level.label in tags["description"]
    calendar = page.html.head.find("link", rel="alternate", type="text/calendar")
    assert calendar["href"] == f"{BASE}/teams/{team.id}/fixtures.ics"
    fixtures = testapp.get(f"/teams/{team.id}/fixtures")
    calendar = fixtures.html.head.find("link", rel="alternate", type="text/calendar")
    assert calendar["href"] == f"{BASE}/teams/{team.id}/fixtures.ics"
    # The site's news feed is announced there too.
    assert fixtures.html.head.find("link", rel="alternate", type="application/atom+xml")


def test_team_fixtures_page_offers_a_webcal_subscription_with_an_explanation(testapp, make_team):
    team = make_team("Under 7 Owls", Level.U07)
    page = testapp.get(f"/teams/{team.id}/fixtures")
    subscribe = page.html.find("a", string="Subscribe to the team's calendar")
    assert subscribe["href"] == f"webcal://club.example.org/teams/{team.id}/fixtures.ics"
    hint = page.html.find("p", class_="calendar-hint").get_text(" ", strip=True)
    assert "phone's calendar" in hint and "Subscribe" in hint


def test_news_page_links_its_feed_visibly(testapp):
    page = testapp.get("/news")
    link = page.html.find("a", type="application/atom+xml")
    assert link["href"] == "/news/feed.atom" and "feed" in link.text
    testapp.get(link["href"], status=200)
