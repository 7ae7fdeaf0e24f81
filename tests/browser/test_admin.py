"""In a real browser: a coach finds last weekend's match without a result on the admin's
dashboard, enters the score, and undoes it from the fixture's history page.

Runs the system Chromium (headless) against a live Touchline site with the
demo data (see ``conftest.py``).  No page may log a console error or a
Content-Security-Policy violation.
"""
import datetime
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

from .test_teams import COACH, COACH_PASSWORD, OWN_TEAM, assert_no_console_problems, log_in  # noqa: E402

pytestmark = pytest.mark.browser

OPPONENT = "Forgotten Rovers"


def add_unscored_match(page):
    """Last Sunday's match, entered before it was played and never given its result: through the
    coach's own import API, as a club that brings its fixture list in from a spreadsheet does."""
    token = page.request.get("/account.json").json()["account"]["csrf_token"]
    day = datetime.date.today() - datetime.timedelta(days=(datetime.date.today().weekday() + 1) % 7 or 7)
    csv = f"team,opponent,home_away,date,time\n{OWN_TEAM},{OPPONENT},home,{day.isoformat()},10:00\n"
    response = page.request.post(
        "/admin/fixtures/import.json", headers={"X-CSRF-Token": token, "Accept": "application/json"},
        multipart={"file": {"name": "fixtures.csv", "mimeType": "text/csv", "buffer": csv.encode()}},
    )
    assert response.status == 201, response.text()


def test_coach_enters_a_missing_score_from_the_dashboard_and_undoes_it(browser_page):
    page = browser_page
    log_in(page, COACH, COACH_PASSWORD)
    add_unscored_match(page)

    # The navigation leads to the admin; its to-do list has the match.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.locator("h1")).to_have_text("Admin")
    todo = page.get_by_role("link", name="Fixtures in the past without a result")
    expect(todo).to_be_visible()
    todo.click()
    expect(page.locator("h1")).to_have_text("Fixtures")
    rows = page.locator("table.admin-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(OPPONENT)
    rows.first.get_by_role("link").first.click()

    # The fixture's form, at its admin address: enter the score.
    expect(page).to_have_url(re.compile(r"/admin/fixtures/\d+$"))
    fixture_url = page.url
    page.get_by_label("Status").select_option("played")
    page.get_by_label(OWN_TEAM).fill("3")
    page.locator("fieldset.score").get_by_label("Opponent").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.url == fixture_url
    expect(page.locator(".flash[role=status]")).to_be_visible()

    # Off the to-do list now.
    page.goto("/admin")
    expect(page.get_by_role("link", name="Fixtures in the past without a result")).to_have_count(0)

    # The history shows the change as a diff; undo it.
    page.goto(fixture_url)
    page.get_by_role("link", name="History").click()
    expect(page.locator("h1")).to_contain_text("History of")
    latest = page.locator("section.admin-change").first
    expect(latest.locator("h2")).to_contain_text("Changed by Casey Coach")
    expect(latest.locator("table.admin-diff")).to_contain_text("Played")
    with page.expect_navigation():
        latest.get_by_role("button", name="Undo this change").click()
    expect(page.locator(".flash[role=status]")).to_contain_text("was restored")
    expect(page.locator("section.admin-change").first.locator("h2")).to_contain_text("restoring an earlier version")

    # The score is gone again, and the match is back on the to-do list.
    page.goto(fixture_url)
    expect(page.get_by_label("Status")).to_have_value("scheduled")
    expect(page.get_by_label(OWN_TEAM)).to_have_value("")
    page.goto("/admin")
    expect(page.get_by_role("link", name="Fixtures in the past without a result")).to_be_visible()

    assert_no_console_problems(page)
