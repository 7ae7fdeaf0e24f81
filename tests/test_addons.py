"""The add-on API: composing the site from the add-ons named in the ini."""

import pytest
from pyramid.exceptions import ConfigurationConflictError, ConfigurationError
from webtest import TestApp

from touchline.addons import parse_addons
from touchline.testing import HOST, make_app, migrate

#: Every first-party add-on as it is named in the ini, with pages of its own and
#: the status an anonymous visitor gets from each when the add-on is enabled
#: (404 when it is not).
FIRST_PARTY = {
    "touchline.accounts": {"/login": 200, "/login.json": 200},
    "touchline.teams": {"/teams": 200, "/teams.json": 200},
    # Rosters are for logged-in members only: a login redirect, or 401 for the API.
    "touchline.rosters": {"/rosters": 303, "/rosters.json": 401},
    "touchline.fixtures": {"/fixtures": 200, "/fixtures.json": 200, "/fixtures/results.xml": 200},
    "touchline.news": {"/news": 200, "/news.json": 200, "/news/feed.atom": 200},
    "touchline.catalog:/catalogs": {"/catalogs/": 200, "/catalogs/products.json": 200},
}

#: What each add-on needs enabled with it ("alone" means with these).
REQUIRES = {
    "touchline.rosters": ("touchline.teams",),
    "touchline.fixtures": ("touchline.teams",),
}

#: Each add-on's home-page panel and public navigation entry, if it has them.
PANELS = {"touchline.teams": "Youngest teams", "touchline.fixtures": "Next fixtures",
          "touchline.news": "Latest news"}
NAVIGATION = {"touchline.teams": "Teams", "touchline.fixtures": "Fixtures",
              "touchline.news": "News", "touchline.catalog:/catalogs": "Shop"}


def subsets():
    """No add-on, each first-party add-on alone (with what it requires), and all of them."""
    names = list(FIRST_PARTY)
    yield ()
    for name in names:
        yield (*REQUIRES.get(name, ()), name)
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
    for name, pages in FIRST_PARTY.items():
        for path, status in pages.items():
            if status == 303 and "touchline.accounts" not in addons:
                status = 401  # no login form to send a browser to
            testapp.get(path, status=status if name in addons else 404)
    for name, title in PANELS.items():
        assert (title in home.text) == (name in addons), (name, title)
    nav = [a.text for a in home.html.find("nav", attrs={"aria-label": "Main"}).find_all("a")]
    assert nav == [title for name, title in NAVIGATION.items() if name in addons]
    if not set(addons) & set(PANELS):
        assert testapp.get("/.json").json == {"panels": []}
    app.registry["touchline.engine"].dispose()


@pytest.mark.parametrize("addon", sorted(REQUIRES))
def test_an_addon_without_what_it_needs_stops_the_site_with_a_clear_message(app_settings, addon):
    with pytest.raises(ConfigurationError, match=f"{addon} needs touchline.teams"):
        make_app(app_settings, **{"touchline.addons": addon, "sqlalchemy.url": "sqlite://"})


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
