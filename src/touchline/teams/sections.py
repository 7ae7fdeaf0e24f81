"""Sections of a team's page that other add-ons contribute (its next match and last result).

An add-on built on teams calls ``config.add_team_section(name, title, data,
template, order=100)`` in its ``includeme``, as the core's home panels are
added: ``data(request, team)`` (a callable or a dotted name) returns a dict,
or ``None`` to leave the section out, and ``template`` (an asset spec)
renders that dict as ``data`` inside a ``<section>`` headed ``title``.  The
teams add-on knows none of them: fixtures adds "Next match and last
result".  Keep ``data`` to a bounded query or two: it runs on every view of
every team's page.  Sections are recorded with ``config.action``, so two
add-ons claiming one name conflict loudly, and run in ``order``, then name.

Like the team links, the sections are read by the page's template
(``request.team_sections(team)``), so the team's JSON and XML stay the
team's own fields.
"""
from touchline.addons import HomePanel, RenderedPanel, record_item

TEAM_SECTIONS = "touchline.teams.sections"

#: A section is described as a home panel is (order, name, title, data, template); only its
#: ``data`` takes the team too.
TeamSection = HomePanel


def add_team_section(config, name, title, data, template, order=100):
    """Show a section on every team's page (see the module's docstring)."""
    record_item(config, TEAM_SECTIONS, name, TeamSection(order, name, title, config.maybe_dotted(data), template))


def team_sections(request, team):
    """The sections of ``team``'s page that have something to show, with their data."""
    rendered = (RenderedPanel(section, section.data(request, team))
                for section in request.registry.get(TEAM_SECTIONS, ()))
    return [section for section in rendered if section.data is not None]


def includeme(config):
    config.add_directive("add_team_section", add_team_section)
    config.add_request_method(team_sections, "team_sections")
