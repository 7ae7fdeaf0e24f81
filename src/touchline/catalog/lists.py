"""The catalog's lists: statements built once, plain rows, pages by keyset, indexed search.

Every list reads an index range in its order (see ``models.py``), so a page
costs the same on page 1 and page 4,000 and with 100 or 100,000 products:

- the shop: ``(sort_name, id)``; a category: ``(category_id, sort_name, id)``;
  the categories: ``(sort_name, id)``.  Page links carry the last row seen
  (``touchline.pagination.Keyset``).
- search (``q``), in the name and the description, whatever the case:
  PostgreSQL's ``pg_trgm`` GIN indexes serve ``lower(...) LIKE lower('%q%')``
  (which is its ILIKE), and its planner chooses between them and walking the
  name order; on SQLite the FTS5 trigram table finds the matches, and
  :func:`search` chooses.  Trigram indexes know nothing shorter than three
  characters, so a search of one or two characters finds the names that
  *begin* with it: a range of the name order.

The statements are built here once, with ``bindparam`` for what a request
changes, and given their values when they run.  Lists select plain columns
(read on the session's connection, ``touchline.pagination.read``): a row
becomes a :class:`ProductRow` or :class:`CategoryRow`, which the templates
read and which give JSON and XML exactly the fields of the models' own
``__json__``.
"""
from urllib.parse import quote_plus

from sqlalchemy import Column, Integer, MetaData, Table, Text, bindparam, false, func, or_, select

from touchline.pagination import Keyset, read

from .models import Category, Product, category_json, product_json

P = Product.__table__
C = Category.__table__

#: Search terms shorter than this find names that begin with them (the trigram indexes' limit).
TRIGRAM = 3
#: SQLite: a search with at least this many matches walks the name order instead (see search()).
DENSE_MATCHES = 500
#: The LIKE escape character: "/" needs no quoting in SQL on any backend.
ESCAPE = "/"
#: Above every character: ``prefix + TOP`` ends the range of names that begin with ``prefix``.
TOP = "\U0010ffff"

PRODUCT_KEYSET = Keyset((P.c.sort_name, P.c.id))
CATEGORY_KEYSET = Keyset((C.c.sort_name, C.c.id))

# The SQLite FTS5 table the migration makes (not a model: alembic and create_all leave it alone).
FTS = Table(
    "catalog_products_fts", MetaData(),
    Column("rowid", Integer), Column("name", Text), Column("description", Text),
    Column("catalog_products_fts", Text),  # the hidden column named after the table: MATCH on it
)


class CategoryRow:
    """A category read as a plain row: what lists show, and the model's JSON."""

    __slots__ = ("id", "name", "slug")

    def __init__(self, id, name, slug):
        self.id, self.name, self.slug = id, name, slug

    @property
    def query(self):
        """``category=<slug>``, URL-encoded: the shop's filter links put a dozen of them on
        every page, where Jinja's ``urlencode`` filter on each cost far more."""
        return "category=" + quote_plus(self.slug)

    def __json__(self, request):
        return category_json(self)


class ProductRow:
    """A product of a list, read as a plain row: what the list shows, and the model's JSON."""

    __slots__ = ("id", "name", "description", "price", "sizes", "in_stock", "image", "category")

    def __init__(self, row):
        (self.id, self.name, self.description, self.price, self.sizes, self.in_stock,
         self.image) = row[:7]
        self.category = CategoryRow(row.category_id, row.category_name, row.category_slug)

    @property
    def size_list(self):
        return self.sizes.split() if self.sizes else []

    def __json__(self, request):
        return product_json(self, request)


def _category_column(column, label):
    return select(column).where(C.c.id == P.c.category_id).scalar_subquery().label(label)


