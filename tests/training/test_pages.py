"""The training pages: every team's sessions, a team's, one session, and the forms."""
import datetime

from touchline.teams.models import Team
from touchline.testing import post_form
from touchline.training.models import TrainingSession

from .conftest import JSON


def test_the_training_page_lists_the_sessions_by_team_youngest_first(testapp, badgers, otters, make_session):
    make_session(badgers, weekday=4, start="17:30", end="18:30", place="Sports hall")
    make_session(badgers, weekday=2, place="Club ground", note="Bring shin pads")
    make_session(otters, weekday=6, start="09:30", end="10:30", place="Pitch 3")
    # A session that ended is no longer listed.
    make_session(otters, weekday=1, place="Old ground", starts_on=datetime.date(2020, 1, 6),
                 ends_on=datetime.date(2020, 6, 29))
    page = testapp.get("/training")
    teams = [(section.h3.text, [" ".join(item.text.split()) for item in section.select("li.training-session")])
             for section in page.html.select("section.training-team")]
    assert [name for name, _items in teams] == ["Under 8 Otters", "Under 9 Badgers"]
    assert teams[0][1][0].startswith("Saturday 09:30–10:30 at Pitch 3")
    assert [item.split(" at ")[0] for item in teams[1][1]] == ["Tuesday 18:00–19:30", "Thursday 17:30–18:30"]
    assert "Bring shin pads" in teams[1][1][0]
    assert [heading.text for heading in page.html.select("h2")] == ["Under 8s", "Under 9s"]

    data = testapp.get("/training", headers=JSON).json
    assert [(s["team"]["name"], s["weekday_name"], s["start_time"]) for s in data["sessions"]] == [
        ("Under 8 Otters", "Saturday", "09:30"), ("Under 9 Badgers", "Tuesday", "18:00"),
        ("Under 9 Badgers", "Thursday", "17:30")]
    assert testapp.get("/training.xml").content_type == "application/xml"


def test_a_cancelled_week_is_marked_on_the_team_page(testapp, badgers, make_session):
    today = datetime.date.today()
    next_week = today + datetime.timedelta(days=7)
    make_session(badgers, weekday=next_week.isoweekday(), cancelled=[(next_week, "Pitch closed")])
    page = testapp.get(f"/teams/{badgers.id}")
    section = page.html.find("section", class_="team-section-training")
    text = " ".join(section.text.split())
    assert "at Club ground" in text and "Pitch closed" in text
    assert any(a["href"].endswith(f"/teams/{badgers.id}/training") for a in page.html.select("ul.team-links a"))


def test_the_training_pages_cost_the_same_queries_for_few_and_many_sessions(testapp, dbsession, badgers,
                                                                           make_session, count_queries):
    counts, team_id = [], badgers.id
    for count in (1, 15):
        team = dbsession.get(Team, team_id)
        for n in range(count):
            make_session(team, weekday=1 + n % 7, cancelled=[(datetime.date.today()
                                                                 + datetime.timedelta(days=n % 7), "")])
        dbsession.expunge_all()
        with count_queries() as club:
            testapp.get("/training")
        with count_queries() as team:
            testapp.get(f"/teams/{team_id}/training")
        counts.append((len(club), len(team)))
    assert counts[0] == counts[1], counts


def test_a_coach_manages_their_own_teams_sessions_only(testapp, login, badgers, otters, coach, make_session):
    theirs = make_session(otters)
    login(testapp, "casey")
    page = post_form(testapp, f"/teams/{badgers.id}/training/new",
                     {"weekday": "3", "start_time": "17:00", "end_time": "18:15", "place": "Sports hall",
                      "note": "", "starts_on": "", "ends_on": ""}, status=303)
    assert page.location.endswith(f"/teams/{badgers.id}/training")
    assert "Wednesday 17:00–18:15" in " ".join(page.follow().text.split())
    testapp.get(f"/teams/{otters.id}/training/new", status=403)
    testapp.get(f"/training/{theirs.id}/edit", status=403)
    testapp.get(f"/training/{theirs.id}/cancellations/new", status=403)
    testapp.put_json(f"/training/{theirs.id}.json", {"place": "Elsewhere"},
                     headers={**JSON, "X-CSRF-Token": testapp.get("/account.json").json["account"]["csrf_token"]},
                     status=403)


def test_a_session_form_with_mistakes_says_what_to_fix(testapp, login, badgers, coach):
    login(testapp, "casey")
    page = post_form(testapp, f"/teams/{badgers.id}/training/new",
                     {"weekday": "9", "start_time": "19:00", "end_time": "18:00", "place": "",
                      "note": "", "starts_on": "2026-02-30", "ends_on": ""}, status=400)
    errors = {ul["id"]: " ".join(ul.text.split()) for ul in page.html.select("ul.field-errors")}
    assert errors["place-errors"] == "Enter where the team trains."
    assert errors["weekday-errors"] == "Choose the day of the week from the list."
    assert errors["starts_on-errors"] == "This date does not exist."
    page = post_form(testapp, f"/teams/{badgers.id}/training/new",
                     {"weekday": "2", "start_time": "19:00", "end_time": "18:00", "place": "Hall",
                      "note": "", "starts_on": "", "ends_on": ""}, status=400)
    assert "Choose an end time after the start time." in page.text
    for text in page.html.select("ul.field-errors"):
        assert "should" not in text.text


