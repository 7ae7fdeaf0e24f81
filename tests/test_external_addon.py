"""A third party's add-on: ``examples/touchline_sponsors``, installed and enabled on a live site.

The promise under test (DESIGN.md, "Add-ons are independent"): an add-on
installed by pip and named in the ini gets its routes, templates, models,
migrations, navigation entry, home-page panel and pshell variable without
any edit to Touchline, on a database that already exists.

The example is installed into a folder of its own (never into the running
virtualenv, and without network), and every command that needs it runs in
a subprocess with that folder on ``PYTHONPATH``: this suite neither needs
nor sees the add-on otherwise.
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from tests.conftest import run_script
from touchline.testing import _postgresql_database

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "touchline_sponsors"
DEMO_SPONSORS = 5

#: Builds the site's app from an ini in a subprocess and reports what a visitor sees.
PROBE = """
import json, sys
from pyramid.paster import get_app
from webtest import TestApp
import touchline_sponsors

client = TestApp(get_app(sys.argv[1]), extra_environ={"HTTP_HOST": "localhost"})
print(json.dumps({
    "module": touchline_sponsors.__file__,
    "home": client.get("/").text,
    "sponsors": client.get("/sponsors").text,
    "sponsors_json": client.get("/sponsors.json").json,
    "teams_status": client.get("/teams").status_int,
}))
"""


def _builds_wheels_offline():
    """Whether pip can build the example with the venv's own setuptools (no build isolation)."""
    import setuptools

    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    # setuptools 70.1 ships bdist_wheel itself; before it, the wheel package must be there.
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def install_example(source, target):
    """Install the distribution at ``source`` into the folder ``target``, offline.

    pip when the venv can build wheels without downloading anything;
    otherwise setuptools' own install command, which needs nothing more
    (a fresh Python 3.11 venv has setuptools but no ``wheel``).
    """
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    if _builds_wheels_offline():
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                   "--no-build-isolation", "--no-index", "--target", str(target), str(source)]
    else:
        command = [sys.executable, "setup.py", "--quiet", "install",
                   "--single-version-externally-managed", "--record", str(target.parent / "record.txt"),
                   "--install-lib", str(target), "--install-scripts", str(target.parent / "bin")]
    result = subprocess.run(command, cwd=source, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def addon_path(tmp_path_factory):
    """A folder holding the installed example add-on, to put on ``PYTHONPATH``."""
    base = tmp_path_factory.mktemp("external_addon")
    source = base / "touchline_sponsors"
    # A copy: building writes into the source tree, and the checkout stays clean.
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", "var", ".pytest_cache"))
    site = base / "site"
    install_example(source, site)
    assert (site / "touchline_sponsors" / "templates" / "sponsors_panel.jinja2").is_file()
    assert (site / "touchline_sponsors" / "migrations" / "versions").is_dir()
    return site


def with_addon(addon_path):
    return {"PYTHONPATH": str(addon_path)}


@pytest.fixture(params=["sqlite", "postgresql"])
def site_database(request, tmp_path):
    """An empty database of this test's own (not the session's), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/existing-site.sqlite"
        return
    server_url = request.config.getoption("postgresql_url")
    if server_url.lower() == "none":
        pytest.skip("PostgreSQL tests switched off with --postgresql-url=none")
    yield from _postgresql_database(server_url)


def count_rows(url, table):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(table):
                return None
            return connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar()
    finally:
        engine.dispose()


def test_enabling_the_addon_on_an_existing_site(addon_path, site_database, make_ini, app_settings, tmp_path):
    settings = {"sqlalchemy.url": site_database, "touchline.demo_data": "true",
                "touchline.uploads.path": str(tmp_path / "uploads")}
    # A site running for a while: Touchline's own add-ons, demo data, no sponsors.
    site_ini = make_ini("site.ini", **settings)
    result = run_script("initialize_touchline_db", site_ini)
    assert result.returncode == 0, result.stderr
    teams = count_rows(site_database, "teams")
    assert teams >= 12
    assert count_rows(site_database, "sponsors") is None

    # The owner names the add-on in the ini and migrates: only the new branch runs.
    addons = app_settings["touchline.addons"] + "\ntouchline_sponsors"
    site_ini = make_ini("site.ini", **settings, **{"touchline.addons": addons})
    result = run_script("alembic", "-c", site_ini, "upgrade", "heads", env=with_addon(addon_path))
    assert result.returncode == 0, result.stderr
    assert count_rows(site_database, "sponsors") == 0
    assert count_rows(site_database, "teams") == teams
    current = run_script("alembic", "-c", site_ini, "current", env=with_addon(addon_path))
    assert "sponsors_0001 (head)" in current.stdout, current.stdout + current.stderr

    # Demo data again: the add-on's populator fills its empty table, the rest is left alone.
    result = run_script("initialize_touchline_db", site_ini, env=with_addon(addon_path))
    assert result.returncode == 0, result.stderr
    assert count_rows(site_database, "sponsors") == DEMO_SPONSORS
    assert count_rows(site_database, "teams") == teams

    # What a visitor sees: the page, the navigation entry, the home-page panel.
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, site_ini], capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if k != "TOUCHLINE_DATABASE_URL"},
             **with_addon(addon_path)},
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert Path(seen["module"]).is_relative_to(addon_path)  # the installed copy, not a checkout
    assert seen["teams_status"] == 200
    home = BeautifulSoup(seen["home"], "html.parser")
    nav = home.find("nav", attrs={"aria-label": "Main"})
    assert nav.find("a", string="Sponsors")["href"] == "/sponsors"
    panel = home.find("section", attrs={"aria-labelledby": "panel-sponsors"})
    assert panel.h2.text == "Our sponsors"
    assert len(panel.select("a[rel~=sponsored]")) == DEMO_SPONSORS
    page = BeautifulSoup(seen["sponsors"], "html.parser")
    assert page.h1.text == "Sponsors"
    names = [sponsor["name"] for sponsor in seen["sponsors_json"]["sponsors"]]
    assert len(names) == DEMO_SPONSORS and names[0] == "Riverside Bakery"  # gold first
    assert all(sponsor["logo"] for sponsor in seen["sponsors_json"]["sponsors"])


def test_the_addons_own_suite_passes_on_touchlines_plugin(addon_path, request):
    """The add-on's tests, run as its author would, with Touchline's fixtures from the plugin."""
    env = {**os.environ, **with_addon(addon_path), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("TOUCHLINE_TEST_INI", None)  # the add-on's conftest names its own ini
    env.pop("TOUCHLINE_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLE / "tests"),
         "-c", str(EXAMPLE / "setup.cfg"), "--rootdir", str(EXAMPLE),
         "-p", "no:cacheprovider", "-q", "-n", "2",
         "--postgresql-url", request.config.getoption("postgresql_url")],
        cwd=EXAMPLE.parent.parent, capture_output=True, text=True, env=env, timeout=900,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