#: The columns a list shows; the category's by subqueries, which both databases run only for
#: the rows a page returns.  The statement that finds where a bare ``?page=N`` starts (see
#: ``Keyset.statements``) keeps the sort columns alone, so it counts through the index and
#: nothing else: with a join instead, PostgreSQL sorts the whole table for it.
PRODUCTS_BASE = select(
    P.c.id, P.c.name, P.c.description, P.c.price, P.c.sizes, P.c.in_stock, P.c.image, P.c.sort_name,
    _category_column(C.c.id, "category_id"), _category_column(C.c.name, "category_name"),
    _category_column(C.c.slug, "category_slug"),
)


_PATTERN = bindparam("pattern", type_=Text)
_CATEGORY_ID = bindparam("category_id", type_=Integer)
#: A substring, whatever the case (the same products as ILIKE on both databases):
_CONTAINS = {
    # lower() LIKE lower(), which is ILIKE on a UTF-8 database at half the cost; the
    # trigram indexes are on lower(name) and lower(description).
    "postgresql": or_(func.lower(P.c.name).like(func.lower(_PATTERN), escape=ESCAPE),
                      func.lower(P.c.description).like(func.lower(_PATTERN), escape=ESCAPE)),
    # LIKE, which on SQLite ignores the case of ASCII letters, as ILIKE (lower() LIKE lower()) does.
    "sqlite": or_(P.c.name.like(_PATTERN, escape=ESCAPE), P.c.description.like(_PATTERN, escape=ESCAPE)),
}
#: What each kind of list adds to the statement.
_FILTERS = {
    "all": (),
    "none": (false(),),  # an unknown category
    # A search shorter than three characters: sort_name is lower(name), so lower() the
    # prefix (and its end, prefix + TOP) the database's way.
    "prefix": (P.c.sort_name >= func.lower(bindparam("prefix", type_=Text)),
               P.c.sort_name < func.lower(bindparam("prefix_end", type_=Text))),
}
#: SQLite: the products FTS5 found (search()), of which the pattern keeps exactly those
#: LIKE finds (FTS5 gives the products with every trigram of the term, perhaps apart, and
#: its tokenizer also folds the case of non-ASCII letters, which SQLite's LIKE does not),
#: so that this and walking the name order ("pattern") find the same products.
_FOUND = P.c.id.in_(bindparam("found", expanding=True, type_=Integer))


def _build(dialect):
    """Every product list on ``dialect``, by (kind, in a category).

    "pattern" is a search PostgreSQL's trigram indexes serve, or, on SQLite,
    one read by walking the name order; "fts" (SQLite) one among the
    products FTS5 found.
    """
    filters = dict(_FILTERS, pattern=(_CONTAINS[dialect],))
    if dialect == "sqlite":
        filters["fts"] = (_FOUND, _CONTAINS[dialect])
    statements = {}
    for kind, where in filters.items():
        statements[kind, False] = PRODUCTS_BASE.where(*where)
        # "+ 0" for "fts": no index for the category, so that SQLite reads the few products
        # FTS5 found by their ids, where it would rather walk the whole category in order
        # (no sort) and look each product up in the list.
        category_id = P.c.category_id + 0 if kind == "fts" else P.c.category_id
        statements[kind, True] = PRODUCTS_BASE.where(*where, category_id == _CATEGORY_ID)
    return statements


PRODUCTS = {dialect: _build(dialect) for dialect in ("sqlite", "postgresql")}

#: SQLite: the products whose text has every trigram of a search, no more than ``cap``.
FTS_MATCHES = select(FTS.c.rowid).where(FTS.c.catalog_products_fts.match(bindparam("match"))).limit(
    bindparam("cap", type_=Integer))

