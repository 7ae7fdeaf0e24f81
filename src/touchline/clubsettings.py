"""The club's identity: its name, crest, colours, contact details, ground and welcome text.

An admin changes them at ``/settings`` (:mod:`touchline.views.clubsettings`);
until then, and for every value the admin never set, the ini file is the
default:

=====================================  ==============================================
``touchline.site_name``                the club's name (``Touchline``)
``touchline.club.primary_colour``      the header and buttons, under white text (``#0b5d1e``)
``touchline.club.accent_colour``       the stripe under the header (``#ffbf47``)
``touchline.club.email``               the contact address (none)
``touchline.club.phone``               the contact phone number (none)
``touchline.club.address``             the ground's address (none)
``touchline.club.map_url``             an ``https`` link to a map of the ground; made
                                       from the address (OpenStreetMap) when empty
``touchline.club.welcome``             the home page's welcome, in Markdown (none)
=====================================  ==============================================

The saved values are one row of ``club_settings`` (migration
``touchline_0004``); a ``NULL`` column means "the ini's value".  The crest
is an uploaded image (``request.uploads``), shown beside the name in every
page's header.  The colours reach the pages as CSS custom properties
(``--brand``, ``--accent``) in a small stylesheet served at ``/club.css``,
whose URL carries a hash of the colours, so the strict Content-Security-Policy
(no inline style) holds and browsers may cache it for a year.

**Read on every page, queried almost never.**  Every page shows the name,
so the settings must cost no query per request (the pages' query counts are
tested), and a change must show without a restart, on every app process.
Each process keeps the settings it last read (:class:`ClubSettingsStore`),
and the database's ``version`` counter, raised by every save, is also
written after the commit to a small *version file* in the uploads directory,
which every app process of a site shares already (the crest lives there).  A
request compares the file's ``stat`` with the one it saw last (about a
microsecond, no database); only when the file says a newer version was
committed does the process read the row again, once.  The process that saved
takes the new values straight away.  No file means nothing was ever saved:
the ini's values, without a query.  The file's name carries a hash of the
database URL, so two sites (or the tests' SQLite and PostgreSQL databases)
sharing an uploads directory do not disturb each other.  (A query per
request would have been simpler but costs every page a round trip; a time
to live would show a change late and make the query counts depend on the
clock.)  A read that fails (the database is down) falls back to what the
process has, so an error page still shows the club's name.

The welcome text is Markdown, rendered and sanitised by
:mod:`touchline.markdown` (the news posts' rules) when it is *saved*, and the
HTML is stored with it: the home page never runs Markdown.
"""
import datetime
import hashlib
import logging
import os
import re
import tempfile
from typing import Annotated, ClassVar
from urllib.parse import quote_plus, urlsplit

from markupsafe import Markup
from pydantic import AfterValidator, StringConstraints, field_validator
from pyramid.events import BeforeRender
from pyramid.exceptions import ConfigurationError
from sqlalchemy import DateTime, Integer, String, Text as TextColumn, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from touchline.forms import Schema, SingleLine, Text
from touchline.models import Base

log = logging.getLogger(__name__)

SITE_NAME = "touchline.site_name"
PREFIX = "touchline.club."
STORE = "touchline.club_settings"
DEFAULT_NAME = "Touchline"
DEFAULT_PRIMARY = "#0b5d1e"
DEFAULT_ACCENT = "#ffbf47"
#: WCAG 2.1 AA for normal text: white on the primary colour (the header, buttons).
MIN_CONTRAST = 4.5
ROW_ID = 1

_COLOUR = re.compile(r"#[0-9a-f]{6}")
_PHONE = re.compile(r"\+?[0-9 ()./-]{5,30}")


# The checks, shared by the form and the ini --------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of ``#rrggbb``."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def check_colour(value: str) -> str:
    value = value.strip().lower()
    if not _COLOUR.fullmatch(value):
        raise ValueError("enter the colour as # and six hexadecimal digits, such as #0b5d1e")
    return value


