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
import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TEAM_SECTIONS = "touchline.teams.sections"


@dataclass(order=True, frozen=True)
class TeamSection:
    order: int
    name: str
    title: str = field(compare=False)
    data: Callable = field(compare=False)
    template: str = field(compare=False)


@dataclass(frozen=True)
class RenderedSection:
    """A section with its data for one team and one request."""

    section: TeamSection
    data: Any

    @property
    def name(self):
        return self.section.name

    @property
    def title(self):
        return self.section.title

    @property
    def template(self):
        return self.section.template


def add_team_section(config, name, title, data, template, order=100):
    """Show a section on every team's page (see the module's docstring)."""
    section = TeamSection(order, name, title, config.maybe_dotted(data), template)

    def register():
        bisect.insort(config.registry.setdefault(TEAM_SECTIONS, []), section)

    intr = config.introspectable(TEAM_SECTIONS, name, title, TEAM_SECTIONS)
    intr["item"] = section
    config.action((TEAM_SECTIONS, name), register, introspectables=(intr,))


def team_sections(request, team):
    """The sections of ``team``'s page that have something to show, with their data."""
    rendered = (RenderedSection(section, section.data(request, team))
                for section in request.registry.get(TEAM_SECTIONS, ()))
    return [section for section in rendered if section.data is not None]


def includeme(config):
    config.add_directive("add_team_section", add_team_section)
    config.add_request_method(team_sections, "team_sections")