def test_a_cancelled_week_must_be_on_the_sessions_day(testapp, dbsession, login, badgers, coach, make_session):
    session = make_session(badgers, weekday=2)
    login(testapp, "casey")
    # 7 January 2030 is a Monday.
    page = post_form(testapp, f"/training/{session.id}/cancellations/new", {"date": "2030-01-07", "reason": ""},
                     status=400)
    assert "Choose a Tuesday: this session is on Tuesdays." in page.text
    post_form(testapp, f"/training/{session.id}/cancellations/new", {"date": "2030-01-08", "reason": ""},
              status=303)
    page = post_form(testapp, f"/training/{session.id}/cancellations/new", {"date": "2030-01-08", "reason": ""},
                     status=400)
    assert "That week is already cancelled." in page.text
    dbsession.expire_all()
    assert [week.date for week in dbsession.get(TrainingSession, session.id).cancellations] == [
        datetime.date(2030, 1, 8)]


def test_the_json_api_creates_a_session(testapp, login, badgers, coach):
    login(testapp, "casey")
    token = testapp.get("/account.json").json["account"]["csrf_token"]
    created = testapp.post_json(f"/teams/{badgers.id}/training.json",
                                {"weekday": 5, "start_time": "18:00", "end_time": "19:00", "place": "Pitch 1"},
                                headers={**JSON, "X-CSRF-Token": token}, status=201)
    assert created.json["session"]["weekday_name"] == "Friday"
    refused = testapp.post_json(f"/teams/{badgers.id}/training.json",
                                {"weekday": 5, "start_time": "18:00", "end_time": "17:00", "place": ""},
                                headers={**JSON, "X-CSRF-Token": token}, status=422)
    assert set(refused.json["error"]["fields"]) == {"place"}


def test_the_json_api_cancels_a_week_moves_it_and_takes_it_back(testapp, dbsession, login, badgers, coach,
                                                                make_session):
    session = make_session(badgers, weekday=2)
    login(testapp, "casey")
    headers = {**JSON, "X-CSRF-Token": testapp.get("/account.json").json["account"]["csrf_token"]}
    # 8 January 2030 is a Tuesday, the session's day.
    created = testapp.post_json(f"/training/{session.id}/cancellations.json",
                                {"date": "2030-01-08", "reason": "Frost"}, headers=headers, status=201)
    week = created.json["cancellation"]
    assert week["date"] == "2030-01-08" and week["reason"] == "Frost" and week["session"] == session.id
    assert created.location.endswith(f"/training/cancellations/{week['id']}")
    assert testapp.get(created.location, headers=JSON).json["cancellation"] == week
    page = testapp.get(created.location).html
    assert page.h1.text == "No training on Tuesday, 8 January 2030"
    listed = testapp.get(f"/training/{session.id}/cancellations.json").json["cancellations"]
    assert [item["id"] for item in listed] == [week["id"]]
    assert "EXDATE" in testapp.get(f"/teams/{badgers.id}/fixtures.ics").text

    # The same rules as the form: the session's day, once a week, written for people.
    refused = testapp.post_json(f"/training/{session.id}/cancellations.json", {"date": "2030-01-07"},
                                headers=headers, status=422)
    assert refused.json["error"]["fields"] == {"date": ["Choose a Tuesday: this session is on Tuesdays."]}
    again = testapp.post_json(f"/training/{session.id}/cancellations.json", {"date": "2030-01-08"},
                              headers=headers, status=422)
    assert again.json["error"]["fields"] == {"date": ["That week is already cancelled."]}
    missing = testapp.post_json(f"/training/{session.id}/cancellations.json", {}, headers=headers, status=422)
    assert missing.json["error"]["fields"]["date"] == ["Choose the date of the cancelled session."]

    # A PUT changes the reason alone, or moves the week; the week itself is not "already cancelled".
    url = f"/training/cancellations/{week['id']}.json"
    changed = testapp.put_json(url, {"reason": "Pitch waterlogged"}, headers=headers, status=200)
    assert changed.json["cancellation"]["reason"] == "Pitch waterlogged"
    moved = testapp.put_json(url, {"date": "2030-01-15"}, headers=headers, status=200)
    assert moved.json["cancellation"]["date"] == "2030-01-15"
    testapp.put_json(url, {"date": "2030-01-16"}, headers=headers, status=422)

    testapp.delete(url, headers=headers, status=204)
    testapp.get(url, headers=JSON, status=404)
    dbsession.expire_all()
    assert dbsession.get(TrainingSession, session.id).cancellations == []
    assert "EXDATE" not in testapp.get(f"/teams/{badgers.id}/fixtures.ics").text
