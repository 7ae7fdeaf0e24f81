"""The core's CRUD layer (``touchline.crud``), as the teams add-on uses it."""
import pytest
from pyramid.config import Configurator

from touchline.crud import Editor, add_editor
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
