"""Creating, changing and deleting a model's records: written once, used by every add-on.

An add-on says once what is particular to its model, in a subclass of
:class:`Editor`: the JSON key and routes, the schema, how a new record
starts, how valid data is applied (where its own rules live: consent, slugs,
coaches) and which values a partial update starts from.  It registers the
subclass with ``config.add_editor(MyEditor)`` in its ``includeme``, and
the JSON API's writes follow, the same for every model:

- ``POST`` on the collection route: 201 with ``Location`` and the record;
- ``PUT`` on the item route: a partial update, 200 with the record;
- ``DELETE`` on the item route: 204;
- 415 for a body that is not JSON, 422 with each field's errors, 403, 404
  and 406 as everywhere else, all in JSON.

The views run with the permissions named by ``create_permission``,
``edit_permission`` and ``delete_permission``, checked against the
context the route's resource factory gives, as every view of the site is.
"""
from pyramid.httpexceptions import HTTPNoContent

from touchline.forms import InvalidData, validate_json
from touchline.security import CREATE, DELETE, EDIT


class Editor:
    """One model's writes.  A view class: Pyramid makes one per request, with the context."""

    #: The key the record goes under in a JSON answer (``{"team": {...}}``).
    key = None
    #: The pydantic schema a write is validated with (or override :meth:`schema`).
    schema_class = None
    #: ``POST`` here creates a record.
    collection_route = None
    #: ``PUT`` and ``DELETE`` here change and delete one; a created record's ``Location``.
    item_route = None
    create_permission = CREATE
    edit_permission = EDIT
    delete_permission = DELETE

    def __init__(self, context, request):
        self.context = context
        self.request = request

    # What each model says --------------------------------------------------------

    def schema(self):
        """The schema for this request (it may depend on the user's permissions)."""
        return self.schema_class

    def new(self):
        """A new, empty record for the context (not yet added to the session)."""
        raise NotImplementedError

    def current(self, record):
        """The record's fields as the JSON API takes them: what a ``PUT`` leaves unchanged."""
        raise NotImplementedError

    def validate(self, partial=None):
        """The request's JSON body, validated (a 415 or a 422 otherwise)."""
        return validate_json(self.request, self.schema(), partial=partial)

    def apply(self, record, data):
        """Copy valid data onto ``record``; return field errors instead, if the model's rules say so."""
        raise NotImplementedError

    def location(self, record):
        return self.request.route_url(self.item_route, id=record.id)

    # The JSON API ------------------------------------------------------------------

    def create_json(self):
        data = self.validate()
        record = self.new()
        self._apply(record, data)
        self.request.dbsession.add(record)
        self.request.dbsession.flush()
        response = self.request.response
        response.status_int = 201
        response.location = self.location(record)
        return {self.key: record}

    def update_json(self):
        record = self.context
        self._apply(record, self.validate(partial=self.current(record)))
        self.request.dbsession.flush()
        return {self.key: record}

    def delete_json(self):
        self.request.dbsession.delete(self.context)
        self.request.dbsession.flush()
        return HTTPNoContent()

    def _apply(self, record, data):
        errors = self.apply(record, data)
        if errors:
            raise InvalidData(errors)


def add_editor(config, editor):
    """Register ``editor`` (an :class:`Editor` subclass, or its dotted name): its model's writes."""
    editor = config.maybe_dotted(editor)
    config.add_view(editor, attr="create_json", route_name=editor.collection_route, request_method="POST",
                    permission=editor.create_permission, renderer="touchline_json")
    config.add_view(editor, attr="update_json", route_name=editor.item_route, request_method="PUT",
                    permission=editor.edit_permission, renderer="touchline_json")
    config.add_view(editor, attr="delete_json", route_name=editor.item_route, request_method="DELETE",
                    permission=editor.delete_permission)


def includeme(config):
    config.add_directive("add_editor", add_editor)
