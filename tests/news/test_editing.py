"""Writing, editing, deleting and publishing posts: the forms and the JSON API, by role.

Coaches and admins write drafts; only admins publish; a coach edits and
deletes their own drafts, and once a post is published only admins change
it.  What a request wrote is checked in the database through ``dbsession``.
"""
import json

import pytest
from sqlalchemy import func, select

from touchline.news.models import Post, Status
from touchline.testing import post_form

JSON = {"Accept": "application/json"}


def api_token(testapp):
    return testapp.get("/account.json").json["account"]["csrf_token"]


def call(testapp, method, url, body=None, token=None, status=None, content_type="application/json",
         raw=None):
    headers = dict(JSON)
    if token is not None:
        headers["X-CSRF-Token"] = token
    if raw is None:
        raw = b"" if body is None else json.dumps(body).encode("utf-8")
    return getattr(testapp, method.lower())(url, params=raw, headers=headers,
                                            content_type=content_type, status=status)


def stored(dbsession):
    """Every post as stored: ``{slug: (title, body, status)}``."""
    dbsession.flush()
    dbsession.expire_all()
    return {post.slug: (post.title, post.body, post.status.value)
            for post in dbsession.scalars(select(Post))}


def post_count(dbsession):
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(Post))


# The form -----------------------------------------------------------------------------


def test_a_coach_writes_a_draft_through_the_form(testapp, login, coach, dbsession):
    login(testapp, "casey")
    form = testapp.get("/news/new").html.main.form
    assert [field["name"] for field in form.find_all(["input", "textarea"])] == [
        "csrf_token", "title", "slug", "body"]
    response = post_form(testapp, "/news/new", {"title": "Under 9s win the cup!", "slug": "",
                                                "body": "What a *day*."}, status=303)
    assert response.location == "http://localhost/news/under-9s-win-the-cup"
    page = response.follow()
    assert "The draft “Under 9s win the cup!” was saved." in page.html.select_one(".flash").text
    assert page.html.select_one(".post-body em").text == "day"
    post = dbsession.scalar(select(Post))
    assert (post.title, post.status, post.author_id, post.published_at) == (
        "Under 9s win the cup!", Status.DRAFT, coach.id, None)
    # A draft is not news yet.
    testapp.reset()
    assert "Under 9s win the cup!" not in testapp.get("/news").text


@pytest.mark.parametrize("params, field, message", [
    ({"title": "", "body": "x"}, "title", "Enter the post's title."),
    ({"title": "x" * 121, "body": "x"}, "title", "Shorten the post's title to 120 characters or fewer."),
    ({"title": "Two\nlines", "body": "x"}, "title", "single line"),
    ({"title": "T", "body": "   "}, "body", "Write something in the post."),
    ({"title": "T", "body": "x" * 50_001}, "body", "Shorten the post's text to 50000 characters or fewer."),
    ({"title": "T", "body": "bell \x07"}, "body", "control characters"),
    ({"title": "T", "slug": "Not A Slug", "body": "x"}, "slug", "lower-case letters"),
    ({"title": "T", "slug": "a--b", "body": "x"}, "slug", "lower-case letters"),
    ({"title": "T", "slug": "drafts", "body": "x"}, "slug", "reserved"),
    ({"title": "T", "slug": "a" * 81, "body": "x"}, "slug", "Shorten the web address to 80 characters or fewer."),
])
def test_bad_form_input_is_shown_again_with_errors(testapp, login, coach, dbsession, params, field,
                                                   message):
    login(testapp, "casey")
    response = post_form(testapp, "/news/new", params, status=400)
    errors = response.html.find(id=f"{field}-errors")
    assert errors is not None and message in errors.text
    kept = response.html.find(attrs={"name": "title"})["value"]
    assert kept == params["title"].strip() or field == "title"
    assert post_count(dbsession) == 0


def test_a_slug_typed_by_hand_that_is_taken_is_a_form_error(testapp, login, coach, make_post,
                                                           dbsession):
    make_post("Existing", slug="cup-final")
    login(testapp, "casey")
    response = post_form(testapp, "/news/new", {"title": "Another", "slug": "cup-final",
                                                "body": "x"}, status=400)
    assert "Another post already has this slug" in response.html.find(id="slug-errors").text
    assert response.html.find("textarea", attrs={"name": "body"}).text == "x"
    assert post_count(dbsession) == 1


