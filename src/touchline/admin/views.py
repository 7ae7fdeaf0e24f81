"""The admin's pages: the dashboard, each model's list, its forms, history, import and export.

The add, change and delete forms are the add-on's own (its
:class:`~touchline.crud.Editor`, schema, rules and templates), shown at
admin addresses and sending the user back into the admin.  Every list runs
a constant number of queries: its page of records (with what its columns
need, joined), one per related filter's choices, and the user's session.
"""
import base64
import datetime
import binascii
from urllib.parse import parse_qsl, urlencode

from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import func, select

from touchline.errors import Error
from touchline.history import (
    Change,
    RestoreRefused,
    change_diff,
    deleted_records_query,
    history_of,
    history_registration,
    recent_changes_query,
    restore,
)
from touchline.security import CREATE, DELETE, EDIT
from touchline.spreadsheets import FORMATS, InvalidImport, SpreadsheetError, read_table, spreadsheet_response
from touchline.users import Role

from .permissions import RESTORE, USE_ADMIN
from .registry import admin_models, display, local_time
from .resources import AdminRoot, ChooseParent, DeletedRecord, ModelResource, model_admin

TEMPLATES = "touchline.admin:templates/"
#: A dashboard line counts this many records at most ("100+"), so it costs the same on any table.
TODO_LIMIT = 100
RECENT_CHANGES = 10


#: Who made a change that no logged-in user made: the demo data, an import script, pshell.
NOBODY = "a script or pshell (no one logged in)"


def who(change):
    return change.user_name or NOBODY


def visible_models(request):
    """The registrations whose list this request's user may open."""
    return [admin for admin in admin_models(request.registry).values()
            if request.has_permission(USE_ADMIN, ModelResource(request, admin))]


def list_url(request, admin, query=None):
    url = request.route_url("admin.list", model=admin.name)
    return f"{url}?{query}" if query else url


def _back_query(request):
    """The list's query string a form came from (its filters, search, sort and page), kept safe."""
    pairs = parse_qsl(request.POST.get("back", ""), keep_blank_values=False)
    return urlencode([(key, value) for key, value in pairs if key == "q" or key == "sort"
                      or key == "page" or key.startswith("f.")])


# The dashboard --------------------------------------------------------------------------


@view_config(route_name="admin.dashboard", request_method="GET", permission=USE_ADMIN,
             context=AdminRoot, renderer=TEMPLATES + "dashboard.jinja2")
def dashboard(request):
    """The volunteer's to-do list: each model's lines, then the last changes."""
    models = visible_models(request)
    todos = []
    for admin in models:
        for todo in admin.todos:
            stmt = admin.scope(request, admin.query(request))
            for name, value in todo.filters.items():
                stmt = stmt.where(admin.filters_by_name[name].where(request, value))
            bounded = stmt.with_only_columns(admin.model.id).limit(TODO_LIMIT + 1).subquery()
            count = request.dbsession.scalar(select(func.count()).select_from(bounded))
            todos.append({
                "title": todo.title, "count": count, "more": count > TODO_LIMIT,
                "url": list_url(request, admin, urlencode({f"f.{k}": v for k, v in todo.filters.items()})),
            })
    stmt = recent_changes_query()
    if request.user.role is not Role.ADMIN:
        # Coaches see their own changes: everything else may name other teams' children.
        stmt = stmt.where(Change.user_id == request.user.id)
    by_name = {admin.name: admin for admin in models}
    changes = [
        {"change": change, "admin": by_name[change.kind], "who": who(change),
         "label": by_name[change.kind].change_label(request, change)}
        for change in request.dbsession.scalars(stmt.where(Change.kind.in_(list(by_name))).limit(RECENT_CHANGES))
    ] if by_name else []
    return {"models": models, "todos": todos, "changes": changes}


# A model's list and its bulk actions ----------------------------------------------------


@view_config(route_name="admin.list", request_method="GET", permission=USE_ADMIN,
             renderer=TEMPLATES + "list.jinja2")
