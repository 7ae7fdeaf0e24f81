"""The add-on API: composing the site from the add-ons named in the ini."""

import pytest
from pyramid.exceptions import ConfigurationConflictError, ConfigurationError
from webtest import TestApp

from touchline.addons import parse_addons
from touchline.testing import HOST, make_app, migrate

#: Every first-party add-on, with a page of its own that must answer when enabled.
FIRST_PARTY = {
    "touchline.teams": ["/teams", "/teams.json"],
}


def subsets():
    names = sorted(FIRST_PARTY)
    yield ()
    for name in names:
        yield (name,)
    if len(names) > 1:
        yield tuple(names)


@pytest.mark.parametrize("addons", list(subsets()), ids=lambda a: "+".join(a) or "none")
def test_site_starts_and_serves_with_each_subset(app_settings, ini_file, tmp_path, addons):
    settings = dict(
        app_settings,
        **{"sqlalchemy.url": f"sqlite:///{tmp_path}/site.sqlite", "touchline.addons": " ".join(addons)},
    )
    app = make_app(settings)
    migrate(ini_file, app.registry)
    testapp = TestApp(app, extra_environ={"HTTP_HOST": HOST})
    home = testapp.get("/")
    assert home.html.find("nav", attrs={"aria-label": "Main"}) is not None
    assert testapp.get("/healthz").json == {"status": "ok"}
    assert testapp.get("/readyz").json["status"] == "ok"
    for name, paths in FIRST_PARTY.items():
        for path in paths:
            testapp.get(path, status=200 if name in addons else 404)
    if "touchline.teams" in addons:
        assert "Youngest teams" in home.text
        assert "No teams are available." in home.text
        assert [a.text for a in home.html.nav.find_all("a")] == ["Teams"]
    else:
        assert "Youngest teams" not in home.text
        assert testapp.get("/.json").json == {"panels": []}
    app.registry["touchline.engine"].dispose()


def test_addon_mounted_under_a_prefix(app_settings, testapp, tm, dbsession, make_team):
    from touchline.database import DBSESSION_ENVIRON_KEY

    settings = dict(app_settings, **{"touchline.addons": "touchline.teams:/club/"})
    settings["sqlalchemy.url"] = str(dbsession.bind.engine.url.render_as_string(hide_password=False))
    app = make_app(settings)
    prefixed = TestApp(
        app,
        extra_environ={"HTTP_HOST": HOST, "tm.active": True, "tm.manager": tm, DBSESSION_ENVIRON_KEY: dbsession},
    )
    team = make_team("Under 9 Otters")
    page = prefixed.get("/club/teams")
    assert f'href="/club/teams/{team.id}"' in page.text
    assert 'href="/club/teams"' in page.text  # the navigation follows the prefix
    prefixed.get(f"/club/teams/{team.id}.json", status=200)
    prefixed.get("/teams", status=404)
    app.registry["touchline.engine"].dispose()


def test_parse_addons():
    assert parse_addons("a.b\n  c:/shop/  d") == [("a.b", None), ("c", "/shop"), ("d", None)]
    assert parse_addons("") == []
    with pytest.raises(ConfigurationError):
        parse_addons("shop:catalogs")


@pytest.mark.parametrize(
    "first, second",
    [("first", "second"), ("pshell_first", "pshell_second"),
     ("populator_first", "populator_second"), ("migrations_first", "migrations_second")],
)
def test_two_addons_claiming_the_same_name_conflict(app_settings, first, second):
    addons = f"tests.support.clash.{first} tests.support.clash.{second}"
    with pytest.raises(ConfigurationConflictError):
        make_app(app_settings, **{"touchline.addons": addons, "sqlalchemy.url": "sqlite://"})


def test_unknown_addon_stops_the_site(app_settings):
    with pytest.raises(ImportError):
        make_app(app_settings, **{"touchline.addons": "touchline_no_such_addon", "sqlalchemy.url": "sqlite://"})


def test_core_never_imports_an_addon():
    """No core module imports an add-on package (the add-ons import the core)."""
    import ast
    import pathlib

    import touchline

    root = pathlib.Path(touchline.__file__).parent
    addons = {path.parent.name for path in root.glob("*/__init__.py") if (path.parent / "routes.py").exists()}
    assert "teams" in addons
    for path in root.rglob("*.py"):
        if path.relative_to(root).parts[0] in addons:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.lstrip(".").split(".")
                imported = parts[1] if parts[0] == "touchline" and len(parts) > 1 else parts[0]
                if name.startswith(".") or parts[0] == "touchline":
                    assert imported not in addons, (path, name)


def test_navigation_and_panels_follow_their_order(app_settings):
    from touchline.addons import NavigationEntry

    app = make_app(app_settings, **{"sqlalchemy.url": "sqlite://"})
    entries = app.registry["touchline.navigation"]
    assert entries == sorted(entries)
    assert all(isinstance(entry, NavigationEntry) for entry in entries)
    app.registry["touchline.engine"].dispose()