CATEGORIES = select(C.c.id, C.c.name, C.c.slug, C.c.sort_name)
#: The category links above the shop, in order: a dozen at most, like the home page's
#: panels, then a link to all of them (a shop of a hundred categories would otherwise put a
#: hundred links on every page, and pay for them on every page).
CATEGORY_LINKS_LIMIT = 12
#: One more than is shown, to know whether there are more.
CATEGORY_LINKS = CATEGORY_KEYSET.ordered(select(C.c.id, C.c.name, C.c.slug)).limit(CATEGORY_LINKS_LIMIT + 1)
#: Every category, for the product form's choice.
CATEGORY_CHOICES = CATEGORY_KEYSET.ordered(select(C.c.id, C.c.name))
CATEGORY_BY_SLUG = select(C.c.id, C.c.name, C.c.slug).where(C.c.slug == bindparam("slug"))


def dialect_of(request):
    return request.dbsession.get_bind().dialect.name


def fts_query(term):
    """An FTS5 query for the products whose text has the trigrams that cover ``term``.

    The index keeps no positions (``detail=none``: a fifth of the size), so
    this finds a few more products than the substring itself, and the
    ``LIKE`` the statement also applies keeps exactly the right ones.  So it
    can ask for fewer trigrams too: every third, and the last, cover each
    character, at well under half the cost of all of them for a long term.
    Each trigram is an FTS5 string: inside double quotes FTS5 reads every
    character literally, and a double quote is written twice.  The query is
    only ever bound as a parameter.
    """
    starts = list(range(0, len(term) - TRIGRAM + 1, TRIGRAM))
    if starts[-1] != len(term) - TRIGRAM:
        starts.append(len(term) - TRIGRAM)
    trigrams = dict.fromkeys(term[start:start + TRIGRAM] for start in starts)
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)


def like_pattern(term):
    """``%term%`` with the term's own ``%``, ``_`` and escape character matched literally."""
    escaped = term.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def search(request, dialect, term):
    """The kind of list a search for ``term`` is, and its parameters.

    - Shorter than three characters: the names that begin with it, a range
      of the name order (no trigram index can find a shorter substring).
    - PostgreSQL: ``ILIKE`` on name and description; the planner reads the
      trigram indexes or walks the name order, whichever its statistics say
      is cheaper.
    - SQLite, whose planner cannot tell: first ask FTS5 for the matching
      products, no more than ``DENSE_MATCHES`` (cheap: the index stops
      there).  Fewer: the page is read from those, by id, and sorted, a
      cost that follows the matches, not the catalog.  As many: so many
      products match that walking the name order finds a page of them
      within a few thousand rows, where sorting every match would cost far
      more.
    """
    if len(term) < TRIGRAM:
        return "prefix", {"prefix": term, "prefix_end": term + TOP}
    params = {"pattern": like_pattern(term)}
    if dialect != "sqlite":
        return "pattern", params
    found = read(request, FTS_MATCHES, {"match": fts_query(term), "cap": DENSE_MATCHES}).scalars().all()
    if len(found) >= DENSE_MATCHES:
        return "pattern", params
    return "fts", dict(params, found=found)


def product_page(request, kind, in_category, params):
    """One page of products of the list ``kind`` (see ``_FILTERS``), as :class:`ProductRow`s."""
    stmt = PRODUCTS[dialect_of(request)][kind, in_category]
    page = request.paginate(stmt, keyset=PRODUCT_KEYSET, scalars=False, columns=True, params=params)
    page.items = [ProductRow(row) for row in page.items]
    return page


def category_page(request):
    page = request.paginate(CATEGORIES, keyset=CATEGORY_KEYSET, scalars=False, columns=True)
    page.items = [CategoryRow(row.id, row.name, row.slug) for row in page.items]
    return page


def category_links(request):
    """The first categories in order, and whether there are more than those."""
    links = [CategoryRow(*row) for row in read(request, CATEGORY_LINKS)]
    return links[:CATEGORY_LINKS_LIMIT], len(links) > CATEGORY_LINKS_LIMIT


def category_by_slug(request, slug):
    row = read(request, CATEGORY_BY_SLUG, {"slug": slug}).first()
    return CategoryRow(*row) if row is not None else None