def model_list(context, request):
    admin = context.admin
    sort, _ = admin.order(request)
    page = request.paginate(admin.statement(request))
    rows = [(record, [column.cell(record, request) for column in admin.columns]) for record in page.items]
    filters = [
        {"filter": item, "choices": item.choices(request), "value": request.GET.get(item.param, "")}
        for item in admin.filters
    ]
    columns = [
        {"column": column, "url": sort_url(request, column, sort) if column.attr is not None else None,
         "sorted": "ascending" if sort == column.name else "descending" if sort == f"-{column.name}" else None}
        for column in admin.columns
    ]
    return {
        "admin": admin, "rows": rows, "page": page, "filters": filters, "columns": columns,
        "query": request.GET.get("q", ""), "back": request.query_string,
        "export_query": urlencode([(k, v) for k, v in request.GET.items() if k != "page"]),
    }


def sort_url(request, column, current):
    """The list's URL sorted by ``column``: ascending, or descending when it already is ascending."""
    key = f"-{column.name}" if current == column.name else column.name
    params = [(k, v) for k, v in request.GET.items() if k not in ("sort", "page")] + [("sort", key)]
    return f"{request.path_url}?{urlencode(params)}"


@view_config(route_name="admin.action", request_method="POST", permission=USE_ADMIN,
             renderer=TEMPLATES + "confirm_action.jinja2")
def bulk_action(context, request):
    """Do the chosen action to the ticked records; one that asks for it is confirmed first."""
    admin = context.admin
    back = _back_query(request)
    action = admin.actions_by_name.get(request.POST.get("action", ""))
    if action is None:
        raise HTTPBadRequest("Choose one of the list's actions.")
    ids = request.POST.getall("ids")
    if not ids:
        request.session.flash("Tick the records the action is for, then choose the action again.")
        return HTTPSeeOther(location=list_url(request, admin, back))
    records = admin.selected(request, ids)
    refused = [record for record in records if not request.has_permission(action.permission, record)]
    if refused:
        raise HTTPForbidden(f"You may not {action.title.lower()} {admin.label(refused[0])}.")
    if action.confirm and request.POST.get("confirmed") != "yes":
        return {"admin": admin, "action": action, "records": records,
                "labels": [admin.label(record) for record in records], "back": back}
    request.session.flash(action.apply(request, admin, records))
    return HTTPSeeOther(location=list_url(request, admin, back))


# The forms: the add-on's editor, at admin addresses ------------------------------------------


def _form(request, admin, values, record=None):
    if not isinstance(values, dict):
        return values  # a redirect
    values.update(admin=admin, record=record, editor_template=admin.editor_class.form_template,
                  inlines=admin.inline_rows(request, record) if record is not None else [])
    return values


@view_config(route_name="admin.new", request_method="GET", permission=USE_ADMIN, context=ChooseParent,
             renderer=TEMPLATES + "choose_parent.jinja2")
def choose_parent(context, request):
    """A new player or fixture belongs to a team: which one?  (Those the user may add to.)"""
    admin = context.admin
    choices = [(parent, admin.parent_label(parent)) for parent in admin.parents(request)
               if request.has_permission(CREATE, admin.context_for_parent(request, parent))]
    return {"admin": admin, "choices": choices}


@view_config(route_name="admin.new", request_method="GET", permission=CREATE,
             renderer=TEMPLATES + "form.jinja2")
def new_record(context, request):
    admin = model_admin(request)
    return _form(request, admin, admin.admin_editor(context, request).new_form())


@view_config(route_name="admin.new", request_method="POST", permission=CREATE,
             renderer=TEMPLATES + "form.jinja2")
def create_record(context, request):
    admin = model_admin(request)
    return _form(request, admin, admin.admin_editor(context, request).create_form())


@view_config(route_name="admin.change", request_method="GET", permission=EDIT,
             renderer=TEMPLATES + "form.jinja2")
def change_record(context, request):
    admin = model_admin(request)
    return _form(request, admin, admin.admin_editor(context, request).edit_form(), context)


@view_config(route_name="admin.change", request_method="POST", permission=EDIT,
             renderer=TEMPLATES + "form.jinja2")
def update_record(context, request):
    admin = model_admin(request)
    return _form(request, admin, admin.admin_editor(context, request).update_form(), context)


def _deletable(admin):
    if admin.editor_class.delete_template is None:
        raise HTTPNotFound(f"{admin.title} are not deleted here.")


def _delete_page(request, admin, values, record):
    if not isinstance(values, dict):
        return values
    values.update(admin=admin, record=record, editor_template=admin.editor_class.delete_template)
    return values


@view_config(route_name="admin.delete", request_method="GET", permission=DELETE,
             renderer=TEMPLATES + "delete.jinja2")
