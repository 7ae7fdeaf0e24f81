"""The teams in the site's search: by name (``touchline.search``)."""
from touchline.search import FullText, SearchResult

from .models import Level, Team

#: The migration ``teams_search_0001`` creates it; the model declares its PostgreSQL index.
TEAMS_TEXT = FullText("teams", ["name"])

T = Team.__table__
#: Its PostgreSQL index, on the model's table, so that the models describe what the migration made.
TEAMS_TEXT.model_index(T)


def search_teams(request, query, limit):
    """The teams whose name holds every word, youngest age group first among equals."""
    rows = TEAMS_TEXT.search(request, T, (T.c.id, T.c.name, T.c.level), query, limit,
                             order_by=(T.c.level, T.c.name))
    url = request.url_for("teams.show", "id")
    return [SearchResult(row.name, url(row.id), summary=_level(row.level).label) for row in rows]


def _level(value):
    return value if isinstance(value, Level) else Level(value)
