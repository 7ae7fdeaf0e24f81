"""Forms and JSON bodies validated by one pydantic schema.

A schema (a pydantic model with ``extra="forbid"``) says what a resource
accepts.  :func:`validate_form` reads an HTML form post and gives back the
data or the errors by field with what the user typed, so the page can show
the form again; :func:`validate_json` reads a JSON body and raises a 4xx
with the errors by field in a machine-readable body.  Either way nothing is
applied unless everything is valid, and fields a client may not set
(``id``, ``role``) are refused by the schema.
"""
import datetime
import enum
import json
import re
import typing
from decimal import Decimal
from typing import Annotated, ClassVar

import annotated_types

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pyramid.httpexceptions import HTTPBadRequest, HTTPUnsupportedMediaType

from touchline.errors import render_error
from touchline.resources import MAX_ID

MAX_JSON_DEPTH = 32
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n\x85\u2028\u2029]")


def _no_control_characters(value):
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _single_line(value):
    if _LINE_BREAK.search(value):
        raise ValueError("must be a single line")
    return value


def SingleLine(max_length, min_length=1):
    """A one-line text field: stripped, no control characters, bounded."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_control_characters),
        AfterValidator(_single_line),
    ]


def Text(max_length):
    """Free text over several lines (descriptions, posts)."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length),
        AfterValidator(_no_control_characters),
    ]


class _Chosen:
    """Marks a field whose value is chosen (from a list, a date picker), not typed:
    its messages say "Choose the match date", not "Enter ..."."""

    def __repr__(self):
        return "Chosen"


#: Put in a field's ``Annotated[...]`` when the user picks the value rather than types it
#: (enums, ids, booleans and lists are known to be chosen without it).
Chosen = _Chosen()

#: A database id: a positive integer an INTEGER column can hold (picked from a list on a form).
Id = Annotated[int, Field(gt=0, le=MAX_ID), Chosen]

#: Dates outside these years are typing mistakes.
MIN_YEAR, MAX_YEAR = 2000, 2100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")


def parse_date(value):
    """A date field's text (what a ``date`` input sends: year-month-day) as a date."""
    if not _DATE.fullmatch(value):
        raise ValueError("enter the date as year-month-day, such as 2026-11-28")
    try:
        date = datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError("this date does not exist") from None
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise ValueError(f"must be in the years {MIN_YEAR} to {MAX_YEAR}")
    return date


def parse_time(value):
    """A time field's text (what a ``time`` input sends: hours:minutes) as a time."""
    if not _TIME.fullmatch(value):
        raise ValueError("enter the time as hours:minutes, such as 10:30")
    try:
        return datetime.time.fromisoformat("0" + value if value[1] == ":" else value)
    except ValueError:
        raise ValueError("this time does not exist") from None


#: A date or a time picked in a form (the fixtures' match day, a training session's hours).
DateText = Annotated[SingleLine(10), AfterValidator(parse_date), Chosen]
TimeText = Annotated[SingleLine(8), AfterValidator(parse_time), Chosen]


