"""Creating, changing and deleting a model's records: written once, used by every add-on.

An add-on says once what is particular to its model, in a subclass of
:class:`Editor`: the JSON key and routes, the schema, how a new record
starts, how valid data is applied (where its own rules live: consent, slugs,
coaches) and which values a partial update starts from.  It registers the
subclass with ``config.add_editor(MyEditor)`` in its ``includeme``, and
the writes follow, the same for every model.  The JSON API's, when the class
names ``collection_route`` and ``item_route``:

- ``POST`` on the collection route: 201 with ``Location`` and the record;
- ``PUT`` on the item route: a partial update, 200 with the record;
- ``DELETE`` on the item route: 204;
- 415 for a body that is not JSON, 422 with each field's errors, 403, 404
  and 406 as everywhere else, all in JSON.

The HTML forms', when it names ``new_route``, ``edit_route`` and ``delete_route``:
the empty form and its ``POST`` (a redirect, or the form again with status
400 and the errors beside the fields), the same for a record's edit form,
and a delete confirmation page whose ``POST`` deletes; each success is
flashed, in the add-on's words.

What a model does besides storing a record (a log line) goes in
:meth:`Editor.record_written`, which every successful create and update runs;
``secret_fields`` (a password) are never shown back in a form with mistakes.

The views run with the permissions named by ``create_permission``,
``edit_permission`` and ``delete_permission``, checked against the
context the route's resource factory gives, as every view of the site is.
"""
from pyramid.httpexceptions import HTTPNoContent, HTTPSeeOther

