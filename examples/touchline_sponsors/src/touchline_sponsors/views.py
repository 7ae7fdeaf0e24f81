"""The sponsors pages and API: every public view answers HTML, JSON and XML.

Visitors see the active sponsors; admins (the only ones the base ACL lets
create, edit and delete) also see the inactive ones and keep them current
through the forms or the JSON API.  A logo is stored through the core's
``request.uploads`` only once everything else in the request is valid, so
a form with a mistake never leaves a stored image behind.
"""
from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from pyramid.view import view_config

from touchline.crud import Editor
from touchline.forms import InvalidData, validate_form
from touchline.security import EDIT, VIEW
from touchline.uploads import InvalidImage

from .models import DEFAULT_TIER, Sponsor, Tier
from .schemas import SponsorFormIn, SponsorIn

FORM_TEMPLATE = "touchline_sponsors:templates/sponsor_form.jinja2"
#: The home page shows at most this many sponsors; the sponsors page shows them all.
PANEL_SIZE = 12


@view_config(
    route_name="sponsors.list",
    request_method="GET",
    permission=VIEW,
    renderer="touchline_sponsors:templates/sponsors.jinja2",
)
def sponsor_list(request):
    """The sponsors, gold first, a page at a time; admins see the inactive ones too."""
    everyone = request.user is not None and request.has_permission(EDIT, request.context)
    page = request.paginate(Sponsor.ordered(active_only=not everyone))
    return {"sponsors": page.items, "page": page}


@view_config(
    route_name="sponsors.show",
    request_method="GET",
    permission=VIEW,
    renderer="touchline_sponsors:templates/sponsor.jinja2",
)
def sponsor_show(context, request):
    # An inactive sponsor is not public: as if it did not exist, for those who cannot edit it.
    if not context.active and not request.has_permission(EDIT, context):
        raise HTTPNotFound()
    return {"sponsor": context}


def sponsors_panel(request):
    """The home page's "Our sponsors": the active sponsors, or no panel when there are none."""
    sponsors = request.dbsession.scalars(Sponsor.ordered().limit(PANEL_SIZE)).all()
    if not sponsors:
        return None
    return {"sponsors": sponsors}


# Writing: the forms and the JSON API, on the core's CRUD layer ---------------------------------------------------------


def _form_page(request, form, sponsor=None):
    return {
        "form": form,
        "sponsor": sponsor,
        "tiers": [(tier.value, tier.label) for tier in Tier],
    }


def _logo_upload(request):
    """The form's chosen logo file, or None when no file was chosen."""
    values = request.POST.getall("logo")
    if len(values) > 1:
        raise HTTPBadRequest("The field 'logo' was sent more than once.")
    if not values or (not hasattr(values[0], "file") and not values[0]):
        # No field, or a file field left empty (browsers send a part without a file name).
        return None
    # A file, or text where a file belongs: save_image says what is wrong with the latter.
    return values[0]


def _validate(request):
    """``(data, logo name or None, form)``: the logo is stored only when all else is valid."""
    upload = _logo_upload(request)
    data, form = validate_form(request, SponsorFormIn, ignore=("csrf_token", "logo"))
    logo = None
    if data is None:
        if upload is not None:
            form.errors.setdefault("logo", []).append(
                "Choose the image again: a file is not kept while the form has errors."
            )
        return None, None, form
    if upload is not None:
        try:
            logo = request.uploads.save_image(upload)
        except InvalidImage as exc:
            form.errors["logo"] = [str(exc)]
            return None, None, form
    return data, logo, form


def _values(sponsor):
    return {
        "name": sponsor.name,
        "link": sponsor.link,
        "tier": sponsor.tier.value,
        "active": sponsor.active,
    }


def _apply(sponsor, data):
    sponsor.name = data.name
    sponsor.link = data.link
    sponsor.tier = data.tier
    sponsor.active = data.active


def _json_logo(request, data):
    """The stored name for the body's ``logo``, or the 422 that says what is wrong with it."""
    try:
        return request.uploads.save_image(data.logo)
    except InvalidImage as exc:
        raise InvalidData({"logo": [str(exc)]}) from None


class SponsorEditor(Editor):
    """The sponsors' forms and JSON API writes, on the core's CRUD layer: the logo is the add-on's own."""

    key = "sponsor"
    collection_route = "sponsors.list"
    item_route = "sponsors.show"
    new_route = "sponsors.new"
    edit_route = "sponsors.edit"
    delete_route = "sponsors.delete"
    form_template = FORM_TEMPLATE
    delete_template = "touchline_sponsors:templates/sponsor_delete.jinja2"
    created_message = "The sponsor {record.name} was added."
    saved_message = "The sponsor {record.name} was saved."
    deleted_message = "The sponsor {record.name} was removed."
    after_delete_route = "sponsors.list"
    schema_class = SponsorIn

    def new(self):
        return Sponsor()

    def current(self, sponsor):
        return _values(sponsor)

    def apply(self, sponsor, data):
        if "logo" in data.model_fields_set:
            sponsor.logo = _json_logo(self.request, data) if data.logo is not None else None
        _apply(sponsor, data)

    def validate_form(self):
        data, logo, form = _validate(self.request)
        return (None if data is None else (data, logo)), form

    def apply_form(self, sponsor, validated):
        data, logo = validated
        _apply(sponsor, data)
        if logo is not None:
            sponsor.logo = logo
        elif data.remove_logo:
            sponsor.logo = None

    def new_values(self):
        return {"tier": DEFAULT_TIER.value, "active": True}

    def form_values(self, sponsor):
        return _values(sponsor)

    def form_page(self, form, sponsor=None):
        return _form_page(self.request, form, sponsor)
