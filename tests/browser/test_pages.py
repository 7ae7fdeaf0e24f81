"""In a real browser: the club's pages with the demo data, as a parent and as a visitor.

Every page must render without console errors or Content-Security-Policy
violations (images from uploads, the shop's search form, the news body).
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

from .test_teams import assert_no_console_problems, log_in, team_id  # noqa: E402

pytestmark = pytest.mark.browser


def test_a_visitor_sees_the_club_without_any_child(browser_page):
    page = browser_page
    page.goto("/")
    for panel in ("Youngest teams", "Next fixtures", "Latest news"):
        expect(page.get_by_role("heading", name=panel)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Teams", "Fixtures", "Training", "News", "Shop"])

    page.get_by_role("navigation", name="Main").get_by_role("link", name="News").click()
    first_post = page.locator(".post-list a").first
    title = first_post.inner_text()
    first_post.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.goto("/fixtures")
    expect(page.locator("table.fixtures tbody tr").first).to_be_visible()
    page.goto(f"/teams/{team_id(page, 'Under 9 Badgers')}")
    expect(page.get_by_role("link", name="Fixtures and results")).to_be_visible()
    expect(page.get_by_role("link", name="Roster", exact=True)).to_have_count(0)
    assert_no_console_problems(page)


def test_shop_search_and_category_filter(browser_page):
    page = browser_page
    page.goto("/catalogs/")
    expect(page.locator(".product-list img").first).to_be_visible()
    page.fill("#q", "shirt")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Search").click()
    names = page.locator(".product-list .product > a").all_inner_texts()
    assert names and all("shirt" in name.lower() for name in names), names
    assert re.search(r"[?&]q=shirt", page.url)
    page.locator(".product-list .product > a").first.click()
    expect(page.get_by_role("heading", name="How to order")).to_be_visible()
    assert_no_console_problems(page)


def test_a_parent_sees_their_own_children_on_the_roster(browser_page):
    page = browser_page
    log_in(page, "member", "touchline-member")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rosters").click()
    expect(page.get_by_role("heading", name="Your players")).to_be_visible()
    page.goto(f"/teams/{team_id(page, 'Under 9 Badgers')}")
    page.get_by_role("link", name="Roster", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Under 9 Badgers")
    assert page.locator("table.roster tbody tr").count() >= 6
    assert_no_console_problems(page)
