"""Publishing from the post form, publishing for later, and the Markdown preview.

An admin writes and publishes a post on one screen ("Publish" beside "Save
draft"), now or at a time to come; a post published for later stays out of
the list, the home panel, the feed and its own page until that time.  A
coach's form saves drafts only: a forged ``intent=publish`` is a 403 and
nothing is saved.  "Preview" shows the form again with the rendered,
sanitised body, and saves nothing.  The clock is never waited for: a test
moves a post's publication time in the database instead.
"""
import datetime
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select, update

from touchline.news.models import Post, Status, public_condition, utcnow
from touchline.testing import post_form

ATOM = "{http://www.w3.org/2005/Atom}"


def local(app, moment):
    return moment.astimezone(app.registry["touchline.timezone"])


def stored(dbsession):
    dbsession.flush()
    dbsession.expire_all()
    return list(dbsession.scalars(select(Post).order_by(Post.id)))


def visible_to_visitors(testapp, title, slug):
    """Where a visitor finds the post: {"list", "panel", "feed", "page", "json"} (a subset)."""
    testapp.reset()
    found = set()
    if title in [a.text for a in testapp.get("/news").html.main.select(".post-list h2 a")]:
        found.add("list")
    panel = testapp.get("/").html.find("section", attrs={"aria-labelledby": "panel-latest_news"})
    if title in [a.text for a in panel.select(".post-list a")]:
        found.add("panel")
    feed = ET.fromstring(testapp.get("/news/feed.atom").body)
    if title in [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]:
        found.add("feed")
    if testapp.get(f"/news/{slug}", expect_errors=True).status_int == 200:
        found.add("page")
    if title in [post["title"] for post in testapp.get("/news.json").json["posts"]]:
        found.add("json")
    return found


EVERYWHERE = {"list", "panel", "feed", "page", "json"}


def buttons(page):
    return [(button.get("name"), button.get("value"), button.text.strip())
            for button in page.html.main.form.find_all("button")]


# Publishing from the form --------------------------------------------------------------


def test_an_admin_publishes_from_the_new_post_form_in_one_step(testapp, login, admin, dbsession):
    login(testapp, "alex")
    page = testapp.get("/news/new")
    assert buttons(page) == [("intent", "draft", "Save draft"), ("intent", "publish", "Publish"),
                             ("intent", "preview", "Preview")]
    assert page.html.find("input", id="publish_date")["type"] == "date"
    assert page.html.find("input", id="publish_time")["type"] == "time"
    response = post_form(testapp, "/news/new", {"title": "Cup final on Sunday", "slug": "",
                                                "body": "Come and *cheer*.", "intent": "publish",
                                                "publish_date": "", "publish_time": ""}, status=303)
    assert response.location == "http://localhost/news/cup-final-on-sunday"
    shown = response.follow()
    assert "“Cup final on Sunday” is published." in shown.html.select_one(".flash").text
    assert shown.html.select_one(".meta").text.strip().startswith("Published")
    (post,) = stored(dbsession)
    assert post.status is Status.PUBLISHED and post.author_id == admin.id
    assert abs(post.published_at - utcnow()) < datetime.timedelta(minutes=1)
    assert visible_to_visitors(testapp, "Cup final on Sunday", "cup-final-on-sunday") == EVERYWHERE


def test_an_admin_still_saves_a_draft(testapp, login, admin, dbsession):
    login(testapp, "alex")
    response = post_form(testapp, "/news/new", {"title": "Not yet", "body": "Later.", "intent": "draft",
                                                "publish_date": "", "publish_time": ""}, status=303)
    assert "The draft “Not yet” was saved." in response.follow().html.select_one(".flash").text
    (post,) = stored(dbsession)
    assert (post.status, post.published_at) == (Status.DRAFT, None)
    assert visible_to_visitors(testapp, "Not yet", "not-yet") == set()


