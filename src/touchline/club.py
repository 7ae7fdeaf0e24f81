"""The club's own settings that several add-ons share: its timezone, locale and currency.

Times are stored in UTC and shown in the club's timezone
(``touchline.timezone``, an IANA name such as ``Europe/London``), so a
kick-off entered as 10:00 stays 10:00 local time across a clock change.
They are written the way the club's locale (``touchline.locale``, such as
``en_GB``, ``en_US`` or ``fr_FR``) writes them, from the Unicode CLDR data
that Babel ships: "Sat, 6 Dec 2026, 10:00" for ``en_GB``, "Sat, Dec 6,
2026, 10:00 AM" for ``en_US``.  Prices are exact decimals in the club's
currency (``touchline.currency``, an ISO 4217 code).  All three are read and
checked once, at start-up.
"""
import datetime
import functools
import re
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from pyramid.exceptions import ConfigurationError

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_LOCALE = "en_GB"
DEFAULT_CURRENCY = "GBP"
TIMEZONE = "touchline.timezone"
LOCALE = "touchline.locale"
CURRENCY = "touchline.currency"
DATES = "touchline.dates"

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


class DateFormats:
    """Dates and times as the club's locale writes them: ``request.dates`` and the template filters.

    Each method takes a *style*, a name that every locale knows how to
    write (so templates never spell out an English order of day and
    month), or a ``strftime`` pattern (it holds ``%``) for what machines
    read, such as a ``<time datetime>`` attribute.  The same kick-offs and
    publication dates come back on page after page: each value is
    formatted once per process.
    """

    #: Styles of a moment (a kick-off, a publication) and of a date.
    #: datetime: "Sat, 6 Dec 2026, 10:00"; date: "6 December 2026";
    #: full: "Saturday, 6 December 2026"; short: "Sat, 6 Dec 2026"; day: "Sat 6 Dec";
    #: time: "10:00".
    STYLES = ("datetime", "date", "full", "short", "day", "time")

    def __init__(self, locale: Locale, timezone: ZoneInfo):
        self.locale = locale
        self.timezone = timezone
        self._joiner = get_datetime_format("medium", locale=locale)
        self.moment = functools.lru_cache(maxsize=8192)(self._moment)
        self.date = functools.lru_cache(maxsize=4096)(self._date)
        self.time = functools.lru_cache(maxsize=1024)(self._time)

    @property
    def language_tag(self):
        """The locale as HTML's ``lang`` attribute wants it: ``en-GB``."""
        return "-".join(part for part in (self.locale.language, self.locale.territory) if part)

    def _moment(self, value: datetime.datetime | None, style: str = "datetime") -> str:
        """A stored instant (aware, or naive UTC as SQLite returns it) on the club's clock."""
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        local = value.astimezone(self.timezone)
        if "%" in style:
            return local.strftime(style)
        if style == "datetime":
            return (self._joiner.replace("{1}", self._date(local.date(), "short"))
                    .replace("{0}", self._time(local.time())))
        if style == "time":
            return self._time(local.time())
        return self._date(local.date(), style)

    def _date(self, value: datetime.date | None, style: str = "date") -> str:
        if value is None:
            return ""
        if "%" in style:
            return value.strftime(style)
        if style == "date":
            return format_date(value, "long", locale=self.locale)
        if style == "full":
            return format_date(value, "full", locale=self.locale)
        if style == "day":
            return format_skeleton("MMMEd", value, locale=self.locale)
        if style == "short":
            return format_skeleton("yMMMEd", value, locale=self.locale)
        raise ValueError(f"no date style {style!r}: use one of {', '.join(self.STYLES)}")

    def _time(self, value: datetime.time | None, style: str = "time") -> str:
        if value is None:
            return ""
        if "%" in style:
            return value.strftime(style)
        return format_time(value, "short", locale=self.locale)


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
    locale_name = (settings.get(LOCALE) or DEFAULT_LOCALE).strip()
    try:
        locale = Locale.parse(locale_name.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ConfigurationError(f"{LOCALE}: {locale_name!r} is no locale Babel knows (en_GB, en_US, fr_FR...)") from None
    dates = config.registry[DATES] = DateFormats(locale, config.registry[TIMEZONE])
    config.add_request_method(lambda request: club_timezone(request.registry), "timezone", reify=True)
    config.add_request_method(lambda request: request.registry[DATES], "dates", reify=True)
    config.add_request_method(lambda request: request.registry[CURRENCY], "currency", reify=True)

    def add_filters():
        env = config.get_jinja2_environment()
        env.filters["money"] = lambda amount: format_money(amount, currency)
        # {{ fixture.kickoff|localtime }}, {{ post.published_at|localtime("date") }},
        # {{ week.date|localdate("full") }}, {{ session.start_time|clocktime }}
        env.filters["localtime"] = dates.moment
        env.filters["localdate"] = dates.date
        env.filters["clocktime"] = dates.time
        env.globals["html_lang"] = dates.language_tag

    config.action(None, add_filters, order=999)

