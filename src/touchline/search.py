"""Search across the site: one box, every add-on's records, the database's own full-text index.

The core knows no record type.  Each add-on registers a *search source* in
its ``includeme``::

    config.add_search_source("teams", "touchline.teams.search.search_teams",
                             title="Teams", order=10)

and ``/search?q=...`` (HTML, JSON and XML, see ``views/search.py``) asks every
source the user may use for its best matches, one query each, and shows them
in the sources' order.  ``search(request, query, limit)`` returns at most
``limit`` :class:`SearchResult` s, best first; ``permission`` (checked on the
root) keeps a source away from users who lack it: the rosters' players are
searched for logged-in members only (``VIEW_PRIVATE``).

Full-text indexes (:class:`FullText`) are the databases' own, created by each
add-on's migration and kept current by the database in the same transaction
as the change:

- SQLite: an FTS5 table (``<table>_search_fts``) whose content is the table
  itself (the text is not stored twice), kept current by triggers;
- PostgreSQL: a GIN index on the weighted ``tsvector`` of the columns
  (``ix_<table>_search``) and one on the title's alone
  (``ix_<table>_search_title``); the queries use the very same expressions,
  so the planner reads the indexes.

Ranking: a record whose title (its first column: a name, a title, an
opponent) holds every word comes before one that has them elsewhere, then
each source's own order (youngest team, latest kick-off, newest post).  Each
source ranks at most ``CANDIDATES`` title matches and as many other matches,
so a word in half the records costs what a rare one does.

What a visitor types reaches SQL only as a bound parameter, and only as
words: :class:`SearchQuery` keeps the letters and digits of each word and
writes the FTS5 and tsquery expressions itself, each word quoted, so that
``"``, ``*``, ``-``, ``AND``, ``NEAR`` or ``:`` in a search are just text.
Every word must appear, as a word or the start of one (``falc`` finds
"Falcons"; a word of one character only whole), whatever the case; accents count (``Zoe`` does not find
"Zoë"), on both databases alike.

A later migration that makes SQLite copy an indexed table (batch mode's
"move and copy") drops its triggers with the old table: it must call
:meth:`FullText.create` again after the copy.
"""
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import Column, Index, Integer, MetaData, Table, Text, bindparam, literal_column, select

from touchline.club import to_local

#: Longest search a visitor may type; a longer one is a 400, not a slow query.
MAX_QUERY_LENGTH = 100
#: Words of a search beyond these are left out (each is one more index lookup).
MAX_TERMS = 8
#: Results of each source shown for a search.
PER_SOURCE = 10
#: Matches of a search each source ranks, at most (see FullText.search): a bound on its cost.
CANDIDATES = 100
#: PostgreSQL's text search configuration: words as typed, no stemming, no stop words,
#: so that both databases find the same records.
REGCONFIG = "'simple'::regconfig"
#: PostgreSQL's weights, the first column's first.
WEIGHTS = "ABCD"
SOURCES = "touchline.search_sources"

#: A word: letters and digits (what FTS5's unicode61 and PostgreSQL's parser keep).
_WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _prefix(term, marker):
    """A word of one character is matched whole (as a prefix it would match most of the index)."""
    return marker if len(term) > 1 else ""


class InvalidSearch(ValueError):
    """A search that cannot be run; the message says why (the view's 400)."""


class SearchQuery:
    """What a visitor typed, as lower-case words: the only way search text reaches SQL."""

    def __init__(self, text):
        if len(text) > MAX_QUERY_LENGTH:
            raise InvalidSearch(f"Search for at most {MAX_QUERY_LENGTH} characters.")
        if _CONTROL.search(text):
            raise InvalidSearch("The search cannot contain control characters.")
        self.text = text.strip()
        words = _WORD.findall(unicodedata.normalize("NFC", self.text).lower())
        self.terms = tuple(dict.fromkeys(words))[:MAX_TERMS]

    def __bool__(self):
        return bool(self.terms)

    def fts5(self, column=None):
        """An FTS5 MATCH expression: every word, or a word it begins (``"word"*``).

        Inside double quotes FTS5 reads every character as text (a double
        quote is written twice; words hold none).  ``column`` limits the
        match to that column (a name of ours, never typed by a visitor).
        """
        expression = " AND ".join('"' + term.replace('"', '""') + '"' + _prefix(term, "*")
                                  for term in self.terms)
        if column is not None:
            return f"{column} : ({expression})"
        return expression

    def tsquery(self, weight=None):
        """A ``to_tsquery`` expression: every word as a prefix (``'word':*``), optionally only
        in the columns of ``weight`` (``'word':*A``).  Words are quoted (single quotes
        doubled; words hold none), so no operator a visitor types is read as one."""
        terms = []
        for term in self.terms:
            label = _prefix(term, "*") + (weight or "")
            terms.append("'" + term.replace("'", "''") + "'" + (":" + label if label else ""))
        return " & ".join(terms)

    def __json__(self, request):
        return self.text


