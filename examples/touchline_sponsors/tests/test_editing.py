"""Adding, editing and removing sponsors: the admins' forms and JSON API.

Only admins write (the core's CREATE/EDIT/DELETE, granted by the base ACL);
a bad link or a file that is not an image gets the form back with the
error beside the field, or a 422 naming the field, and writes nothing.
"""
import base64
import io
import os

import pytest
from conftest import png_bytes
from PIL import Image
from sqlalchemy import func, select
from touchline_sponsors.models import Sponsor, Tier
from webtest import Upload

from touchline.testing import csrf_token_of, post_form, service
from touchline.uploads import IUploadStore

JSON = {"Accept": "application/json"}
VALID = {"name": "Riverside Bakery", "link": "https://bakery.example/", "tier": "gold", "active": "on"}


def count(dbsession):
    return dbsession.scalar(select(func.count()).select_from(Sponsor))


def json_headers(testapp):
    return {**JSON, "X-CSRF-Token": csrf_token_of(testapp.get("/login"))}


@pytest.fixture
def as_admin(testapp, admin, login):
    login(testapp, "alex")
    return testapp


# The forms -----------------------------------------------------------------------------


def test_admin_adds_a_sponsor_with_a_logo(as_admin, dbsession, app):
    response = post_form(as_admin, "/sponsors/new", {**VALID, "logo": Upload("logo.png", png_bytes(), "image/png")})
    assert response.status_int == 303
    sponsor = dbsession.scalars(select(Sponsor)).one()
    assert (sponsor.name, sponsor.link, sponsor.tier, sponsor.active) == (
        "Riverside Bakery", "https://bakery.example/", Tier.GOLD, True)
    assert response.location == f"http://localhost/sponsors/{sponsor.id}"
    assert os.path.exists(service(app, IUploadStore).path(sponsor.logo))
    page = response.follow()
    assert "The sponsor Riverside Bakery was added." in page.text
    img = page.html.main.find("img")
    assert img["alt"] == "Riverside Bakery logo"
    assert img["src"].endswith("/uploads/" + sponsor.logo)
    assert as_admin.get(img["src"]).content_type == "image/png"
    assert sponsor_json(as_admin, sponsor.id)["logo"] == img["src"]


def test_a_logo_is_shown_with_its_size_and_smaller_copies(as_admin, dbsession):
    """Touchline's ``uploaded_image`` macro: width and height from the stored name, a srcset."""
    logo = Upload("logo.png", png_bytes((400, 200)), "image/png")
    post_form(as_admin, "/sponsors/new", {**VALID, "logo": logo}, status=303)
    sponsor = dbsession.scalars(select(Sponsor)).one()
    assert sponsor.logo.endswith("-400x200.png")
    listed = as_admin.get("/sponsors").html.main.select_one(".sponsor-list img")
    assert (listed["width"], listed["height"], listed["sizes"]) == ("120", "60", "120px")
    assert listed["loading"] == "lazy"
    urls = [candidate.rsplit(" ", 1) for candidate in listed["srcset"].split(", ")]
    assert [width for _, width in urls] == ["160w", "320w", "400w"]
    for url, width in urls:
        served = as_admin.get(url, status=200)
        assert served.content_type == "image/png"
        assert Image.open(io.BytesIO(served.body)).width == int(width[:-1])
    panel = as_admin.get("/").html.find("section", attrs={"aria-labelledby": "panel-sponsors"}).img
    assert (panel["width"], panel["height"], panel["srcset"]) == ("96", "48", listed["srcset"])
    shown = as_admin.get(f"/sponsors/{sponsor.id}").html.main.find("img")
    assert (shown["width"], shown["height"], shown["loading"]) == ("400", "200", "eager")


def sponsor_json(testapp, sponsor_id):
    return testapp.get(f"/sponsors/{sponsor_id}.json").json["sponsor"]


