"""A post is rendered when it is saved, not when it is read.

Every write path stores ``body_html`` (the sanitised HTML) and ``excerpt``
with the body: the form, the JSON API, the demo data, a plain ``Post(...)``
and even an INSERT through SQLAlchemy Core.  Reading (the list in every
format, a post, the home panel, the feed) never runs Markdown or the
sanitiser, and a worker that only reads news never imports them.
"""
import json
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import insert, select

from touchline.news import markdown
from touchline.news.markdown import excerpt, render
from touchline.news.models import Post, Status, utcnow
from touchline.testing import post_form

from .test_editing import api_token, call
from .test_sanitiser import MARKDOWN, PAYLOADS, assert_harmless


def stored(dbsession, slug):
    dbsession.flush()
    dbsession.expire_all()
    return dbsession.scalar(select(Post).where(Post.slug == slug))


def assert_rendered(post):
    assert post.body_html == str(render(post.body))
    assert post.excerpt == excerpt(post.body)
    assert str(post.html) == post.body_html and hasattr(post.html, "__html__")


def test_the_form_and_the_api_store_the_rendered_body(testapp, login, coach, dbsession):
    login(testapp, "casey")
    post_form(testapp, "/news/new", {"title": "Form post", "slug": "", "body": MARKDOWN}, status=303)
    post = stored(dbsession, "form-post")
    assert_rendered(post)
    assert_harmless(post.body_html)
    post_form(testapp, "/news/form-post/edit",
              {"title": "Form post", "slug": "", "body": "Now *different*."}, status=303)
    post = stored(dbsession, "form-post")
    assert (post.body_html, post.excerpt) == ("<p>Now <em>different</em>.</p>\n", "Now different.")

    token = api_token(testapp)
    created = call(testapp, "POST", "/news", {"title": "Api post", "body": "By *Friday*."}, token, 201)
    assert created.json["post"]["html"] == "<p>By <em>Friday</em>.</p>\n"
    call(testapp, "PUT", "/news/api-post.json", {"body": "# Changed"}, token, 200)
    post = stored(dbsession, "api-post")
    assert (post.body_html, post.excerpt) == ("<h1>Changed</h1>\n", "Changed")
    # A change of title alone leaves the stored HTML as it is.
    call(testapp, "PUT", "/news/api-post.json", {"title": "Api post, retitled"}, token, 200)
    assert stored(dbsession, "api-post").body_html == "<h1>Changed</h1>\n"


@pytest.mark.parametrize("body", [MARKDOWN, "", "word " * 100, *PAYLOADS])
def test_the_model_renders_whenever_the_body_is_set(dbsession, body):
    post = Post(title="T", slug="t", body=body, status=Status.DRAFT)
    dbsession.add(post)
    assert_rendered(stored(dbsession, "t"))


def test_an_insert_through_core_is_rendered_too(dbsession):
    dbsession.execute(insert(Post), [
        {"title": "Bulk one", "slug": "bulk-one", "body": "One *1*", "status": Status.DRAFT},
        {"title": "Bulk two", "slug": "bulk-two", "body": "<script>x</script> **2**",
         "status": Status.PUBLISHED, "published_at": utcnow()},
    ])
    for slug in ("bulk-one", "bulk-two"):
        assert_rendered(stored(dbsession, slug))
    assert stored(dbsession, "bulk-two").body_html == "<p>&lt;script&gt;x&lt;/script&gt; <strong>2</strong></p>\n"


def test_reading_never_renders(testapp, login, make_post, admin, coach, monkeypatch):
    make_post("Published", body=MARKDOWN, author=admin, slug="published")
    make_post("Draft", body="A *draft*.", author=coach, slug="a-draft", draft=True)

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown rendered while reading")

    for name in ("render", "sanitise", "excerpt", "excerpt_of", "render_post"):
        monkeypatch.setattr(markdown, name, refuse)
    login(testapp, "alex")
    for path in ("/news", "/news.json", "/news.xml", "/news/published", "/news/published.json",
                 "/news/a-draft", "/news/drafts", "/news/drafts.json", "/", "/.json",
                 "/news/feed.atom"):
        testapp.get(path)


LIBRARIES = ("markdown_it", "nh3", "feedgen", "slugify")


def run_python(script, *args):
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_news_modules_import_no_library_of_the_write_path():
    loaded = run_python(f"""
        import json, sys
        import touchline.news, touchline.news.views, touchline.news.feed, touchline.news.slugs
        import touchline.news.populate, touchline.news.markdown, touchline.news.resources
        print(json.dumps([name for name in {LIBRARIES!r} if name in sys.modules]))
    """)
    assert loaded == []


def test_a_reading_worker_loads_no_markdown_sanitiser_or_feed_library(app_settings, ini_file, tmp_path):
    """A fresh process serves the news pages without importing markdown-it, nh3 or feedgen."""
    settings = dict(app_settings, **{"sqlalchemy.url": f"sqlite:///{tmp_path}/worker.sqlite"})
    report = run_python(f"""
        import json, sys
        from touchline.testing import make_app, migrate
        from webtest import TestApp

        app = make_app(json.loads(sys.argv[1]))
        migrate(sys.argv[2], app.registry)
        client = TestApp(app, extra_environ={{"HTTP_HOST": "localhost"}})
        statuses = [client.get(path, expect_errors=True).status_int
                    for path in ("/news", "/news.json", "/news.xml", "/news/drafts", "/", "/.json")]
        serving = [name for name in {LIBRARIES!r} if name in sys.modules]
        client.get("/news/feed.atom")
        print(json.dumps({{"statuses": statuses, "serving": serving,
                          "after_feed": "feedgen" in sys.modules}}))
    """, json.dumps(settings), ini_file)
    assert report["statuses"] == [200, 200, 200, 303, 200, 200], report
    # (python-slugify may be there for another add-on: the catalog's and the fixtures' own use.)
    assert not {"markdown_it", "nh3", "feedgen"} & set(report["serving"]), report
    assert report["after_feed"] is True
