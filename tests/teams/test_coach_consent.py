"""Coaches are named on their teams' pages only when they agreed, on their own page."""
from touchline.teams.models import Level, Team
from touchline.testing import post_form


def coach_names(page):
    section = page.html.find("section", class_="team-section-coaches")
    return [item.text for item in section.select("ul.coaches li")] if section else None


def test_a_coach_is_named_only_after_agreeing(testapp, dbsession, make_user, login):
    casey = make_user("casey", "coach", display_name="Casey Coach")
    robin = make_user("robin", "coach", display_name="Robin Other")
    team = Team(name="Under 9 Badgers", level=Level.U09, coaches=[casey, robin])
    dbsession.add(team)
    dbsession.flush()
    url = f"/teams/{team.id}"
    # Nobody agreed: a visitor sees no coach's name, and no section at all.
    assert coach_names(testapp.get(url)) is None
    assert "Casey Coach" not in testapp.get(url).text

    login(testapp, "casey")
    own = testapp.get(url)
    assert "Your name is not shown here." in " ".join(own.html.find("section", class_="team-section-coaches").text.split())
    page = post_form(testapp, "/account/coach", {"show_name": "on"}, status=303).follow()
    assert page.html.find("input", attrs={"name": "show_name"}).has_attr("checked")
    testapp.reset()
    assert coach_names(testapp.get(url)) == ["Casey Coach"]

    # Taking it back hides the name again (an unticked box sends nothing).
    login(testapp, "casey")
    post_form(testapp, "/account/coach", {}, status=303)
    testapp.reset()
    assert coach_names(testapp.get(url)) is None


def test_a_deactivated_or_demoted_coach_is_never_named(testapp, dbsession, make_user, login):
    casey = make_user("casey", "coach", display_name="Casey Coach")
    team = Team(name="Under 9 Badgers", level=Level.U09, coaches=[casey])
    dbsession.add(team)
    dbsession.flush()
    login(testapp, "casey")
    post_form(testapp, "/account/coach", {"show_name": "on"}, status=303)
    testapp.reset()
    assert coach_names(testapp.get(f"/teams/{team.id}")) == ["Casey Coach"]
    casey.active = False
    dbsession.flush()
    assert coach_names(testapp.get(f"/teams/{team.id}")) is None


def test_the_consent_page_needs_a_login(testapp):
    assert testapp.get("/account/coach", status=303).location.startswith("http://localhost/login")


def test_a_coach_finds_the_coaching_page_from_their_account(testapp, make_user, login):
    make_user("casey", "coach", display_name="Casey Coach")
    make_user("morgan", "member")
    login(testapp, "casey")
    link = testapp.get("/account").html.find("a", string="Coaching")
    assert link is not None and link["href"].endswith("/account/coach")
    assert "teams you coach" in link.parent.text
    assert testapp.get(link["href"]).status_int == 200
    testapp.reset()
    # A member coaches nothing: no link.
    login(testapp, "morgan")
    assert testapp.get("/account").html.find("a", string="Coaching") is None
