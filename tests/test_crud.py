"""The core's CRUD layer (``touchline.crud``), as the teams add-on uses it."""
import pytest
from pyramid.config import Configurator
from pyramid.testing import DummyRequest

from touchline.crud import Editor, add_editor
from touchline.forms import Form
from touchline.testing import post_form


def test_a_flashed_message_shows_what_the_user_typed_literally(testapp, login, admin):
    """The message templates are the add-on's; a name that looks like one is only text."""
    login(testapp, "alex")
    name = "{record.__class__} {editor.request}"
    response = post_form(testapp, "/teams/new", {"name": name, "level": "U09"}, status=303).follow()
    assert f"The team {name} was created." in response.html.find(class_="flash").text


def test_a_form_with_mistakes_is_shown_again_with_400_and_nothing_is_written(testapp, login, admin):
    login(testapp, "alex")
    before = testapp.get("/teams.json").json["teams"]
    response = post_form(testapp, "/teams/new", {"name": "", "level": "U09"}, status=400)
    assert response.html.find(id="name")["aria-invalid"] == "true"
    assert testapp.get("/teams.json").json["teams"] == before


class _FormsOnly(Editor):
    key = "thing"
    new_route, edit_route, delete_route = "thing.new", "thing.edit", "thing.delete"


class _APIOnly(Editor):
    key = "thing"
    collection_route, item_route = "things", "thing"


@pytest.mark.parametrize("editor, expected", [
    (_FormsOnly, {("thing.new", "GET"), ("thing.new", "POST"), ("thing.edit", "GET"), ("thing.edit", "POST"),
                  ("thing.delete", "GET"), ("thing.delete", "POST")}),
    (_APIOnly, {("things", "POST"), ("thing", "PUT"), ("thing", "DELETE")}),
])
def test_an_editor_adds_the_views_of_the_routes_it_names_and_no_others(editor, expected):
    config = Configurator(settings={})
    config.include("touchline.formats")
    for name in ("things", "thing", "thing.new", "thing.edit", "thing.delete"):
        config.add_route(name, "/" + name)
    add_editor(config, editor)
    config.commit()
    views = set()
    for entry in config.registry.introspector.get_category("views"):
        view = entry["introspectable"]
        if view["route_name"] is None:  # the formats' own (exception) views
            continue
        methods = view["request_methods"]
        views.add((view["route_name"], methods if isinstance(methods, str) else methods[0]))
    assert views == expected


class _Thing:
    id = None


class _Session:
    """What the Editor asks of ``request.dbsession``; notes the flushes."""

    def __init__(self):
        self.flushes = 0

    def add(self, record):
        pass

    def flush(self):
        self.flushes += 1


class _Recorded(Editor):
    """A stand-in model's editor: ``posted`` is its form or JSON body; it notes ``record_written``."""

    key = "thing"
    secret_fields = ("secret",)
    created_message = saved_message = "Done."

    def __init__(self, posted, request=None):
        super().__init__(_Thing(), request or DummyRequest())
        self.request.dbsession = _Session()
        self.posted, self.written = posted, []

    def validate_form(self):
        form = Form(self.posted)
        if not self.posted.get("name"):
            form.errors = {"name": ["This field is required."]}
            return None, form
        return self.posted, form

    def validate(self, partial=None):
        return self.posted

    def new(self):
        return _Thing()

    def current(self, thing):
        return {}

    def apply(self, thing, data):
        return {"name": ["Taken."]} if data["name"] == "taken" else None

    def location(self, thing):
        return "http://example.com/thing"

    def record_written(self, thing, created):
        self.written.append((thing, created, self.request.dbsession.flushes))


@pytest.mark.parametrize("view, created", [
    ("create_form", True), ("update_form", False), ("create_json", True), ("update_json", False),
])
def test_record_written_runs_once_after_a_write_is_flushed(view, created):
    editor = _Recorded({"name": "a thing"})
    getattr(editor, view)()
    [(record, was_created, flushes)] = editor.written
    assert (was_created, flushes) == (created, 1)
    assert (record is editor.context) is not created


@pytest.mark.parametrize("name", ["", "taken"])
@pytest.mark.parametrize("view", ["create_form", "update_form"])
def test_a_refused_form_writes_nothing_runs_no_hook_and_never_shows_a_secret_field(view, name):
    editor = _Recorded({"name": name, "secret": "hunter2 hunter2", "other": "kept"})
    page = getattr(editor, view)()
    assert editor.request.response.status_int == 400
    assert page["form"].values == {"name": name, "other": "kept"}
    assert page["form"].errors
    assert editor.written == [] and editor.request.dbsession.flushes == 0


def test_an_editor_without_secret_fields_shows_every_value_again():
    editor = _Recorded({"name": "", "secret": "typed"})
    editor.secret_fields = ()
    assert editor.create_form()["form"].values == {"name": "", "secret": "typed"}