def test_the_new_form_offers_the_fields(as_admin):
    form = as_admin.get("/sponsors/new").html.find("form", enctype="multipart/form-data")
    assert form.find("input", attrs={"name": "name"})
    assert form.find("input", attrs={"name": "link", "type": "url"})
    assert [o["value"] for o in form.find("select", attrs={"name": "tier"}).find_all("option")] == [
        "gold", "silver", "bronze"]
    assert form.find("input", attrs={"name": "active"}).has_attr("checked")
    assert form.find("input", attrs={"name": "logo", "type": "file"})


@pytest.mark.parametrize("link", ["javascript:alert(1)", "bakery", "ftp://bakery.example/",
                                  "https://user:secret@bakery.example/", "https://" + "a" * 300 + ".example/",
                                  "https://bakery.example/\nx"])
def test_a_bad_link_shows_the_form_again(as_admin, dbsession, link):
    response = post_form(as_admin, "/sponsors/new", {**VALID, "link": link}, status=400)
    errors = response.html.find(id="link-errors")
    assert errors is not None and errors.text.strip()
    assert response.html.find("input", attrs={"name": "name"})["value"] == "Riverside Bakery"
    assert count(dbsession) == 0


def test_the_link_error_says_what_to_type(as_admin):
    response = post_form(as_admin, "/sponsors/new", {**VALID, "link": "javascript:alert(1)"}, status=400)
    assert "Must be a web address starting with https:// or http://." in response.html.find(id="link-errors").text


@pytest.mark.parametrize("content", [b"<html><script>alert(1)</script></html>", b"\x89PNG\r\n\x1a\nbroken", b"",
                                     b"<svg xmlns='http://www.w3.org/2000/svg'/>"])
def test_a_bad_logo_shows_the_form_again_and_writes_nothing(as_admin, dbsession, app, content):
    uploads = service(app, IUploadStore).directory
    before = set(os.listdir(uploads)) if os.path.isdir(uploads) else set()
    response = post_form(as_admin, "/sponsors/new", {**VALID, "logo": Upload("logo.png", content, "image/png")},
                         status=400)
    assert response.html.find(id="logo-errors").text.strip()
    assert response.html.find("input", attrs={"name": "link"})["value"] == "https://bakery.example/"
    assert count(dbsession) == 0
    after = set(os.listdir(uploads)) if os.path.isdir(uploads) else set()
    assert after == before


def test_text_in_the_logo_field_is_an_error(as_admin, dbsession):
    response = post_form(as_admin, "/sponsors/new", {**VALID, "logo": "/etc/passwd"}, status=400)
    assert "Choose an image file to upload." in response.html.find(id="logo-errors").text
    assert count(dbsession) == 0


def test_no_file_chosen_means_no_logo(as_admin, dbsession):
    post_form(as_admin, "/sponsors/new", {**VALID, "logo": Upload("", b"")}, status=303)
    assert dbsession.scalars(select(Sponsor)).one().logo is None


def test_a_logo_is_not_stored_while_other_fields_are_wrong(as_admin, dbsession, app):
    response = post_form(as_admin, "/sponsors/new",
                         {**VALID, "name": "", "logo": Upload("logo.png", png_bytes((7, 7)), "image/png")},
                         status=400)
    assert "Choose the image again" in response.html.find(id="logo-errors").text
    assert response.html.find(id="name-errors")
    assert count(dbsession) == 0


def test_unknown_fields_and_bad_tiers_are_errors(as_admin, dbsession):
    response = post_form(as_admin, "/sponsors/new", {**VALID, "tier": "platinum"}, status=400)
    assert response.html.find(id="tier-errors")
    response = post_form(as_admin, "/sponsors/new", {**VALID, "id": "7"}, status=400)
    assert "id: This field cannot be set." in response.text
    assert count(dbsession) == 0


