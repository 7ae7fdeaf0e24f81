"""The demo news: a few published posts by the demo admin and one coach draft."""
from sqlalchemy import func, select

from touchline.accounts.populate import populate_accounts
from touchline.news.markdown import excerpt, render
from touchline.news.models import Post, Status, utcnow
from touchline.news.populate import DEMO_POSTS, populate_news
from touchline.testing import service
from touchline.users import IPasswords


class Request:
    def __init__(self, app, dbsession):
        self.dbsession = dbsession
        self.registry = app.registry
        self.passwords = service(app, IPasswords)


def test_populate_news_fills_an_empty_table_once(app, dbsession, testapp):
    request = Request(app, dbsession)
    populate_accounts(request)
    populate_news(request)
    posts = dbsession.scalars(select(Post).order_by(Post.id)).all()
    published = [post for post in posts if post.status is Status.PUBLISHED]
    drafts = [post for post in posts if post.status is Status.DRAFT]
    assert len(published) == len(DEMO_POSTS) and len(drafts) == 1
    assert {post.author.username for post in published} == {"admin"}
    assert drafts[0].author.username == "coach"
    now = utcnow()
    for post in published:
        published_at = post.published_at if post.published_at.tzinfo else post.published_at.replace(
            tzinfo=now.tzinfo)
        assert published_at < now
    assert len({post.slug for post in posts}) == len(posts)
    # Saved rendered, like any post.
    assert [(post.body_html, post.excerpt) for post in posts] == [
        (str(render(post.body)), excerpt(post.body)) for post in posts]
    # The public pages show them, newest first.
    titles = [a.text for a in testapp.get("/news").html.main.select(".post-list h2 a")]
    assert titles == [title for _days, title, _body in sorted(DEMO_POSTS)]
    # Running it again changes nothing.
    populate_news(request)
    assert dbsession.scalar(select(func.count()).select_from(Post)) == len(posts)
