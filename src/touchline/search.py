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
  itself (the text is not stored twice), kept current by triggers, its
  tokenizer ``unicode61 remove_diacritics 2``;
- PostgreSQL: a GIN index on the weighted ``tsvector`` of the columns
  (``ix_<table>_search``) and one on the title's alone
  (``ix_<table>_search_title``), in the text search configuration
  ``touchline_search`` (``simple`` with ``unaccent``; :meth:`FullText.create`
  makes it if it is missing); the queries use the very same expressions, so
  the planner reads the indexes.

Ranking: a record whose title (its first column: a name, a title, an
opponent) holds every word comes before one that has them elsewhere; then
the more relevant, by the database's own measure (FTS5's ``bm25()``,
PostgreSQL's ``ts_rank()``, the title weighing most: ``RANK_WEIGHTS``), so
that among title matches the title that is most about the words comes first,
and among the others a word in a heavier column, or more often, counts for
more; then each source's own order (youngest team, latest kick-off, newest
post), then the id.  Each source ranks at most ``CANDIDATES`` title matches
and as many other matches, and computes the relevance of those alone (in
the query that finds them; the other matches' only while the title matches
do not fill the page), so a word in half the records costs about what a
rare one does, but for one count on SQLite: bm25() first counts the records
that hold each word, through the index (about 1 ms per 20,000 of them).
The two databases weigh alike but do not count alike (bm25 against
ts_rank), so two records of much the same relevance may come in another
order on the other database.

