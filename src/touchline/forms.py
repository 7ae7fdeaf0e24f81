"""Forms and JSON bodies validated by one pydantic schema.

A schema (a pydantic model with ``extra="forbid"``) says what a resource
accepts.  :func:`validate_form` reads an HTML form post and gives back the
data or the errors by field with what the user typed, so the page can show
the form again; :func:`validate_json` reads a JSON body and raises a 4xx
with the errors by field in a machine-readable body.  Either way nothing is
applied unless everything is valid, and fields a client may not set
(``id``, ``role``) are refused by the schema.
"""
import json
import re
from decimal import Decimal
from typing import Annotated

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


#: A database id: a positive integer an INTEGER column can hold.
Id = Annotated[int, Field(gt=0, le=MAX_ID)]


class Schema(BaseModel):
    """Base for input schemas: unknown fields are an error, not ignored.

    No text field of any schema accepts a control character (a NUL byte,
    an escape), whatever its type says: PostgreSQL cannot store a NUL, and
    none belongs in anything a person types.  Tabs and line breaks are
    left to the field's own type (``SingleLine`` refuses line breaks).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters_anywhere(cls, value):
        values = value if isinstance(value, (list, tuple)) else (value,)
        for item in values:
            if isinstance(item, str):
                _no_control_characters(item)
        return value


def field_errors(error):
    errors = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "_form"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "This field cannot be set."
        elif item["type"] == "missing":
            message = "This field is required."
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):].capitalize() + "."
        errors.setdefault(field, []).append(message)
    return errors


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
        errors = field_errors(error)
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
        raise InvalidData(field_errors(error)) from None


def invalid_data(exc, request):
    return render_error(
        request, 422, "Invalid data", "Some fields are not valid; see fields.", fields=exc.fields
    )


def includeme(config):
    config.add_exception_view(invalid_data, context=InvalidData)
