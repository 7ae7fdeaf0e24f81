"""In a real browser, on a phone and on a desktop: nothing scrolls sideways, every fixture's
status or score is on screen, and the logged-in header stays compact.

Screenshots of each public page at 390 px and 1280 px wide are saved as test artifacts in
the folder named by ``TOUCHLINE_SCREENSHOTS`` (by default a folder in pytest's temporary
directory, printed at the end of the test), to be read as a parent and a volunteer would.
"""
import os
import pathlib
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

PHONE, DESKTOP, NARROWEST = 390, 1280, 320
#: A header of two rows (brand, search and account; the navigation) is about 100 px; three were 170.
MAX_HEADER_HEIGHT = 130


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = os.environ.get("TOUCHLINE_SCREENSHOTS")
    path = pathlib.Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def public_pages(page):
    """Every public page of the demo site, by a path each (one of each kind of record)."""
    badgers = team_id(page, "Under 9 Badgers")
    fixture = page.request.get(f"/teams/{badgers}/fixtures.json").json()["upcoming"][0]["id"]
    post = page.request.get("/news.json").json()["posts"][0]["slug"]
    product = page.request.get("/catalogs/products.json").json()["products"][0]["id"]
    return {
        "home": "/", "teams": "/teams", "team": f"/teams/{badgers}", "fixtures": "/fixtures",
        "results": "/fixtures/results", "team-fixtures": f"/teams/{badgers}/fixtures",
        "fixture": f"/fixtures/{fixture}", "news": "/news", "post": f"/news/{post}",
        "shop": "/catalogs/", "product": f"/catalogs/products/{product}", "login": "/login",
    }


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_public_page_scrolls_sideways_at_320px(browser_page, screenshots):
    page = browser_page
    pages = public_pages(page)
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    wide = {}
    for name, path in pages.items():
        page.goto(path)
        if scroll_width(page) > NARROWEST:
            wide[name] = scroll_width(page)
            page.screenshot(path=str(screenshots / f"{name}-320-too-wide.png"), full_page=True)
    assert wide == {}, f"pages wider than {NARROWEST} px: {wide}"
    assert_no_console_problems(page)


def test_logged_in_pages_reflow_and_the_header_stays_compact(browser_page, screenshots):
    page = browser_page
    log_in(page, "admin", "touchline-admin")
    badgers = team_id(page, "Under 9 Badgers")
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    for name, path in {"users": "/users", "calendar-hint": f"/teams/{badgers}/fixtures",
                       "fixtures-admin": "/fixtures"}.items():
        page.goto(path)
        assert scroll_width(page) <= NARROWEST, (path, scroll_width(page))
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto("/fixtures")
    header = page.locator(".site-header").bounding_box()
    page.screenshot(path=str(screenshots / "fixtures-390-logged-in.png"))
    assert header["height"] <= MAX_HEADER_HEIGHT, header
    # Every navigation entry can still be reached: the row scrolls, and each link is keyboard-focusable.
    for link in page.get_by_role("navigation", name="Main").get_by_role("link").all():
        link.focus()
        box = link.bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= PHONE, link.inner_text()
    assert_no_console_problems(page)


def test_every_fixtures_status_is_on_screen_on_a_phone(browser_page):
    page = browser_page
    page.set_viewport_size({"width": PHONE, "height": 800})
    badgers = team_id(page, "Under 9 Badgers")
    for path in ("/fixtures", "/fixtures/results", f"/teams/{badgers}/fixtures"):
        page.goto(path)
        statuses = page.locator("tr.fixture td.status")
        assert statuses.count() > 0, path
        for index in range(statuses.count()):
            status = statuses.nth(index)
            text = status.inner_text().strip()
            assert text, (path, index)
            box = status.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, (path, text, box)
        # The kick-off is one line: its box is no taller than a line of its text.
        kickoff = page.locator("tr.fixture td.kickoff").first
        line = page.evaluate("(el) => parseFloat(getComputedStyle(el).lineHeight)", kickoff.element_handle())
        assert kickoff.bounding_box()["height"] < 1.5 * line, path
        assert scroll_width(page) <= PHONE
    # Cancelled and postponed are said in words on the card.
    page.goto("/fixtures")
    marked = page.locator("tr.status-cancelled td.status, tr.status-postponed td.status").all_inner_texts()
    assert all(re.fullmatch(r"(?i)cancelled|postponed", text.strip()) for text in marked), marked
    assert_no_console_problems(page)


def test_filters_narrow_the_fixtures(browser_page):
    page = browser_page
    page.goto("/fixtures")
    page.select_option("#filter-team", label="Under 9 Badgers")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fixtures: Under 9 Badgers")
    assert re.search(r"[?&]team=\d+", page.url)
    expect(page.get_by_role("heading", name="Latest results")).to_be_visible()
    assert_no_console_problems(page)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_screenshots_of_every_public_page(browser_page, screenshots, width):
    page = browser_page
    pages = public_pages(page)
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in pages.items():
        page.goto(path)
        target = screenshots / f"{name}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 0
        assert scroll_width(page) <= width, (name, scroll_width(page))
    print(f"screenshots at {width} px in {screenshots}")
    assert_no_console_problems(page)


def test_the_fixture_list_prints_without_navigation_or_buttons(browser_page, screenshots):
    page = browser_page
    page.goto("/fixtures")
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", "form.filters", ".pager"):
        assert all(not element.is_visible() for element in page.locator(hidden).all()), hidden
    expect(page.locator("table.fixtures").first).to_be_visible()
    expect(page.locator("table.fixtures thead").first).to_be_visible()  # a table, with its headings
    page.pdf(path=str(screenshots / "fixtures-print.pdf"))
    assert_no_console_problems(page)


def test_on_a_phone_the_magnifier_opens_the_search_ready_to_type(browser_page, screenshots):
    page = browser_page
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto("/fixtures")
    # The header's box would be squeezed beside the navigation: it gives way to a 44 px magnifier.
    expect(page.locator(".site-header .site-search")).to_be_hidden()
    magnifier = page.get_by_role("link", name="Search", exact=True)
    box = magnifier.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    magnifier.click()
    page.wait_for_url(re.compile(r"/search$"))
    # The search page's box has the focus: the parent types straight away.
    page.keyboard.type("badgers")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=badgers$"))
    expect(page.get_by_role("link", name="Under 9 Badgers").first).to_be_visible()
    page.screenshot(path=str(screenshots / "search-390.png"))
    # On a desktop the box itself is in the header, and the magnifier is not.
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    page.goto("/fixtures")
    expect(page.locator(".site-header .site-search input")).to_be_visible()
    expect(page.locator(".site-header .search-link")).to_be_hidden()
    assert_no_console_problems(page)
