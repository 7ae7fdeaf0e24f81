"""Single-use tokens for resetting a forgotten password."""
import datetime
import hashlib
import secrets

from sqlalchemy import DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from touchline.models import Base
from touchline.users import User, utcnow


def hash_token(token):
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class PasswordResetToken(Base):
    """A link sent by mail; only its hash is stored, and it works once, briefly."""

    __tablename__ = "password_reset_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, dbsession, user, lifetime):
        """A new token for ``user``; returns the token itself (to mail, never to store)."""
        token = secrets.token_urlsafe(32)
        dbsession.add(
            cls(token_hash=hash_token(token), user=user,
                expires_at=utcnow() + datetime.timedelta(seconds=lifetime))
        )
        return token

    @classmethod
    def usable(cls, dbsession, token):
        """The unused, unexpired token record for ``token``, or None."""
        record = dbsession.scalar(select(cls).where(cls.token_hash == hash_token(token)))
        if record is None or record.used_at is not None or not record.user.active:
            return None
        expires = record.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=datetime.timezone.utc)
        return record if expires > utcnow() else None
