"""The club's locale: dates and times written the way the club writes them (``touchline.locale``)."""
import datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from pyramid.exceptions import ConfigurationError

from touchline.club import DateFormats

LONDON = ZoneInfo("Europe/London")
UTC = datetime.timezone.utc
#: Saturday 6 December 2025, 10:00 in London (UTC in winter).
KICKOFF = datetime.datetime(2025, 12, 6, 10, 0, tzinfo=UTC)
#: Saturday 5 July 2025, 18:30 in London (UTC+1 in summer).
SUMMER = datetime.datetime(2025, 7, 5, 17, 30, tzinfo=UTC)


def formats(name):
    return DateFormats(Locale.parse(name), LONDON)


@pytest.mark.parametrize("locale, moment, date, full, short, day, time", [
    ("en_GB", "Sat, 6 Dec 2025, 10:00", "6 December 2025", "Saturday, 6 December 2025",
     "Sat, 6 Dec 2025", "Sat 6 Dec", "10:00"),
    ("en_US", "Sat, Dec 6, 2025, 10:00\u202fAM", "December 6, 2025", "Saturday, December 6, 2025",
     "Sat, Dec 6, 2025", "Sat, Dec 6", "10:00\u202fAM"),
    ("fr_FR", "sam. 6 déc. 2025, 10:00", "6 décembre 2025", "samedi 6 décembre 2025",
     "sam. 6 déc. 2025", "sam. 6 déc.", "10:00"),
    ("de_DE", "Sa., 6. Dez. 2025, 10:00", "6. Dezember 2025", "Samstag, 6. Dezember 2025",
     "Sa., 6. Dez. 2025", "Sa., 6. Dez.", "10:00"),
])
def test_every_style_in_the_clubs_locale(locale, moment, date, full, short, day, time):
    dates = formats(locale)
    # Babel writes a narrow no-break space before AM/PM in newer CLDR data, a space in older.
    assert dates.moment(KICKOFF).replace(" ", "\u202f") == moment.replace(" ", "\u202f")
    assert dates.moment(KICKOFF, "date") == date
    assert dates.date(KICKOFF.date(), "full") == full
    assert dates.date(KICKOFF.date(), "short") == short
    assert dates.date(KICKOFF.date(), "day") == day
    assert dates.time(datetime.time(10, 0)).replace(" ", "\u202f") == time.replace(" ", "\u202f")


def test_a_moment_is_shown_on_the_clubs_clock_whatever_it_is_stored_as():
    dates = formats("en_GB")
    assert dates.moment(SUMMER, "time") == "18:30"
    # SQLite gives naive UTC back.
    assert dates.moment(SUMMER.replace(tzinfo=None), "time") == "18:30"
    assert dates.moment(None) == "" and dates.date(None) == "" and dates.time(None) == ""


def test_a_percent_pattern_is_for_machines_and_a_bad_style_is_a_mistake():
    dates = formats("fr_FR")
    assert dates.moment(SUMMER, "%Y-%m-%dT%H:%M%z") == "2025-07-05T18:30+0100"
    with pytest.raises(ValueError, match="no date style 'long'"):
        dates.date(SUMMER.date(), "long")


def test_the_language_tag_for_html():
    assert formats("en_GB").language_tag == "en-GB"
    assert formats("fr").language_tag == "fr"


@pytest.fixture
def american_app(app_settings, app, database_url, tm, dbsession):
    """The app again, for a club writing American dates, on the same database and transaction."""
    from webtest import TestApp

    from touchline.database import DBSESSION_ENVIRON_KEY
    from touchline.testing import HOST, make_app

    other = make_app(app_settings, **{"sqlalchemy.url": database_url, "touchline.locale": "en-US"})
    yield TestApp(other, extra_environ={"HTTP_HOST": HOST, "tm.active": True, "tm.manager": tm,
                                        DBSESSION_ENVIRON_KEY: dbsession})
    other.registry["touchline.engine"].dispose()


def _match(dbsession, badgers, kickoff):
    from touchline.fixtures.models import Fixture

    fixture = Fixture(team=badgers, opponent="Rovers", kickoff=kickoff, venue="Club ground")
    dbsession.add(fixture)
    dbsession.flush()
    return fixture


def test_pages_write_dates_the_clubs_way(testapp, american_app, dbsession, badgers):
    kickoff = datetime.datetime(2030, 1, 12, 10, 0, tzinfo=UTC)
    fixture = _match(dbsession, badgers, kickoff)
    british = testapp.get(f"/fixtures/{fixture.id}").html
    american = american_app.get(f"/fixtures/{fixture.id}").html
    assert british.html["lang"] == "en-GB" and american.html["lang"] == "en-US"
    assert british.find("time").text == "Sat, 12 Jan 2030, 10:00"
    assert american.find("time").text.replace("\u202f", " ") == "Sat, Jan 12, 2030, 10:00 AM"
    # The machine-readable value is the same for both.
    assert british.find("time")["datetime"] == american.find("time")["datetime"]
    listed = american_app.get("/fixtures").html.select_one("td.kickoff time").text
    assert listed.replace("\u202f", " ") == "Sat, Jan 12, 2030, 10:00 AM"


def test_an_unknown_locale_stops_the_site_at_start_up(app_settings):
    from touchline.testing import make_app

    with pytest.raises(ConfigurationError, match="touchline.locale: 'xx_YY'"):
        make_app(app_settings, **{"touchline.locale": "xx_YY"})