def test_generated_slugs_are_unique(testapp, login, coach, make_post, dbsession):
    make_post("Cup final", slug="cup-final")
    make_post("Cup final 3", slug="cup-final-3")
    login(testapp, "casey")
    token = api_token(testapp)
    slugs = [call(testapp, "POST", "/news", {"title": "Cup final", "body": "x"}, token, 201)
             .json["post"]["slug"] for _ in range(3)]
    assert slugs == ["cup-final-2", "cup-final-4", "cup-final-5"]
    reserved = call(testapp, "POST", "/news", {"title": "New!", "body": "x"}, token, 201)
    assert reserved.json["post"]["slug"] == "new-post"
    nothing = call(testapp, "POST", "/news", {"title": "!!!", "body": "x"}, token, 201)
    assert nothing.json["post"]["slug"] == "post"
    long = call(testapp, "POST", "/news", {"title": "Word " * 23, "body": "x"}, token, 201)
    assert len(long.json["post"]["slug"]) <= 80
    again = call(testapp, "POST", "/news", {"title": "Word " * 23, "body": "x"}, token, 201)
    assert again.json["post"]["slug"].endswith("-2") and len(again.json["post"]["slug"]) <= 80
    testapp.get("/news/new", status=200)  # the form still answers: the slug did not take its URL


def test_a_coach_edits_their_draft_and_the_slug_follows_the_title(testapp, login, coach, make_post,
                                                                 dbsession):
    make_post("Awards evening", author=coach, slug="awards-evening", draft=True)
    login(testapp, "casey")
    form = testapp.get("/news/awards-evening/edit").html.main.form
    assert form.find("input", attrs={"name": "slug"})["value"] == "awards-evening"
    assert form.find("textarea").text == "Some *news*."
    response = post_form(testapp, "/news/awards-evening/edit",
                         {"title": "Awards night", "slug": "", "body": "New text"}, status=303)
    assert response.location == "http://localhost/news/awards-night"
    assert stored(dbsession) == {"awards-night": ("Awards night", "New text", "draft")}
    post_form(testapp, "/news/awards-night/edit",
              {"title": "Awards night", "slug": "awards-2027", "body": "New text"}, status=303)
    assert list(stored(dbsession)) == ["awards-2027"]


def test_a_coach_cannot_change_a_published_post(testapp, login, coach, make_post, dbsession):
    make_post("Their post", author=coach, slug="their-post")
    login(testapp, "casey")
    testapp.get("/news/their-post/edit", status=403)
    testapp.get("/news/their-post/delete", status=403)
    token = api_token(testapp)
    testapp.post("/news/their-post/edit", {"title": "Changed", "body": "x", "csrf_token": token},
                 status=403)
    testapp.post("/news/their-post/delete", {"csrf_token": token}, status=403)
    call(testapp, "PUT", "/news/their-post.json", {"title": "Changed"}, token, 403)
    call(testapp, "DELETE", "/news/their-post.json", None, token, 403)
    assert stored(dbsession) == {"their-post": ("Their post", "Some *news*.", "published")}


def test_a_coach_deletes_their_draft(testapp, login, coach, make_post, dbsession):
    make_post("Draft", author=coach, slug="draft", draft=True)
    login(testapp, "casey")
    page = testapp.get("/news/draft/delete")
    assert page.html.main.find("button").text == "Delete the post"
    response = post_form(testapp, "/news/draft/delete", {}, status=303)
    assert response.location == "http://localhost/news"
    assert post_count(dbsession) == 0


# Publishing -----------------------------------------------------------------------


def test_only_an_admin_publishes_and_unpublishes(testapp, login, coach, admin, make_post, dbsession):
    make_post("Awards", author=coach, slug="awards", draft=True)
    login(testapp, "casey")
    token = api_token(testapp)
    testapp.post("/news/awards/publish", {"csrf_token": token}, status=403)
    assert stored(dbsession)["awards"][2] == "draft"
    testapp.reset()
    login(testapp, "alex")
    page = testapp.get("/news/awards")
    form = page.html.find("button", string="Publish").parent
    assert form["action"] == "/news/awards/publish"
    response = testapp.post(form["action"], {"csrf_token": form.find("input")["value"]}, status=303)
    assert response.location == "http://localhost/news/awards"
    post = dbsession.scalar(select(Post))
    assert post.status is Status.PUBLISHED and post.published_at is not None
    testapp.reset()
    assert "Awards" in testapp.get("/news").text
    # The coach can no longer edit it, but still reads it.
    login(testapp, "casey")
    testapp.get("/news/awards/edit", status=403)
    testapp.post("/news/awards/unpublish", {"csrf_token": api_token(testapp)}, status=403)
    testapp.reset()
    login(testapp, "alex")
    testapp.post("/news/awards/unpublish", {"csrf_token": api_token(testapp)}, status=303)
    dbsession.flush()
    dbsession.expire_all()
    post = dbsession.scalar(select(Post))
    assert post.status is Status.DRAFT and post.published_at is None
    testapp.reset()
    testapp.get("/news/awards", status=404)


