"""Hardened HTTP: unknown hosts refused, bodies limited, security headers everywhere.

The apps here include ``touchline.hardening`` through ``pyramid.includes``
(including it twice is harmless), with ``tests.support.writer`` and the
``probe`` add-on below, whose pages read the query string and the form.
"""
import io
import xml.etree.ElementTree as ET

import pytest
from pyramid.interfaces import ITweens
from webtest import TestApp, TestRequest

from touchline import securityheaders
from touchline.database import DBSESSION_ENVIRON_KEY
from touchline.hardening import Hardening
from touchline.hosts import ALLOWED_HOSTS_ENVIRON, AllowedHosts, host_name
from touchline.security import PRIVATE_ENVIRON_KEY
from touchline.testing import HOST, make_app

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
FORM = "application/x-www-form-urlencoded"


def read_form(request):
    return {"GET": dict(request.GET), "POST": {key: str(value) for key, value in request.POST.items()}}


def set_cookie(request):
    request.response.set_cookie("flavour", "oat")
    return {}


def cookie_from_callback(request):
    request.add_response_callback(lambda request, response: response.set_cookie("late", "1"))
    return {}


def private_flag(request):
    request.environ[PRIVATE_ENVIRON_KEY] = True
    return {}


def own_headers(request):
    request.response.headers["Server"] = "Touchline/1.0"
    request.response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return {}


def public(request):
    return {}


PROBES = {
    "form": read_form,
    "set-cookie": set_cookie,
    "late-cookie": cookie_from_callback,
    "private": private_flag,
    "own-headers": own_headers,
    "public": public,
}


def probe(config):
    """A test-only add-on: ``/_probe/{name}`` runs PROBES[name], without and with CSRF."""
    for name, view in PROBES.items():
        config.add_route(f"probe.{name}", f"/_probe/{name}")
        config.add_view(view, route_name=f"probe.{name}", renderer="json", require_csrf=False)
    config.add_route("probe.csrf", "/_probe/csrf/form")
    config.add_view(read_form, route_name="probe.csrf", renderer="json")


#: The settings touchline.hardening reads: the tests start from its defaults.
HARDENING_SETTINGS = {setting for _, setting, _ in securityheaders.SECURITY_HEADERS} | {
    "touchline.allowed_hosts",
    "touchline.max_body_size",
    "touchline.hsts",
    "touchline.hsts_max_age",
}


@pytest.fixture
def hardened_app(app, app_settings, database_url, monkeypatch):
    """Build a hardened app: ``hardened_app(**settings)``.

    Its hardening settings are the module's defaults but for ``settings``,
    whatever the test ini and the environment say.  Each app is disposed
    of after the test.
    """
    monkeypatch.delenv(ALLOWED_HOSTS_ENVIRON, raising=False)
    apps = []

    def build(**overrides):
        settings = {key: value for key, value in app_settings.items() if key not in HARDENING_SETTINGS}
        settings["pyramid.includes"] = (settings.get("pyramid.includes") or "") + " touchline.hardening"
        settings["sqlalchemy.url"] = database_url
        settings["touchline.addons"] = "touchline.teams tests.support.writer tests.test_hardening.probe"
        settings.update(overrides)
        application = make_app(settings)
        apps.append(application)
        return application

    yield build
    for application in apps:
        application.registry["touchline.engine"].dispose()


@pytest.fixture
def environ(tm, dbsession):
    """The testapp's environ: requests share the test's doomed transaction."""
    return {"HTTP_HOST": HOST, "tm.active": True, "tm.manager": tm, DBSESSION_ENVIRON_KEY: dbsession}


@pytest.fixture
def make_testapp(hardened_app, environ):
    """``make_testapp(**settings)``: a WebTest app on a hardened app with those settings."""

    def make(**overrides):
        return TestApp(hardened_app(**overrides), extra_environ=environ)

    return make


@pytest.fixture
def hardened(make_testapp):
    """The hardened site with its default settings."""
    return make_testapp()


def send(testapp, path, body, content_type=FORM, status=None, **environ):
    """POST ``body`` exactly as given, with environ keys set (None removes one).

    For what WebTest would correct: a multipart body of our own, an odd
    Content-Length, a chunked body without one.
    """
    environ = {
        **testapp.extra_environ,
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        **environ,
    }
    request = TestRequest.blank(path, {key: value for key, value in environ.items() if value is not None})
    request.environ["wsgi.input"] = io.BytesIO(body)
    return TestApp(testapp.app, lint=False).do_request(request, status=status)


