"""Events that other add-ons put in a team's calendar feed (its training sessions).

The feed itself is the fixtures add-on's (``touchline.fixtures.calendar``);
an add-on built on teams adds its own events to it, whether or not it knows
of fixtures, with ``config.add_team_calendar_source(source)`` in its
``includeme``.  The feed asks each source, when it is served:

``source.name``
    unique among the sources (two sources of one name conflict at start-up);
``source.state_columns(team_id)``
    labelled scalar subqueries (their labels start with the name) that the
    feed's one state query reads alongside its own, so that a poll answered
    with 304 still costs one query whatever the sources;
``source.validators(request, state)``
    ``(text, last_modified)`` from that row: the text goes into the feed's
    ``ETag`` and ``last_modified`` (or None) into its ``Last-Modified``;
``source.events(request, team_id, team_name, state)``
    for a feed that is sent: ``(text, last_modified, timezone, lines)``,
    read in at most one query (none when ``state`` says there is nothing),
    where ``text`` and ``last_modified`` are :meth:`validators`' for what was
    read, ``timezone`` says whether the events name the club's timezone
    (``TZID``), so the feed carries its ``VTIMEZONE``, and ``lines`` are
    the events' content lines, folded.
"""
TEAM_CALENDAR_SOURCES = "touchline.teams.calendar_sources"


def add_team_calendar_source(config, source):
    """Put ``source``'s events in every team's calendar feed (see the module's docstring).

    ``source`` is an object, a class to make one of, or the dotted name of either.
    """
    source = config.maybe_dotted(source)
    if isinstance(source, type):  # a class (or its dotted name): one instance serves every feed
        source = source()

    def register():
        config.registry.setdefault(TEAM_CALENDAR_SOURCES, []).append(source)

    intr = config.introspectable(TEAM_CALENDAR_SOURCES, source.name, source.name, TEAM_CALENDAR_SOURCES)
    config.action((TEAM_CALENDAR_SOURCES, source.name), register, introspectables=(intr,))


def team_calendar_sources(registry):
    """The sources registered, in the order their add-ons were included."""
    return tuple(registry.get(TEAM_CALENDAR_SOURCES, ()))


def includeme(config):
    config.add_directive("add_team_calendar_source", add_team_calendar_source)