What a visitor types reaches SQL only as a bound parameter, and only as
words: :class:`SearchQuery` keeps the letters and digits of each word and
writes the FTS5 and tsquery expressions itself, each word quoted, so that
``"``, ``*``, ``-``, ``AND``, ``NEAR`` or ``:`` in a search are just text.
Every word must appear, as a word or the start of one (``falc`` finds
"Falcons"; a word of one character only whole), whatever the case and
whatever the accents: ``Zoe`` finds "Zoë" and ``zoë`` finds "Zoe", on both
databases alike.  Each database takes the accents off the words it indexes
and off the words of the search with the same rules (FTS5's tokenizer reads
the quoted words of a MATCH as it read the text; ``to_tsquery`` uses the
index's configuration), so the search's words are sent as typed: taking
accents off in Python too would take off more than FTS5 does (Greek
accents, ligatures), and those words would no longer match.  Letters that
are not a letter and an accent in Unicode (ø, ł, æ, ß, đ) are taken apart by
PostgreSQL's ``unaccent`` only: ``Lodz`` finds "Łódź" there, not on SQLite,
where only ``łodz`` (or ``Łódź``) does.

A later migration that makes SQLite copy an indexed table (batch mode's
"move and copy") drops its triggers with the old table: it must call
:meth:`FullText.create` again after the copy.  A migration that changes how
the words are read (the ``*_search_0002`` migrations, which fold accents)
calls :meth:`FullText.rebuild`.
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
#: PostgreSQL's text search configuration (made by :func:`create_search_configuration`):
#: ``simple`` (words as typed, no stemming, no stop words, as FTS5 reads them) with accents
#: taken off by ``unaccent``, so that both databases find the same records.
SEARCH_CONFIGURATION = "touchline_search"
REGCONFIG = f"'{SEARCH_CONFIGURATION}'::regconfig"
#: The token types that may hold letters outside ASCII: the ones ``unaccent`` reads.
_ACCENTED_TOKENS = ("word", "numword", "hword", "numhword", "hword_part", "hword_numpart")
#: FTS5's tokenizer: Unicode letters and digits, lower-cased, accents taken off.
TOKENIZE = "unicode61 remove_diacritics 2"
#: The forms before accents were folded (the ``*_search_0001`` migrations' indexes, until
#: ``*_search_0002``): only to downgrade to them.
PLAIN_REGCONFIG = "'simple'::regconfig"
PLAIN_TOKENIZE = "unicode61 remove_diacritics 0"
#: PostgreSQL's weights, the first column's first.
WEIGHTS = "ABCD"
#: How much a word counts in each column, the first (the title) most, when ranking by
#: relevance: ts_rank's own defaults for A, B, C and D, given to FTS5's bm25() too.
RANK_WEIGHTS = (1.0, 0.4, 0.2, 0.1)
#: ts_rank takes them as an array in the order D, C, B, A.
_PG_RANK_WEIGHTS = "'{" + ", ".join(str(w) for w in reversed(RANK_WEIGHTS)) + "}'::float4[]"
#: ts_rank's normalization 1: divided by 1 + the logarithm of the record's length in words,
#: so that a long text does not win by length alone (as bm25 does for FTS5).
RANK_NORMALIZATION = 1
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

    def tsquery(self, weight=None, any_word=False):
        """A ``to_tsquery`` expression: every word as a prefix (``'word':*``), optionally only
        in the columns of ``weight`` (``'word':*A``).  Words are quoted (single quotes
        doubled; words hold none), so no operator a visitor types is read as one.

        ``any_word`` joins them with ``|`` instead of ``&``: what ``ts_rank``
        ranks the matches by (see :meth:`FullText._hits`).
        """
        terms = []
        for term in self.terms:
            label = _prefix(term, "*") + (weight or "")
            terms.append("'" + term.replace("'", "''") + "'" + (":" + label if label else ""))
        return (" | " if any_word else " & ").join(terms)

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
    ``tsvector`` (configuration ``touchline_search``).  The key column is ``id``.
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
        #: The candidates' part of the statements without a ``where``, by database and limit.
        self._built = {}

    # The PostgreSQL expression, the same text in the index and in every query.

    def _vector_sql(self, qualify, regconfig=REGCONFIG):
        parts = []
        for column, weight in zip(self.columns, WEIGHTS):
            name = f"{self.table_name}.{column}" if qualify else column
            parts.append(f"setweight(to_tsvector({regconfig}, {name}), '{weight}')")
        return " || ".join(parts)

    def vector(self):
        """The weighted tsvector of a row, as the index has it (table-qualified)."""
        return literal_column(self._vector_sql(True))

    def _title_sql(self, qualify, regconfig=REGCONFIG):
        name = f"{self.table_name}.{self.columns[0]}" if qualify else self.columns[0]
        return f"to_tsvector({regconfig}, {name})"

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

    def create(self, op, fold_accents=True):
        """Create the index (in an add-on's migration's ``upgrade``) and index existing rows.

        ``fold_accents=False`` makes the index as it was before accents were
        folded (``simple`` configuration, FTS5 keeping diacritics): only for
        the ``downgrade`` of a migration that calls :meth:`rebuild`.
        """
        if op.get_bind().dialect.name == "postgresql":
            regconfig = REGCONFIG if fold_accents else PLAIN_REGCONFIG
            if fold_accents:
                create_search_configuration(op)
            op.execute(f"CREATE INDEX {self.index_name} ON {self.table_name} "
                       f"USING gin (({self._vector_sql(False, regconfig)}))")
            if self.title_index_name:
                op.execute(f"CREATE INDEX {self.title_index_name} ON {self.table_name} "
                           f"USING gin (({self._title_sql(False, regconfig)}))")
            return
        tokenize = TOKENIZE if fold_accents else PLAIN_TOKENIZE
        op.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.fts_name} USING fts5({', '.join(self.columns)}, "
            f"content='{self.table_name}', content_rowid='id', "
            f"tokenize='{tokenize}', prefix='2 3')"
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

    def rebuild(self, op, fold_accents=True):
        """Drop the index and create it again, every row indexed anew: for a migration
        that changes how words are read (the ``*_search_0002`` migrations fold accents;
        their ``downgrade`` passes ``fold_accents=False``).

        It reads the whole table (and holds its write lock meanwhile, in the
        migration's transaction): seconds for 100,000 rows.
        """
        self.drop(op)
        self.create(op, fold_accents=fold_accents)

    # Queries.

    @functools.cached_property
    def _fts_table(self):
        return Table(self.fts_name, MetaData(), Column("rowid", Integer),
                     *(Column(column, Text) for column in self.columns),
                     Column(self.fts_name, Text))

    def _tsquery(self, name):
        return sa.func.to_tsquery(literal_column(REGCONFIG), bindparam(name, type_=Text))

    def in_title(self, request, table, query, name):
        """A clause: the row holds every word of ``query`` in its title (the first column),
        and its bound value, for :meth:`search`'s ``where`` and ``params``.

        The rosters use it so that a last name a member may not see never finds a player.
        """
        if _dialect(request) == "postgresql":
            return self.title_vector().op("@@")(self._tsquery(name)), {name: query.tsquery()}
        fts = self._fts_table
        inner = select(fts.c.rowid).where(fts.c[self.fts_name].match(bindparam(name, type_=Text)))
        return table.c.id.in_(inner.scalar_subquery()), {name: query.fts5(self.columns[0])}

    def _hits(self, dialect, table, where, name, title=False, unranked_if=None):
        """At most ``CANDIDATES`` rows that match (in the title only, if asked) and pass
        ``where``, in the index's order: a CTE of their ``id`` and ``relevance`` (the higher
        the better); its match is the bound value ``name`` (:meth:`_values`).

        The relevance is computed here, for these rows only: FTS5's ``bm25()`` needs
        the MATCH of its own query, and ``ts_rank()`` reads each row's text, so
        ranking every match would cost what the matches number.  Title matches are
        ranked by their title alone, the others by every column, each weighted
        (``RANK_WEIGHTS``); only ranks of the same kind are ever compared.
        Where the SQL condition ``unranked_if`` holds (enough title matches to
        fill the page: these rows will not be shown), the relevance is 0 and
        not computed at all.

        One cost of it is not bounded: bm25() first counts the records that hold
        each word (its IDF) through the index's whole list of them, about 1 ms
        for every 20,000 records (``bench/README.md``); ts_rank has no such count.
        FTS5 offers no other ranking function, nor a way to skip the count.

        PostgreSQL ranks by any of the words (``|``): every row here holds them
        all, and ``ts_rank`` of ``&`` would weigh how near they stand to each other
        (a word in the title and one in the text, far apart, would rank below
        both in the text), where ``|`` adds up each word's weight and count, as
        bm25 does.
        """
        key = table.c.id
        if dialect == "postgresql":
            q = self._tsquery(name)
            vector = self.title_vector() if title else self.vector()
            rank = sa.func.ts_rank(literal_column(_PG_RANK_WEIGHTS), vector, self._tsquery("search_rank"),
                                   literal_column(str(RANK_NORMALIZATION)))
            if unranked_if is not None:
                rank = sa.case((unranked_if, literal_column("0")), else_=rank)
            stmt = select(key.label("id"), rank.label("relevance")).where(vector.op("@@")(q), *where)
        else:
            fts = self._fts_table
            match = fts.c[self.fts_name].match(bindparam(name, type_=Text))
            # bm25() is better the lower (it is negative): turned round, as ts_rank is.
            weights = ", ".join(repr(weight) for weight in RANK_WEIGHTS[:len(self.columns)])
            rank = -sa.func.bm25(literal_column(self.fts_name), literal_column(weights))
            if unranked_if is not None:
                rank = sa.case((unranked_if, literal_column("0")), else_=rank)
            stmt = select(fts.c.rowid.label("id"), rank.label("relevance")).where(match)
            if where:
                # A correlated EXISTS, not a join: SQLite then reads the matches from FTS5 and
                # checks each row by its key, where a join may walk the table's own index
                # (every public post) and ask FTS5 about each row.
                stmt = stmt.where(select(key).where(key == fts.c.rowid, *where).exists())
        return stmt.limit(CANDIDATES).cte(f"{self.table_name}_{name}")

    def _values(self, dialect, query):
        """The bound values of :meth:`_hits`' matches, for ``query``."""
        if dialect == "postgresql":
            return {"search_q": query.tsquery(), "search_title": query.tsquery(),
                    "search_rank": query.tsquery(any_word=True)}
        return {"search_q": query.fts5(), "search_title": query.fts5(self.columns[0])}

    def _candidates(self, dialect, table, where, limit):
        """The records :meth:`search` ranks, as a subquery of ``id`` (and ``in_title`` and
        ``relevance``), and the ranking's terms of ORDER BY."""
        if len(self.columns) == 1:
            candidates = self._hits(dialect, table, where, "search_q")
            return candidates, (candidates.c.relevance.desc(),)
        title_hits = self._hits(dialect, table, where, "search_title", title=True)
        # Once the title matches fill the page, the others' relevance cannot change it.
        page_full = select(sa.func.count()).select_from(title_hits).scalar_subquery() >= limit
        hits = self._hits(dialect, table, where, "search_q", unranked_if=page_full)
        in_title, elsewhere = literal_column("1").label("in_title"), literal_column("0").label("in_title")
        # Title matches, then the other matches; a record in both is kept once, as a title match.
        candidates = sa.union_all(
            select(title_hits.c.id, in_title, title_hits.c.relevance),
            select(hits.c.id, elsewhere, hits.c.relevance).where(hits.c.id.not_in(select(title_hits.c.id))),
        ).subquery(f"{self.table_name}_search_found")
        return candidates, (candidates.c.in_title.desc(), candidates.c.relevance.desc())

    def statement(self, request, table, columns, query, limit, where=(), order_by=()):
        """The statement :meth:`search` runs, and the bound values of its matches (the
        caller's ``params`` are not among them): for :meth:`search`, and for tests of its plan.

        Without ``where``, the candidates' part (most of the statement) is built
        once per database and ``limit`` and kept: building it takes longer than
        running it when few records match.  (A ``where`` may hold values, as the
        news' publication time does: that statement is built for each search.)
        """
        dialect = _dialect(request)
        if where:
            candidates, ranks = self._candidates(dialect, table, where, limit)
        else:
            built = (dialect, table, limit)
            if built not in self._built:
                self._built[built] = self._candidates(dialect, table, (), limit)
            candidates, ranks = self._built[built]
        # The candidates drive the join: at most 2 * CANDIDATES rows, each read by its key.
        stmt = (select(*columns).select_from(candidates).join(table, table.c.id == candidates.c.id)
                .order_by(*ranks, *order_by, table.c.id).limit(limit))
        return stmt, self._values(dialect, query)

    def search(self, request, table, columns, query, limit, where=(), order_by=(), params=None):
        """Rows of ``columns`` (of ``table``, or scalar subqueries on it) that match every word
        of ``query`` and pass ``where``, best first, at most ``limit``: one query.

        Best first: records whose title (the first column) holds every word,
        then the more relevant (the database's own measure: FTS5's ``bm25()``,
        PostgreSQL's ``ts_rank()``), then ``order_by``, then ``id``.  The
        database's index finds at most ``CANDIDATES`` records whose title
        matches and as many that match anywhere, and only those are ranked: a
        word in half the records costs about what a rare one does (with more
        matches than that, the results are the best of the first
        ``CANDIDATES`` the index gives, title matches first).
        """
        stmt, found = self.statement(request, table, columns, query, limit, where, order_by)
        return request.dbsession.connection().execute(stmt, {**(params or {}), **found}).all()


def create_search_configuration(op):
    """PostgreSQL: make the ``unaccent`` extension and the ``touchline_search`` text search
    configuration unless they are there (:meth:`FullText.create` calls it).

    Made by whichever add-on's index comes first, so no add-on depends on
    another (or on a core migration) for it; nothing drops them (an index of
    another add-on, or of another schema, may use them), as with ``pg_trgm``.
    ``unaccent`` is a trusted extension since PostgreSQL 13: the database's
    owner may create it.
    """
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # No CREATE TEXT SEARCH CONFIGURATION IF NOT EXISTS: the catalogue says whether the name
    # resolves here (the search path), as it must in the indexes and the queries.
    made = op.get_bind().execute(sa.text(
        "SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = :name AND pg_ts_config_is_visible(oid))"
    ), {"name": SEARCH_CONFIGURATION}).scalar()
    if not made:
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIGURATION} (COPY = simple)")
        op.execute(f"ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIGURATION} "
                   f"ALTER MAPPING FOR {', '.join(_ACCENTED_TOKENS)} WITH unaccent, simple")


def _dialect(request):
    return request.dbsession.get_bind().dialect.name


def includeme(config):
    config.add_directive("add_search_source", add_search_source)