def check_primary(value: str) -> str:
    value = check_colour(value)
    ratio = contrast(value, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise ValueError(
            f"white text on {value} has a contrast of only {ratio:.1f} to 1: choose a darker "
            f"colour (at least {MIN_CONTRAST} to 1, so that everyone can read the header)")
    return value


def check_email(value: str) -> str:
    if not value:
        return value
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).ascii_email
    except EmailNotValidError:
        raise ValueError("enter one email address, such as secretary@example.org") from None


def check_phone(value: str) -> str:
    if value and not _PHONE.fullmatch(value):
        raise ValueError("enter the phone number with digits, spaces and + ( ) - only, "
                         "such as 01632 960 123")
    return value


def check_map_url(value: str) -> str:
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("enter the map link as a web address starting with https://, "
                         "or leave it empty to link the address on OpenStreetMap")
    return value


def map_link(address: str) -> str:
    """An OpenStreetMap search for the ground's ``address`` (used when no map link is set)."""
    return "https://www.openstreetmap.org/search?query=" + quote_plus(" ".join(address.split()))


Colour = Annotated[str, AfterValidator(check_colour)]
PrimaryColour = Annotated[str, AfterValidator(check_primary)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(check_email)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30), AfterValidator(check_phone)]
MapUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(check_map_url)]


class ClubSettingsIn(Schema):
    """The settings form.  Empty email, phone, address, map link and welcome mean "none"."""

    nouns: ClassVar[dict[str, str]] = {
        "name": "the club's name", "primary_colour": "the main colour",
        "accent_colour": "the accent colour", "email": "the contact email address",
        "phone": "the contact phone number", "address": "the ground's address",
        "map_url": "the map link", "welcome": "the welcome text",
    }

    name: SingleLine(80)
    primary_colour: PrimaryColour
    accent_colour: Colour
    email: Email = ""
    phone: Phone = ""
    address: Text(300) = ""
    map_url: MapUrl = ""
    welcome: Text(5000) = ""
    remove_crest: bool = False

    @field_validator("address")
    @classmethod
    def _tidy_address(cls, value):
        return "\n".join(line.strip() for line in value.strip().splitlines() if line.strip())


# The stored row and the values pages read ----------------------------------------------------


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class ClubSettingsRow(Base):
    """The one row of the club's saved settings; ``NULL`` is "the ini's value"."""

    __tablename__ = "club_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    name: Mapped[str | None] = mapped_column(String(80))
    crest: Mapped[str | None] = mapped_column(String(100))
    crest_width: Mapped[int | None] = mapped_column(Integer)
    crest_height: Mapped[int | None] = mapped_column(Integer)
    primary_colour: Mapped[str | None] = mapped_column(String(7))
    accent_colour: Mapped[str | None] = mapped_column(String(7))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(300))
    map_url: Mapped[str | None] = mapped_column(String(500))
    welcome: Mapped[str | None] = mapped_column(TextColumn)
    welcome_html: Mapped[str | None] = mapped_column(TextColumn)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))

    def __str__(self):
        return "The club's settings"


#: The fields a row may override, with what the ini gives.
FIELDS = ("name", "crest", "crest_width", "crest_height", "primary_colour", "accent_colour",
          "email", "phone", "address", "map_url", "welcome", "welcome_html")


