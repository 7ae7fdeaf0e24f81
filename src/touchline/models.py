"""The one declarative ``Base`` that every add-on's models subclass.

One metadata, so that one Alembic environment sees every enabled add-on's
tables, and one naming convention, so that constraint names are the same on
SQLite and PostgreSQL and migrations can refer to them.
"""
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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