def delete_record_confirm(context, request):
    admin = model_admin(request)
    _deletable(admin)
    return _delete_page(request, admin, admin.admin_editor(context, request).delete_confirm(), context)


@view_config(route_name="admin.delete", request_method="POST", permission=DELETE,
             renderer=TEMPLATES + "delete.jinja2")
def delete_record(context, request):
    admin = model_admin(request)
    _deletable(admin)
    return _delete_page(request, admin, admin.admin_editor(context, request).delete_form(), context)


# History and restoring ---------------------------------------------------------------------


def _history_page(request, admin, record_id, record, refused=None):
    registration = history_registration(request.registry, admin.name)

    def shown(name, value):
        """A recorded value as the admin's lists show it: labels, the club's clock."""
        if value is None or registration is None or name not in registration.columns:
            return display_value(request, value)
        return display_value(request, registration.load(name, value))

    entries = []
    for change in history_of(request.dbsession, admin.name, record_id):
        entries.append({
            "change": change,
            "who": who(change),
            "label": admin.change_label(request, change),
            "diff": [(admin.field_title(name), shown(name, before), shown(name, after))
                     for name, before, after in change_diff(change)],
        })
    return {"admin": admin, "record": record, "record_id": record_id, "entries": entries,
            "refused": refused, "title": entries[0]["label"] if entries else f"{admin.singular} {record_id}"}


def display_value(request, value):
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, datetime.datetime):
        return local_time(request, value)
    return display(value)


@view_config(route_name="admin.history", request_method="GET", permission=EDIT,
             renderer=TEMPLATES + "history.jinja2")
def record_history(context, request):
    """Each recorded change of the record, newest first, as a diff; a deleted record's too."""
    if isinstance(context, DeletedRecord):
        return _history_page(request, context.admin, context.change.record_id, None)
    admin = model_admin(request)
    return _history_page(request, admin, context.id, context)


@view_config(route_name="admin.restore", request_method="POST", permission=EDIT,
             renderer=TEMPLATES + "history.jinja2")
@view_config(route_name="admin.restore", request_method="POST", permission=RESTORE, context=DeletedRecord,
             renderer=TEMPLATES + "history.jinja2")
def restore_version(context, request):
    """Put back the record as it was before or after a recorded change: a change in its turn."""
    admin = model_admin(request)
    state = request.POST.get("state")
    if state not in ("before", "after"):
        raise HTTPBadRequest("Say whether to restore the record as it was before or after the change.")
    change = request.dbsession.get(Change, int(request.matchdict["change"]))
    try:
        record = restore(request.dbsession, change, state)
    except RestoreRefused as refusal:
        request.response.status_int = 409
        live = None if isinstance(context, DeletedRecord) else context
        return _history_page(request, admin, change.record_id, live, refused=str(refusal))
    request.session.flash(f"{admin.label(record)} was restored; the restore is in the history too.")
    return HTTPSeeOther(location=request.route_url("admin.history", model=admin.name, id=record.id))


@view_config(route_name="admin.deleted", request_method="GET", permission=RESTORE,
             renderer=TEMPLATES + "deleted.jinja2")
def deleted_records(context, request):
    """The model's deleted records, newest first, each with its last version to bring back."""
    admin = context.admin
    page = request.paginate(deleted_records_query(admin.name))
    return {"admin": admin, "page": page,
            "entries": [{"change": change, "who": who(change), "label": admin.change_label(request, change)}
                        for change in page.items]}


# Spreadsheets ---------------------------------------------------------------------------------


@view_config(route_name="admin.export", request_method="GET", permission=USE_ADMIN)
def export(context, request):
    """The list as the user sees it (its search, filters and order, every page) as CSV or XLSX."""
    admin = context.admin
    stmt = admin.statement(request).options(*admin.export_options).limit(admin.MAX_EXPORT)
    records = request.dbsession.scalars(stmt).unique().all()
    if admin.importer_class is not None:
        importer = admin.importer_class(request)
        columns = [column.name for column in importer.columns]
        rows = [importer.export_row(record) for record in records]
    else:
        columns = [column.title for column in admin.columns]
        rows = [[_plain(column.cell(record, request)) for column in admin.columns] for record in records]
    fmt = request.matchdict["format"]
    return spreadsheet_response(request, columns, rows, fmt, f"{admin.name}.{fmt}")


