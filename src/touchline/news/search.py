"""The news in the site's search: public posts by title (first) or text (``touchline.search``).

Only posts everyone may read now (:func:`~touchline.news.models.public_condition`):
drafts and scheduled posts are never found, whoever searches.
"""
from touchline.models import utcnow
from touchline.search import FullText, SearchResult

from .models import Post, public_condition

#: The migration ``news_search_0001`` creates it; the model declares its PostgreSQL index.
NEWS_TEXT = FullText("news_posts", ["title", "body"])

P = Post.__table__
#: Its PostgreSQL index, on the model's table, so that the models describe what the migration made.
NEWS_TEXT.model_index(P)


def search_news(request, query, limit):
    """Public posts whose title or text holds every word, newest first among equals."""
    rows = NEWS_TEXT.search(
        request, P, (P.c.id, P.c.slug, P.c.title, P.c.excerpt, P.c.published_at), query, limit,
        where=(public_condition(utcnow()),), order_by=(P.c.published_at.desc(),),
    )
    url = request.url_for("news.show", "slug")
    return [SearchResult(row.title, url(row.slug), summary=row.excerpt or None, when=row.published_at)
            for row in rows]