from touchline.forms import Form, InvalidData, validate_form, validate_json
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
    #: The forms: the empty one (``GET``, ``POST`` creates), a record's, its delete confirmation.
    new_route = None
    edit_route = None
    delete_route = None
    #: The forms' template (it gets :meth:`form_page`'s values) and the confirmation's.
    form_template = None
    delete_template = None
    #: The schema a form post is validated with, if not :meth:`schema`'s.
    form_schema_class = None
    #: What a form flashes once it created, saved or deleted a record: ``str.format`` templates
    #: of ``record`` and ``editor`` ("The team {record.name} was created.").
    created_message = saved_message = deleted_message = None
    #: Where the user goes after a delete, when it is a route without parameters.
    after_delete_route = None
    #: Form fields a form shown again with its mistakes never gets back as typed (a password).
    secret_fields = ()

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

    # What each model says about its forms (``_form`` views) --------------------------

    def new_values(self):
        """The empty form's values (the defaults a new record would get)."""
        return {}

    def form_values(self, record):
        """A record's fields as its edit form shows them."""
        raise NotImplementedError

    def form_page(self, form, record=None):
        """The form template's values: the form, the record being changed (None for a new one)."""
        return {"form": form, self.key: record}

    def validate_form(self):
        """``(data, form)``: the posted form validated, ``data`` None when ``form.errors`` says why."""
        return validate_form(self.request, self.form_schema_class or self.schema())

    def apply_form(self, record, data):
        """Like :meth:`apply`, for what :meth:`validate_form` gave."""
        return self.apply(record, data)

    def delete_page(self, record):
        """The delete confirmation template's values."""
        return {self.key: record}

    def delete_refused(self, record):
        """None, or why ``record`` may not be deleted: the confirmation page's values, shown
        again with the status this sets (a category that still has products: 409)."""
        return None

    def created(self, record):
        """The message flashed after a form created ``record``."""
        return self.created_message.format(record=record, editor=self)

    def saved(self, record):
        return self.saved_message.format(record=record, editor=self)

    def deleted(self, record):
        return self.deleted_message.format(record=record, editor=self)

    def after_save(self, record):
        """Where a form that saved ``record`` sends the user: the record's page."""
        return self.location(record)

    def after_create(self, record):
        """Where the new-record form sends the user once ``record`` is created."""
        return self.after_save(record)

    def after_delete(self, record):
        """Where the user goes once ``record`` is deleted (read before it goes)."""
        return self.request.route_url(self.after_delete_route)

    def record_written(self, record, created):
        """Runs once a form or the JSON API wrote ``record`` (``created``: a new one) and it is
        flushed, before the answer: what the model does besides storing it (the accounts log a
        security event).  Nothing by default; not run when the write is refused."""

    # The HTML forms ------------------------------------------------------------------

    def new_form(self):
        return self.form_page(Form(self.new_values()))

    def create_form(self):
        data, form = self.validate_form()
        record = None
        if data is not None:
            record = self.new()
            form.errors = self.apply_form(record, data) or {}
        if form.errors:
            return self._form_again(form)
        self.request.dbsession.add(record)
        self.request.dbsession.flush()
        self.record_written(record, created=True)
        self.request.session.flash(self.created(record))
        return HTTPSeeOther(location=self.after_create(record))

    def edit_form(self):
        return self.form_page(Form(self.form_values(self.context)), self.context)

    def update_form(self):
        record = self.context
        data, form = self.validate_form()
        if data is not None:
            form.errors = self.apply_form(record, data) or {}
        if form.errors:
            return self._form_again(form, record)
        self.request.dbsession.flush()
        self.record_written(record, created=False)
        self.request.session.flash(self.saved(record))
        return HTTPSeeOther(location=self.after_save(record))

    def _form_again(self, form, *record):
        """The form with its mistakes (status 400), without :attr:`secret_fields`' values;
        ``record`` is the one being changed, none for a new one."""
        self.request.response.status_int = 400
        for name in self.secret_fields:
            form.values.pop(name, None)
        return self.form_page(form, *record)

    def delete_confirm(self):
        return self.delete_page(self.context)

    def delete_form(self):
        record = self.context
        refused = self.delete_refused(record)
        if refused is not None:
            return refused
        location, message = self.after_delete(record), self.deleted(record)
        self.request.dbsession.delete(record)
        self.request.dbsession.flush()
        self.request.session.flash(message)
        return HTTPSeeOther(location=location)

    # The JSON API ------------------------------------------------------------------

    def create_json(self):
        data = self.validate()
        record = self.new()
        self._apply(record, data)
        self.request.dbsession.add(record)
        self.request.dbsession.flush()
        self.record_written(record, created=True)
        response = self.request.response
        response.status_int = 201
        response.location = self.location(record)
        return {self.key: record}

    def update_json(self):
        record = self.context
        self._apply(record, self.validate(partial=self.current(record)))
        self.request.dbsession.flush()
        self.record_written(record, created=False)
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
    """Register ``editor`` (an :class:`Editor` subclass, or its dotted name): its model's writes.

    The forms' views are added when the class names their routes, the JSON
    API's when it names ``collection_route`` and ``item_route``.
    """
    editor = config.maybe_dotted(editor)
    create, edit, delete = editor.create_permission, editor.edit_permission, editor.delete_permission
    views = []
    if editor.new_route:
        views += [("new_form", editor.new_route, "GET", create, editor.form_template),
                  ("create_form", editor.new_route, "POST", create, editor.form_template)]
    if editor.edit_route:
        views += [("edit_form", editor.edit_route, "GET", edit, editor.form_template),
                  ("update_form", editor.edit_route, "POST", edit, editor.form_template)]
    if editor.delete_route:
        views += [("delete_confirm", editor.delete_route, "GET", delete, editor.delete_template),
                  ("delete_form", editor.delete_route, "POST", delete, editor.delete_template)]
    if editor.collection_route:
        views += [("create_json", editor.collection_route, "POST", create, "touchline_json")]
    if editor.item_route:
        views += [("update_json", editor.item_route, "PUT", edit, "touchline_json"),
                  ("delete_json", editor.item_route, "DELETE", delete, None)]
    for attr, route_name, method, permission, renderer in views:
        config.add_view(editor, attr=attr, route_name=route_name, request_method=method,
                        permission=permission, renderer=renderer)


def includeme(config):
    config.add_directive("add_editor", add_editor)
