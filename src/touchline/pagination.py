"""Paginated lists: one query per page, whatever the table's size.

A page asks the database for one row more than it shows; that extra row
says whether a next page exists, so no ``COUNT(*)`` runs over a big table
and every list costs the same single query on page 1 and on page 500.

A list that gives its order as a :class:`Keyset` is paged by the last row
seen: its page links carry that row's sort key (``?page=8&after=...``), and
the next page is the rows after it, read by an index range however deep
the page.  A ``?page=N`` without a position (a bookmark, a hand-typed URL)
still resolves, by counting through the earlier rows.

``request.paginate(stmt)`` gives a :class:`Page`.  The page number comes
from the ``page`` query parameter: anything but a positive integer is a 400,
and a page past the end of a non-empty list is a 404.  Page links keep the
request's other parameters (a search, a filter), and a ``Link`` header with
``rel="next"``/``rel="prev"`` tells API clients where to go.  Templates
render the links with ``touchline:templates/pagination.jinja2``.
"""
import base64
import binascii
import datetime
import decimal
import enum
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlencode

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from sqlalchemy import bindparam, tuple_

#: Items per page unless the setting ``touchline.page_size`` or the list says otherwise.
DEFAULT_PAGE_SIZE = 20
#: Beyond this a page number is nonsense (and an OFFSET the database should not be asked for).
MAX_PAGE = 100_000


@dataclass
class Page:
    """One page of a list: its ``items`` and the URLs of its neighbours."""

    items: list
    number: int
    size: int
    has_next: bool
    next_url: str | None
    previous_url: str | None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def paginated(self):
        """True when the list has more than this one page (so links are worth showing)."""
        return self.has_next or self.has_previous

    def __json__(self, request):
        return {
            "number": self.number,
            "size": self.size,
            "next": self.next_url,
            "previous": self.previous_url,
        }


class PageStatements(NamedTuple):
    """What a list paged by its :class:`Keyset` runs (see :meth:`Keyset.statements`)."""

    first: Any
    skipping: Any
    after: Any
    before: Any


