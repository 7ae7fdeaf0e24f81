"""The admin shows the models of the add-ons that are on: an add-on switched off takes its
models out, and an add-on from outside (tests of examples/touchline_sponsors) puts its own in."""
import transaction
from webtest import TestApp

from touchline.admin.registry import admin_models
from touchline.database import get_tm_session
from touchline.testing import HOST, PASSWORD, make_app, migrate, service
from touchline.users import IPasswords, Role, User


def _site(app_settings, ini_file, tmp_path, addons):
    app = make_app(app_settings, **{"sqlalchemy.url": f"sqlite:///{tmp_path}/site.sqlite",
                                    "touchline.addons": " ".join(addons)})
    migrate(ini_file, app.registry)
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(app.registry["touchline.dbsession_factory"], manager)
        user = User("ada", display_name="Ada Admin", role=Role.ADMIN)
        service(app, IPasswords).set(user, PASSWORD)
        session.add(user)
    return app


def test_an_addon_switched_off_takes_its_models_out_of_the_admin(app_settings, ini_file, tmp_path, login):
    app = _site(app_settings, ini_file, tmp_path, ["touchline.accounts", "touchline.teams", "touchline.admin"])
    try:
        assert set(admin_models(app.registry)) == {"users", "teams"}
        client = TestApp(app, extra_environ={"HTTP_HOST": HOST})
        client.get("/admin/teams", status=303)      # there: log in first
        client.get("/admin/products", status=404)   # the shop is off
        client.get("/admin/fixtures", status=404)
        login(client, "ada")
        dashboard = client.get("/admin")
        links = [a.text for a in dashboard.html.select(".admin-models a")]
        assert links == ["Accounts", "Teams"]
        # The teams' page leaves out the inlines of the add-ons that are off.
        client.post("/admin/teams/new", {"name": "Under 7 Cubs", "level": "U07",
                                         "csrf_token": dashboard.html.find("input", attrs={"name": "csrf_token"})["value"]},
                    status=303)
        team_page = client.get("/admin/teams/1")
        assert not team_page.html.select("section[aria-labelledby^=inline-]")
        client.get("/admin/players", status=404)
    finally:
        app.registry["touchline.engine"].dispose()


def test_without_the_admin_addon_there_is_no_admin(app_settings, ini_file, tmp_path):
    app = make_app(app_settings, **{"sqlalchemy.url": f"sqlite:///{tmp_path}/bare.sqlite",
                                    "touchline.addons": "touchline.accounts touchline.teams"})
    try:
        # The add-ons still register their models; nothing serves them.
        assert "teams" in admin_models(app.registry)
        client = TestApp(app, extra_environ={"HTTP_HOST": HOST})
        client.get("/admin", status=404)
        client.get("/admin/teams", status=404)
    finally:
        app.registry["touchline.engine"].dispose()
