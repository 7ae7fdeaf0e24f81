"""Coaches named on their teams' pages, only with their consent.

A team's page names its coaches only when each has agreed, on their own
coaching page (``/account/coach``): nobody else, an admin included, can
give that consent for them.  Deactivated accounts and accounts that are no
longer coaches are never named.  The team page's "Coaches" section reads
the names in one query, with the team's coaches' consent.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import bindparam, select

from touchline.forms import Form, validate_form
from touchline.security import VIEW_PRIVATE
from touchline.users import Role, User

from .models import CoachProfile, team_coaches
from .schemas import CoachProfileIn

#: A team's coaches with their consent: (id, name, show_name), in name order.
TEAM_COACHES = (
    select(User.id, User.display_name, User.username, CoachProfile.show_name)
    .join(team_coaches, team_coaches.c.user_id == User.id)
    .outerjoin(CoachProfile, CoachProfile.user_id == User.id)
    .where(team_coaches.c.team_id == bindparam("team_id"), User.role == Role.COACH, User.active.is_(True))
    .order_by(User.username_key)
)


def _name(row):
    return row.display_name or row.username


def coaches_section(request, team):
    """The team page's "Coaches" section: the names of the coaches who agreed to be shown.

    A coach of the team also sees whether their own name is shown, with a
    link to change it.  None (no section) when there is nothing to show.
    """
    rows = request.dbsession.execute(TEAM_COACHES, {"team_id": team.id}).all()
    names = [_name(row) for row in rows if row.show_name]
    user = request.user
    mine = next((row for row in rows if user is not None and row.id == user.id), None)
    if not names and mine is None:
        return None
    return {"names": names, "coach": mine is not None, "shown": bool(mine and mine.show_name)}


def _profile(request):
    return request.dbsession.get(CoachProfile, request.user.id)


@view_config(route_name="teams.coach_profile", request_method="GET", permission=VIEW_PRIVATE,
             renderer="touchline.teams:templates/coach_profile.jinja2")
def coach_profile(request):
    """The logged-in user's consent to be named as a coach."""
    profile = _profile(request)
    form = Form({"show_name": "on" if profile is not None and profile.show_name else ""})
    return {"form": form, "is_coach": request.user.role is Role.COACH}


@view_config(route_name="teams.coach_profile", request_method="POST", permission=VIEW_PRIVATE,
             renderer="touchline.teams:templates/coach_profile.jinja2")
def save_coach_profile(request):
    data, form = validate_form(request, CoachProfileIn)
    if data is None:
        request.response.status_int = 400
        return {"form": form, "is_coach": request.user.role is Role.COACH}
    profile = _profile(request)
    if profile is None:
        profile = CoachProfile(user_id=request.user.id)
        request.dbsession.add(profile)
    profile.show_name = data.show_name
    request.session.flash("Your name is now shown on the pages of the teams you coach." if data.show_name
                          else "Your name is no longer shown on the pages of the teams you coach.")
    return HTTPSeeOther(location=request.route_url("teams.coach_profile"))