def test_an_admin_publishes_a_coachs_draft_from_its_edit_form(app, testapp, login, admin, coach, make_post,
                                                              dbsession):
    make_post("Tour report", author=coach, slug="tour-report", draft=True)
    login(testapp, "alex")
    page = testapp.get("/news/tour-report/edit")
    assert buttons(page) == [("intent", "draft", "Save draft"), ("intent", "publish", "Publish"),
                             ("intent", "preview", "Preview")]
    post_form(testapp, "/news/tour-report/edit", {"title": "Tour report", "slug": "tour-report",
                                                  "body": "Great *tour*.", "intent": "publish"}, status=303)
    (post,) = stored(dbsession)
    assert (post.status, post.body, post.author_id) == (Status.PUBLISHED, "Great *tour*.", coach.id)
    assert visible_to_visitors(testapp, "Tour report", "tour-report") == EVERYWHERE
    # Its edit form now saves it as published, keeping its date.
    login(testapp, "alex")
    page = testapp.get("/news/tour-report/edit")
    assert buttons(page) == [("intent", "publish", "Save"), ("intent", "preview", "Preview")]
    published_at = post.published_at
    form = {field["name"]: field.get("value", "") for field in page.html.main.form.find_all("input")}
    assert form["publish_date"] == f"{local(app, published_at):%Y-%m-%d}"
    post_form(testapp, "/news/tour-report/edit", {**form, "body": "Great *tour*!", "intent": "publish"},
              status=303)
    (post,) = stored(dbsession)
    assert (post.status, post.published_at, post.body) == (Status.PUBLISHED, published_at, "Great *tour*!")


def test_a_coach_sees_no_publish_button_and_cannot_forge_one(testapp, login, coach, make_post, dbsession):
    make_post("Own draft", author=coach, slug="own-draft", draft=True)
    login(testapp, "casey")
    new = testapp.get("/news/new")
    assert buttons(new) == [("intent", "draft", "Save draft"), ("intent", "preview", "Preview")]
    assert new.html.find("input", id="publish_date") is None
    assert buttons(testapp.get("/news/own-draft/edit")) == [("intent", "draft", "Save"),
                                                            ("intent", "preview", "Preview")]
    # A forged "publish" is refused, and nothing is written.
    refused = post_form(testapp, "/news/new", {"title": "Sneaky", "body": "x", "intent": "publish"},
                        status=403)
    assert "Not allowed" in refused.html.h1.text
    refused = post_form(testapp, "/news/own-draft/edit", {"title": "Sneaky", "body": "x",
                                                          "intent": "publish"}, status=403)
    (post,) = stored(dbsession)
    assert (post.title, post.status) == ("Own draft", Status.DRAFT)
    # So is a publication time.
    page = post_form(testapp, "/news/new", {"title": "Sneaky", "body": "x", "intent": "draft",
                                            "publish_date": "2030-01-01", "publish_time": "10:00"},
                     status=400)
    assert page.html.select_one(".form-errors") is not None
    assert len(stored(dbsession)) == 1
    # Their ordinary "Save draft" still works.
    post_form(testapp, "/news/new", {"title": "Honest", "body": "x", "intent": "draft"}, status=303)
    assert [(p.title, p.status) for p in stored(dbsession)] == [("Own draft", Status.DRAFT),
                                                                ("Honest", Status.DRAFT)]


@pytest.mark.parametrize("intent", ["publish-now", ""])
def test_an_unknown_button_is_a_400(testapp, login, admin, dbsession, intent):
    login(testapp, "alex")
    page = post_form(testapp, "/news/new", {"title": "T", "body": "x", "intent": intent}, status=400)
    assert "unknown button" in page.text
    assert stored(dbsession) == []


# Publishing for later ------------------------------------------------------------------------


