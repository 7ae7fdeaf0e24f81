"""The teams' public pages in ``/sitemap.xml`` (``config.add_sitemap_source``).

The list of teams and each team's page.  A team has no timestamp of its
own, so its ``lastmod`` is its latest change in the history.
"""
from sqlalchemy import select

from touchline.seo import last_changed

from .models import Team


def team_entries(request, limit):
    """``/teams`` and every team's page, newest teams first, in one query."""
    yield request.fixed_path("teams.list"), None
    show = request.path_for("teams.show", "id")
    rows = request.dbsession.execute(
        select(Team.id, last_changed("teams", Team.id)).order_by(Team.id.desc()).limit(limit)
    )
    for team_id, changed in rows:
        yield show(team_id), changed
