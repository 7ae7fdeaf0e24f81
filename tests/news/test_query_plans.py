"""Every news list reads an index range in its order: no full scan, no sort, on both databases.

So that a page, the feed and the home panel cost the same with 50 posts or
5,000.  The statements are the ones the views run, built as
``request.paginate`` builds them (first page, a page after a position and
a page before one).
"""
import datetime

import pytest
from sqlalchemy import bindparam

from touchline.news.feed import FEED_POSTS, FEED_VERSIONS
from touchline.news.models import DRAFTS_ORDER, PUBLISHED_ORDER, Post, utcnow
from touchline.news.resources import POST_BY_SLUG
from touchline.news.views import (
    DRAFTS_DATA,
    DRAFTS_PAGE,
    PANEL,
    PUBLISHED_DATA,
    PUBLISHED_DATA_WITH_SOURCE,
    PUBLISHED_PAGE,
)
from touchline.testing import assert_index_range

PUBLISHED_INDEX = "ix_news_posts_status_published_at_id"
DRAFTS_INDEX = "ix_news_posts_status_updated_at_id"
AUTHOR_DRAFTS_INDEX = "ix_news_posts_author_id_status_updated_at_id"


@pytest.fixture
def some_posts(make_post, admin, coach):
    for number in range(6):
        make_post(author=admin if number % 2 else coach, draft=number % 3 == 0)


def pages(keyset, stmt):
    """The statements a list runs, with their parameters bound as a page would."""
    built = keyset.statements(stmt)
    position = {"keyset_0": utcnow() - datetime.timedelta(days=1), "keyset_1": 10}
    return [
        built.first.params(page_limit=21),
        built.after.params(page_limit=21, **position),
        built.before.params(page_limit=21, **position),
    ]


def uses(plan, index):
    return any(index in line for line in plan)


@pytest.mark.parametrize("stmt", [PUBLISHED_PAGE, PUBLISHED_DATA, PUBLISHED_DATA_WITH_SOURCE],
                         ids=["html", "data", "data-with-source"])
def test_published_pages_read_an_index_range(dbsession, some_posts, stmt):
    for page in pages(PUBLISHED_ORDER, stmt):
        assert uses(assert_index_range(dbsession, page), PUBLISHED_INDEX)


@pytest.mark.parametrize("stmt", [DRAFTS_PAGE, DRAFTS_DATA], ids=["html", "data"])
def test_every_draft_reads_an_index_range(dbsession, some_posts, stmt):
    for page in pages(DRAFTS_ORDER, stmt):
        assert uses(assert_index_range(dbsession, page), DRAFTS_INDEX)


@pytest.mark.parametrize("stmt", [DRAFTS_PAGE, DRAFTS_DATA], ids=["html", "data"])
def test_one_authors_drafts_read_an_index_range(dbsession, some_posts, coach, stmt):
    own = stmt.where(Post.author_id == coach.id)
    for page in pages(DRAFTS_ORDER, own):
        assert uses(assert_index_range(dbsession, page), AUTHOR_DRAFTS_INDEX)


@pytest.mark.parametrize("stmt", [PANEL, FEED_POSTS, FEED_VERSIONS], ids=["panel", "feed", "feed-versions"])
def test_the_panel_and_the_feed_read_an_index_range(dbsession, some_posts, stmt):
    assert uses(assert_index_range(dbsession, stmt), PUBLISHED_INDEX)


def test_a_post_is_found_by_its_slug_index(dbsession, some_posts):
    plan = assert_index_range(dbsession, POST_BY_SLUG.params(slug="post-1"))
    assert uses(plan, "uq_news_posts_slug") or uses(plan, "sqlite_autoindex_news_posts")


def test_the_bounded_statements_are_bounded():
    assert PANEL._limit_clause is not None and FEED_POSTS._limit_clause is not None
    assert FEED_VERSIONS._limit_clause is not None
    assert isinstance(POST_BY_SLUG.whereclause.right, type(bindparam("x")))