def test_admin_edits_replaces_and_removes_the_logo(as_admin, make_sponsor, dbsession):
    sponsor = make_sponsor("Old Name", tier=Tier.BRONZE)
    form = as_admin.get(f"/sponsors/{sponsor.id}/edit").html
    assert form.find("input", attrs={"name": "name"})["value"] == "Old Name"
    edit = f"/sponsors/{sponsor.id}/edit"
    post_form(as_admin, edit, {"name": "New Name", "link": "https://new.example", "tier": "gold",
                               "logo": Upload("l.png", png_bytes(), "image/png")}, status=303)
    dbsession.refresh(sponsor)
    assert (sponsor.name, sponsor.link, sponsor.tier, sponsor.active) == (
        "New Name", "https://new.example/", Tier.GOLD, False)  # the box was left unticked
    assert sponsor.logo
    # Saving without choosing a file keeps the logo; ticking "Remove the logo" removes it.
    page = as_admin.get(edit)
    assert page.html.find("input", attrs={"name": "remove_logo"})
    post_form(as_admin, edit, {"name": "New Name", "link": "https://new.example/", "tier": "gold",
                               "active": "on", "logo": Upload("", b"")}, status=303)
    dbsession.refresh(sponsor)
    assert sponsor.logo and sponsor.active
    post_form(as_admin, edit, {"name": "New Name", "link": "https://new.example/", "tier": "gold",
                               "remove_logo": "on"}, status=303)
    dbsession.refresh(sponsor)
    assert sponsor.logo is None


def test_a_failed_edit_changes_nothing(as_admin, make_sponsor, dbsession):
    sponsor = make_sponsor("Kept Name")
    post_form(as_admin, f"/sponsors/{sponsor.id}/edit", {"name": "Changed", "link": "nope"}, status=400)
    dbsession.refresh(sponsor)
    assert sponsor.name == "Kept Name"


def test_admin_deletes_a_sponsor(as_admin, make_sponsor, dbsession):
    sponsor = make_sponsor("Going Ltd")
    page = as_admin.get(f"/sponsors/{sponsor.id}/delete")
    assert "Delete Going Ltd?" in page.text
    response = post_form(as_admin, f"/sponsors/{sponsor.id}/delete", status=303)
    assert response.location == "http://localhost/sponsors"
    assert count(dbsession) == 0


def test_posting_without_csrf_token_is_refused(as_admin, dbsession):
    as_admin.post("/sponsors/new", VALID, status=400)
    assert count(dbsession) == 0


# The JSON API --------------------------------------------------------------------------


def test_json_create_update_delete(as_admin, dbsession):
    headers = json_headers(as_admin)
    body = {"name": "Acme Tyres", "link": "http://acme.example/shop", "tier": "bronze",
            "logo": base64.b64encode(png_bytes()).decode()}
    created = as_admin.post_json("/sponsors", body, headers=headers, status=201)
    data = created.json["sponsor"]
    assert created.location == f"http://localhost/sponsors/{data['id']}"
    assert data["link"] == "http://acme.example/shop"
    assert data["active"] is True and data["logo"].startswith("http://localhost/uploads/")
    path = f"/sponsors/{data['id']}"
    updated = as_admin.put_json(path, {"tier": "gold"}, headers=headers).json["sponsor"]
    assert updated["tier"] == "gold" and updated["name"] == "Acme Tyres"
    assert updated["logo"] == data["logo"]  # left out: kept
    assert as_admin.put_json(path, {"logo": None}, headers=headers).json["sponsor"]["logo"] is None
    as_admin.delete(path, headers=headers, status=204)
    assert count(dbsession) == 0


