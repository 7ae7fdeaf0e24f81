"""Error pages: in the layout for people, in JSON or XML for programs."""
import xml.etree.ElementTree as ET

import pytest
from webtest import TestApp

from touchline.testing import HOST, make_app


@pytest.fixture
def writer_testapp(app_settings, database_url, tm, dbsession):
    """The site plus tests.support.writer (whose 'raise-error' page is a bug)."""
    from touchline.database import DBSESSION_ENVIRON_KEY

    app = make_app(
        app_settings,
        **{"sqlalchemy.url": database_url, "touchline.addons": "touchline.teams tests.support.writer"},
    )
    yield TestApp(
        app,
        extra_environ={"HTTP_HOST": HOST, "tm.active": True, "tm.manager": tm, DBSESSION_ENVIRON_KEY: dbsession},
    )
    app.registry["touchline.engine"].dispose()


def test_404_page_is_in_the_layout(testapp):
    page = testapp.get("/no/such/page", status=404)
    assert page.html.title.text.startswith("Page not found")
    assert page.html.find("nav", attrs={"aria-label": "Main"}) is not None
    assert page.html.main.h1.text == "Page not found"


@pytest.mark.parametrize(
    "headers, path, content_type",
    [
        ({"Accept": "application/json"}, "/no/such/page", "application/json"),
        ({}, "/no/such/page.json", "application/json"),
        ({"Accept": "application/xml"}, "/no/such/page", "application/xml"),
        ({}, "/no/such/page.xml", "application/xml"),
    ],
)
def test_404_in_the_format_asked_for(testapp, headers, path, content_type):
    response = testapp.get(path, headers=headers, status=404)
    assert response.content_type == content_type
    if content_type == "application/json":
        assert response.json["error"]["status"] == 404
    else:
        assert ET.fromstring(response.body).findtext("status") == "404"


def test_500_page_hides_the_error_and_logs_it(writer_testapp, caplog):
    page = writer_testapp.post("/_writer/raise-error", status=500)
    assert "Something went wrong" in page.text
    assert "a bug in a view" not in page.text
    assert any("unhandled error" in record.message for record in caplog.records)


def test_500_in_json_and_xml(writer_testapp):
    response = writer_testapp.post("/_writer/raise-error.json", status=500)
    assert response.json == {
        "error": {
            "status": 500,
            "title": "Something went wrong",
            "detail": "The site failed to answer this request. The error has been logged.",
        }
    }
    response = writer_testapp.post(
        "/_writer/raise-error", headers={"Accept": "application/xml"}, status=500
    )
    assert ET.fromstring(response.body).findtext("status") == "500"


def test_raised_4xx_keeps_its_status_and_message(writer_testapp):
    response = writer_testapp.post("/_writer/raise-4xx.json", status=400)
    assert response.json["error"]["detail"] == "bad input"


def test_405_in_json_with_allow(writer_testapp):
    response = writer_testapp.get("/_writer/ok.json", status=405)
    assert response.headers["Allow"] == "POST"
    assert response.json["error"]["status"] == 405


def test_406_is_an_error_page(testapp):
    response = testapp.get("/teams", headers={"Accept": "text/csv"}, status=406)
    assert response.content_type == "text/html"
    assert "Not Acceptable" in response.html.h1.text


def test_undecodable_path_is_400_not_500(testapp):
    response = testapp.get("/teams/%ff%fe", status=(400, 404))
    assert response.status_int in (400, 404)
    response = testapp.get("/caf%e9", status=(400, 404))
    assert "Error" in response.text


def test_forbidden_for_an_anonymous_client_asks_for_a_login(writer_testapp):
    page = writer_testapp.post("/_writer/forbidden", status=401)
    assert page.html.main.h1.text == "Login required"
    assert writer_testapp.post("/_writer/forbidden.json", status=401).json["error"]["status"] == 401