#: A chunked request, as a server that dechunks it presents it.
CHUNKED = {"CONTENT_LENGTH": None, "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}


def assert_security_headers(response, hsts=False):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert ("Strict-Transport-Security" in response.headers) is hsts
    assert "Server" not in response.headers


# Host check


@pytest.mark.parametrize(
    "host, name",
    [
        ("localhost", "localhost"),
        ("LocalHost:6543", "localhost"),
        ("127.0.0.1:80", "127.0.0.1"),
        ("[::1]:6543", "::1"),
        ("[::1]", "::1"),
        ("www.example.org.", "www.example.org"),
        ("", None),
        ("example.org:", None),
        ("example.org:http", None),
        ("exa mple.org", None),
        ("example.org/path", None),
        ("user@example.org", None),
        ("[::1", None),
    ],
)
def test_host_name(host, name):
    assert host_name(host) == name


@pytest.mark.parametrize(
    "allowed, host, ok",
    [
        ("localhost 127.0.0.1 ::1", "localhost", True),
        ("localhost 127.0.0.1 ::1", "::1", True),
        ("localhost", "localhost.evil.com", False),
        (".example.org", "example.org", True),
        (".example.org", "www.example.org", True),
        (".example.org", "a.b.example.org", True),
        (".example.org", "badexample.org", False),
        (".example.org", "example.org.evil.com", False),
        ("[::1]", "::1", True),
        ("Club.Example", "club.example", True),
        ("*", "anything.example", True),
        ("*", None, False),
    ],
)
def test_allowed_hosts(allowed, host, ok):
    assert AllowedHosts({"touchline.allowed_hosts": allowed}, environ={}).host_allowed(host) is ok


@pytest.mark.parametrize("host", ["localhost", "localhost:6543", "127.0.0.1", "[::1]:6543", "[::1]"])
def test_default_hosts_are_answered(hardened, host):
    hardened.get("/teams", headers={"Host": host}, status=200)


@pytest.mark.parametrize(
    "host", ["evil.example", "localhost.evil.example", "[::2]:6543", "local host", "caf\xe9.example"]
)
def test_unknown_host_is_400_with_the_headers(hardened, host):
    page = hardened.get("/teams", headers={"Host": host}, status=400)
    assert page.html.main.h1.text == "Bad request"
    assert "host name" in page.html.main.text
    assert_security_headers(page)


def test_refused_host_is_not_echoed(hardened):
    page = hardened.get("/", headers={"Host": "evil.example"}, status=400)
    assert "evil.example" not in page.text


def test_refused_host_in_json_and_xml(hardened):
    response = hardened.get("/teams.json", headers={"Host": "evil.example"}, status=400)
    assert response.json["error"]["status"] == 400
    assert_security_headers(response)
    response = hardened.get(
        "/teams", headers={"Host": "evil.example", "Accept": "application/xml"}, status=400
    )
    assert ET.fromstring(response.body).findtext("status") == "400"


def test_refused_host_touches_no_database(hardened, count_queries):
    with count_queries() as counter:
        hardened.get(
            "/", headers={"Host": "evil.example", "Cookie": "touchline_session=stolen"}, status=400
        )
    assert len(counter) == 0


def test_allowed_hosts_setting_with_subdomains(make_testapp):
    testapp = make_testapp(**{"touchline.allowed_hosts": ".club.example\nlocalhost"})
    testapp.get("/teams", headers={"Host": "club.example"}, status=200)
    testapp.get("/teams", headers={"Host": "www.club.example:8080"}, status=200)
    testapp.get("/teams", headers={"Host": "127.0.0.1"}, status=400)


def test_any_host(make_testapp):
    testapp = make_testapp(**{"touchline.allowed_hosts": "*"})
    testapp.get("/teams", headers={"Host": "whatever.example"}, status=200)
    testapp.get("/teams", headers={"Host": "what ever"}, status=400)


def test_environment_variable_overrides_allowed_hosts(make_testapp, monkeypatch):
    monkeypatch.setenv("TOUCHLINE_ALLOWED_HOSTS", "club.example")
    testapp = make_testapp(**{"touchline.allowed_hosts": "localhost"})
    testapp.get("/teams", headers={"Host": "club.example"}, status=200)
    testapp.get("/teams", headers={"Host": "localhost"}, status=400)


# Body size


def test_body_over_the_limit_is_413(hardened):
    response = hardened.post(
        "/_writer/ok", b"x" * (1024 * 1024 + 1), content_type="application/octet-stream", status=413
    )
    assert response.html.main.h1.text == "Request too large"
    assert_security_headers(response)


def test_body_at_the_limit_is_read(make_testapp):
    testapp = make_testapp(**{"touchline.max_body_size": "20"})
    response = testapp.post("/_probe/form", {"name": "0123456789abcde"}, status=200)
    assert response.json["POST"] == {"name": "0123456789abcde"}
    testapp.post("/_probe/form", {"name": "0123456789abcdef"}, status=413)


def test_413_in_json(make_testapp):
    testapp = make_testapp(**{"touchline.max_body_size": "10"})
    response = testapp.post("/_writer/ok.json", b"x" * 11, status=413)
    assert response.json["error"]["status"] == 413


@pytest.mark.parametrize("length", ["abc", "-1", "1.5", "+5", " 5", "1e3"])
@pytest.mark.parametrize("attempts", ["3", "1"])
def test_invalid_content_length_is_400(make_testapp, length, attempts):
    testapp = make_testapp(**{"retry.attempts": attempts})
    response = send(testapp, "/_writer/ok", b"a=1", status=400, CONTENT_LENGTH=length)
    assert "Content-Length" in response.html.main.text
    assert_security_headers(response)


def test_chunked_body_over_the_limit_is_413(make_testapp):
    testapp = make_testapp(**{"touchline.max_body_size": "100"})
    body = b"a=" + b"x" * 200
    response = send(testapp, "/_probe/form", body, status=413, **CHUNKED)
    assert_security_headers(response)


def test_chunked_body_within_the_limit_is_kept(make_testapp):
    testapp = make_testapp(**{"touchline.max_body_size": "100"})
    body = b"team=Foxes&level=U11"
    response = send(testapp, "/_probe/form", body, status=200, **CHUNKED)
    assert response.json["POST"] == {"team": "Foxes", "level": "U11"}


def test_chunked_body_without_retries(make_testapp):
    testapp = make_testapp(**{"touchline.max_body_size": "100", "retry.attempts": "1"})
    body = b"team=Foxes"
    assert send(testapp, "/_probe/form", body, **CHUNKED).json["POST"] == {"team": "Foxes"}
    body = b"team=" + b"x" * 100
    send(testapp, "/_probe/form", body, status=413, **CHUNKED)


# Malformed input: 400, never 500


@pytest.mark.parametrize("path", ["/teams/%ff", "/teams/%ff%fe", "/caf%e9", "/teams/%ff.json"])
def test_undecodable_path_is_400(hardened, path):
    response = hardened.get(path, status=400)
    assert_security_headers(response)


def test_undecodable_query_string(hardened):
    # A list reads its page number from the query string: a clean 400, not a 500.
    assert_security_headers(hardened.get("/teams?q=%ff", status=400))
    response = hardened.get("/_probe/form?q=%ff", status=400)
    assert_security_headers(response)
    hardened.get("/_probe/form?%ff=1", status=400)


def test_undecodable_form_is_read_with_replacement_characters(hardened):
    hardened.post("/_writer/ok", b"name=%ff%fe", content_type=FORM, status=200)
    response = hardened.post("/_probe/form", b"name=%ff&other=\xff", content_type=FORM, status=200)
    assert response.json["POST"] == {"name": "\ufffd", "other": "\ufffd"}


MULTIPART = "multipart/form-data; boundary=XX"
PART = b'--XX\r\nContent-Disposition: form-data; name="name"\r\n'


def test_truncated_multipart_is_not_a_500(hardened):
    body = PART + b"\r\nFox"
    send(hardened, "/_writer/ok", body, MULTIPART, status=200)
    response = send(hardened, "/_probe/form", body, MULTIPART, status=200)
    assert response.json["POST"] == {"name": "Fox"}


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("multipart/form-data", PART + b"\r\nFox\r\n--XX--\r\n"),
        ('multipart/form-data; boundary="XX "', PART + b"\r\nFox\r\n--XX--\r\n"),
        ("multipart/form-data; boundary=" + "X" * 300, b"--XX--\r\n"),
        (MULTIPART, PART + b"Content-Type: multipart/mixed\r\n\r\nFox\r\n--XX--\r\n"),
        (MULTIPART, PART + b"Content-Type: text/plain; charset=klingon\r\n\r\nFox\r\n--XX--\r\n"),
        (FORM + "; charset=latin-1", b"name=Fran\xe7ois"),
    ],
    ids=["no-boundary", "bad-boundary", "long-boundary", "nested-no-boundary", "part-charset", "form-charset"],
)
@pytest.mark.parametrize("path", ["/_probe/form", "/_probe/csrf/form", "/_writer/ok", "/no/such/page"])
def test_unparseable_form_is_400(hardened, content_type, body, path):
    response = send(hardened, path, body, content_type, status=400)
    assert "form data" in response.html.main.text
    assert_security_headers(response)