@dataclass(frozen=True)
class Keyset:
    """A list's total order, by which its pages follow one another.

    ``columns`` end with a unique one (the primary key), all in one
    direction; an index on them (in that order, after any columns the list
    filters on by equality) serves every page with a range scan.  Each
    column must be readable by its key on the rows the statement returns:
    an entity's attribute, a selected column or label, or an attribute of
    the row's first entity (``select(Team, count)``).
    """

    columns: tuple
    descending: bool = False
    #: The page statements built from each list's statement, reused.
    _built: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False, compare=False)

    def order_by(self, backwards=False):
        descending = self.descending != backwards
        return [column.desc() if descending else column.asc() for column in self.columns]

    def ordered(self, stmt):
        return stmt.order_by(*self.order_by())

    def key_of(self, row):
        return [_dump(_value(row, column.key)) for column in self.columns]

    def _marks(self):
        return tuple_(*[bindparam(f"keyset_{number}", type_=column.type)
                        for number, column in enumerate(self.columns)])

    def beyond(self, stmt, values, backwards=False):
        """``stmt`` limited to the rows after ``values`` (before them, ``backwards``), in order."""
        forwards = self.descending == backwards  # compare upwards?
        keys, marks = tuple_(*self.columns), self._marks()
        stmt = stmt.where(keys > marks if forwards else keys < marks)
        stmt = stmt.order_by(*self.order_by(backwards))
        return stmt.params({f"keyset_{number}": value for number, value in enumerate(values)})

    def statements(self, stmt):
        """The first-page, skipping, after and before statements for ``stmt``, built once.

        Their moving parts are bound parameters (``page_limit``,
        ``page_offset``, ``keyset_0``...), so that a page costs no statement
        building.  A bounded number of lists' statements are kept.  The
        skipping one serves a bare ``?page=N``: it finds the page's first
        row by counting through the sort columns alone, which an index
        holds, and only then reads the page's rows.
        """
        built = self._built.get(stmt)
        if built is None:
            limit, offset = bindparam("page_limit"), bindparam("page_offset")
            keys, marks = tuple_(*self.columns), self._marks()
            start = (stmt.with_only_columns(*self.columns).order_by(*self.order_by())
                     .limit(1).offset(offset).scalar_subquery())
            built = PageStatements(
                self.ordered(stmt).limit(limit),
                stmt.where(keys <= start if self.descending else keys >= start)
                .order_by(*self.order_by()).limit(limit),
                stmt.where(keys < marks if self.descending else keys > marks)
                .order_by(*self.order_by()).limit(limit),
                stmt.where(keys > marks if self.descending else keys < marks)
                .order_by(*self.order_by(backwards=True)).limit(limit),
            )
            self._built[stmt] = built
            if len(self._built) > 64:
                self._built.popitem(last=False)
        return built

    def encode(self, row):
        data = json.dumps(self.key_of(row), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    def decode(self, token):
        """The sort key in a page link, typed like the columns; 400 if it is not one."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            values = json.loads(raw)
            if not isinstance(values, list) or len(values) != len(self.columns):
                raise ValueError
            return [_load(column, value) for column, value in zip(self.columns, values)]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise HTTPBadRequest("The page link is damaged: start again from the first page.") from None


def _value(row, key):
    """A sort column's value in a row: an attribute, or one of its first entity's."""
    try:
        return getattr(row, key)
    except AttributeError:
        return getattr(row[0], key)


def _dump(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _load(column, value):
    python_type = column.type.python_type
    if value is None:
        return None
    if issubclass(python_type, datetime.datetime):
        moment = datetime.datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)
    if issubclass(python_type, datetime.date):
        return datetime.date.fromisoformat(value)
    if issubclass(python_type, enum.Enum):
        return python_type(value)
    if python_type is bool:
        if not isinstance(value, bool):
            raise ValueError
        return value
    if python_type is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError
        return value
    if python_type is str:
        if not isinstance(value, str):
            raise ValueError
        return value
    return python_type(value)


def page_number(request, param="page"):
    """The requested page number (1 when absent), or 400 for anything but a positive integer."""
    raw = request.GET.get(param, "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise HTTPBadRequest(f"The page number must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def cursor_params(param):
    """The query parameters that carry a page's position, for page parameter ``param``."""
    prefix = "" if param == "page" else param + "_"
    return prefix + "after", prefix + "before"


def page_url(request, number, param="page", position=None):
    """This request's URL asking for page ``number``, its other parameters kept.

    ``position`` is ``("after", key)`` or ``("before", key)``: where the page
    starts or ends, for a list paged by its :class:`Keyset`.
    """
    names = {param, *cursor_params(param)}
    params = [(key, value) for key, value in request.GET.items() if key not in names]
    if number > 1:
        params.append((param, str(number)))
        if position is not None:
            after, before = cursor_params(param)
            params.append((after if position[0] == "after" else before, position[1]))
    query = urlencode(params)
    return request.path_url + ("?" + query if query else "")


def paginate(request, stmt=None, size=None, param="page", scalars=True, keyset=None,
             columns=False, params=None, fetch=None) -> Page:
    """Run ``stmt`` (a select) for the requested page.

    With ``keyset`` (a :class:`Keyset`), ``stmt`` must not be ordered: the
    keyset orders it, and its page links carry the position.  Without, the
    statement must have a total order (end its ``order_by`` with the primary
    key) or rows may repeat across pages.  ``scalars=False`` keeps whole
    rows, for statements that select more than one entity or column;
    ``columns=True`` says the statement selects plain columns only (no
    entity), so its rows are read on the session's connection, without the
    ORM's per-statement work (see :func:`read`).  ``params`` are values for
    the statement's own bound parameters: a list whose filter changes per
    request (whose drafts) keeps one statement, built once.

    A list whose rows one statement cannot read in order (the fixtures
    merge two index ranges) gives ``fetch(limit, offset, after, before)``
    instead of ``stmt``, with its ``keyset``: it returns up to ``limit``
    rows from ``offset``, or after (before) a position, nearest first.
    """
    size = size or request.registry.get("touchline.page_size", DEFAULT_PAGE_SIZE)
    number = page_number(request, param)
    after = before = None
    if keyset is not None and number > 1:
        after_param, before_param = cursor_params(param)
        if token := request.GET.get(after_param):
            after = keyset.decode(token)
        elif token := request.GET.get(before_param):
            before = keyset.decode(token)
    offset = (number - 1) * size if after is None and before is None else 0
    if fetch is None:
        fetch = _statement_fetcher(request, stmt, keyset, scalars, columns, params)
    rows = list(fetch(limit=size + 1, offset=offset, after=after, before=before))
    backwards = before is not None
    has_next = len(rows) > size or backwards
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows and number > 1:
        raise HTTPNotFound("There is no such page.")
    if keyset is None or not rows:
        next_url = page_url(request, number + 1, param) if has_next else None
        previous_url = page_url(request, number - 1, param) if number > 1 else None
    else:
        next_url = (page_url(request, number + 1, param, ("after", keyset.encode(rows[-1])))
                    if has_next else None)
        previous_url = (page_url(request, number - 1, param, ("before", keyset.encode(rows[0])))
                        if number > 1 else None)
    page = Page(
        items=rows,
        number=number,
        size=size,
        has_next=has_next,
        next_url=next_url,
        previous_url=previous_url,
    )
    links = [f'<{url}>; rel="{rel}"' for rel, url in
             (("next", page.next_url), ("prev", page.previous_url)) if url]
    if links:
        existing = request.response.headers.get("Link")
        request.response.headers["Link"] = ", ".join(([existing] if existing else []) + links)
    return page


def _statement_fetcher(request, stmt, keyset, scalars, columns, params):
    """``fetch`` for a list that one statement reads: the keyset's statements, bound."""

    def fetch(limit, offset, after, before):
        values = dict(params or {})
        if keyset is None:
            statement = stmt.limit(limit).offset(offset)
        else:
            built = keyset.statements(stmt)
            values["page_limit"] = limit
            position = after if after is not None else before
            if position is not None:
                statement = built.after if after is not None else built.before
                values.update((f"keyset_{n}", value) for n, value in enumerate(position))
            elif offset:
                statement, values["page_offset"] = built.skipping, offset
            else:
                statement = built.first
        if columns:
            return read(request, statement, values).all()
        result = request.dbsession.execute(statement, values)
        return result.scalars() if scalars else result

    return fetch


def read(request, stmt, params=None):
    """Rows of a statement that selects plain columns, for showing them.

    Executed on the request session's connection (in its transaction): for
    a small list that is about half the cost of ``dbsession.execute``, which
    prepares every statement for entities that plain columns do not need.
    """
    return request.dbsession.connection().execute(stmt, params or {})


def includeme(config):
    size = int(config.registry.settings.get("touchline.page_size", DEFAULT_PAGE_SIZE))
    if size < 1:
        from pyramid.exceptions import ConfigurationError

        raise ConfigurationError("touchline.page_size must be a positive whole number")
    config.registry["touchline.page_size"] = size
    config.add_request_method(paginate, "paginate")
