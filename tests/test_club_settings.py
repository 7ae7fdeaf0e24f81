"""The club's settings: name, crest, colours, contact, ground and welcome, changed by an admin.

The changes that must show "on the next request, without a restart" are
made through ``committing_testapp`` (real commits), and checked on the same
app and on a second app built on the same database and uploads directory,
as a second app process of the site would be.
"""
import io
import re

import pytest
from webtest import TestApp

from touchline.clubsettings import STORE, contrast
from touchline.testing import HOST, make_app, post_form

VALID = {
    "name": "Riverside Juniors FC", "primary_colour": "#7a1020", "accent_colour": "#f2c94c",
    "email": "secretary@riverside.example.org", "phone": "+44 1632 960 123",
    "address": "Riverside Park\nMill Lane\nTownsville TS1 2AB", "map_url": "", "welcome": "",
}
#: pydantic's own wording, which no message for people contains.
PYDANTIC = re.compile(r"String should|Field required|Input should|Value error|at least 1 character")


def png(width=60, height=40, colour=(200, 30, 30)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def store(app):
    """The app's settings store, emptied (and its version file removed) before and after."""
    store = app.registry[STORE]
    store.forget()
    yield store
    store.forget()


@pytest.fixture
def admin_client(committing_testapp, make_committed_user, login, store):
    make_committed_user("alex", "admin", display_name="Alex Admin")
    login(committing_testapp, "alex")
    return committing_testapp


@pytest.fixture
def second_process(app, app_settings, database_url):
    """Another app on the same database and uploads: a second process of the same site."""
    other = make_app(app_settings, **{"sqlalchemy.url": database_url})
    yield TestApp(other, extra_environ={"HTTP_HOST": HOST})
    other.registry[STORE].cached = None
    other.registry["touchline.engine"].dispose()


def save(client, status=303, upload=None, **changes):
    fields = dict(VALID, **changes)
    kwargs = {"upload_files": [("crest", *upload)]} if upload else {}
    return post_form(client, "/settings", fields, status=status, **kwargs)


def header(page):
    return page.html.select_one("header.site-header .brand")


# Who may change them -------------------------------------------------------------------------


def test_only_admins_reach_the_settings(testapp, make_user, login):
    assert testapp.get("/settings", status=303).location.endswith("/login?next=%2Fsettings")
    for name, role in (("max", "member"), ("cora", "coach")):
        make_user(name, role)
        login(testapp, name)
        testapp.get("/settings", status=403)
        testapp.post("/logout", {"csrf_token": testapp.get("/").html.find(
            "input", {"name": "csrf_token"})["value"]})
    make_user("ada", "admin")
    login(testapp, "ada")
    page = testapp.get("/settings")
    # The form opens with the ini's values.
    assert page.html.find("input", {"name": "name"})["value"] == "Touchline Test FC"
    assert page.html.find("input", {"name": "primary_colour"})["value"] == "#0b5d1e"


# A change shows without a restart ------------------------------------------------------------


def test_name_colours_and_crest_change_on_the_next_request(admin_client, second_process):
    before = admin_client.get("/")
    assert header(before).text.strip() == "Touchline Test FC"
    old_css = before.html.find("link", href=re.compile(r"^/club\.css\?v="))["href"]
    assert second_process.get("/").html.title.text.endswith("Touchline Test FC")

    save(admin_client, upload=("crest.png", png(60, 40)))

    for client in (admin_client, second_process):  # this process, and another one
        page = client.get("/")
        brand = header(page)
        assert brand.text.strip() == "Riverside Juniors FC"
        assert page.html.title.text == "Home · Riverside Juniors FC"
        crest = brand.img
        assert crest["alt"] == "" and (crest["width"], crest["height"]) == ("60", "40")
        client.get(crest["src"], status=200)  # the crest is served
        href = page.html.find("link", href=re.compile(r"^/club\.css\?v="))["href"]
        assert href != old_css
        css = client.get(href)
        assert css.content_type == "text/css"
        assert "--brand: #7a1020;" in css.text and "--accent: #f2c94c;" in css.text
        assert "immutable" in css.headers["Cache-Control"]

    # Changed again: both processes follow, and the crest can be removed.
    save(admin_client, name="Riverside FC", primary_colour="#003366", remove_crest="on")
    for client in (admin_client, second_process):
        brand = header(client.get("/teams"))
        assert brand.text.strip() == "Riverside FC" and brand.img is None
    assert "--brand: #003366;" in second_process.get("/club.css").text


def test_the_settings_page_says_it_saved_and_keeps_the_values(admin_client):
    page = save(admin_client).follow()
    assert "The club's settings were saved." in page.html.select_one(".flash").text
    assert page.html.find("input", {"name": "name"})["value"] == "Riverside Juniors FC"
    assert page.html.find("textarea", {"name": "address"}).text == VALID["address"]


# Refusals ------------------------------------------------------------------------------------


def field_errors(page, name):
    errors = page.html.find(id=f"{name}-errors")
    return [li.text for li in errors.find_all("li")] if errors else []


@pytest.fixture
def admin_testapp(testapp, make_user, login, store):
    make_user("ada", "admin")
    login(testapp, "ada")
    return testapp


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "0b5d1e", "#0b5d1e00", ""])
def test_a_colour_that_is_not_rrggbb_is_refused(admin_testapp, colour):
    page = save(admin_testapp, status=400, primary_colour=colour, accent_colour=colour)
    for name in ("primary_colour", "accent_colour"):
        (message,) = field_errors(page, name)
        assert not PYDANTIC.search(message), message
        assert message.startswith(("Enter the colour as # and six hexadecimal digits", "Enter the"))
        assert page.html.find("input", {"name": name})["aria-invalid"] == "true"


