"""Static files, cache busting and the health checks."""
import re

from webtest import TestApp

from touchline.testing import HOST, make_app


def test_static_file_is_served(testapp):
    response = testapp.get("/static/css/touchline.css")
    assert response.content_type == "text/css"
    assert "--brand" in response.text


def test_missing_static_file_is_404(testapp):
    testapp.get("/static/css/nope.css", status=404)


def test_pages_link_the_stylesheet(testapp):
    href = testapp.get("/").html.find("link", rel="stylesheet")["href"]
    assert testapp.get(href).status_int == 200


def test_production_cache_busting(app_settings, database_url):
    settings = dict(app_settings, **{"sqlalchemy.url": database_url, "touchline.static.cache_bust": "true"})
    app = make_app(settings)
    testapp = TestApp(app, extra_environ={"HTTP_HOST": HOST})
    href = testapp.get("/healthz") and testapp.get("/teams").html.find("link", rel="stylesheet")["href"]
    assert re.search(r"/static/css/touchline\.css\?x=[0-9a-f]{16}$", href)
    response = testapp.get(href)
    assert response.cache_control.max_age >= 365 * 24 * 3600
    app.registry["touchline.engine"].dispose()


def test_development_static_files_are_not_cached(testapp):
    response = testapp.get("/static/css/touchline.css")
    assert response.cache_control.max_age == 0


def test_healthz_never_touches_the_database(testapp, count_queries):
    with count_queries() as queries:
        assert testapp.get("/healthz").json == {"status": "ok"}
    assert len(queries) == 0


def test_health_checks_only_answer_get(testapp):
    assert testapp.post("/healthz", status=405).headers["Allow"] == "GET, HEAD"