def test_a_post_scheduled_for_tomorrow_appears_only_at_its_time(app, testapp, login, admin, make_post,
                                                                dbsession):
    make_post("Older news", slug="older-news")
    tomorrow = local(app, utcnow() + datetime.timedelta(days=1))
    login(testapp, "alex")
    response = post_form(testapp, "/news/new", {
        "title": "Fixtures for next season", "body": "Coming *soon*.", "intent": "publish",
        "publish_date": f"{tomorrow:%Y-%m-%d}", "publish_time": f"{tomorrow:%H:%M}"}, status=303)
    page = response.follow()
    assert (f"“Fixtures for next season” will be published on {tomorrow:%-d %B %Y at %H:%M}."
            in page.html.select_one(".flash").text)
    assert page.html.select_one(".meta .status").text == "Scheduled"
    assert page.html.find("button", string="Publish now")
    post = stored(dbsession)[-1]
    assert post.status is Status.PUBLISHED and post.scheduled
    assert post.published_at == tomorrow.replace(second=0, microsecond=0).astimezone(datetime.UTC)
    # Not yet public: a visitor finds it nowhere, and its page is a 404 as a draft's is.
    assert visible_to_visitors(testapp, "Fixtures for next season", "fixtures-for-next-season") == set()
    assert "Older news" in testapp.get("/news").text
    testapp.get("/news/fixtures-for-next-season.json", status=404)
    # Its time comes (moved in the database, rather than waited for).
    dbsession.execute(update(Post).where(Post.id == post.id)
                      .values(published_at=utcnow() - datetime.timedelta(minutes=1)))
    assert visible_to_visitors(testapp, "Fixtures for next season", "fixtures-for-next-season") == EVERYWHERE


def test_a_past_or_empty_time_means_now(testapp, login, admin, dbsession):
    login(testapp, "alex")
    post_form(testapp, "/news/new", {"title": "Backdated", "body": "x", "intent": "publish",
                                     "publish_date": "2020-05-01", "publish_time": "09:00"}, status=303)
    (post,) = stored(dbsession)
    assert abs(post.published_at - utcnow()) < datetime.timedelta(minutes=1)
    assert visible_to_visitors(testapp, "Backdated", "backdated") == EVERYWHERE


def test_the_feed_validators_change_when_a_scheduled_post_comes_in(testapp, make_post, admin, dbsession):
    make_post("Now", slug="now")
    later = make_post("Later", slug="later", published=utcnow() + datetime.timedelta(hours=2))
    first = testapp.get("/news/feed.atom")
    assert b"Later" not in first.body
    dbsession.execute(update(Post).where(Post.id == later.id)
                      .values(published_at=utcnow() - datetime.timedelta(seconds=1)))
    again = testapp.get("/news/feed.atom", headers={"If-None-Match": first.headers["ETag"]}, status=200)
    assert b"Later" in again.body and again.headers["ETag"] != first.headers["ETag"]


def test_a_scheduled_post_is_shown_to_its_author_but_no_longer_theirs_to_change(
        testapp, login, coach, make_post, dbsession):
    make_post("Coach's news", author=coach, slug="coachs-news",
              published=utcnow() + datetime.timedelta(days=2))
    login(testapp, "casey")
    page = testapp.get("/news/coachs-news")
    assert page.html.select_one(".meta .status").text == "Scheduled"
    assert page.html.select(".actions a") == []
    testapp.get("/news/coachs-news/edit", status=403)
    testapp.reset()
    testapp.get("/news/coachs-news", status=404)


def test_an_admin_reschedules_and_publishes_now(app, testapp, login, admin, make_post, dbsession):
    make_post("Gala", slug="gala", published=utcnow() + datetime.timedelta(days=2))
    login(testapp, "alex")
    testapp.get("/news/gala/edit")
    in_a_week = local(app, utcnow() + datetime.timedelta(days=7))
    post_form(testapp, "/news/gala/edit", {"title": "Gala", "slug": "gala", "body": "x", "intent": "publish",
                                           "publish_date": f"{in_a_week:%Y-%m-%d}",
                                           "publish_time": "19:30"}, status=303)
    (post,) = stored(dbsession)
    assert local(app, post.published_at).strftime("%Y-%m-%d %H:%M") == f"{in_a_week:%Y-%m-%d} 19:30"
    post_form(testapp, "/news/gala/publish", {}, page_url="/news/gala", status=303)
    (post,) = stored(dbsession)
    assert not post.scheduled and abs(post.published_at - utcnow()) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("date, time, field, message", [
    ("28/11/2026", "10:00", "publish_date", "year-month-day"),
    ("2026-02-30", "10:00", "publish_date", "does not exist"),
    ("1999-01-01", "10:00", "publish_date", "2000 to 2100"),
    ("2030-01-01", "25:00", "publish_time", "does not exist"),
    ("2030-01-01", "noon", "publish_time", "hours:minutes"),
    ("2030-01-01", "", "publish_time", "Choose the time as well"),
    ("", "10:00", "publish_date", "Choose the date as well"),
    ("2030-03-31", "01:30", "publish_time", "clocks go forward"),  # in Europe/London
])
def test_a_bad_publication_time_comes_back_beside_the_field(testapp, login, admin, dbsession,
                                                            date, time, field, message):
    login(testapp, "alex")
    page = post_form(testapp, "/news/new", {"title": "Timed", "body": "Typed *text*.", "intent": "publish",
                                            "publish_date": date, "publish_time": time}, status=400)
    errors = page.html.find(id=f"{field}-errors")
    assert errors is not None and message in errors.text, page.html.main
    assert page.html.find("input", id=field)["aria-invalid"] == "true"
    # What was typed is kept.
    assert page.html.find("input", id="publish_date")["value"] == date
    assert page.html.find("textarea", id="body").text == "Typed *text*."
    assert stored(dbsession) == []