def _plain(value):
    return value if isinstance(value, (int, float, str)) or value is None else str(value)


def _importer(context, request):
    admin = context.admin
    if admin.importer_class is None:
        raise HTTPNotFound(f"{admin.title} do not come in from spreadsheets.")
    return admin, admin.importer_class(request)


@view_config(route_name="admin.import_template", request_method="GET", permission=USE_ADMIN)
def import_template(context, request):
    """An empty file with the import's columns and an example row."""
    admin, importer = _importer(context, request)
    fmt = request.matchdict["format"]
    return Response(
        body=importer.template(fmt), content_type=FORMATS[fmt].content_type,
        content_disposition=f'attachment; filename="{admin.name}-template.{fmt}"',
    )


def _uploaded(request):
    """``(data, filename)`` of the file sent, or of the file the preview page carries."""
    upload = request.POST.get("file")
    if upload is not None and not isinstance(upload, str) and getattr(upload, "filename", ""):
        return upload.file.read(), upload.filename
    content, filename = request.POST.get("content", ""), request.POST.get("filename", "")
    if content and filename:
        try:
            return base64.b64decode(content, validate=True), filename
        except (binascii.Error, ValueError):
            raise HTTPBadRequest("The file sent with the preview was damaged: choose it again.") from None
    return None, None


@view_config(route_name="admin.import", request_method="GET", permission=USE_ADMIN,
             renderer=TEMPLATES + "import.jinja2")
def import_form(context, request):
    admin, importer = _importer(context, request)
    return {"admin": admin, "importer": importer, "preview": None, "error": None}


@view_config(route_name="admin.import", request_method="POST", permission=USE_ADMIN,
             renderer=TEMPLATES + "import.jinja2")
def import_file(context, request):
    """Step one shows the preview; step two (``confirm``) imports the whole file, or nothing."""
    admin, importer = _importer(context, request)
    page = {"admin": admin, "importer": importer, "preview": None, "error": None}
    data, filename = _uploaded(request)
    if data is None:
        request.response.status_int = 400
        return dict(page, error="Choose a CSV or Excel (.xlsx) file to import.")
    try:
        preview = importer.preview(read_table(data, filename))
    except SpreadsheetError as error:
        request.response.status_int = 400
        return dict(page, error=str(error))
    if request.POST.get("confirm") == "yes" and preview.ok:
        try:
            records = importer.save(preview)
        except InvalidImport as refused:
            # The data changed between the preview and the import (a shirt number was taken).
            request.response.status_int = 422
            return dict(page, preview=refused.preview, error=refused.message)
        request.session.flash(f"{len(records)} {admin.title.lower()} were imported.")
        return HTTPSeeOther(location=list_url(request, admin))
    if not preview.ok:
        request.response.status_int = 422
    return dict(page, preview=preview, filename=filename,
                content=base64.b64encode(data).decode("ascii"))


@view_config(route_name="admin.import_api", request_method="POST", permission=USE_ADMIN,
             renderer="touchline_json")
def import_api(context, request):
    """The JSON API's import: the file (multipart ``file``); ``dry_run=1`` previews only.

    201 with the number imported; 422 with each row's errors, and nothing
    imported; 400 for a file that is no spreadsheet.
    """
    admin, importer = _importer(context, request)
    data, filename = _uploaded(request)
    if data is None:
        raise HTTPBadRequest("Send the file as the multipart field “file”.")
    try:
        preview = importer.preview(read_table(data, filename))
    except SpreadsheetError as error:
        raise HTTPBadRequest(str(error)) from None
    rows = [{"row": row.number, "values": row.values, "errors": row.errors} for row in preview.rows]
    if not preview.ok:
        request.response.status_int = 422
        fields = {f"row {row.number}": row.errors for row in preview.rows if row.errors}
        detail = f"{preview.errors_count} rows have errors; nothing was imported."
        return {"error": Error(422, "Unprocessable Entity", detail, fields), "rows": rows}
    if request.POST.get("dry_run") in ("1", "true", "yes"):
        return {"rows": rows}
    try:
        records = importer.save(preview)
    except InvalidImport as refused:
        request.response.status_int = 422
        fields = {f"row {row.number}": row.errors for row in refused.preview.rows if row.errors}
        return {"error": Error(422, "Unprocessable Entity", refused.message, fields)}
    request.response.status_int = 201
    return {"imported": len(records), "ids": [record.id for record in records]}