@pytest.mark.parametrize(
    "body, field",
    [({"name": "Acme", "link": "javascript:alert(1)"}, "link"),
     ({"name": "Acme", "link": "https://acme.example/", "logo": "not base64!"}, "logo"),
     ({"name": "Acme", "link": "https://acme.example/", "logo": base64.b64encode(b"<svg/>").decode()}, "logo"),
     ({"name": "", "link": "https://acme.example/"}, "name"),
     ({"name": "Acme", "link": "https://acme.example/", "tier": "platinum"}, "tier"),
     ({"name": "Acme", "link": "https://acme.example/", "id": 4}, "id")],
)
def test_json_bad_data_is_a_422_naming_the_field(as_admin, dbsession, body, field):
    response = as_admin.post_json("/sponsors", body, headers=json_headers(as_admin), status=422)
    assert field in response.json["error"]["fields"]
    assert count(dbsession) == 0


def test_json_put_with_a_bad_logo_changes_nothing(as_admin, make_sponsor, dbsession):
    sponsor = make_sponsor("Kept Ltd")
    as_admin.put_json(f"/sponsors/{sponsor.id}", {"name": "Changed", "logo": base64.b64encode(b"GIF89a").decode()},
                      headers=json_headers(as_admin), status=422)
    dbsession.refresh(sponsor)
    assert sponsor.name == "Kept Ltd"


def test_json_needs_a_json_body(as_admin):
    as_admin.post("/sponsors", "name=x", headers={**json_headers(as_admin), "Content-Type": "text/plain"},
                  status=415)


# Who may write --------------------------------------------------------------------------

ROLES = ("anonymous", "member", "coach", "admin")
LOGIN = "303 login"

#: route path template, method, kind, expected status for (anonymous, member, coach, admin).
MATRIX = [
    ("/sponsors", "GET", None, (200, 200, 200, 200)),
    ("/sponsors.json", "GET", None, (200, 200, 200, 200)),
    ("/sponsors.json", "POST", "json", (401, 403, 403, 201)),
    ("/sponsors/new", "GET", None, (LOGIN, 403, 403, 200)),
    ("/sponsors/new", "POST", "form", (401, 403, 403, 303)),
    ("/sponsors/{id}", "GET", None, (200, 200, 200, 200)),
    ("/sponsors/{id}.xml", "GET", None, (200, 200, 200, 200)),
    ("/sponsors/{id}.json", "PUT", "json", (401, 403, 403, 200)),
    ("/sponsors/{id}/edit", "GET", None, (LOGIN, 403, 403, 200)),
    ("/sponsors/{id}/edit", "POST", "form", (401, 403, 403, 303)),
    ("/sponsors/{id}/delete", "GET", None, (LOGIN, 403, 403, 200)),
    ("/sponsors/{id}/delete", "POST", "form", (401, 403, 403, 303)),
    ("/sponsors/{id}.json", "DELETE", "json", (401, 403, 403, 204)),
]


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_write(role, testapp, make_user, make_sponsor, login, dbsession):
    from urllib.parse import quote

    if role != "anonymous":
        make_user("someone", role)
        login(testapp, "someone")
    got = []
    for template, method, kind, expected_by_role in MATRIX:
        expected = expected_by_role[ROLES.index(role)]
        path = template.format(id=make_sponsor("Target Ltd").id)
        if method == "GET":
            response = testapp.get(path, status="*")
        elif kind == "json":
            headers = json_headers(testapp)
            body = {"name": "By JSON", "link": "https://json.example/"}
            if method == "DELETE":
                response = testapp.delete(path, headers=headers, status="*")
            else:
                response = getattr(testapp, method.lower() + "_json")(path, body, headers=headers, status="*")
        else:
            token = csrf_token_of(testapp.get("/login"))
            response = testapp.post(path, {**VALID, "csrf_token": token}, status="*")
        if expected == LOGIN:
            ok = (response.status_int == 303
                  and response.location == f"http://localhost/login?next={quote(path, safe='')}")
        else:
            ok = response.status_int == expected
        if not ok:
            got.append((method, path, expected, response.status_int, response.location))
    assert not got
    if role != "admin":
        assert count(dbsession) == len(MATRIX)  # the targets only: nobody else wrote anything
