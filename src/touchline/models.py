"""The one declarative ``Base`` that every add-on's models subclass.

One metadata, so that one Alembic environment sees every enabled add-on's
tables, and one naming convention, so that constraint names are the same on
SQLite and PostgreSQL and migrations can refer to them.  ``UTCDateTime`` is
the column type for instants, so that every model reads them back the same
way on both databases.
"""
import datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Subclass this for every model, in the core and in add-ons."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class UTCDateTime(TypeDecorator):
    """An instant: stored in UTC, always read back aware, in UTC.

    SQLite keeps no offset: it would store the wall-clock digits of whatever
    timezone the value had and give back naive values.  A naive value is
    refused on the way in, since nobody can tell which clock it was read from.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self):
        return datetime.datetime

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored as an instant")
        return value.astimezone(datetime.timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc)
