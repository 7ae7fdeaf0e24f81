"""Every form of every enabled add-on answers mistakes in words written for people.

The forms are found, not listed: every ``Editor`` registered with
``config.add_editor`` (its new form, a record's edit form, and its JSON
API), plus the accounts' own forms (log in, ask for a reset link, set a new
password, one's details and password).  Each is sent empty and with bad
input (text far too long, letters in a number, a date and a time that do not
exist, a choice that is not offered, an address that is not one), as an
admin, and must come back as the same form with status 400 and the messages
beside the fields; the JSON API answers 422 with the messages by field.
pydantic's own wording ("String should have at least 1 character", "Field
required", "Input should be ...") never reaches anyone.
"""
import datetime
import inspect
import json

import pytest
from pyramid.interfaces import IRoutesMapper
from pyramid.path import DottedNameResolver
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from touchline.admin.registry import admin_models
from touchline.crud import Editor
from touchline.testing import PASSWORD, csrf_token_of

from .admin.conftest import club  # noqa: F401  (a record of every kind)

#: What pydantic says, which no user may read.
PYDANTIC = ("String should", "Input should", "Value error", "Field required", "type=", "should have at least",
            "should have at most", "valid integer", "valid decimal", "Decimal input", "pydantic",
            "unable to parse", "Assertion failed", "Extra inputs")
#: A new record's parent when it is not a team: ``{new route: model of the parent}``.
PARENTS = {"training.cancel": "touchline.training.models.TrainingSession"}
TOO_LONG = "x" * 60_000
BAD = {"number": "abc", "date": "2026-02-30", "time": "25:99", "datetime-local": "tomorrow", "email": "not an address",
       "url": "not a web address", "password": "p" * 2000, "color": "red"}
JSON_HEADERS = {"Accept": "application/json"}


def assert_no_pydantic(text, where):
    for words in PYDANTIC:
        assert words not in text, f"{where}: pydantic's wording {words!r} reached the user"


# Finding the forms -------------------------------------------------------------------------------


def editors(app):
    """Every Editor subclass registered with ``config.add_editor``, from the view introspector."""
    found = []
    for entry in app.registry.introspector.get_category("views"):
        view = entry["introspectable"]["callable"]
        if inspect.isclass(view) and issubclass(view, Editor) and view not in found:
            found.append(view)
    return found


def model_of(app, editor):
    resolve = DottedNameResolver().maybe_resolve
    for admin in admin_models(app.registry).values():
        if admin.editor is not None and resolve(admin.editor) is editor:
            return admin.model
    return None


def first(dbsession, model):
    key = sa_inspect(model).primary_key[0]
    return dbsession.scalars(select(model).order_by(key).limit(1)).first()


def path(app, route_name, record):
    route = app.registry.getUtility(IRoutesMapper).get_route(route_name)
    params = {"id": record.id, "ext": ""}
    if getattr(record, "slug", None):
        params["slug"] = record.slug
    return route.generate(params)


@pytest.fixture
def records(club, dbsession, app):  # noqa: F811
    """The club, and a record of each model of the enabled add-ons that ``club`` does not make."""
    if "training" in admin_models(app.registry):
        from touchline.training.models import TrainingSession

        dbsession.add(TrainingSession(team=club.teams["A"], weekday=2, start_time=datetime.time(18),
                                      end_time=datetime.time(19), place="Club ground"))
        dbsession.flush()
    return club


def form_urls(app, dbsession, club):  # noqa: F811
    """``[(editor, kind, path)]``: each editor's new and edit forms."""
    urls = []
    for editor in editors(app):
        if editor.new_route:
            parent = PARENTS.get(editor.new_route)
            record = first(dbsession, DottedNameResolver().resolve(parent)) if parent else club.teams["A"]
            urls.append((editor, "new", path(app, editor.new_route, record)))
        if editor.edit_route:
            model = model_of(app, editor)
            assert model is not None, f"{editor.__name__}: register it with the admin, or tell this test its model"
            record = first(dbsession, model)
            assert record is not None, f"{editor.__name__}: add a {model.__name__} to the records fixture"
            urls.append((editor, "edit", path(app, editor.edit_route, record)))
    return urls


# Filling a form in -------------------------------------------------------------------------------


