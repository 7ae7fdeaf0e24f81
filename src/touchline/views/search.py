"""``/search?q=``: the site's search box, over every record type the add-ons offer.

HTML, JSON and XML from the same URL (a resource route).  The add-ons'
sources (``config.add_search_source``, see :mod:`touchline.search`) each run
one query, so a search costs as many queries as there are sources the user
may use, whatever the size of the data.  An empty search shows the form; a
search without a letter or digit says so; a search longer than
``MAX_QUERY_LENGTH`` or holding control characters is a 400.
"""
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config

from touchline.formats import Page
from touchline.search import MAX_QUERY_LENGTH, InvalidSearch, SearchQuery, run_search
from touchline.security import VIEW

EMPTY = "Type what you are looking for: a team, an opponent or a ground, news, or something from the shop."
NO_WORDS = "Search for a word of letters or numbers."


@view_config(
    route_name="search", request_method="GET", permission=VIEW,
    renderer="touchline:templates/search.jinja2",
)
def search(request):
    """The best matches of each source, ``PER_SOURCE`` at most, in the sources' order."""
    try:
        query = SearchQuery(request.GET.get("q", ""))
    except InvalidSearch as exc:
        raise HTTPBadRequest(str(exc)) from None
    sections, message = [], None
    if not query.text:
        message = EMPTY
    elif not query:
        message = NO_WORDS
    else:
        sections = run_search(request, query)
        if not sections:
            message = f"Nothing matches “{query.text}”."
    return Page({"search": {"q": query.text, "sections": sections, "message": message}},
                q=query.text, sections=sections, message=message, max_length=MAX_QUERY_LENGTH)
