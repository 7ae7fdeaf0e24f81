"""Answering requests for a reset link: the mail worker's job.

``POST /password-reset`` records a :class:`PasswordResetRequest` and
nothing else.  ``touchline_mailqueue`` runs :func:`answer_reset_requests`
before each pass (``config.add_mail_job``): for each request it mails a
fresh link to every active account with that address (issuing a token
ends the account's earlier one), then deletes the request, all in one
transaction with the queued mail.
"""
import datetime
import logging

from sqlalchemy import func, select

from touchline.logsafe import security_event
from touchline.mail import absolute_url, send_mail
from touchline.users import User, utcnow

from .models import PasswordResetRequest, PasswordResetToken

log = logging.getLogger("touchline.security")
#: Requests answered per transaction.
BATCH = 100


def lifetime(settings):
    """Seconds a link works: ``touchline.password_reset.lifetime``, an hour at most."""
    return min(int(settings.get("touchline.password_reset.lifetime", 3600)), 3600)


def answer_reset_requests(request):
    """Mail the links that were asked for; returns how many requests were answered."""
    dbsession = request.dbsession
    seconds = lifetime(request.registry.settings)
    pending = dbsession.scalars(
        select(PasswordResetRequest).order_by(PasswordResetRequest.id).limit(BATCH)
    ).all()
    for reset in pending:
        if reset.requested_at > utcnow() - datetime.timedelta(seconds=seconds):
            users = dbsession.scalars(
                select(User).where(func.lower(User.email) == reset.email, User.active.is_(True))
            ).all()
            for user in users:
                mail_reset_link(request, user, seconds)
        dbsession.delete(reset)
    return len(pending)


def mail_reset_link(request, user, seconds):
    token = PasswordResetToken.issue(request.dbsession, user, seconds)
    link = absolute_url(request, "accounts.reset", token=token)
    site = request.club.name
    send_mail(
        request, user.email, "Reset your password",
        f"Hello {user.name},\n\nSomeone asked to reset the password of the account "
        f"{user.username} at {site}. To choose a new password, open this link within "
        f"{seconds // 60} minutes:\n\n{link}\n\n"
        "If it was not you, ignore this message: your password stays as it is.\n",
        to_name=user.display_name,
    )
    security_event(log, "password-reset-mailed", request, user=user)