@pytest.mark.parametrize(
    "header, value", [("HTTP_REFERER", "https://[::1/form"), ("HTTP_ORIGIN", "https://[club.example")]
)
def test_unparseable_origin_or_referer_is_400(hardened, header, value):
    # Pyramid's CSRF origin check, on HTTPS, would fail on it with a 500.
    extra = {header: value, "wsgi.url_scheme": "https", "HTTP_HOST": "localhost:443"}
    response = send(hardened, "/_probe/csrf/form", b"name=Fox", status=400, **extra)
    assert "Origin or Referer" in response.html.main.text
    hardened.get("/teams", headers={"Referer": value}, status=200)


def test_unparseable_form_in_json(hardened):
    response = send(hardened, "/_probe/form.json", b"x", "multipart/form-data", status=400)
    assert response.json["error"]["title"] == "Bad request"


# Security headers


def test_security_headers_on_a_page(hardened):
    assert_security_headers(hardened.get("/teams", status=200))
    assert_security_headers(hardened.get("/teams.json", status=200))


def test_security_headers_on_404(hardened):
    assert_security_headers(hardened.get("/no/such/page", status=404))
    assert_security_headers(hardened.get("/no/such/page.json", status=404))


def test_security_headers_on_static_files(hardened):
    response = hardened.get("/static/css/touchline.css", status=200)
    assert response.content_type == "text/css"
    assert_security_headers(response)


