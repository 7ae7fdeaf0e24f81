"""``touchline_check``: the deploy check fails on what is missing or unsafe, and passes a complete site."""
import configparser
import io
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_script
from touchline.check import main

ROOT = Path(__file__).resolve().parent.parent

COMPLETE_ENVIRONMENT = {
    "TOUCHLINE_DATABASE_URL": "postgresql+psycopg://touchline@db.internal/touchline",
    "TOUCHLINE_BASE_URL": "https://club.example.net",
    "TOUCHLINE_ALLOWED_HOSTS": "club.example.net",
}


@pytest.fixture
def production_ini(tmp_path):
    """A copy of production.ini with the club's own sender, as a site would have it."""
    path = tmp_path / "production.ini"
    shutil.copy(ROOT / "production.ini", path)
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    parser["app:main"]["mail.default_sender"] = "website@riverside-rovers.net"
    with path.open("w") as handle:
        parser.write(handle)
    os.chmod(path, 0o640)
    return path


def check(ini, environ, *args):
    out = io.StringIO()
    status = main(["touchline_check", str(ini), *args], environ=environ, out=out)
    return status, out.getvalue()


def test_production_ini_with_an_empty_environment_fails_and_names_each_missing_setting():
    status, report = check(ROOT / "production.ini", {})
    assert status == 1
    assert "FAIL database: no database URL" in report
    assert "Fix: set TOUCHLINE_DATABASE_URL=" in report
    assert "FAIL base URL: no public URL" in report
    assert "FAIL allowed hosts: only localhost is allowed" in report
    assert "FAIL mail: mail.default_sender is touchline@club.example.org" in report


def test_a_complete_site_passes(production_ini):
    status, report = check(production_ini, COMPLETE_ENVIRONMENT, "--processes", "3")
    assert status == 0, report
    assert "every production check passes" in report


@pytest.mark.parametrize("change, expected", [
    ({"touchline.session.secure": "false"}, "FAIL cookies: the session cookie may be sent over plain HTTP"),
    ({"touchline.hsts": "false"}, "FAIL HSTS"),
    ({"touchline.ratelimit.storage_url": "memory://"}, "FAIL rate limits: login limits count in each of 3"),
    ({"pyramid.includes": "pyramid_debugtoolbar"}, "FAIL debug toolbar"),
    ({"pyramid.reload_templates": "true"}, "FAIL debug: pyramid.reload_templates is on"),
    ({"touchline.trusted_proxies": ""}, "FAIL trusted proxies: no trusted proxy"),
    ({"touchline.trusted_proxies": "0.0.0.0/0"}, "FAIL trusted proxies: every address"),
    ({"touchline.mailer": "memory"}, "FAIL mail: touchline.mailer = memory"),
    ({"touchline.demo_data": "true"}, "FAIL demo data"),
    ({"touchline.argon2.memory_cost": "19456"}, "FAIL passwords"),
])
def test_each_unsafe_setting_is_reported_with_its_fix(production_ini, change, expected):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(production_ini)
    parser["app:main"].update(change)
    with production_ini.open("w") as handle:
        parser.write(handle)
    status, report = check(production_ini, COMPLETE_ENVIRONMENT, "--processes", "3")
    assert status == 1
    assert expected in report
    assert "Fix: " in report


@pytest.mark.parametrize("environ, expected", [
    ({"TOUCHLINE_BASE_URL": "http://club.example.net"}, "FAIL base URL: http://club.example.net is not HTTPS"),
    ({"TOUCHLINE_ALLOWED_HOSTS": "*"}, "FAIL allowed hosts: every Host header is answered"),
    ({"TOUCHLINE_ALLOWED_HOSTS": "other.example.net"}, "FAIL allowed hosts: the base URL's host"),
    ({"TOUCHLINE_DATABASE_URL": "sqlite:////srv/touchline/site.sqlite"}, "FAIL database: the database is an SQLite"),
])
def test_unsafe_environment_values_are_reported(production_ini, environ, expected):
    status, report = check(production_ini, {**COMPLETE_ENVIRONMENT, **environ})
    assert status == 1 and expected in report


def test_a_database_password_in_a_world_readable_ini_is_reported(production_ini):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(production_ini)
    parser["app:main"]["sqlalchemy.url"] = "postgresql+psycopg://touchline:s3cret@db.internal/touchline"
    with production_ini.open("w") as handle:
        parser.write(handle)
    environ = {k: v for k, v in COMPLETE_ENVIRONMENT.items() if k != "TOUCHLINE_DATABASE_URL"}
    os.chmod(production_ini, 0o644)
    assert "FAIL secrets: the database password is in an ini file anyone" in check(production_ini, environ)[1]
    os.chmod(production_ini, 0o640)
    assert check(production_ini, environ)[0] == 0


def test_the_console_script_exits_non_zero_on_failure():
    result = run_script("touchline_check", str(ROOT / "production.ini"),
                        env={"TOUCHLINE_BASE_URL": "", "TOUCHLINE_ALLOWED_HOSTS": ""})
    assert result.returncode == 1
    assert "FAIL base URL" in result.stdout


def test_production_start_up_refuses_to_run_without_a_base_url(app_settings):
    from pyramid.exceptions import ConfigurationError

    from touchline.testing import make_app

    with pytest.raises(ConfigurationError, match="No public URL"):
        make_app(app_settings, **{"touchline.base_url": ""})