@dataclass
class SearchResult:
    """One record found: what the results page shows, and its JSON and XML."""

    title: str
    url: str
    #: A line of text under the title (an excerpt, a team, a price), or None.
    summary: str | None = None
    #: When it happens or happened (a kick-off, a publication), shown in the club's time.
    when: Any = None
    #: A short label beside the title ("Cancelled", "Played 3-1"), or None.
    label: str | None = None

    def __json__(self, request):
        when = self.when
        if when is not None:
            when = to_local(request.registry, when).isoformat()
        return {"title": self.title, "url": self.url, "summary": self.summary, "when": when,
                "label": self.label}


@dataclass(order=True, frozen=True)
class SearchSource:
    """An add-on's records offered to the site's search (see the module docstring)."""

    order: int
    name: str
    title: str = field(compare=False)
    search: Callable = field(compare=False)
    #: Only users who have this permission on the root search this source, if set.
    permission: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SourceResults:
    """One source's results for one search."""

    source: SearchSource
    results: list

    def __json__(self, request):
        return {"name": self.source.name, "title": self.source.title, "results": self.results}


def add_search_source(config, name, search, title=None, order=100, permission=None):
    """Offer ``search(request, query, limit)`` (a callable or a dotted name) to ``/search``.

    ``query`` is a :class:`SearchQuery` with at least one word; the source
    runs one query and returns at most ``limit`` :class:`SearchResult` s,
    best first, that the request's user may see.  ``permission``, checked on
    the root, keeps the whole source from users without it.
    """
    from touchline.addons import record_item

    source = SearchSource(order, name, title or name.capitalize(), config.maybe_dotted(search), permission)
    record_item(config, SOURCES, name, source)


def search_sources(request):
    """The sources this request's user may search, in their order."""
    from touchline.security import Root

    sources = request.registry.get(SOURCES, ())
    root = None
    allowed = []
    for source in sources:
        if source.permission is not None:
            if request.user is None:
                continue
            root = root or Root(request)
            if not request.has_permission(source.permission, root):
                continue
        allowed.append(source)
    return allowed


def run_search(request, query, limit=PER_SOURCE):
    """Every allowed source's results for ``query`` (one query each), sources without any left out."""
    found = []
    for source in search_sources(request):
        results = source.search(request, query, limit)
        if results:
            found.append(SourceResults(source, list(results)[:limit]))
    return found


# Full-text indexes --------------------------------------------------------------------


