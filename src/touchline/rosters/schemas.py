"""What the player form and the rosters JSON API accept (one schema for both).

The year of birth must lie in ``current year - 20 .. current year - 3``: a
youth club has no players outside it, and a typo (2106, 1916) is caught.
"""
import datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator

from touchline.forms import Id, Schema, SingleLine

from .models import MAX_SHIRT, MIN_SHIRT, NAME_MAX_LENGTH, OLDEST, YOUNGEST, Position


def _blank_is_none(value):
    # An HTML form sends an empty field as "": that means "not set".
    if isinstance(value, str) and not value.strip():
        return None
    return value


def birth_year_range(today=None):
    year = (today or datetime.date.today()).year
    return year - OLDEST, year - YOUNGEST


class PlayerIn(Schema):
    nouns = {"first_name": "the player's first name", "last_name": "the player's last name",
             "birth_year": "the year of birth", "shirt_number": "the shirt number",
             "position": "the position", "name_consent": "consent to show the full name",
             "photo_consent": "consent to show photos", "guardians": "the guardians"}

    first_name: SingleLine(NAME_MAX_LENGTH)
    last_name: SingleLine(NAME_MAX_LENGTH)
    birth_year: int
    shirt_number: Annotated[Annotated[int, Field(ge=MIN_SHIRT, le=MAX_SHIRT)] | None,
                            BeforeValidator(_blank_is_none)] = None
    position: Annotated[Position | None, BeforeValidator(_blank_is_none)] = None
    name_consent: bool = False
    photo_consent: bool = False
    guardians: list[Id] = Field(default_factory=list, max_length=10)

    @field_validator("birth_year")
    @classmethod
    def _sane_birth_year(cls, value):
        low, high = birth_year_range()
        if not low <= value <= high:
            raise ValueError(f"must be a year from {low} to {high}")
        return value
