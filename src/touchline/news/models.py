"""The Post model: a piece of club news, a draft until an admin publishes it."""
import datetime
import enum

from pyramid.authorization import ALL_PERMISSIONS, Allow, Deny, Everyone
from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from touchline.models import Base, UTCDateTime, utcnow
from touchline.security import ADMIN_PRINCIPAL, BASE_ACL, DELETE, EDIT, VIEW
from touchline.users import Role, User

from .markdown import excerpt, render

TITLE_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 80
BODY_MAX_LENGTH = 50_000


class Status(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


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
        # The public list and the feed: published posts, newest first.
        Index("ix_news_posts_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
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

    def __acl__(self):
        if self.published:
            # Everyone reads it; only admins change it now.
            return BASE_ACL
        # A draft: its author (while they may still write news) and admins,
        # nobody else; not even VIEW, so the factory answers 404 to them.
        acl = [(Allow, ADMIN_PRINCIPAL, ALL_PERMISSIONS)]
        author = self.author
        if author is not None and author.active and author.role in (Role.COACH, Role.ADMIN):
            acl.append((Allow, f"user:{author.id}", (VIEW, EDIT, DELETE)))
        acl.append((Deny, Everyone, ALL_PERMISSIONS))
        return acl

    @property
    def author_name(self):
        """The author's display name (never their username or email), or None."""
        return self.author.display_name or None if self.author is not None else None

    @property
    def html(self):
        return render(self.body)

    @property
    def excerpt(self):
        return excerpt(self.body)

    def __json__(self, request):
        data = {
            "id": self.id,
            "slug": self.slug,
            "title": self.title,
            "html": str(self.html),
            "author": self.author_name,
            "status": self.status.value,
            "published_at": self.published_at,
            "url": request.route_url("news.show", slug=self.slug),
        }
        if request.has_permission(EDIT, self):
            data["body"] = self.body
        return data

    @classmethod
    def published_newest_first(cls):
        return (
            select(cls)
            .where(cls.status == Status.PUBLISHED)
            .order_by(cls.published_at.desc(), cls.id.desc())
        )

    @classmethod
    def drafts_for(cls, user):
        """The drafts ``user`` may see, most recently changed first: all for admins."""
        stmt = select(cls).where(cls.status == Status.DRAFT)
        if user.role is not Role.ADMIN:
            stmt = stmt.where(cls.author_id == user.id)
        return stmt.order_by(cls.updated_at.desc(), cls.id.desc())


