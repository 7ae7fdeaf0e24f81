"""Content negotiation and the JSON and XML renderers."""
import datetime
import decimal
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyramid.testing import DummyRequest

from touchline.formats import primitive, request_format, to_xml


def make_request(path="/teams", accept=None):
    environ = {"PATH_INFO": path}
    if accept is not None:
        environ["HTTP_ACCEPT"] = accept
    return DummyRequest(environ=environ)


@pytest.mark.parametrize(
    "path, accept, expected",
    [
        ("/teams", None, "html"),
        ("/teams", "*/*", "html"),
        ("/teams", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("/teams", "application/json", "json"),
        ("/teams", "application/xml", "xml"),
        ("/teams", "text/xml", "xml"),
        ("/teams", "application/json;q=0.5, application/xml", "xml"),
        ("/teams", "image/png", None),
        ("/teams", "garbage;;;q=x", "html"),
        ("/teams.json", "application/xml", "json"),
        ("/teams/3.xml", "image/png", "xml"),
    ],
)
def test_request_format(path, accept, expected):
    assert request_format(make_request(path, accept)) == expected


def test_primitive_converts_values_once_for_every_format():
    class Thing:
        def __json__(self, request):
            return {"when": datetime.date(2026, 11, 21), "price": decimal.Decimal("12.50")}

    assert primitive({"things": [Thing()], "n": None}, None) == {
        "things": [{"when": "2026-11-21", "price": "12.50"}],
        "n": None,
    }
    with pytest.raises(TypeError):
        primitive(object(), None)


def test_xml_shape():
    root = ET.fromstring(to_xml({"teams": [{"id": 1, "ok": True, "none": None}]}))
    assert root.tag == "teams" and root.get("type") == "list"
    item = root.find("item")
    assert item.findtext("id") == "1"
    assert item.findtext("ok") == "true"
    assert item.find("none").get("null") == "true"
    assert ET.fromstring(to_xml({"a": 1, "b": 2})).tag == "response"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_xml_is_always_well_formed(value):
    """Whatever the data (control characters, markup, odd keys), the XML parses."""
    ET.fromstring(to_xml({"data": value}))


# A view that declares its format answers in it alone ----------------------------------------


def _api_token(testapp):
    return testapp.get("/account.json").json["account"]["csrf_token"]


@pytest.mark.parametrize(
    "suffix, accept, status",
    [
        ("", None, 200),
        ("", "*/*", 200),
        ("", "application/json", 200),
        ("", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200),
        ("", "application/json;q=0.1, application/xml", 200),
        ("", "application/xml", 406),
        ("", "text/xml", 406),
        ("", "text/html", 406),
        (".json", "application/xml", 200),
        (".xml", None, 406),
        (".xml", "application/json", 406),
    ],
)
def test_a_declared_json_view_never_answers_xml(testapp, login, admin, make_team, suffix, accept, status):
    """``PUT /teams/{id}`` declares ``touchline_json``: JSON, or a 406 (in JSON), whatever is asked."""
    team = make_team("Foxes")
    login(testapp, "alex")
    headers = {"X-CSRF-Token": _api_token(testapp)}
    if accept is not None:
        headers["Accept"] = accept
    response = testapp.put(f"/teams/{team.id}{suffix}", '{"name": "Cubs"}', headers=headers,
                           content_type="application/json", status=status)
    assert response.content_type == "application/json"
    if status == 200:
        assert response.json["team"]["name"] == "Cubs"
    else:
        assert response.json["error"]["status"] == 406
        assert team.name == "Foxes"


def test_a_declared_json_views_errors_are_json_whatever_is_asked(testapp, login, admin, make_team):
    team = make_team("Foxes")
    login(testapp, "alex")
    response = testapp.put(f"/teams/{team.id}", '{"name": ""}', status=422, content_type="application/json",
                           headers={"X-CSRF-Token": _api_token(testapp), "Accept": "text/html, */*"})
    assert response.content_type == "application/json"
    assert set(response.json["error"]["fields"]) == {"name"}


def test_template_views_are_still_negotiated(testapp, make_team):
    team = make_team("Foxes")
    assert testapp.get(f"/teams/{team.id}", headers={"Accept": "application/xml"}).content_type == "application/xml"
    assert testapp.get(f"/teams/{team.id}", headers={"Accept": "application/json"}).json["team"]["name"] == "Foxes"
    assert testapp.get(f"/teams/{team.id}", headers={"Accept": "image/png"}, status=406)


@pytest.mark.parametrize("accept", ["application/json;q=0.5, application/xml", "*/*", None])
def test_a_declared_json_views_refusals_are_json_too(testapp, make_team, login, member, accept):
    """The permission check's 401 and 403 come in the view's own format, whatever is asked."""
    team = make_team("Foxes")
    headers = {"Accept": accept} if accept else {}
    response = testapp.put(f"/teams/{team.id}", '{"name": "Cubs"}', headers=headers,
                           content_type="application/json", status=401)
    assert response.json["error"]["status"] == 401
    login(testapp, "morgan")
    headers["X-CSRF-Token"] = _api_token(testapp)
    response = testapp.put(f"/teams/{team.id}", '{"name": "Cubs"}', headers=headers,
                           content_type="application/json", status=403)
    assert response.json["error"]["status"] == 403
    assert team.name == "Foxes"
