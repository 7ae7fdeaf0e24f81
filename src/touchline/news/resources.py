"""Resource factories for the news routes, with the ACLs that decide who does what."""
import re

from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import bindparam, select

from touchline.security import BASE_ACL, CREATE, VIEW

from .models import SLUG_MAX_LENGTH, Post

#: What a slug looks like: lower-case words of letters and digits joined by hyphens.
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: The post with a slug (the unique index on ``slug``), its author joined for the ACL.
POST_BY_SLUG = select(Post).where(Post.slug == bindparam("slug"))


class NewsRoot:
    """The context of the list, the drafts and the new-post form: coaches and admins write."""

    __acl__ = ((Allow, "role:coach", CREATE),) + tuple(BASE_ACL)

    def __init__(self, request):
        self.request = request


def post_factory(request):
    """The post named by ``/news/{slug}``, or 404.

    A draft the user may not see is a 404 too, for every route and method,
    so that nobody learns that it exists (a 403 would say so).
    """
    slug = request.matchdict.get("slug", "")
    if len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.fullmatch(slug):
        raise HTTPNotFound()
    post = request.dbsession.scalar(POST_BY_SLUG, {"slug": slug})
    if post is None or not request.has_permission(VIEW, post):
        raise HTTPNotFound()
    return post
