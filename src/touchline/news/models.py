"""The Post model: a piece of club news, a draft until an admin publishes it.

An admin publishes a post now or for later: a published post whose
``published_at`` is still to come is *scheduled*, and stays hidden like a
draft until that time.  :func:`public_condition` is the one SQL condition for
"public now"; every public list of posts (the list, the feed, the home
panel, and any add-on that lists posts) uses it.

A post keeps its Markdown ``body`` and, rendered from it whenever it is set,
``body_html`` (sanitised by :mod:`touchline.news.markdown`) and ``excerpt``
(plain text): reading a post never runs Markdown or the sanitiser.  The
ORM renders when the attribute is set; an INSERT through Core without them
gets them from the column defaults, rendered from the row's body.
"""
import datetime
import enum
import functools

from markupsafe import Markup
from pyramid.authorization import ALL_PERMISSIONS, Allow, Deny, Everyone
from sqlalchemy import (
    CheckConstraint,
    and_,
    bindparam,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from touchline.models import Base, UTCDateTime, utcnow
from touchline.pagination import Keyset
from touchline.security import ADMIN_PRINCIPAL, BASE_ACL, DELETE, EDIT, VIEW
from touchline.users import Role, User

from .markdown import render_post

TITLE_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 80
BODY_MAX_LENGTH = 50_000


class Status(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


#: The same few bodies are rendered for both stored columns of a row inserted through Core.
_render_cached = functools.lru_cache(maxsize=8)(render_post)


def _rendered_default(index):
    def default(context):
        return _render_cached(context.get_current_parameters().get("body") or "")[index]
    return default


def post_acl(published, author_id, author_active, author_role, scheduled=False):
    """A post's ACL, from its state and its author's (so that a list row needs no entity).

    ``published`` means public now; a ``scheduled`` post (published for a
    time still to come) is hidden as a draft is, and its author may read it
    but no longer change it: an admin has approved it as it is.
    """
    if published:
        # Everyone reads it; only admins change it now.
        return BASE_ACL
    # A draft: its author (while they may still write news) and admins,
    # nobody else; not even VIEW, so the factory answers 404 to them.
    acl = [(Allow, ADMIN_PRINCIPAL, ALL_PERMISSIONS)]
    if author_id is not None and author_active and author_role in (Role.COACH, Role.ADMIN):
        acl.append((Allow, f"user:{author_id}", (VIEW,) if scheduled else (VIEW, EDIT, DELETE)))
    acl.append((Deny, Everyone, ALL_PERMISSIONS))
    return acl


class Post(Base):
    """A news post.

    The author is kept with ON DELETE SET NULL: club news outlives the
    account of the volunteer who wrote it (a published post then shows no
    author, and a draft without an author is left to the admins).
    """

    __tablename__ = "news_posts"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("length(slug) > 0", name="slug_not_empty"),
        # The public list, the feed and the home panel: published posts, newest first.
        Index("ix_news_posts_status_published_at_id", "status", "published_at", "id"),
        # An admin's drafts, most recently changed first.
        Index("ix_news_posts_status_updated_at_id", "status", "updated_at", "id"),
        # A coach's drafts; also the author's foreign key (ON DELETE SET NULL).
        Index("ix_news_posts_author_id_status_updated_at_id", "author_id", "status", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    body: Mapped[str] = mapped_column(Text, default="")
    #: ``body`` as sanitised HTML: what pages may show unescaped.
    body_html: Mapped[str] = mapped_column(Text, default=_rendered_default(0))
    #: ``body`` as plain text, cut at a word, for lists and the home panel.
    excerpt: Mapped[str] = mapped_column(Text, default=_rendered_default(1))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[Status] = mapped_column(
        Enum(Status, name="news_post_status", native_enum=False, length=10, create_constraint=True,
             values_callable=lambda statuses: [s.value for s in statuses], validate_strings=True),
        default=Status.DRAFT,
    )
    published_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    author: Mapped[User | None] = relationship(lazy="joined", innerjoin=False)

    def __repr__(self):
        return f"<Post {self.id} {self.slug!r} {self.status.value}>"

    @property
    def published(self):
        """Published, now or for later (see :attr:`scheduled` and :meth:`is_public`)."""
        return self.status is Status.PUBLISHED

    def is_public(self, now=None):
        """Whether everyone may read the post at ``now`` (by default, now): :func:`public_condition` in Python."""
        return (self.status is Status.PUBLISHED and self.published_at is not None
                and self.published_at <= (now or utcnow()))

    @property
    def scheduled(self):
        """Published for a time still to come: hidden until then, as a draft is."""
        return self.published and not self.is_public()

    def publish(self, at=None, now=None):
        """Publish the post at ``at`` (a UTC instant), or now when ``at`` is None or past.

        True if anything changed.  Publishing a public post again without a
        time to come changes nothing (it keeps its date); a time to come
        schedules it (again), and a scheduled post published without one is
        published now.
        """
        now = now or utcnow()
        if at is not None and at > now:
            if self.published and self.published_at == at:
                return False
            self.status, self.published_at = Status.PUBLISHED, at
            return True
        if self.is_public(now):
            return False
        self.status, self.published_at = Status.PUBLISHED, now
        return True

    def unpublish(self):
        """Back to a draft: out of the list, the feed and the home page; True if it was public."""
        if not self.published:
            return False
        self.status = Status.DRAFT
        self.published_at = None
        return True

    def __acl__(self):
        if self.is_public():
            return BASE_ACL
        author, scheduled = self.author, self.published
        if author is None:
            return post_acl(False, None, False, None, scheduled)
        return post_acl(False, author.id, author.active, author.role, scheduled)

    @validates("body")
    def _render_body(self, key, body):
        self.body_html, self.excerpt = render_post(body)
        return body

    @property
    def author_name(self):
        """The author's display name (never their username or email), or None."""
        return self.author.display_name or None if self.author is not None else None

    @property
    def html(self):
        """The stored, sanitised HTML (see :mod:`touchline.news.markdown`), safe in a page."""
        return Markup(self.body_html)

    def __json__(self, request):
        data = {
            "id": self.id,
            "slug": self.slug,
            "title": self.title,
            "html": self.body_html,
            "author": self.author_name,
            "status": self.status.value,
            "published_at": self.published_at,
            "url": request.route_url("news.show", slug=self.slug),
        }
        if request.has_permission(EDIT, self):
            data["body"] = self.body
        return data


#: "Now" in a statement built once: given per execution (``{"now": utcnow()}``), or,
#: when left out, read from the clock as the statement runs.
NOW = bindparam("now", type_=UTCDateTime(), callable_=utcnow)


def public_condition(now=NOW):
    """The SQL condition for "everyone may read this post now": published, at a time that has come.

    Every public list of posts uses it: ``select(...).where(public_condition())``,
    executed with ``{"now": utcnow()}`` (or without, which reads the clock);
    ``public_condition(moment)`` for a statement built for one use.  Lists
    newest first stay on the index ``ix_news_posts_status_published_at_id``
    (the status by equality, ``published_at`` as a range).
    """
    return and_(Post.status == Status.PUBLISHED, Post.published_at <= now)


#: Published posts, newest first (the list, the feed, the home panel): read in
#: index ``ix_news_posts_status_published_at_id``.
PUBLISHED_ORDER = Keyset((Post.published_at, Post.id), descending=True)
#: Drafts, most recently changed first: ``ix_news_posts_status_updated_at_id`` for
#: every draft, ``ix_news_posts_author_id_status_updated_at_id`` for one author's.
DRAFTS_ORDER = Keyset((Post.updated_at, Post.id), descending=True)