def test_publishing_needs_a_csrf_token(testapp, login, admin, make_post, dbsession):
    make_post("Awards", slug="awards", draft=True)
    login(testapp, "alex")
    testapp.post("/news/awards/publish", {}, status=400)
    assert stored(dbsession)["awards"][2] == "draft"


# The JSON API ------------------------------------------------------------------------


def test_json_create_update_delete(testapp, login, coach, dbsession):
    login(testapp, "casey")
    token = api_token(testapp)
    created = call(testapp, "POST", "/news", {"title": "Kit orders", "body": "By *Friday*."},
                   token, 201)
    assert created.location == "http://localhost/news/kit-orders"
    data = created.json["post"]
    assert (data["status"], data["author"], data["body"], data["published_at"]) == (
        "draft", "Casey Coach", "By *Friday*.", None)
    assert data["html"] == "<p>By <em>Friday</em>.</p>\n"
    updated = call(testapp, "PUT", "/news/kit-orders.json", {"body": "By **Monday**."}, token, 200)
    assert updated.json["post"]["title"] == "Kit orders"
    assert updated.json["post"]["slug"] == "kit-orders"
    assert stored(dbsession) == {"kit-orders": ("Kit orders", "By **Monday**.", "draft")}
    call(testapp, "DELETE", "/news/kit-orders.json", None, token, 204)
    assert post_count(dbsession) == 0


@pytest.mark.parametrize("body, field", [
    ({"title": "", "body": "x"}, "title"),
    ({"body": "x"}, "title"),
    ({"title": "x"}, "body"),
    ({"title": "x", "body": "x", "status": "published"}, "status"),
    ({"title": "x", "body": "x", "author_id": 1}, "author_id"),
    ({"title": "x", "body": "x", "slug": "Bad Slug"}, "slug"),
    ({"title": "x", "body": "x", "slug": "feed"}, "slug"),
    ({"title": 5, "body": "x"}, "title"),
    ({"title": "x", "body": ["x"]}, "body"),
])
def test_json_errors_are_422_by_field_and_write_nothing(testapp, login, coach, dbsession, body, field):
    login(testapp, "casey")
    response = call(testapp, "POST", "/news", body, api_token(testapp), 422)
    assert field in response.json["error"]["fields"]
    assert post_count(dbsession) == 0


def test_json_slug_clash_and_bad_bodies(testapp, login, coach, make_post, dbsession):
    make_post("Taken", slug="taken")
    make_post("Mine", slug="mine", author=coach, draft=True)
    login(testapp, "casey")
    token = api_token(testapp)
    response = call(testapp, "POST", "/news", {"title": "x", "body": "x", "slug": "taken"}, token, 422)
    assert response.json["error"]["fields"] == {"slug": [
        "Another post already has this slug; choose another or leave it empty."]}
    call(testapp, "PUT", "/news/mine.json", {"slug": "taken"}, token, 422)
    call(testapp, "PUT", "/news/mine.json", {"status": "published"}, token, 422)
    call(testapp, "POST", "/news", raw=b"{not json", token=token, status=400)
    call(testapp, "POST", "/news", raw=b"[]", token=token, status=400)
    call(testapp, "POST", "/news", {"title": "x", "body": "x"}, token, 415, content_type="text/plain")
    call(testapp, "POST", "/news", {"title": "x", "body": "x"}, None, 400)
    assert stored(dbsession) == {"taken": ("Taken", "Some *news*.", "published"),
                                 "mine": ("Mine", "Some *news*.", "draft")}


def test_a_post_outlives_its_author(testapp, make_post, coach, dbsession):
    """ON DELETE SET NULL: deleting an account keeps the club's news."""
    make_post("Old news", slug="old-news", author=coach)
    dbsession.delete(coach)
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.scalar(select(Post)).author_id is None
    page = testapp.get("/news/old-news")
    assert page.html.h1.text == "Old news"
    assert testapp.get("/news/old-news.json").json["post"]["author"] is None