def test_security_headers_on_500(hardened):
    response = hardened.post("/_writer/raise-error", status=500)
    assert "Something went wrong" in response.text
    assert_security_headers(response)


def test_security_headers_on_405(hardened):
    assert_security_headers(hardened.get("/_writer/ok", status=405))


def test_hsts_only_when_enabled(hardened, make_testapp):
    assert "Strict-Transport-Security" not in hardened.get("/", status=200).headers
    testapp = make_testapp(**{"touchline.hsts": "true"})
    for response in (
        testapp.get("/", status=200),
        testapp.get("/no/such/page", status=404),
        testapp.get("/", headers={"Host": "evil.example"}, status=400),
    ):
        assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
        assert_security_headers(response, hsts=True)


def test_headers_from_settings(make_testapp):
    testapp = make_testapp(
        **{
            "touchline.csp": "default-src 'self';\n  img-src 'self' https://maps.example",
            "touchline.referrer_policy": "no-referrer",
            "touchline.x_frame_options": "",
        }
    )
    headers = testapp.get("/", status=200).headers
    assert headers["Content-Security-Policy"] == "default-src 'self'; img-src 'self' https://maps.example"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_views_own_headers_are_kept_but_not_server(hardened):
    headers = hardened.get("/_probe/own-headers", status=200).headers
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Server" not in headers
    assert headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


# Cache-Control: no-store on private responses


@pytest.mark.parametrize("name", ["set-cookie", "late-cookie", "private"])
def test_private_responses_are_not_stored(hardened, name):
    response = hardened.get(f"/_probe/{name}", status=200)
    assert response.headers["Cache-Control"] == "no-store"


def test_public_responses_are_left_alone(hardened):
    response = hardened.get("/_probe/public", status=200)
    assert "Cache-Control" not in response.headers
    assert "Set-Cookie" not in response.headers


# Configuration


def test_including_twice_is_harmless(hardened_app):
    application = hardened_app(**{"pyramid.includes": "touchline.hardening touchline.hardening"})
    tweens = [name for name, _ in application.registry.queryUtility(ITweens).implicit()]
    assert tweens.count("touchline.hardening.hardening_tween_factory") == 1
    assert tweens[0] == "touchline.hardening.hardening_tween_factory"


def test_settings_are_coerced_at_start_up():
    coerced = Hardening(
        {"touchline.max_body_size": "2048", "touchline.hsts": "yes", "touchline.hsts_max_age": "60"},
        environ={},
    )
    assert coerced.max_body_size == 2048
    assert dict(coerced.headers.all)["Strict-Transport-Security"] == (
        "max-age=60; includeSubDomains"
    )
    with pytest.raises(ValueError):
        Hardening({"touchline.max_body_size": "a lot"}, environ={})