class Club:
    """The club's settings as pages read them: ``request.club``.  Never changed once made."""

    def __init__(self, version=0, **values):
        self.version = version
        for name in FIELDS:
            setattr(self, name, values.get(name))
        self.name = self.name or DEFAULT_NAME
        for name in ("email", "phone", "address", "map_url", "welcome"):
            setattr(self, name, getattr(self, name) or "")
        digest = hashlib.sha256(f"{self.primary_colour} {self.accent_colour}".encode()).hexdigest()
        #: In ``/club.css?v=...``: changes exactly when the colours do.
        self.css_version = digest[:12]

    @property
    def map_href(self):
        """The map link: the one set, or OpenStreetMap's search for the address."""
        if self.map_url:
            return self.map_url
        return map_link(self.address) if self.address else ""

    @property
    def phone_href(self):
        """``tel:`` and the number's digits (and a leading +), as phones dial it."""
        return "tel:" + re.sub(r"[^0-9+]", "", self.phone) if self.phone else ""

    @property
    def address_lines(self):
        return self.address.splitlines()

    @property
    def welcome_markup(self):
        """The welcome's sanitised HTML (stored when saved), safe to put in a page."""
        if self.welcome_html is None and self.welcome:
            # The ini's welcome: rendered once per process, on first use.
            from touchline.markdown import render

            self.welcome_html = str(render(self.welcome))
        return Markup(self.welcome_html or "")

    @property
    def has_contact(self):
        return bool(self.email or self.phone or self.address)

    def css(self):
        """The stylesheet at ``/club.css``: the colours as custom properties."""
        return (f":root {{ --brand: {self.primary_colour}; --brand-ink: #ffffff; "
                f"--accent: {self.accent_colour}; }}\n")

    def with_row(self, row):
        """These values (the ini's) overridden by a saved row's non-NULL columns."""
        values = {name: getattr(self, name) for name in FIELDS}
        if row.welcome is not None:
            values["welcome_html"] = None  # the row's own HTML (below), not the ini's
        for name in FIELDS:
            value = getattr(row, name)
            if value is not None:
                values[name] = value
        return Club(version=row.version or 0, **values)


def defaults_from_settings(settings) -> Club:
    """The ini's values, checked (a bad colour or address stops the site at start-up)."""
    def read(name, check=None, default=""):
        value = (settings.get(PREFIX + name) or default).strip()
        if check is None:
            return value
        try:
            return check(value)
        except ValueError as exc:
            raise ConfigurationError(f"{PREFIX}{name}: {exc}") from None

    return Club(
        name=(settings.get(SITE_NAME) or DEFAULT_NAME).strip(),
        primary_colour=read("primary_colour", check_primary, DEFAULT_PRIMARY),
        accent_colour=read("accent_colour", check_colour, DEFAULT_ACCENT),
        email=read("email", check_email),
        phone=read("phone", check_phone),
        address=read("address"),
        map_url=read("map_url", check_map_url),
        welcome=(settings.get(PREFIX + "welcome") or "").strip(),
    )


# The per-process store and its version file --------------------------------------------------


class ClubSettingsStore:
    """One process's copy of the settings, refreshed when the version file says so.

    ``current(request)`` costs a ``stat`` of the version file; it reads the
    database only when another process committed a newer version.
    """

    def __init__(self, defaults: Club, engine, version_file: str):
        self.defaults = defaults
        self.engine = engine
        self.version_file = version_file
        self.cached = None          # the last Club read from the database
        self._stat = None           # the version file's (mtime, size, inode) when last read
        self._file_version = None   # and the version it held

    def file_version(self):
        """The version the file says was last committed, or None when there is no file."""
        try:
            st = os.stat(self.version_file)
        except FileNotFoundError:
            self._stat = self._file_version = None
            return None
        stat = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stat != self._stat:
            try:
                with open(self.version_file, encoding="ascii") as file:
                    self._file_version = int(file.read().strip() or 0)
            except (OSError, ValueError):
                self._file_version = 0
            self._stat = stat
        return self._file_version

    def current(self) -> Club:
        wanted = self.file_version()
        if wanted is None:
            return self.cached if self.cached is not None else self.defaults
        cached = self.cached
        if cached is not None and cached.version >= wanted:
            return cached
        try:
            club = self.load()
        except SQLAlchemyError as exc:
            log.warning("club settings not read (%s): showing the last known", exc.__class__.__name__)
            return cached if cached is not None else self.defaults
        # A row deleted by hand (or never written) counts as the version the file says.
        if club.version < wanted:
            club.version = wanted
        self.cached = club
        return club

    def load(self) -> Club:
        """Read the saved row on a connection of its own: what was committed, nothing else."""
        with self.engine.connect() as connection:
            values = connection.execute(
                select(*(getattr(ClubSettingsRow, name) for name in FIELDS), ClubSettingsRow.version)
                .where(ClubSettingsRow.id == ROW_ID)
            ).first()
        if values is None:
            return Club(**{name: getattr(self.defaults, name) for name in FIELDS})
        row = ClubSettingsRow(**dict(zip((*FIELDS, "version"), values)))
        return self.defaults.with_row(row)

    def published(self, success, club):
        """After a save commits: this process takes the values, the others learn from the file."""
        if not success:
            return
        self.cached = club
        try:
            self._write_version(club.version)
        except OSError as exc:
            log.warning("club settings version file not written (%s): other processes keep their "
                        "settings until they restart", exc)

    def _write_version(self, version):
        directory = os.path.dirname(self.version_file)
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".club-settings-")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(f"{version}\n")
            os.replace(temporary, self.version_file)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def forget(self):
        """Drop what this process read and the version file (for tests that reset the site)."""
        self.cached = self._stat = self._file_version = None
        try:
            os.unlink(self.version_file)
        except FileNotFoundError:
            pass


