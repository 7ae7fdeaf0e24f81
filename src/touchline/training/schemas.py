"""What the training forms and the training JSON API accept: one schema each for both.

Times are wall-clock times on the club's clock ("18:00"), dates are
year-month-day; a weekday is its ISO number (Monday is 1).  The rules
across fields (the end after the start, the last date after the first, a
cancelled date on the session's weekday) are checked by the views, with
the messages beside the fields.
"""
from typing import Annotated

from pydantic import BeforeValidator, Field

from touchline.forms import Chosen, DateText, Schema, SingleLine, TimeText

from .models import NOTE_MAX_LENGTH, PLACE_MAX_LENGTH, REASON_MAX_LENGTH


def _blank_to_none(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


OptionalDate = Annotated[DateText | None, BeforeValidator(_blank_to_none)]
Weekday = Annotated[int, Field(ge=1, le=7), Chosen]


class SessionIn(Schema):
    """A weekly training session, from the form or as JSON."""

    nouns = {"weekday": "the day of the week", "start_time": "the start time", "end_time": "the end time",
             "place": "where the team trains", "note": "the note", "starts_on": "the first date",
             "ends_on": "the last date"}

    weekday: Weekday
    start_time: TimeText
    end_time: TimeText
    place: SingleLine(PLACE_MAX_LENGTH)
    note: SingleLine(NOTE_MAX_LENGTH, min_length=0) = ""
    starts_on: OptionalDate = None
    ends_on: OptionalDate = None


class CancellationIn(Schema):
    """A cancelled week of a session."""

    nouns = {"date": "the date of the cancelled session", "reason": "the reason"}

    date: DateText
    reason: SingleLine(REASON_MAX_LENGTH, min_length=0) = ""


def check_session(data):
    """The rules across a session's fields: field errors, or {}."""
    errors = {}
    if data.end_time <= data.start_time:
        errors["end_time"] = ["Choose an end time after the start time."]
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = ["Choose a last date on or after the first date."]
    return errors
