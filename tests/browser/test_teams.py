"""In a real browser: a coach logs in, edits a team they coach, and is refused another.

Runs the system Chromium (headless) against a live Touchline site with the
demo data (see ``conftest.py``).  Every page visited must be free of
console errors and Content-Security-Policy violations.
"""
import os
import re

import pytest

from .conftest import CHROMIUM, under_ci

if not os.access(CHROMIUM, os.X_OK) and not under_ci():
    pytest.skip(
        f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium); "
        "skipped because it is missing and CI is not set",
        allow_module_level=True,
    )

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

COACH, COACH_PASSWORD = "coach", "touchline-coach"
OWN_TEAM, NEW_NAME = "Under 9 Badgers", "Under 9 Badgers Blue"
OTHER_TEAM = "Under 14 Rovers"


def assert_no_console_problems(page):
    problems = page.console_problems.problems
    assert problems == [], "console errors or CSP violations:\n" + "\n".join(problems)


def log_in(page, username, password):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def team_id(page, name):
    """The id of the team called ``name``, from the JSON API, with the page's cookies."""
    response = page.request.get("/teams.json")
    assert response.ok, response.status
    ids = [team["id"] for team in response.json()["teams"] if team["name"] == name]
    assert len(ids) == 1, f"{name!r} in /teams.json: {ids}"
    return ids[0]


def test_login_form_fields_are_labelled(browser_page):
    page = browser_page
    response = page.goto("/login")
    assert response.status == 200
    expect(page.get_by_label("Username")).to_have_attribute("id", "username")
    expect(page.get_by_label("Password")).to_have_attribute("id", "password")
    unlabelled = page.eval_on_selector_all(
        "form input:not([type=hidden]), form select, form textarea",
        "fields => fields.filter(f => f.labels.length === 0 && !f.getAttribute('aria-label'))"
        ".map(f => f.name || f.id)",
    )
    assert unlabelled == []
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert_no_console_problems(page)


def test_coach_edits_own_team_and_is_refused_another(browser_page, live_site):
    page = browser_page
    log_in(page, COACH, COACH_PASSWORD)

    # Their own team: teams page -> team page -> Edit team -> Save.
    page.goto("/teams")
    expect(page.locator("h1")).to_have_text("Teams")
    page.get_by_role("link", name=OWN_TEAM, exact=True).click()
    expect(page.locator("h1")).to_have_text(OWN_TEAM)
    team_url = page.url
    page.get_by_role("link", name="Edit team").click()
    expect(page).to_have_url(re.compile(r"/teams/\d+/edit$"))
    expect(page.locator("h1")).to_have_text(f"Edit {OWN_TEAM}")
    page.get_by_label("Name").fill(NEW_NAME)
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.url == team_url
    expect(page.locator("h1")).to_have_text(NEW_NAME)
    expect(page.locator(".flash[role=status]")).to_have_text(f"The team {NEW_NAME} was saved.")
    # The flash is shown once, and the new name was really committed.
    page.reload()
    expect(page.locator("h1")).to_have_text(NEW_NAME)
    expect(page.locator(".flash")).to_have_count(0)

    # A team they do not coach: no edit link, and its edit page is refused.
    other = team_id(page, OTHER_TEAM)
    page.goto(f"/teams/{other}")
    expect(page.locator("h1")).to_have_text(OTHER_TEAM)
    expect(page.get_by_role("link", name="Edit team")).to_have_count(0)
    edit_url = f"{live_site}/teams/{other}/edit"
    page.console_problems.expect_failure(edit_url)  # the browser logs the 403 itself
    response = page.goto(edit_url)
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
    expect(page.get_by_text("You do not have permission to see this page.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # still logged in

    assert_no_console_problems(page)