def test_a_low_contrast_main_colour_is_refused(admin_testapp):
    assert contrast("#ffbf47", "#ffffff") < 4.5
    page = save(admin_testapp, status=400, primary_colour="#FFBF47")
    (message,) = field_errors(page, "primary_colour")
    assert message.startswith("White text on #ffbf47 has a contrast of only 1.")
    assert "choose a darker colour" in message
    # Just dark enough passes: #767676 is 4.54 to 1 on white.
    save(admin_testapp, primary_colour="#767676")


@pytest.mark.parametrize("filename, content, message", [
    ("crest.png", b"<html><script>alert(1)</script></html>", "Upload a PNG, JPEG, GIF or WebP image."),
    ("crest.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "Upload a PNG, JPEG, GIF or WebP image."),
    ("crest.png", png(200, 200)[:-30], "The image file is damaged or incomplete."),
])
def test_a_crest_that_is_not_an_image_is_refused(admin_testapp, filename, content, message):
    page = save(admin_testapp, status=400, upload=(filename, content))
    assert field_errors(page, "crest") == [message]
    assert page.html.find("input", {"name": "crest"})["aria-invalid"] == "true"
    # What was typed stays in the form.
    assert page.html.find("input", {"name": "name"})["value"] == "Riverside Juniors FC"


def test_an_oversized_crest_is_refused(admin_testapp, app, monkeypatch):
    from touchline.testing import service
    from touchline.uploads import IUploadStore

    monkeypatch.setattr(service(app, IUploadStore), "max_size", 64 * 1024)
    page = save(admin_testapp, status=400, upload=("big.png", png() + b"\0" * 70 * 1024))
    assert field_errors(page, "crest") == ["The image is larger than 64 KB."]


@pytest.mark.parametrize("field, value, start", [
    ("name", "", "Enter the club's name"),
    ("email", "not an address", "Enter one email address"),
    ("email", "a@example.org, b@example.org", "Enter one email address"),
    ("phone", "call us!", "Enter the phone number with digits"),
    ("map_url", "javascript:alert(1)", "Enter the map link as a web address starting with https://"),
    ("map_url", "http://maps.example.org/ground", "Enter the map link as a web address starting with https://"),
])
def test_bad_contact_details_are_refused_with_words_for_people(admin_testapp, field, value, start):
    page = save(admin_testapp, status=400, **{field: value})
    (message,) = field_errors(page, field)
    assert message.startswith(start), message
    assert not PYDANTIC.search(page.html.main.text)


def test_a_refused_form_changes_nothing(admin_client):
    save(admin_client, status=400, name="Changed FC", primary_colour="#ffffff")
    assert header(admin_client.get("/")).text.strip() == "Touchline Test FC"


# The home page -------------------------------------------------------------------------------


def test_the_home_page_opens_with_the_welcome_and_the_contact_block(admin_client):
    welcome = ("Welcome to **Riverside**! Training is on [our page](/teams).\n\n"
               "<script>alert(1)</script> [bad](javascript:alert(1)) <img src=x onerror=alert(1)>")
    save(admin_client, welcome=welcome)
    page = admin_client.get("/")
    main = page.html.main
    block = main.select_one(".welcome")
    assert block.strong.text == "Riverside"
    assert block.find("a", string="our page")["href"] == "/teams"
    # Raw HTML is shown as text, never run; a javascript: link loses its href.
    assert main.find("script") is None and main.find("img", src="x") is None
    assert "<script>alert(1)</script>" in block.text
    assert not main.find(href=re.compile("^javascript:", re.I))
    contact = main.select_one("section.contact")
    assert contact.h2.text == "Contact and ground"
    assert contact.find("a", href="mailto:secretary@riverside.example.org").text == \
        "secretary@riverside.example.org"
    assert contact.find("a", href="tel:+441632960123").text == "+44 1632 960 123"
    assert [line for line in contact.address.stripped_strings] == \
        ["Riverside Park", "Mill Lane", "Townsville TS1 2AB"]
    assert contact.find("a", string="Show the ground on a map")["href"] == (
        "https://www.openstreetmap.org/search?query=Riverside+Park+Mill+Lane+Townsville+TS1+2AB")

    save(admin_client, map_url="https://www.openstreetmap.org/#map=17/51.5/-0.12", email="", phone="")
    contact = admin_client.get("/").html.main.select_one("section.contact")
    assert contact.find("a", string="Show the ground on a map")["href"] == \
        "https://www.openstreetmap.org/#map=17/51.5/-0.12"
    assert contact.find("a", href=re.compile("^(mailto|tel):")) is None


def test_without_settings_the_home_page_has_no_contact_block(testapp, store):
    main = testapp.get("/").html.main
    assert main.select_one("section.contact") is None and main.select_one(".welcome") is None


def committed_product(app):
    """A product committed to the database (the committing client cannot see the test's session)."""
    import transaction

    from touchline.catalog.models import Category, Product
    from touchline.database import get_tm_session

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(app.registry["touchline.dbsession_factory"], manager)
        product = Product(name="Home shirt", price=20, category=Category(name="Kit", slug="kit"))
        dbsession.add(product)
        dbsession.flush()
        return product.id


def test_the_shop_gives_the_clubs_email(app, admin_client):
    product = committed_product(app)
    how = admin_client.get(f"/catalogs/products/{product}").html.find("section", class_="how-to-order")
    assert how.find("a", href=re.compile("^mailto:")) is None  # no address set: the text alone
    save(admin_client)
    page = admin_client.get(f"/catalogs/products/{product}")
    link = page.html.find("section", class_="how-to-order").find("a", href=re.compile("^mailto:"))
    assert link["href"] == "mailto:secretary@riverside.example.org"
    assert link.text == "secretary@riverside.example.org"
    assert admin_client.get(f"/catalogs/products/{product}.json").json["contact_email"] == \
        "secretary@riverside.example.org"


# Query counts --------------------------------------------------------------------------------


def test_pages_cost_no_query_for_the_settings(admin_client, second_process, count_queries):
    from sqlalchemy import event

    def queries(client, path):
        if client is admin_client:
            with count_queries() as counter:
                client.get(path)
            return len(counter)
        statements = []  # the second process has an engine of its own

        def record(*args):
            statements.append(args[2])

        engine = client.app.registry["touchline.engine"]
        event.listen(engine, "before_cursor_execute", record)
        try:
            client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    paths = ("/", "/teams", "/club.css")
    before = {path: queries(admin_client, path) for path in paths}
    elsewhere = {path: queries(second_process, path) for path in paths}
    assert before["/club.css"] == elsewhere["/club.css"] == 0
    save(admin_client, welcome="Hello *everyone*.", upload=("crest.png", png())).follow()  # the flash
    # The process that saved has the new values: no query more.
    assert {path: queries(admin_client, path) for path in paths} == before
    # Another process reads the row once, when it learns of the change; then never again.
    assert queries(second_process, "/club.css") == 1
    assert {path: queries(second_process, path) for path in paths} == elsewhere


def test_the_home_page_runs_constant_queries(testapp, make_team, count_queries, store):
    from touchline.teams.models import Level

    def count():
        with count_queries() as counter:
            testapp.get("/")
        return len(counter)

    make_team("Under 7 Owls", Level.U07)
    few = count()
    for i in range(30):
        make_team(f"Under 7 Team {i}", Level.U07)
    assert count() == few


def test_the_admin_dashboard_links_the_settings_for_admins_only(testapp, make_user, login):
    make_user("cora", "coach")
    login(testapp, "cora")
    assert testapp.get("/admin").html.find("a", href="/settings") is None
    make_user("ada", "admin")
    login(testapp, "ada")
    assert testapp.get("/admin").html.find("a", href="/settings").text == "The club's settings"


def test_a_save_is_recorded_in_the_history(app, admin_client):
    from sqlalchemy import select

    from touchline.history import Change

    save(admin_client, name="Recorded FC")
    with app.registry["touchline.engine"].connect() as connection:
        (change,) = connection.execute(select(Change.user_name, Change.action, Change.after)
                                       .where(Change.kind == "club-settings")).all()
    assert change.user_name == "Alex Admin" and change.action in ("create", "update")
    assert change.after["name"] == "Recorded FC" and "welcome_html" not in change.after


def test_the_ini_gives_the_defaults_and_a_bad_one_stops_the_start(app_settings, database_url):
    from pyramid.exceptions import ConfigurationError

    other = make_app(app_settings, **{"sqlalchemy.url": database_url,
                                      "touchline.club.primary_colour": "#123456",
                                      "touchline.club.email": "Club@Example.ORG",
                                      "touchline.club.welcome": "Hello from the *ini*."})
    try:
        client = TestApp(other, extra_environ={"HTTP_HOST": HOST})
        assert "--brand: #123456;" in client.get("/club.css").text
        main = client.get("/").html.main
        assert str(main.select_one(".welcome").em) == "<em>ini</em>"
        assert main.find("a", href="mailto:Club@example.org")
    finally:
        other.registry["touchline.engine"].dispose()
    for name, value in (("primary_colour", "#eeeeee"), ("accent_colour", "yellow"),
                        ("map_url", "http://maps.example.org")):
        with pytest.raises(ConfigurationError, match=f"touchline.club.{name}"):
            make_app(app_settings, **{"sqlalchemy.url": database_url, f"touchline.club.{name}": value})


def test_the_club_css_is_cached_by_its_version(testapp, store):
    page = testapp.get("/")
    href = page.html.find("link", href=re.compile(r"^/club\.css\?v="))["href"]
    css = testapp.get(href)
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert testapp.get("/club.css?v=stale").headers["Cache-Control"] == "no-cache"
    testapp.get(href, headers={"If-None-Match": css.headers["ETag"]}, status=304)


def committed_team(app):
    """A team committed to the database, for its calendar feed."""
    import transaction

    from touchline.database import get_tm_session
    from touchline.teams.models import Level, Team

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(app.registry["touchline.dbsession_factory"], manager)
        team = Team(name="Under 9 Badgers", level=Level.U09)
        dbsession.add(team)
        dbsession.flush()
        return team.id


def test_the_saved_name_reaches_the_feeds_the_mail_and_the_description(
        app, admin_client, second_process, make_committed_user, outbox):
    from touchline.testing import run_mail_jobs

    team = committed_team(app)
    calendar = second_process.get(f"/teams/{team}/fixtures.ics")
    assert "X-WR-CALNAME:Under 9 Badgers fixtures (Touchline Test FC)" in calendar.text
    save(admin_client)
    for client in (admin_client, second_process):
        feed = client.get("/news/feed.atom")
        assert "<title>Riverside Juniors FC: news</title>" in feed.text
        renamed = client.get(f"/teams/{team}/fixtures.ics", headers={"If-None-Match": calendar.etag})
        assert renamed.status_int == 200  # a new name is a new feed, not a 304
        assert "X-WR-CALNAME:Under 9 Badgers fixtures (Riverside Juniors FC)" in renamed.text
        description = client.get("/training").html.find("meta", attrs={"name": "description"})["content"]
        assert description.startswith("Riverside Juniors FC: the club's own website")

    make_committed_user("sam", "member", email="sam@example.org")
    client = TestApp(app, extra_environ={"HTTP_HOST": HOST})
    post_form(client, "/password-reset", {"email": "sam@example.org"}, status=200)
    run_mail_jobs(app)
    message, = outbox
    assert message["From"].startswith("Riverside Juniors FC <")
    assert "account sam at Riverside Juniors FC" in message.get_content()
