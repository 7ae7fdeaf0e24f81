"""Paginated lists: one query per page, whatever the table's size.

A page asks the database for one row more than it shows; that extra row
says whether a next page exists, so no ``COUNT(*)`` runs over a big table
and every list costs the same single query on page 1 and on page 500.

``request.paginate(stmt)`` gives a :class:`Page`.  The page number comes
from the ``page`` query parameter: anything but a positive integer is a 400,
and a page past the end of a non-empty list is a 404.  Page links keep the
request's other parameters (a search, a filter), and a ``Link`` header with
``rel="next"``/``rel="prev"`` tells API clients where to go.  Templates
render the links with ``touchline:templates/pagination.jinja2``.
"""
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound

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


def page_number(request, param="page"):
    """The requested page number (1 when absent), or 400 for anything but a positive integer."""
    raw = request.GET.get(param, "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise HTTPBadRequest(f"The page number must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def page_url(request, number, param="page"):
    """This request's URL asking for page ``number``, its other parameters kept."""
    params = [(key, value) for key, value in request.GET.items() if key != param]
    if number > 1:
        params.append((param, str(number)))
    query = urlencode(params)
    return request.path_url + ("?" + query if query else "")


def paginate(request, stmt, size=None, param="page", scalars=True) -> Page:
    """Run ``stmt`` (an ordered select) for the requested page.

    ``scalars=False`` keeps whole rows, for statements that select more than
    one entity or column.  The statement must have a total order (end its
    ``order_by`` with the primary key) or rows may repeat across pages.
    """
    size = size or request.registry.get("touchline.page_size", DEFAULT_PAGE_SIZE)
    number = page_number(request, param)
    stmt = stmt.limit(size + 1).offset((number - 1) * size)
    result = request.dbsession.execute(stmt)
    rows: list[Any] = list(result.scalars() if scalars else result)
    has_next = len(rows) > size
    rows = rows[:size]
    if not rows and number > 1:
        raise HTTPNotFound("There is no such page.")
    page = Page(
        items=rows,
        number=number,
        size=size,
        has_next=has_next,
        next_url=page_url(request, number + 1, param) if has_next else None,
        previous_url=page_url(request, number - 1, param) if number > 1 else None,
    )
    links = [f'<{url}>; rel="{rel}"' for rel, url in
             (("next", page.next_url), ("prev", page.previous_url)) if url]
    if links:
        existing = request.response.headers.get("Link")
        request.response.headers["Link"] = ", ".join(([existing] if existing else []) + links)
    return page


def includeme(config):
    size = int(config.registry.settings.get("touchline.page_size", DEFAULT_PAGE_SIZE))
    if size < 1:
        from pyramid.exceptions import ConfigurationError

        raise ConfigurationError("touchline.page_size must be a positive whole number")
    config.registry["touchline.page_size"] = size
    config.add_request_method(paginate, "paginate")
