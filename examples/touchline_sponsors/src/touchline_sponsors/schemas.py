"""What a sponsor form and the sponsors JSON API accept.

The link must be a web address (http or https) a visitor can follow: a
``javascript:`` URL, a bare word or an address with a password in it is
refused with a message a volunteer understands.  The address is stored as
pydantic normalises it (the host lower-cased, international names in
punycode), so what the page links to is exactly what was checked.
"""
from typing import Annotated

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    Base64Bytes,
    TypeAdapter,
    ValidationError,
)

from touchline.forms import Schema, SingleLine

from .models import DEFAULT_TIER, LINK_MAX_LENGTH, NAME_MAX_LENGTH, Tier

_URL = TypeAdapter(AnyHttpUrl)


def _web_address(value):
    try:
        url = _URL.validate_python(value)
    except ValidationError:
        raise ValueError("must be a web address starting with https:// or http://") from None
    if url.username or url.password:
        raise ValueError("must not contain a user name or password")
    normalised = str(url)
    if len(normalised) > LINK_MAX_LENGTH:
        raise ValueError(f"must be at most {LINK_MAX_LENGTH} characters long")
    return normalised


#: A sponsor's web site: checked and normalised, then stored as a string.
Link = Annotated[SingleLine(LINK_MAX_LENGTH * 2), AfterValidator(_web_address)]


class SponsorFields(Schema):
    """What the form and the API share."""

    nouns = {"name": "the sponsor's name", "link": "the sponsor's web address", "tier": "the tier"}

    name: SingleLine(NAME_MAX_LENGTH)
    link: Link
    tier: Tier = DEFAULT_TIER


class SponsorIn(SponsorFields):
    """A sponsor through the JSON API.

    ``logo`` is the image itself, base64-encoded; ``null`` removes the logo,
    and a PUT that leaves it out keeps the current one.
    """

    nouns = {"active": "shown on the site", "logo": "the logo"}

    active: bool = True
    logo: Base64Bytes | None = None


class SponsorFormIn(SponsorFields):
    """A sponsor from the HTML form (the logo file is read by the view).

    An unticked checkbox sends nothing, so an absent ``active`` is False.
    """

    active: bool = False
    remove_logo: bool = False