class Schema(BaseModel):
    """Base for input schemas: unknown fields are an error, not ignored.

    No text field of any schema accepts a control character (a NUL byte,
    an escape), whatever its type says: PostgreSQL cannot store a NUL, and
    none belongs in anything a person types.  Tabs and line breaks are
    left to the field's own type (``SingleLine`` refuses line breaks).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    #: What each field is called in a message, with its article: ``{"name": "the team's name"}``
    #: gives "Enter the team's name."  Merged along the class's bases; a field without an entry
    #: is called by its name ("the birth year" for ``birth_year``).  See :func:`field_errors`.
    nouns: ClassVar[dict[str, str]] = {}

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters_anywhere(cls, value):
        values = value if isinstance(value, (list, tuple)) else (value,)
        for item in values:
            if isinstance(item, str):
                _no_control_characters(item)
        return value


def field_errors(error, schema=None):
    """The errors of a pydantic ``ValidationError`` by field, in words written for people.

    This is the one place where schema errors become messages: every form,
    the JSON API's 422s and the spreadsheet imports use it, so no view words
    a message of its own for what a schema checks.  Each message names the
    field as the schema calls it (:attr:`Schema.nouns`) and says what to do:
    "Enter the team's name.", "Choose the match date.", "Enter a shirt
    number from 1 to 99."  A value error raised by a schema's own validator
    is already written for people ("must be a single line"): it is kept,
    with a capital and a full stop.  pydantic's own wording ("String should
    have at least 1 character", "Field required") never reaches a user.
    """
    errors = {}
    for item in error.errors(include_url=False):
        loc = item["loc"]
        field = str(loc[0]) if loc else "_form"
        errors.setdefault(field, []).append(_message(item, schema, field))
    return errors


#: The error types that mean "a number was expected" (pydantic's names).
_NUMBER_TYPES = frozenset({
    "int_parsing", "int_type", "int_from_float", "int_parsing_size", "float_parsing", "float_type",
    "decimal_parsing", "decimal_type", "finite_number",
})
_BOUND_TYPES = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
_CHOICE_TYPES = frozenset({"enum", "literal_error", "list_type", "is_instance_of", "union_tag_invalid"})


def _message(item, schema, field):
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind == "extra_forbidden":
        return "This field cannot be set."
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", "")).strip() or "this is not valid"
        text = text[0].upper() + text[1:]
        return text if text.endswith((".", "?", "!")) else text + "."
    info = _FieldInfo(schema, field)
    noun = info.noun
    verb = "Choose" if info.chosen else "Enter"
    empty = isinstance(item.get("input"), str) and not item["input"].strip()
    if kind == "missing" or empty or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"{verb} {noun}."
    if kind == "string_too_short":
        return f"Use at least {ctx['min_length']} characters for {noun}."
    if kind == "string_too_long":
        return f"Shorten {noun} to {ctx['max_length']} characters or fewer."
    if kind in ("too_long", "too_short") and info.is_list:
        most = "at most" if kind == "too_long" else "at least"
        return f"Choose {most} {ctx.get('max_length', ctx.get('min_length'))} {info.bare}."
    if kind in ("too_long", "too_short"):
        size = ctx.get("max_length", ctx.get("min_length"))
        return f"Shorten {noun} to {size} characters or fewer." if kind == "too_long" else f"Enter {noun}."
    if kind in _CHOICE_TYPES or (info.chosen and (kind in _NUMBER_TYPES or kind in _BOUND_TYPES)):
        return f"Choose {noun} from the list."
    if kind in ("bool_parsing", "bool_type"):
        return f"Choose yes or no for {noun}."
    if kind in _BOUND_TYPES or (kind in _NUMBER_TYPES and None not in info.bounds):
        return info.range_message()
    if kind in _NUMBER_TYPES:
        if info.is_decimal:
            return f"Enter {noun} as a number, such as 12.50."
        return f"Enter {noun} as a whole number."
    if kind == "decimal_max_places":
        return f"Enter {noun} with at most {ctx['decimal_places']} digits after the decimal point."
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return f"Enter a smaller number for {noun}."
    if kind in ("string_type", "str_type"):
        return f"Enter {noun} as text."
    if kind == "string_pattern_mismatch":
        return f"Check {noun}: use letters and digits, without spaces or other signs."
    return f"Check {noun} and try again."


class _FieldInfo:
    """What a message needs to know about one field of a schema."""

    def __init__(self, schema, name):
        nouns = {}
        for cls in reversed(getattr(schema, "__mro__", ())):
            nouns.update(getattr(cls, "__dict__", {}).get("nouns") or {})
        self.noun = nouns.get(name) or "the " + name.replace("_", " ")
        self.bare = self.noun[4:] if self.noun.startswith("the ") else self.noun
        field = (getattr(schema, "model_fields", None) or {}).get(name)
        self.chosen = self.is_list = self.is_decimal = False
        self.bounds = (None, None)
        if field is None:
            return
        low = high = None
        for annotation, metadata in _walk(field.annotation, field.metadata):
            if annotation is not None:
                self.is_list |= typing.get_origin(annotation) in (list, tuple, set)
                self.is_decimal |= annotation is Decimal
                self.chosen |= annotation is bool or (isinstance(annotation, type)
                                                      and issubclass(annotation, enum.Enum))
            for item in metadata:
                self.chosen |= item is Chosen
                if isinstance(item, (annotated_types.Ge, annotated_types.Gt)):
                    low = getattr(item, "ge", None)
                    low = item.gt + 1 if low is None and isinstance(item.gt, int) else low
                if isinstance(item, (annotated_types.Le, annotated_types.Lt)):
                    high = getattr(item, "le", None)
                    high = item.lt - 1 if high is None and isinstance(item.lt, int) else high
        self.chosen |= self.is_list
        self.bounds = (low, high)

    def range_message(self):
        low, high = self.bounds
        some = re.sub(r"^the ", "an " if self.bare[:1] in "aeiou" else "a ", self.noun)
        if low is not None and high is not None:
            return f"Enter {some} from {low} to {high}."
        if low is not None:
            return f"Enter {some} of {low} or more."
        if high is not None:
            return f"Enter {some} of {high} or less."
        return f"Enter {self.noun} as a number."


def _walk(annotation, metadata=()):
    """``(type, metadata)`` for a field's annotation and every type nested in it
    (``Optional``, ``list[...]``, ``Annotated``)."""
    yield None, list(metadata)
    stack = [annotation]
    while stack:
        current = stack.pop()
        if typing.get_origin(current) is Annotated:
            inner, *extra = typing.get_args(current)
            for item in extra:
                if hasattr(item, "metadata"):  # a FieldInfo: its constraints are its metadata
                    yield None, list(item.metadata)
                else:
                    yield None, [item]
            stack.append(inner)
            continue
        yield current, []
        stack.extend(arg for arg in typing.get_args(current) if arg is not type(None))


class Form:
    """What a form page needs: the values to show and the errors beside them."""

    def __init__(self, values=None, errors=None):
        self.values = dict(values or {})
        self.errors = errors or {}

    def value(self, name, default=""):
        value = self.values.get(name, default)
        return "" if value is None else value

    def __bool__(self):
        return not self.errors

    def __json__(self, request):
        # What the user typed stays out: it may hold a password.
        return {"errors": self.errors}


def validate_form(request, schema, ignore=("csrf_token",)):
    """Validate ``request.POST`` against ``schema``: ``(data, form)``.

    ``data`` is the schema instance, or None when ``form.errors`` says what
    to fix.  A field sent twice is a 400: a form never does that, and
    choosing one of the values would be a guess.
    """
    values = {}
    for key in request.POST.keys():
        if key in ignore or key in values:
            continue
        all_values = request.POST.getall(key)
        if len(all_values) != 1 and not _is_list_field(schema, key):
            raise HTTPBadRequest(f"The field {key!r} was sent more than once.")
        if _is_list_field(schema, key):
            values[key] = [v for v in all_values if isinstance(v, str)]
        elif not isinstance(all_values[0], str):
            raise HTTPBadRequest(f"The field {key!r} cannot be a file.")
        else:
            values[key] = all_values[0]
    try:
        return schema.model_validate(values), Form(values)
    except ValidationError as error:
        errors = field_errors(error, schema)
        # A field the page does not show cannot carry its error: say it on top.
        for name in [name for name in errors if name not in schema.model_fields and name != "_form"]:
            errors.setdefault("_form", []).extend(f"{name}: {message}" for message in errors.pop(name))
        return None, Form(values, errors)


def _is_list_field(schema, key):
    field = schema.model_fields.get(key)
    return field is not None and getattr(field.annotation, "__origin__", None) in (list, tuple)


def _depth(value, limit):
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return True


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(request):
    """The request's JSON body as a dict; 415 for another type, 400 for bad JSON.

    Numbers with a fraction or exponent are read as ``Decimal``, never as
    floats, so ``12.50`` is exactly 12.50 and ``12.500000000000001`` is not
    quietly rounded; ``NaN`` and ``Infinity`` are refused.
    """
    if (request.content_type or "").lower() != "application/json":
        raise HTTPUnsupportedMediaType("Send the data as application/json.")
    try:
        data = json.loads(request.body.decode(request.charset or "utf-8"),
                          parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, LookupError, ValueError, RecursionError):
        raise HTTPBadRequest("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise HTTPBadRequest("The body must be a JSON object.")
    if not _depth(data, MAX_JSON_DEPTH):
        raise HTTPBadRequest("The JSON body is nested too deeply.")
    return data


class InvalidData(Exception):
    """Raised by validate_json; rendered as a 422 with the errors by field."""

    def __init__(self, fields):
        super().__init__("invalid data")
        self.fields = fields


def validate_json(request, schema, partial=None):
    """Validate the JSON body against ``schema``; raises InvalidData (422) if it is wrong.

    ``partial`` (a dict of current values) lets a PUT leave out fields it
    does not change.
    """
    data = read_json(request)
    if partial is not None:
        data = {**partial, **data}
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise InvalidData(field_errors(error, schema)) from None


def invalid_data(exc, request):
    return render_error(
        request, 422, "Invalid data", "Some fields are not valid; see fields.", fields=exc.fields
    )


def includeme(config):
    config.add_exception_view(invalid_data, context=InvalidData)
