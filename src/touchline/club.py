"""The club's own settings that several add-ons share: its timezone and currency.

Times are stored in UTC and shown in the club's timezone
(``touchline.timezone``, an IANA name such as ``Europe/London``), so a
kick-off entered as 10:00 stays 10:00 local time across a clock change.
Prices are exact decimals in the club's currency (``touchline.currency``,
an ISO 4217 code).  Both are read and checked once, at start-up.
"""
import datetime
import functools
import re
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pyramid.exceptions import ConfigurationError

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_CURRENCY = "GBP"
TIMEZONE = "touchline.timezone"
CURRENCY = "touchline.currency"

#: Symbols for the currencies clubs are most likely to use; others show their code.
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}


def club_timezone(registry) -> ZoneInfo:
    return registry[TIMEZONE]


def to_local(registry, value: datetime.datetime | None) -> datetime.datetime | None:
    """``value`` (aware, or naive UTC as SQLite returns it) in the club's timezone."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(club_timezone(registry))


def local_moment(request, date: datetime.date, time: datetime.time):
    """``(instant, error)``: the UTC instant of ``date`` at ``time`` on the club's clock.

    For forms that take a local date and time (a kick-off, a publication
    time).  A wall-clock time skipped when the clocks go forward does not
    exist: ``(None, message)``; one that happens twice when they go back is
    taken as the first.
    """
    tz = request.timezone
    naive = datetime.datetime.combine(date, time)
    moment = naive.replace(tzinfo=tz, fold=0).astimezone(datetime.timezone.utc)
    if moment.astimezone(tz).replace(tzinfo=None) != naive:
        return None, "This time does not exist on that day: the clocks go forward."
    return moment, None


def format_money(amount: Decimal, currency: str) -> str:
    """``Decimal("12.5")`` as ``£12.50``: always two places, never through a float."""
    quantized = amount.quantize(Decimal("0.01"))
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{quantized:,}" if symbol else f"{quantized:,} {currency}"


def includeme(config):
    settings = config.registry.settings
    name = settings.get(TIMEZONE) or DEFAULT_TIMEZONE
    try:
        config.registry[TIMEZONE] = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"{TIMEZONE}: {name!r} is no IANA timezone name") from None
    currency = (settings.get(CURRENCY) or DEFAULT_CURRENCY).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ConfigurationError(f"{CURRENCY}: {currency!r} is no ISO 4217 currency code")
    config.registry[CURRENCY] = currency
    config.add_request_method(lambda request: club_timezone(request.registry), "timezone", reify=True)
    config.add_request_method(lambda request: request.registry[CURRENCY], "currency", reify=True)

    def add_filters():
        env = config.get_jinja2_environment()
        env.filters["money"] = lambda amount: format_money(amount, currency)
        tz = club_timezone(config.registry)

        # The same kick-offs and publication dates come back on page after
        # page: each is converted and formatted once.
        @functools.lru_cache(maxsize=8192)
        def localtime(value, fmt="%a %-d %b %Y, %H:%M"):
            if value is None:
                return ""
            if value.tzinfo is None:
                value = value.replace(tzinfo=datetime.timezone.utc)
            return value.astimezone(tz).strftime(fmt)

        # {{ fixture.kickoff|localtime }} or {{ post.published_at|localtime("%-d %B %Y") }}
        env.filters["localtime"] = localtime

    config.action(None, add_filters, order=999)

