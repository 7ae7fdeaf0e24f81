"""The Post model: a piece of club news, a draft until an admin publishes it.

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


def post_acl(published, author_id, author_active, author_role):
    """A post's ACL, from its state and its author's (so that a list row needs no entity)."""
    if published:
        # Everyone reads it; only admins change it now.
        return BASE_ACL
    # A draft: its author (while they may still write news) and admins,
    # nobody else; not even VIEW, so the factory answers 404 to them.
    acl = [(Allow, ADMIN_PRINCIPAL, ALL_PERMISSIONS)]
    if author_id is not None and author_active and author_role in (Role.COACH, Role.ADMIN):
        acl.append((Allow, f"user:{author_id}", (VIEW, EDIT, DELETE)))
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
        return self.status is Status.PUBLISHED

    def publish(self):
        """Make the post public from now; True if it was a draft (publishing twice changes nothing)."""
        if self.published:
            return False
        self.status = Status.PUBLISHED
        self.published_at = utcnow()
        return True

    def unpublish(self):
        """Back to a draft: out of the list, the feed and the home page; True if it was public."""
        if not self.published:
            return False
        self.status = Status.DRAFT
        self.published_at = None
        return True

    def __acl__(self):
        if self.published:
            return BASE_ACL
        author = self.author
        if author is None:
            return post_acl(False, None, False, None)
        return post_acl(False, author.id, author.active, author.role)

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


#: Published posts, newest first (the list, the feed, the home panel): read in
#: index ``ix_news_posts_status_published_at_id``.
PUBLISHED_ORDER = Keyset((Post.published_at, Post.id), descending=True)
#: Drafts, most recently changed first: ``ix_news_posts_status_updated_at_id`` for
#: every draft, ``ix_news_posts_author_id_status_updated_at_id`` for one author's.
DRAFTS_ORDER = Keyset((Post.updated_at, Post.id), descending=True)
