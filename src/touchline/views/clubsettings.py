"""The club's settings page (``/settings``, admins) and its colours (``/club.css``, everyone).

The page is a plain form, not a ``touchline.crud`` editor: there is one
record, it is never created or deleted by hand, and it has no JSON API.  A
save is written in the request's transaction and shows on every page once
it commits (see :mod:`touchline.clubsettings` for how the app processes
learn of it without a query per page).
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from touchline import clubsettings
from touchline.forms import Form, validate_form
from touchline.security import MANAGE_CLUB

TEMPLATE = "touchline:templates/club_settings.jinja2"
ONE_YEAR = 365 * 24 * 3600


def _values(club):
    return {
        "name": club.name, "primary_colour": club.primary_colour,
        "accent_colour": club.accent_colour, "email": club.email, "phone": club.phone,
        "address": club.address, "map_url": club.map_url, "welcome": club.welcome,
    }


@view_config(route_name="club.settings", request_method="GET", permission=MANAGE_CLUB,
             renderer=TEMPLATE)
def settings_form(request):
    return {"form": Form(_values(request.club))}


def _upload_crest(request):
    """Store the form's crest, if one was chosen: ``((name, width, height), error)``."""
    upload = request.POST.get("crest")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return None, None
    # Pillow is imported when a crest comes, not with every page.
    from touchline.uploads import InvalidImage

    try:
        name = request.uploads.save_image(upload)
    except InvalidImage as exc:
        return None, str(exc)
    return (name, *clubsettings.crest_size(request, name)), None


@view_config(route_name="club.settings", request_method="POST", permission=MANAGE_CLUB,
             renderer=TEMPLATE)
def save_settings(request):
    data, form = validate_form(request, clubsettings.ClubSettingsIn, ignore=("csrf_token", "crest"))
    # The crest is stored only once the other fields are valid: a refused form keeps no file.
    crest, crest_error = _upload_crest(request) if data is not None else (None, None)
    if crest_error:
        form.errors = {**form.errors, "crest": [crest_error]}
    if data is None or crest_error:
        request.response.status_int = 400
        return {"form": form}
    clubsettings.save(request, data, crest)
    request.session.flash("The club's settings were saved.")
    return HTTPSeeOther(request.route_path("club.settings"))


@view_config(route_name="club.css", request_method="GET", permission=NO_PERMISSION_REQUIRED)
def club_css(request):
    """The colours as CSS custom properties; a year of caching when asked by the current URL."""
    club = request.club
    response = Response(club.css(), content_type="text/css", charset="utf-8")
    response.etag = club.css_version
    if request.GET.get("v") == club.css_version:
        response.cache_control = f"public, max-age={ONE_YEAR}, immutable"
    else:
        response.cache_control = "no-cache"
    response.conditional_response = True  # If-None-Match: 304
    return response
