"""What the account forms accept."""
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, StringConstraints, field_validator, model_validator

from touchline.forms import Schema, SingleLine
from touchline.users import USERNAME_MAX_LENGTH, Role, normalize_username

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024

Password = Annotated[str, StringConstraints(max_length=PASSWORD_MAX_LENGTH)]


def _strong_enough(value):
    if len(value) < PASSWORD_MIN_LENGTH:
        raise ValueError(f"use at least {PASSWORD_MIN_LENGTH} characters")
    return value


NewPassword = Annotated[Password, AfterValidator(_strong_enough)]


def valid_username(value):
    """Letters, digits, ``._-``, in one script: ``аdmin`` with a Cyrillic ``а`` is refused.

    Together with ``username_key`` (NFKC and case folding) this keeps
    look-alikes of an existing name from being created next to it; mixed
    scripts with confusable letters are found with confusable_homoglyphs,
    as django-registration does.
    """
    # Imported when a name is checked: its tables take megabytes a page never needs.
    from confusable_homoglyphs import confusables

    if not all(ch.isalnum() or ch in "._-" for ch in value):
        raise ValueError("use letters, digits, dots, dashes and underscores only")
    if confusables.is_dangerous(value):
        raise ValueError("mix no letters from different alphabets that look alike")
    return normalize_username(value)


Username = Annotated[SingleLine(USERNAME_MAX_LENGTH), AfterValidator(valid_username)]


def normalize_email(value):
    """The address as stored and compared, or ValueError with what to fix.

    email-validator checks the syntax (one address: no comma, no line
    break, no markup), lower-cases the domain and makes an international
    one ASCII.  Addresses whose local part is not ASCII are refused: not
    every mail server can deliver them.
    """
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValueError("enter an email address like name@example.org") from None
    return result.ascii_email


def _optional_email(value):
    return normalize_email(value) if value else value


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_optional_email)
]


def safe_next(target):
    """``target`` if it is a path on this site, else ``/``.

    Refuses anything a browser could read as another site: ``//host``,
    ``https://host``, ``javascript:``, backslashes (``/\\host``), control
    characters, and anything not in ASCII (``/。evil``: some browsers read
    that full stop as a dot, and a ``Location`` header cannot carry it).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if not target.isascii() or "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


class LoginIn(Schema):
    nouns = {"username": "your username", "password": "your password"}

    username: Annotated[str, StringConstraints(max_length=200)] = ""
    password: Password = ""
    #: Where to go after logging in: a path on this site, or the home page.
    #: Nobody types it, so a bad one is replaced, not an error.
    next: str = ""

    @field_validator("next", mode="before")
    @classmethod
    def _only_a_local_path(cls, value):
        return safe_next(value) if isinstance(value, str) and len(value) <= 2000 else "/"


class ProfileIn(Schema):
    nouns = {"display_name": "your name", "email": "your email address"}

    display_name: SingleLine(80, min_length=0) = ""
    email: Email = ""


class PasswordResetRequestIn(Schema):
    nouns = {"email": "your email address"}

    email: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(normalize_email)
    ]


class PasswordResetIn(Schema):
    """A new password, typed twice."""

    nouns = {"new_password": "the new password", "confirm_password": "the new password again"}

    new_password: NewPassword
    confirm_password: Password

    @model_validator(mode="after")
    def _confirmed(self):
        if self.new_password != self.confirm_password:
            raise ValueError("the new password and its confirmation differ")
        return self


class PasswordChangeIn(PasswordResetIn):
    """A new password, typed twice, and the current one."""

    nouns = {"current_password": "your current password"}

    current_password: Password


class UserIn(Schema):
    nouns = {"username": "the username", "display_name": "the name", "email": "the email address",
             "role": "the role", "active": "can log in", "password": "the password"}

    username: Username
    display_name: SingleLine(80, min_length=0) = ""
    email: Email = ""
    role: Role = Role.MEMBER
    active: bool = False
    password: Annotated[str, StringConstraints(max_length=PASSWORD_MAX_LENGTH)] = ""
