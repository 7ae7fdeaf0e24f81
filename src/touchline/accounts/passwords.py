"""Changing a password, and ending everything the old one opened.

Every way of setting a password goes through :func:`change_password`: the
account page, a reset link, an admin's form and ``touchline_user passwd``.
Each ends every reset link the account has, and every session but the one
the user changed it from (if they did it themselves).
"""
from touchline.sessions import end_all_sessions, end_other_sessions

from .models import PasswordResetToken


def change_password(request, user, password, keep_this_session=False):
    request.passwords.set(user, password)
    PasswordResetToken.revoke_all(request.dbsession, user)
    if keep_this_session:
        end_other_sessions(request, user)
    else:
        end_all_sessions(request, user)