class FullText:
    """A table's full-text index: its DDL for migrations and its queries for searches.

    ``columns`` are the table's text columns (NOT NULL) in order of weight:
    the first is the title, which ranks a record first when it holds every
    word of the search.  SQLite: FTS5 table ``<table>_search_fts`` with
    triggers; PostgreSQL: GIN index ``ix_<table>_search`` on the weighted
    ``tsvector``.  The key column is ``id``.
    """

    def __init__(self, table, columns):
        if not 1 <= len(columns) <= len(WEIGHTS):
            raise ValueError("a full-text index has one to four columns")
        self.table_name = table
        self.columns = tuple(columns)
        self.fts_name = f"{table}_search_fts"
        self.index_name = f"ix_{table}_search"
        #: PostgreSQL: a second GIN index, on the title alone, when there are other columns.
        self.title_index_name = f"ix_{table}_search_title" if len(self.columns) > 1 else None

    # The PostgreSQL expression, the same text in the index and in every query.

    def _vector_sql(self, qualify, columns=None):
        parts = []
        for column, weight in zip(self.columns, WEIGHTS):
            if columns is not None and column not in columns:
                continue
            name = f"{self.table_name}.{column}" if qualify else column
            parts.append(f"setweight(to_tsvector({REGCONFIG}, {name}), '{weight}')")
        return " || ".join(parts)

    def vector(self):
        """The weighted tsvector of a row, as the index has it (table-qualified)."""
        return literal_column(self._vector_sql(True))

    def _title_sql(self, qualify):
        name = f"{self.table_name}.{self.columns[0]}" if qualify else self.columns[0]
        return f"to_tsvector({REGCONFIG}, {name})"

    def title_vector(self):
        """The title's own tsvector, as its index has it: PostgreSQL finds title matches
        there without reading the rows (a weighted query on the whole vector must)."""
        return literal_column(self._title_sql(True))

    def model_index(self, table):
        """The GIN indexes on the model's ``__table__`` (PostgreSQL only), so that the
        models describe what the migration made."""
        indexes = [Index(self.index_name, sa.text(f"({self._vector_sql(False)})"),
                         _table=table, postgresql_using="gin").ddl_if(dialect="postgresql")]
        if self.title_index_name:
            indexes.append(Index(self.title_index_name, sa.text(f"({self._title_sql(False)})"),
                                 _table=table, postgresql_using="gin").ddl_if(dialect="postgresql"))
        return indexes

    # Migrations.

    def _triggers(self):
        fts, table = self.fts_name, self.table_name
        names = ", ".join(self.columns)
        new = ", ".join(f"new.{column}" for column in self.columns)
        old = ", ".join(f"old.{column}" for column in self.columns)
        insert = f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new}); "
        delete = f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
        return {
            f"{fts}_insert": f"AFTER INSERT ON {table} BEGIN {insert}END",
            f"{fts}_delete": f"AFTER DELETE ON {table} BEGIN {delete}END",
            f"{fts}_update": f"AFTER UPDATE OF id, {names} ON {table} BEGIN {delete}{insert}END",
        }

    def create(self, op):
        """Create the index (in an add-on's migration's ``upgrade``) and index existing rows."""
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"CREATE INDEX {self.index_name} ON {self.table_name} "
                       f"USING gin (({self._vector_sql(False)}))")
            if self.title_index_name:
                op.execute(f"CREATE INDEX {self.title_index_name} ON {self.table_name} "
                           f"USING gin (({self._title_sql(False)}))")
            return
        op.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.fts_name} USING fts5({', '.join(self.columns)}, "
            f"content='{self.table_name}', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 0', prefix='2 3')"
        )
        for name, body in self._triggers().items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")
        op.execute(f"INSERT INTO {self.fts_name} ({self.fts_name}) VALUES ('rebuild')")

    def drop(self, op):
        """Drop the index (in the migration's ``downgrade``)."""
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS {self.index_name}")
            if self.title_index_name:
                op.execute(f"DROP INDEX IF EXISTS {self.title_index_name}")
            return
        for name in self._triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {self.fts_name}")

    # Queries.

    @functools.cached_property
    def _fts_table(self):
        return Table(self.fts_name, MetaData(), Column("rowid", Integer),
                     *(Column(column, Text) for column in self.columns),
                     Column(self.fts_name, Text))

    def in_title(self, request, table, query, name):
        """A clause: the row holds every word of ``query`` in its title (the first column),
        and its bound value, for :meth:`search`'s ``where`` and ``params``.

        The rosters use it so that a last name a member may not see never finds a player.
        """
        if _dialect(request) == "postgresql":
            q = sa.func.to_tsquery(literal_column(REGCONFIG), bindparam(name, type_=Text))
            return self.title_vector().op("@@")(q), {name: query.tsquery()}
        fts = self._fts_table
        inner = select(fts.c.rowid).where(fts.c[self.fts_name].match(bindparam(name, type_=Text)))
        return table.c.id.in_(inner.scalar_subquery()), {name: query.fts5(self.columns[0])}

    def _hits(self, request, table, query, where, name, title=False):
        """The ids of at most ``CANDIDATES`` rows that match (in the title only, if asked)
        and pass ``where``, in the index's order, and the bound value of its match."""
        key = table.c.id
        column = self.columns[0] if title else None
        if _dialect(request) == "postgresql":
            q = sa.func.to_tsquery(literal_column(REGCONFIG), bindparam(name, type_=Text))
            vector = self.title_vector() if title else self.vector()
            stmt = select(key.label("id")).where(vector.op("@@")(q), *where)
            value = query.tsquery()
        else:
            fts = self._fts_table
            match = fts.c[self.fts_name].match(bindparam(name, type_=Text))
            stmt = select(fts.c.rowid.label("id")).where(match)
            if where:
                # A correlated EXISTS, not a join: SQLite then reads the matches from FTS5 and
                # checks each row by its key, where a join may walk the table's own index
                # (every public post) and ask FTS5 about each row.
                stmt = stmt.where(select(key).where(key == fts.c.rowid, *where).exists())
            value = query.fts5(column)
        return stmt.limit(CANDIDATES).cte(f"{self.table_name}_{name}"), value

    def search(self, request, table, columns, query, limit, where=(), order_by=(), params=None):
        """Rows of ``columns`` (of ``table``, or scalar subqueries on it) that match every word
        of ``query`` and pass ``where``, best first, at most ``limit``: one query.

        Best first: records whose title (the first column) holds every word,
        then ``order_by``.  The database's index finds at most ``CANDIDATES``
        records whose title matches and as many that match anywhere, and the
        ranking sorts those: a word in half the records costs the same as a
        rare one (with more matches than that, the results are the best of
        the first ``CANDIDATES`` the index gives, title matches first).
        """
        key = table.c.id
        params = dict(params or {})
        hits, params["search_q"] = self._hits(request, table, query, where, "search_q")
        found = select(hits.c.id)
        ranks = []
        if len(self.columns) > 1:
            title_hits, params["search_title"] = self._hits(
                request, table, query, where, "search_title", title=True)
            found = sa.union(found, select(title_hits.c.id))
            ranks.append(key.in_(select(title_hits.c.id)).desc())
        stmt = (select(*columns).where(key.in_(found))
                .order_by(*ranks, *order_by, key).limit(limit))
        return request.dbsession.connection().execute(stmt, params).all()


def _dialect(request):
    return request.dbsession.get_bind().dialect.name


def includeme(config):
    config.add_directive("add_search_source", add_search_source)
