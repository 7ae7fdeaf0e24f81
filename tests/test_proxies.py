"""Who the client is behind a proxy: forwarded headers believed from trusted proxies only."""
import ipaddress
import logging

import pytest
from pyramid.exceptions import ConfigurationError
from webtest import TestApp

from touchline.proxies import TrustedProxies
from touchline.ratelimit import LOGIN, IThrottle
from touchline.testing import HOST, PASSWORD, csrf_token_of, make_app, service

PROXY = "127.0.0.1"


@pytest.mark.parametrize(
    "setting, address, trusted",
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "127.0.0.2", False),
        ("10.0.0.0/8 ::1", "10.20.30.40", True),
        ("10.0.0.0/8 ::1", "::1", True),
        ("10.0.0.0/8 ::1", "11.0.0.1", False),
        ("127.0.0.1", "::ffff:127.0.0.1", True),
        ("127.0.0.1", "not an address", False),
        ("", "127.0.0.1", False),
    ],
)
def test_trusted_proxies_are_addresses_and_networks(setting, address, trusted):
    proxies = TrustedProxies.from_settings({"touchline.trusted_proxies": setting}, environ={})
    assert proxies.trusts(address) is trusted


def test_the_environment_replaces_the_setting():
    proxies = TrustedProxies.from_settings(
        {"touchline.trusted_proxies": "127.0.0.1"}, environ={"TOUCHLINE_TRUSTED_PROXIES": "192.0.2.0/24"}
    )
    assert proxies.networks == (ipaddress.ip_network("192.0.2.0/24"),)


@pytest.mark.parametrize("setting", ["localhost", "10.0.0.0/33", "1.2.3"])
def test_a_proxy_that_is_not_an_address_stops_start_up(setting):
    with pytest.raises(ConfigurationError, match="not an IP address"):
        TrustedProxies.from_settings({"touchline.trusted_proxies": setting}, environ={})


@pytest.fixture
def proxied_app(app, app_settings, database_url, monkeypatch):
    """The site, trusting a proxy on 127.0.0.1, on the test session's (migrated) database."""
    monkeypatch.delenv("TOUCHLINE_TRUSTED_PROXIES", raising=False)
    app = make_app(app_settings, **{"sqlalchemy.url": database_url,
                                    "touchline.trusted_proxies": PROXY,
                                    "touchline.login.max_failures": "10"})
    service(app, IThrottle, LOGIN).reset()
    yield app
    service(app, IThrottle, LOGIN).reset()
    app.registry["touchline.engine"].dispose()


def through_proxy(app, client, **headers):
    """A browser at ``client`` whose requests reach the app through the proxy."""
    return TestApp(app, extra_environ={
        "HTTP_HOST": HOST, "REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client,
        "HTTP_X_FORWARDED_PROTO": "https", "HTTP_ORIGIN": "https://localhost", **headers,
    })


def directly(app, client, **headers):
    return TestApp(app, extra_environ={"HTTP_HOST": HOST, "REMOTE_ADDR": client, **headers})


def fail_login(browser, username):
    page = browser.get("/login")
    return browser.post("/login", {"csrf_token": csrf_token_of(page), "username": username,
                                   "password": "wrong password"}, expect_errors=True)


def test_the_client_address_and_scheme_come_from_the_trusted_proxy(proxied_app, make_committed_user, caplog):
    make_committed_user("casey", "coach")
    browser = through_proxy(proxied_app, "203.0.113.9")
    with caplog.at_level(logging.INFO, logger="touchline.security"):
        assert fail_login(browser, "casey").status_int == 400
        page = browser.get("/login")
        response = browser.post("/login", {"csrf_token": csrf_token_of(page), "username": "casey",
                                           "password": PASSWORD})
    assert "login-failed user=casey client=203.0.113.9" in caplog.text
    assert "login user=casey client=203.0.113.9" in caplog.text
    # The scheme is the proxy's: the redirect after login is https.
    assert response.status_int == 303 and response.location == "https://localhost/"


def test_forwarded_headers_from_anyone_else_are_ignored(proxied_app, caplog):
    browser = directly(proxied_app, "198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9",
                       HTTP_X_FORWARDED_PROTO="https")
    with caplog.at_level(logging.INFO, logger="touchline.security"):
        fail_login(browser, "casey")
    assert "client=198.51.100.7" in caplog.text
    assert "203.0.113.9" not in caplog.text


def test_only_the_address_the_proxy_added_counts(proxied_app, caplog):
    # The client sent its own X-Forwarded-For; nginx appended the real address.
    browser = through_proxy(proxied_app, "1.2.3.4, 203.0.113.9")
    with caplog.at_level(logging.INFO, logger="touchline.security"):
        fail_login(browser, "casey")
    assert "client=203.0.113.9" in caplog.text


def test_a_malformed_forwarded_header_from_the_proxy_is_a_400(proxied_app):
    browser = through_proxy(proxied_app, "203.0.113.9", HTTP_X_FORWARDED_PROTO="gopher")
    response = browser.get("/teams", status=400)
    assert "forwarding headers" in response.text
    assert response.headers["X-Frame-Options"] == "DENY"


def test_behind_the_proxy_eleven_failures_lock_that_client_and_that_account_only(
    proxied_app, make_committed_user
):
    make_committed_user("casey", "coach")
    make_committed_user("sam", "member")
    attacker = through_proxy(proxied_app, "203.0.113.66")
    for _ in range(10):
        assert fail_login(attacker, "casey").status_int == 400
    assert fail_login(attacker, "casey").status_int == 429
    # The attacker's address is locked, whatever account it tries...
    assert fail_login(attacker, "sam").status_int == 429
    # ...and so is the account, from anywhere, even with the right password...
    elsewhere = through_proxy(proxied_app, "198.51.100.1")
    page = elsewhere.get("/login")
    locked = elsewhere.post("/login", {"csrf_token": csrf_token_of(page), "username": "casey",
                                       "password": PASSWORD},
                            status=429)
    assert int(locked.headers["Retry-After"]) > 0
    # ...but another client logs in to another account.
    page = elsewhere.get("/login")
    elsewhere.post("/login", {"csrf_token": csrf_token_of(page), "username": "sam", "password": PASSWORD},
                   status=303)


def test_a_client_cannot_rotate_its_own_forwarded_for_past_the_limit(proxied_app):
    for n in range(10):
        assert fail_login(directly(proxied_app, "198.51.100.5", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}"),
                          f"user{n}").status_int == 400
    locked = fail_login(directly(proxied_app, "198.51.100.5", HTTP_X_FORWARDED_FOR="10.9.8.200"), "user99")
    assert locked.status_int == 429
    assert int(locked.headers["Retry-After"]) > 0