# The preview ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alex", "casey"])
def test_the_preview_shows_the_rendered_body_and_saves_nothing(testapp, login, admin, coach, dbsession,
                                                               who):
    login(testapp, who)
    body = "We **won** 3-1.\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1))"
    page = post_form(testapp, "/news/new", {"title": "", "body": body, "intent": "preview"}, status=200)
    preview = page.html.select_one(".post-preview .post-body")
    assert preview.find("strong").text == "won"
    # Raw HTML is text, and the sanitiser keeps no script or javascript: link.
    assert preview.find("script") is None and preview.find("a") is None
    assert "<script>alert('x')</script>" in preview.text
    # The form is shown again as typed, without errors (the title can wait).
    assert page.html.find("textarea", id="body").text == body
    assert page.html.select_one(".form-errors") is None
    assert stored(dbsession) == []


def test_the_preview_of_an_edit_changes_nothing(testapp, login, admin, make_post, dbsession):
    make_post("Report", slug="report", body="Old *text*.")
    login(testapp, "alex")
    page = post_form(testapp, "/news/report/edit", {"title": "New title", "slug": "report", "body": "New _text_.",
                                                    "intent": "preview"}, status=200)
    assert page.html.select_one(".post-preview em").text == "text"
    assert page.html.find("input", id="title")["value"] == "New title"
    (post,) = stored(dbsession)
    assert (post.title, post.body) == ("Report", "Old *text*.")


def test_a_preview_of_a_bad_body_shows_its_error(testapp, login, coach, dbsession):
    login(testapp, "casey")
    page = post_form(testapp, "/news/new", {"title": "T", "body": "  ", "intent": "preview"}, status=400)
    assert page.html.find(id="body-errors") is not None
    assert page.html.select_one(".post-preview") is None
    assert stored(dbsession) == []


# The one condition -------------------------------------------------------------------------


def test_public_condition_is_the_rule_for_now(dbsession, make_post):
    make_post("Public", slug="public")
    make_post("Draft", slug="draft", draft=True)
    make_post("Later", slug="later", published=utcnow() + datetime.timedelta(hours=1))
    titles = select(Post.title).where(public_condition()).order_by(Post.title)
    assert dbsession.scalars(titles).all() == ["Public"]
    # ``now`` is a bound parameter: the same statement, another moment.
    tomorrow = {"now": utcnow() + datetime.timedelta(days=1)}
    assert dbsession.scalars(titles, tomorrow).all() == ["Later", "Public"]
    assert dbsession.scalar(select(func.count()).where(
        public_condition(utcnow() + datetime.timedelta(days=1)))) == 2


def test_the_admin_pages_publish_and_preview_with_the_same_form(testapp, login, admin, dbsession):
    login(testapp, "alex")
    page = post_form(testapp, "/admin/posts/new", {"title": "From the admin", "body": "**Bold**",
                                                   "intent": "preview"}, status=200)
    assert page.html.select_one(".post-preview strong").text == "Bold"
    assert stored(dbsession) == []
    response = post_form(testapp, "/admin/posts/new", {"title": "From the admin", "body": "**Bold**",
                                                       "intent": "publish"}, status=303)
    (post,) = stored(dbsession)
    assert response.location == f"http://localhost/admin/posts/{post.id}"
    assert post.is_public()
