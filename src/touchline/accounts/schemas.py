"""What the account forms accept."""
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, model_validator

from touchline.forms import Schema, SingleLine
from touchline.users import USERNAME_MAX_LENGTH, Role

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024

Password = Annotated[str, StringConstraints(max_length=PASSWORD_MAX_LENGTH)]


def _strong_enough(value):
    if len(value) < PASSWORD_MIN_LENGTH:
        raise ValueError(f"use at least {PASSWORD_MIN_LENGTH} characters")
    return value


NewPassword = Annotated[Password, AfterValidator(_strong_enough)]


def valid_username(value):
    if not all(ch.isalnum() or ch in "._-" for ch in value):
        raise ValueError("use letters, digits, dots, dashes and underscores only")
    return value


Username = Annotated[SingleLine(USERNAME_MAX_LENGTH), AfterValidator(valid_username)]
OptionalEmail = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)]


def _email(value):
    if value and ("@" not in value or value.startswith("@") or value.endswith("@") or " " in value):
        raise ValueError("enter an email address such as name@example.org")
    return value


Email = Annotated[OptionalEmail, AfterValidator(_email)]


class LoginIn(Schema):
    username: Annotated[str, StringConstraints(max_length=200)] = ""
    password: Password = ""
    next: Annotated[str, StringConstraints(max_length=2000)] = ""


class ProfileIn(Schema):
    display_name: SingleLine(80, min_length=0) = ""
    email: Email = ""


class PasswordResetRequestIn(Schema):
    email: Annotated[OptionalEmail, AfterValidator(_email), StringConstraints(min_length=3)]


class PasswordResetIn(Schema):
    """A new password, typed twice."""

    new_password: NewPassword
    confirm_password: Password

    @model_validator(mode="after")
    def _confirmed(self):
        if self.new_password != self.confirm_password:
            raise ValueError("the new password and its confirmation differ")
        return self


class PasswordChangeIn(PasswordResetIn):
    """A new password, typed twice, and the current one."""

    current_password: Password


class UserIn(Schema):
    username: Username
    display_name: SingleLine(80, min_length=0) = ""
    email: Email = ""
    role: Role = Role.MEMBER
    active: bool = False
    password: Annotated[str, StringConstraints(max_length=PASSWORD_MAX_LENGTH)] = ""
