"""Forgotten passwords: the requests for a link, and the single-use tokens mailed."""
import datetime
import hashlib
import secrets

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from touchline.models import Base, UTCDateTime
from touchline.users import User, utcnow


def hash_token(token):
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class PasswordResetToken(Base):
    """A link sent by mail; only its hash is stored.

    A user has at most one: asking again replaces it, and using it,
    changing the password in any way, or the hour passing ends it.
    """

    __tablename__ = "password_reset_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, index=True)

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, dbsession, user, lifetime):
        """A new token for ``user``, ending any earlier one; returns the token itself.

        The token is for the mail only: what is stored is its hash.
        """
        cls.revoke_all(dbsession, user)
        token = secrets.token_urlsafe(32)
        dbsession.add(
            cls(token_hash=hash_token(token), user=user,
                expires_at=utcnow() + datetime.timedelta(seconds=lifetime))
        )
        return token

    @classmethod
    def revoke_all(cls, dbsession, user):
        dbsession.execute(delete(cls).where(cls.user_id == user.id))

    @classmethod
    def usable(cls, dbsession, token):
        """The unexpired token record for ``token`` of an active user, or None."""
        record = dbsession.scalar(select(cls).where(cls.token_hash == hash_token(token)))
        if record is None or not record.user.active or record.expires_at <= utcnow():
            return None
        return record


class PasswordResetRequest(Base):
    """Someone asked for a reset link for this address; the mail worker answers it.

    The web request only records this (the same work whether or not an
    account has the address, so its answer and its timing tell nobody);
    ``touchline_mailqueue`` looks the address up, issues the tokens and
    queues the mail (:mod:`touchline.accounts.resets`).
    """

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, index=True)


def purge_expired_tokens(request):
    """Delete the reset tokens whose hour has passed (``touchline_purge``)."""
    tokens = request.dbsession.execute(
        delete(PasswordResetToken).where(PasswordResetToken.expires_at < utcnow())
    ).rowcount
    # Requests the worker never answered (it was down for an hour): a link
    # mailed now would come too late to be expected.
    requests = request.dbsession.execute(
        delete(PasswordResetRequest).where(
            PasswordResetRequest.requested_at < utcnow() - datetime.timedelta(hours=1))
    ).rowcount
    return tokens + requests