def save(request, data, crest=None):
    """Write the form's values in the request's transaction; the change shows once it commits.

    ``crest`` is ``(name, width, height)`` of a newly uploaded crest.  Returns the new ``Club``.
    """
    from touchline.markdown import render

    dbsession = request.dbsession
    row = dbsession.get(ClubSettingsRow, ROW_ID, with_for_update=True)
    if row is None:
        row = ClubSettingsRow(id=ROW_ID, version=0)
        dbsession.add(row)
    row.name = data.name
    row.primary_colour = data.primary_colour
    row.accent_colour = data.accent_colour
    row.email = data.email
    row.phone = data.phone
    row.address = data.address
    row.map_url = data.map_url
    row.welcome = data.welcome
    row.welcome_html = str(render(data.welcome)) if data.welcome else ""
    if crest is not None:
        row.crest, row.crest_width, row.crest_height = crest
    elif data.remove_crest:
        # An empty name, not NULL: the ini has no crest to fall back to, but "removed" is a choice.
        row.crest, row.crest_width, row.crest_height = "", None, None
    row.version = (row.version or 0) + 1
    row.updated_at = utcnow()
    dbsession.flush()
    store = request.registry[STORE]
    club = store.defaults.with_row(row)
    request.tm.get().addAfterCommitHook(store.published, args=(club,))
    return club


def crest_size(request, name):
    """The stored crest's width and height, for the ``<img>``'s attributes (no layout shift)."""
    from PIL import Image

    with Image.open(request.uploads.store.path(name)) as image:
        return image.size


def version_file_for(settings, engine) -> str:
    configured = (settings.get(PREFIX + "version_file") or "").strip()
    if configured:
        return os.path.abspath(configured)
    uploads = settings.get("touchline.uploads.path") or os.path.join("var", "uploads")
    url = engine.url.render_as_string(hide_password=False)
    return os.path.join(os.path.abspath(uploads),
                        f".club-settings-{hashlib.sha256(url.encode()).hexdigest()[:12]}")


def _club(request) -> Club:
    return request.registry[STORE].current()


def _add_to_templates(event):
    """Every template gets ``club`` and the current ``site_name`` (a change shows at once)."""
    request = event.get("request")
    if request is not None:
        club = request.club
        event["club"] = club
        event["site_name"] = club.name


def includeme(config):
    settings = config.registry.settings
    defaults = defaults_from_settings(settings)
    engine = config.registry["touchline.engine"]
    config.registry[STORE] = ClubSettingsStore(defaults, engine, version_file_for(settings, engine))
    config.add_request_method(_club, "club", reify=True)
    config.add_subscriber(_add_to_templates, BeforeRender)
    config.add_history(ClubSettingsRow, "club-settings", label=lambda row: "The club's settings",
                       exclude=("welcome_html", "version", "updated_at"))
