"""Fixtures for the news tests: authors with email addresses (which feeds must never show) and a post maker."""
import datetime

import pytest

from touchline.news.models import Post, Status, utcnow


@pytest.fixture
def admin(make_user):
    return make_user("alex", "admin", display_name="Alex Admin", email="alex@example.org")


@pytest.fixture
def coach(make_user):
    return make_user("casey", "coach", display_name="Casey Coach", email="casey@example.org")


@pytest.fixture
def make_post(dbsession):
    """Add a post: ``make_post("Title", author=coach)`` is a draft, ``published=...`` a time."""
    counter = iter(range(1, 1_000_000))

    def make(title=None, body="Some *news*.", author=None, published=None, slug=None, draft=False):
        number = next(counter)
        title = title or f"Post {number}"
        if published is None and not draft:
            published = utcnow() - datetime.timedelta(hours=number)
        post = Post(
            title=title, slug=slug or f"post-{number}", body=body, author=author,
            status=Status.DRAFT if draft else Status.PUBLISHED,
            published_at=None if draft else published,
        )
        dbsession.add(post)
        dbsession.flush()
        return post

    return make
