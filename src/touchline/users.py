"""Club accounts: who may log in, with which role, and their passwords.

Accounts are core because the security policy loads the logged-in user on
every request; the pages that manage them are the ``touchline.accounts``
add-on.  Passwords are hashed with argon2id (argon2-cffi), with parameters
from the ini that may never go below OWASP's minimum (19 MiB, 2 passes); a
hash made with older parameters is upgraded at the next successful login.
"""
import datetime
import enum
import unicodedata

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, Enum, String, select
from sqlalchemy.orm import Mapped, mapped_column

from zope.interface import Interface, implementer

from touchline.models import Base, utcnow
from touchline.security import BASE_ACL

USERNAME_MAX_LENGTH = 40
MIN_MEMORY_COST = 19 * 1024  # KiB
MIN_TIME_COST = 2


class Role(enum.Enum):
    """What an account may do: admins run the site, coaches their teams, members read."""

    ADMIN = "admin"
    COACH = "coach"
    MEMBER = "member"

    @property
    def label(self):
        return {"admin": "Administrator", "coach": "Coach", "member": "Member"}[self.value]


class User(Base):
    """An account of a person who helps run the club or belongs to it."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH))
    #: ``username_key(username)``: usernames are unique whatever their case or width.
    username_key: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH * 3), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    display_name: Mapped[str] = mapped_column(String(80), default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", native_enum=False, length=10, create_constraint=True,
             values_callable=lambda roles: [role.value for role in roles], validate_strings=True),
        default=Role.MEMBER,
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    #: Accounts are managed by admins only (views ask for MANAGE_USERS).
    __acl__ = BASE_ACL

    def __init__(self, username, **kwargs):
        super().__init__(username=normalize_username(username), username_key=username_key(username),
                         **kwargs)

    def rename(self, username):
        self.username = normalize_username(username)
        self.username_key = username_key(username)

    def __repr__(self):
        return f"<User {self.id} {self.username!r} {self.role.value}>"

    @property
    def name(self):
        return self.display_name or self.username

    def __json__(self, request):
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
        }

    @classmethod
    def by_username(cls, username):
        return select(cls).where(cls.username_key == username_key(username))


def normalize_username(username):
    """The username as stored: NFKC, so full-width ``ＡＤＭＩＮ`` is ``ADMIN``."""
    return unicodedata.normalize("NFKC", username)


def username_key(username):
    """What makes two usernames the same one: NFKC, then case folding.

    Django's rule: ``Admin``, ``ADMIN`` and full-width ``ＡＤＭＩＮ`` are all
    ``admin``.  (Look-alikes from other scripts, such as a Cyrillic ``а``,
    are refused by the accounts add-on's username check.)
    """
    return unicodedata.normalize("NFKC", normalize_username(username).casefold())


def make_password_hasher(settings):
    """The argon2id hasher from ``touchline.argon2.*`` settings, never below the minimum."""
    memory_cost = int(settings.get("touchline.argon2.memory_cost", 19 * 1024))
    time_cost = int(settings.get("touchline.argon2.time_cost", 2))
    parallelism = int(settings.get("touchline.argon2.parallelism", 1))
    if memory_cost < MIN_MEMORY_COST or time_cost < MIN_TIME_COST:
        from pyramid.exceptions import ConfigurationError

        raise ConfigurationError(
            f"touchline.argon2: memory_cost must be at least {MIN_MEMORY_COST} KiB "
            f"and time_cost at least {MIN_TIME_COST}"
        )
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


class IPasswords(Interface):
    """How account passwords are set and checked (``request.passwords``).

    A service, so that a site or a test may register another
    (``config.register_service(mine, IPasswords)``).
    """

    def set(user, password):
        """Store a hash of ``password`` on ``user``."""

    def check(user, password):
        """Whether ``password`` is ``user``'s; as slow for an unknown user (None) as for a known one."""


@implementer(IPasswords)
class Passwords:
    """Hashes and checks passwords with the site's argon2id parameters."""

    def __init__(self, hasher):
        self.hasher = hasher
        # Checked against when the username is unknown, so that a wrong
        # username costs as much time as a wrong password.
        self._dummy_hash = hasher.hash("not the password of anyone")

    def set(self, user, password):
        user.password_hash = self.hasher.hash(password)

    def check(self, user, password):
        """True if ``password`` is the user's; upgrades an outdated hash in place."""
        stored = user.password_hash if user is not None else self._dummy_hash
        try:
            self.hasher.verify(stored or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if user is None or not stored:
            return False
        if self.hasher.check_needs_rehash(stored):
            self.set(user, password)
        return True


def includeme(config):
    config.include("pyramid_services")
    config.register_service(Passwords(make_password_hasher(config.registry.settings)), IPasswords)
    config.add_request_method(lambda request: request.find_service(IPasswords), "passwords", reify=True)
