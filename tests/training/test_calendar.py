"""Training sessions in the team's calendar feed: weekly recurring events, cancelled weeks excepted."""
import datetime
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from touchline.testing import post_form

LONDON = ZoneInfo("Europe/London")


def feed(testapp, team):
    return Calendar.from_ical(testapp.get(f"/teams/{team.id}/fixtures.ics").body)


def test_a_weekly_session_is_a_recurring_event_with_its_cancelled_weeks_excepted(testapp, badgers,
                                                                                 make_session):
    # Tuesdays 18:00-19:30 from 6 October 2026, across the clocks going back on 25 October.
    session = make_session(badgers, weekday=2, starts_on=datetime.date(2026, 10, 6), place="Riverside, pitch 2",
                           note="Bring shin pads",
                           cancelled=[(datetime.date(2026, 10, 20), "Half term")])
    body = testapp.get(f"/teams/{badgers.id}/fixtures.ics").body.decode()
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU\r\n" in body
    assert "DTSTART;TZID=Europe/London:20261006T180000\r\n" in body
    assert "EXDATE;TZID=Europe/London:20261020T180000\r\n" in body
    assert "BEGIN:VTIMEZONE" in body

    calendar = Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"training-{session.id}@club.example.org"
    assert str(event["SUMMARY"]) == "Under 9 Badgers training"
    assert str(event["LOCATION"]) == "Riverside, pitch 2"
    assert "Bring shin pads" in str(event["DESCRIPTION"])

    # A month of it, as a phone's calendar expands it: 20 October is missing, and every
    # session starts at 18:00 London time, in summer time and after the clocks went back.
    occurrences = recurring_ical_events.of(calendar).between(datetime.date(2026, 10, 1), datetime.date(2026, 11, 1))
    starts = [occurrence["DTSTART"].dt for occurrence in occurrences]
    assert [start.date() for start in starts] == [datetime.date(2026, 10, 6), datetime.date(2026, 10, 13),
                                                  datetime.date(2026, 10, 27)]
    assert {start.astimezone(LONDON).time() for start in starts} == {datetime.time(18, 0)}
    assert [start.astimezone(datetime.timezone.utc).hour for start in starts] == [17, 17, 18]
    assert {occurrence["DTEND"].dt - occurrence["DTSTART"].dt for occurrence in occurrences} == {
        datetime.timedelta(minutes=90)}


def test_the_timezone_is_described_for_calendars_that_do_not_know_it(testapp, badgers, make_session):
    make_session(badgers, starts_on=datetime.date(2026, 3, 3))
    (timezone,) = feed(testapp, badgers).walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/London"
    changes = {(part.name, part["DTSTART"].dt.replace(tzinfo=None), part["TZOFFSETTO"].td)
               for part in timezone.subcomponents}
    assert ("DAYLIGHT", datetime.datetime(2026, 3, 29, 1, 0), datetime.timedelta(hours=1)) in changes
    assert ("STANDARD", datetime.datetime(2026, 10, 25, 2, 0), datetime.timedelta(0)) in changes


def test_a_last_date_ends_the_series(testapp, badgers, make_session):
    make_session(badgers, weekday=4, start="17:30", end="18:30", starts_on=datetime.date(2026, 11, 5),
                 ends_on=datetime.date(2026, 11, 19))
    calendar = feed(testapp, badgers)
    rule = calendar.walk("VEVENT")[0]["RRULE"]
    # UNTIL is in UTC (RFC 5545): the last Thursday's start, 17:30 GMT.
    assert rule["UNTIL"][0] == datetime.datetime(2026, 11, 19, 17, 30, tzinfo=datetime.timezone.utc)
    starts = [event["DTSTART"].dt.date() for event in
              recurring_ical_events.of(calendar).between(datetime.date(2026, 11, 1), datetime.date(2027, 1, 1))]
    assert starts == [datetime.date(2026, 11, 5), datetime.date(2026, 11, 12), datetime.date(2026, 11, 19)]


def test_a_cancelled_week_or_a_change_moves_the_event_in_subscribed_calendars(testapp, login, badgers, coach,
                                                                              make_session):
    session = make_session(badgers, weekday=2, starts_on=datetime.date(2030, 1, 1))
    url = f"/teams/{badgers.id}/fixtures.ics"
    first = testapp.get(url)
    assert feed(testapp, badgers).walk("VEVENT")[0]["SEQUENCE"] == 0
    testapp.get(url, headers={"If-None-Match": first.headers["ETag"]}, status=304)

    login(testapp, "casey")
    post_form(testapp, f"/training/{session.id}/cancellations/new", {"date": "2030-01-08", "reason": "Pitch closed"},
              status=303)
    testapp.reset()
    changed = testapp.get(url, headers={"If-None-Match": first.headers["ETag"]}, status=200)
    (event,) = Calendar.from_ical(changed.body).walk("VEVENT")
    assert event["SEQUENCE"] == 1
    assert "EXDATE;TZID=Europe/London:20300108T180000" in changed.text


def test_the_feed_with_sessions_costs_one_query_more_and_a_304_still_one(testapp, dbsession, badgers,
                                                                         make_session, count_queries):
    url = f"/teams/{badgers.id}/fixtures.ics"
    counts = []
    for count in (1, 11):
        for day in range(count):
            make_session(badgers, weekday=1 + day % 7, cancelled=[(datetime.date(2030, 1, 7 + day % 7), "")]
                         if day < 7 else ())
        dbsession.expunge_all()
        with count_queries() as queries:
            first = testapp.get(url)
        counts.append(len(queries))
        with count_queries() as queries:
            testapp.get(url, headers={"If-None-Match": first.headers["ETag"]}, status=304)
        assert len(queries) == 1, queries.statements
    # The feed's state, its fixtures, its training sessions with their cancelled weeks.
    assert counts == [3, 3]


def test_a_deleted_session_leaves_the_feed(testapp, dbsession, login, badgers, coach, make_session):
    kept = make_session(badgers, weekday=1)
    gone = make_session(badgers, weekday=3)
    an_hour_ago = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(hours=1)
    kept.updated_at = gone.updated_at = an_hour_ago
    dbsession.flush()
    url = f"/teams/{badgers.id}/fixtures.ics"
    first = testapp.get(url)
    login(testapp, "casey")
    post_form(testapp, f"/training/{gone.id}/delete", {}, status=303)
    testapp.reset()
    after = testapp.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}, status=200)
    assert [str(event["UID"]) for event in Calendar.from_ical(after.body).walk("VEVENT")] == [
        f"training-{kept.id}@club.example.org"]