def post_forms(page):
    """The page's POST forms that have fields to fill (not the one-button ones: delete, log out)."""
    forms = []
    for form in page.html.select("main form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        if form.select("input:not([type=hidden]):not([type=submit]), select, textarea"):
            forms.append(form)
    return forms


def controls(form):
    """``{name: (kind, element)}`` of a form's fields (checkbox groups once)."""
    found = {}
    for element in form.select("input[name], select[name], textarea[name]"):
        kind = element.name if element.name != "input" else (element.get("type") or "text").lower()
        found.setdefault(element["name"], (kind, element))
    return found


def fill(form, bad):
    """The form's fields, empty or with bad input; hidden fields (the CSRF token) as they are."""
    values = {}
    for name, (kind, element) in controls(form).items():
        if kind in ("submit", "button", "file", "image", "reset"):
            continue
        if kind == "hidden":
            values[name] = element.get("value", "")
        elif not bad:
            if kind not in ("checkbox", "radio"):
                values[name] = ""
        elif kind in ("checkbox", "radio", "select"):
            values[name] = "not-a-choice"
        else:
            values[name] = BAD.get(kind, TOO_LONG)
    return values


def submit(testapp, page_path, form, bad, status=400):
    action = form.get("action") or page_path
    response = testapp.post(action, fill(form, bad), expect_errors=True)
    where = f"{action} ({'bad' if bad else 'empty'} input)"
    assert response.status_int == status, f"{where}: {response.status}"
    assert_no_pydantic(response.html.get_text(" "), where)  # what the page says, not its markup
    return response, where


def assert_errors_beside_fields(response, form, where):
    page = response.html
    lists = page.select("ul.field-errors")
    assert lists, f"{where}: no message beside any field"
    names = set(controls(form)) | {"_form"}
    for errors in lists:
        name = errors["id"].removesuffix("-errors")
        assert name in names, f"{where}: the message {errors.text.strip()!r} is beside no field of the form"
        assert errors.text.strip(), where
        if name != "_form":
            field = page.find(attrs={"name": name})
            assert field is not None, where
    assert page.find(attrs={"role": "alert"}) is not None, f"{where}: no summary on top"


def requires_something(form):
    return any(element.has_attr("required") for _, element in controls(form).values())


# The tests ----------------------------------------------------------------------------------------


def test_every_editor_form_answers_empty_and_bad_input_in_words_for_people(testapp, login, records, dbsession, app):
    login(testapp, "alex")
    urls = form_urls(app, dbsession, records)
    assert {editor.__name__ for editor, _, _ in urls} >= {"TeamEditor", "PostEditor", "UserEditor"}
    for editor, kind, page_path in urls:
        page = testapp.get(page_path)
        forms = post_forms(page)
        assert forms, f"{editor.__name__} {kind}: no form at {page_path}"
        form = forms[0]
        for bad in (False, True):
            if not bad and not requires_something(form):
                continue
            response, where = submit(testapp, page_path, form, bad)
            assert_errors_beside_fields(response, form, f"{editor.__name__} {kind} form, {where}")


def test_the_json_api_answers_422_in_words_for_people(testapp, login, records, dbsession, app):
    login(testapp, "alex")
    headers = {**JSON_HEADERS, "X-CSRF-Token": testapp.get("/account.json").json["account"]["csrf_token"]}
    tried = 0
    for editor, kind, page_path in form_urls(app, dbsession, records):
        names = [name for name, (k, _) in controls(post_forms(testapp.get(page_path))[0]).items()
                 if k not in ("hidden", "submit", "file")]
        if kind == "new" and editor.collection_route:
            parent = PARENTS.get(editor.new_route)
            record = first(dbsession, DottedNameResolver().resolve(parent)) if parent else records.teams["A"]
            url = path(app, editor.collection_route, record)
            bodies = [{}, {name: TOO_LONG for name in names}, {name: [1, 2] for name in names}]
        elif kind == "edit" and editor.item_route:
            url = path(app, editor.item_route, first(dbsession, model_of(app, editor)))
            bodies = [{name: TOO_LONG for name in names}, {name: {"a": 1} for name in names}]
        else:
            continue
        for body in bodies:
            method = testapp.post_json if kind == "new" else testapp.put_json
            response = method(url, body, headers=headers, expect_errors=True)
            where = f"{editor.__name__} {method.__name__} {url} {json.dumps(body)[:60]}"
            assert response.status_int == 422, f"{where}: {response.status}"
            error = response.json["error"]
            assert error["fields"], where
            assert_no_pydantic(json.dumps(error), where)
            tried += 1
    assert tried >= 10


def test_the_account_forms_answer_in_words_for_people(testapp, login, admin, dbsession):
    # Logged out: logging in, asking for a reset link, setting the new password.
    from touchline.accounts.models import PasswordResetToken

    token = PasswordResetToken.issue(dbsession, admin, 3600)
    dbsession.flush()
    for page_path, summary_only in (("/login", True), ("/password-reset", False),
                                    (f"/password-reset/{token}", False)):
        page = testapp.get(page_path)
        form = post_forms(page)[0]
        for bad in (False, True):
            response, where = submit(testapp, page_path, form, bad)
            if summary_only:  # a login never says which of the two was wrong
                assert response.html.find(attrs={"role": "alert"}).text.strip(), where
            else:
                assert_errors_beside_fields(response, form, where)
    # Logged in: one's details and one's password.
    login(testapp, "alex")
    page = testapp.get("/account")
    forms = post_forms(page)
    assert len(forms) == 2
    for form in forms:
        for bad in (False, True):
            if not bad and not requires_something(form):
                continue
            response, where = submit(testapp, "/account", form, bad)
            assert_errors_beside_fields(response, form, where)


@pytest.mark.parametrize("schema, values, field, message", [
    ("touchline.teams.schemas:TeamIn", {"name": ""}, "name", "Enter the team's name."),
    ("touchline.fixtures.schemas:FixtureForm", {"opponent": "Rovers", "time": "10:00"}, "date",
     "Choose the match date."),
    ("touchline.fixtures.schemas:FixtureForm", {"opponent": "", "date": "2026-01-01", "time": "10:00"}, "opponent",
     "Enter the opponent's name."),
    ("touchline.rosters.schemas:PlayerIn", {"first_name": "A", "last_name": "B", "birth_year": "2016",
                                           "shirt_number": "100"}, "shirt_number", "Enter a shirt number from 1 to 99."),
    ("touchline.accounts.schemas:UserIn", {"username": "sam", "email": "sam"}, "email",
     "Enter an email address like name@example.org."),
])
def test_one_mapping_words_the_messages(schema, values, field, message):
    from pydantic import ValidationError

    from touchline.forms import field_errors

    schema = DottedNameResolver().resolve(schema)
    with pytest.raises(ValidationError) as caught:
        schema.model_validate(values)
    assert field_errors(caught.value, schema)[field] == [message]


def test_a_password_typed_on_a_form_with_mistakes_is_never_shown_again(testapp, login, admin):
    login(testapp, "alex")
    page = testapp.get("/users/new")
    form = post_forms(page)[0]
    values = {**fill(form, bad=False), "password": PASSWORD, "username": "x" * 500}
    response = testapp.post("/users/new", values, status=400)
    assert PASSWORD not in response.text
