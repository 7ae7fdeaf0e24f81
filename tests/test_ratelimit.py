"""Login rate limits, counted in memory or, shared by every app process, in Redis."""
import os
import uuid

import pytest
from webtest import TestApp

from touchline.ratelimit import Counters, LoginThrottle

REDIS_URL = os.environ.get("TOUCHLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_throttle_counts_per_account_and_per_client():
    from limits.storage import storage_from_string

    throttle = LoginThrottle(Counters(storage_from_string("memory://")), max_failures=3, window=300)
    for _ in range(3):
        assert throttle.retry_after("casey", "10.0.0.1") is None
        throttle.failed("casey", "10.0.0.1")
    assert 0 < throttle.retry_after("casey", "10.0.0.9") <= 301  # the account is locked
    assert 0 < throttle.retry_after("sam", "10.0.0.1") <= 301  # so is the address
    assert throttle.retry_after("sam", "10.0.0.2") is None


@pytest.fixture
def redis_settings(app_settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return {"touchline.ratelimit.storage_url": REDIS_URL}


def test_two_app_processes_share_the_counters_through_redis(
    app_settings, redis_settings, testapp, dbsession, make_user, login
):
    from touchline.database import DBSESSION_ENVIRON_KEY
    from touchline.testing import make_app

    # Its own account and client address: the same Redis may serve other tests at once.
    username = f"casey{uuid.uuid4().hex[:8]}"
    client = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
    make_user(username, "coach")
    url = dbsession.bind.engine.url.render_as_string(hide_password=False)
    apps = [make_app(app_settings, **redis_settings, **{"sqlalchemy.url": url}) for _ in range(2)]
    try:
        environ = {**testapp.extra_environ, "REMOTE_ADDR": client}
        first, second = (TestApp(a, extra_environ=environ) for a in apps)
        for _ in range(5):
            login(first, username, "wrong password", status=400)
            login(second, username, "wrong password", status=400)
        response = login(second, username, status=429)
        assert int(response.headers["Retry-After"]) > 0
    finally:
        for a in apps:
            a.registry["touchline.engine"].dispose()
    assert DBSESSION_ENVIRON_KEY in testapp.extra_environ


def test_an_add_on_can_put_in_its_own_login_throttle(app_settings, database_url, committing_testapp,
                                                      make_committed_user):
    """The throttles are services: the add-on's, registered after the core's, is the one used."""
    from webtest import TestApp

    from touchline.testing import HOST, PASSWORD, csrf_token_of, make_app

    make_committed_user("casey", "coach")
    app = make_app(app_settings, **{
        "sqlalchemy.url": database_url,
        "touchline.addons": app_settings["touchline.addons"] + "\ntests.support.closed_logins",
    })
    try:
        client = TestApp(app, extra_environ={"HTTP_HOST": HOST})
        token = csrf_token_of(client.get("/login"))
        response = client.post("/login", {"username": "casey", "password": PASSWORD, "csrf_token": token},
                               status=429)
        assert response.headers["Retry-After"] == "60"
        assert "Too many failed attempts" in response.text
    finally:
        app.registry["touchline.engine"].dispose()
