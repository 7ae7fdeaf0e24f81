"""Fixtures for the browser tests: a real Touchline site served by waitress,
driven by the system Chromium through Playwright (sync API).

The site is built once per module on a temporary SQLite file, migrated and
filled with the demo data by the installed ``initialize_touchline_db``
script, exactly as a developer's first run does.  Only the ``app_settings``
and ``ini_file`` fixtures are used, which are not parametrized by database
backend, so each browser test runs once.

Playwright's own browser download does not work here: the tests drive
``/usr/bin/chromium``.  When it is missing they are skipped, except under CI
(the environment variable ``CI`` set), where a missing browser is a failure
(see ``test_teams.py`` for the skip).
"""
import configparser
import os
import threading
from urllib.parse import urlsplit

import pytest

from tests.conftest import run_script
from touchline.testing import make_app

CHROMIUM = os.environ.get("TOUCHLINE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Environment variables that would override the settings the site is built with.
OVERRIDING_ENVIRON = ("TOUCHLINE_DATABASE_URL", "TOUCHLINE_ALLOWED_HOSTS")


def under_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _site_settings(app_settings, database_url, uploads):
    settings = dict(app_settings)
    settings.update(
        {
            "sqlalchemy.url": database_url,
            # The demo data's images, written by the script, served by the site.
            "touchline.uploads.path": str(uploads),
            "touchline.demo_data": "true",
            "touchline.allowed_hosts": "127.0.0.1 localhost",
        }
    )
    return settings


def _write_ini(ini_file, path, settings):
    """A copy of the test ini whose [app:main] carries ``settings``' overrides."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini_file)
    for key in ("sqlalchemy.url", "touchline.demo_data", "touchline.allowed_hosts", "touchline.uploads.path"):
        parser["app:main"][key] = settings[key]
    with open(path, "w") as handle:
        parser.write(handle)
    return str(path)


@pytest.fixture(scope="module")
def live_site(app_settings, ini_file, tmp_path_factory):
    """The base URL of a real Touchline site with the demo data, on a free port."""
    import waitress

    directory = tmp_path_factory.mktemp("browser-site")
    settings = _site_settings(app_settings, f"sqlite:///{directory}/touchline.sqlite", directory / "uploads")
    ini = _write_ini(ini_file, directory / "site.ini", settings)
    result = run_script("initialize_touchline_db", ini)
    assert result.returncode == 0, result.stderr

    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in OVERRIDING_ENVIRON:
            monkeypatch.delenv(name, raising=False)
        app = make_app(settings)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="touchline-live-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
        app.registry["touchline.engine"].dispose()


@pytest.fixture(scope="session")
def chromium():
    """The system Chromium, headless, through Playwright."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"CI is set but there is no Chromium at {CHROMIUM}: the browser tests cannot run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleProblems:
    """Console errors, uncaught page errors and CSP violations seen by a page."""

    def __init__(self):
        self.problems = []
        self.expected_failures = set()

    def expect_failure(self, url):
        """A response from ``url`` with an error status is intended: not a problem."""
        self.expected_failures.add(url)

    def on_console(self, message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and (
            url in self.expected_failures or urlsplit(url).path == "/favicon.ico"
        ):
            # The browser asks for /favicon.ico by itself, whatever the page says;
            # the site has none, and that 404 is no error of the page's.
            return
        self.problems.append(f"console error at {url}: {message.text}")

    def on_page_error(self, error):
        self.problems.append(f"page error: {error}")


# Chromium reports CSP violations as console errors; this listener also catches
# report-only ones and names the directive, to make a failure easy to read.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                + ` on ${event.documentURI}`);
});
"""


@pytest.fixture
def browser_page(chromium, live_site):
    """A fresh page (its own cookies) on the live site; ``page.console_problems`` collects errors."""
    context = chromium.new_context(base_url=live_site)
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    problems = ConsoleProblems()
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    page.console_problems = problems
    yield page
    context.close()
