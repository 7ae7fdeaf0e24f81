"""Links on a team's page that other add-ons contribute (its fixtures, its roster).

An add-on built on teams calls ``config.add_team_link(name, title,
route_name, order=100, permission=None, media_type=None)`` in its
``includeme``; the team page then links ``route_url(route_name,
id=team.id)``, shown only to users who have ``permission`` on the team
when one is given.  A link with a ``media_type`` is a feed (the fixtures'
calendar): the team page also announces it in its head with ``<link
rel="alternate">``, so that browsers and calendar apps find it.  Links are recorded
with ``config.action`` like the core's directives, so two add-ons claiming
one name conflict loudly.
"""
import bisect
from dataclasses import dataclass, field

TEAM_LINKS = "touchline.teams.links"


@dataclass(order=True, frozen=True)
class TeamLink:
    order: int
    name: str
    title: str = field(compare=False)
    route_name: str = field(compare=False)
    permission: str | None = field(default=None, compare=False)
    #: The feed's type (``text/calendar``) when the link is a feed to subscribe to.
    media_type: str | None = field(default=None, compare=False)


def add_team_link(config, name, title, route_name, order=100, permission=None, media_type=None):
    """Link ``route_name`` (which takes the team's ``id``) from every team's page."""
    link = TeamLink(order, name, title, route_name, permission, media_type)

    def register():
        bisect.insort(config.registry.setdefault(TEAM_LINKS, []), link)

    intr = config.introspectable(TEAM_LINKS, name, title, TEAM_LINKS)
    config.action((TEAM_LINKS, name), register, introspectables=(intr,))


def team_links(request, team):
    """(title, url) of the links this user may follow from ``team``'s page."""
    return [
        (link.title, request.route_url(link.route_name, id=team.id))
        for link in request.registry.get(TEAM_LINKS, ())
        if link.permission is None or request.has_permission(link.permission, team)
    ]


def team_feeds(request, team):
    """(title, public URL, media type) of the feeds ``team``'s page announces in its head."""
    return [
        (link.title, request.public_route_url(link.route_name, id=team.id), link.media_type)
        for link in request.registry.get(TEAM_LINKS, ())
        if link.media_type
        and (link.permission is None or request.has_permission(link.permission, team))
    ]


def includeme(config):
    config.add_directive("add_team_link", add_team_link)
    # In the team page's template, so that one dict serves HTML, JSON and XML alike.
    config.add_request_method(team_links, "team_links")
    config.add_request_method(team_feeds, "team_feeds")
