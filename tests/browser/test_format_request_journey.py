"""Asking for another format, followed through the real pages. Priya, the demo mentee, asks
for the privacy notice in easy read with the keyboard alone, from the footer; Jo, North Star's
coordinator, finds it on the staff page and marks it handled. Riverside's coordinator sees
nothing of it."""

import re

from playwright.sync_api import Page, expect

from tests.browser.crawler import CrawlReport, check_page
from tests.browser.support import sign_in

REACH_ME = "Text me on 07700 900123 after 3pm"


def press(page: Page, locator) -> None:
    """Reach a control with the keyboard and press Enter on it."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press("Enter")


def assert_accessible(page: Page, where: str) -> None:
    """The crawl's checks, here for a staff list with a request in it, which the demo has
    none of, and for the form in its error state."""
    report = CrawlReport(role="journey", origin="")
    check_page(page, report, where)
    assert not report.findings, report.summary()


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()


def test_a_mentee_asks_for_another_format_by_keyboard_and_the_coordinator_finds_it(
    demo, page, problems, codes
):
    sign_in(page, demo.mentee)
    press(page, page.get_by_role("contentinfo").get_by_role("link", name="Ask for another format"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for this in another format")

    # Sent empty by mistake: the page says what to do, and focus can reach the summary.
    press(page, page.get_by_role("button", name="Send my request"))
    expect(page.get_by_role("main")).to_contain_text("Choose what you need.")
    assert_accessible(page, "the request form, with errors")

    # Arrow keys move through the choices and choose as they go.
    page.get_by_role("radio", name="Large print").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Easy read")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Which language, or what else you need")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Which page or document")).to_be_focused()
    page.keyboard.type("The privacy notice")
    page.keyboard.press("Tab")
    page.keyboard.type(REACH_ME)
    press(page, page.get_by_role("button", name="Send my request"))
    expect(page.get_by_role("status")).to_contain_text("Your request has gone to the coordinators")
    sign_out(page)

    sign_in(page, demo.coordinator, codes=codes)
    page.get_by_role("link", name="Requests for another format").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for another format")
    row = page.get_by_role("row", name=re.compile("Priya"))
    expect(row).to_contain_text("Easy read")
    expect(row).to_contain_text("The privacy notice")
    expect(row).to_contain_text(REACH_ME)
    assert_accessible(page, "the coordinators' list, with a request waiting")
    press(page, row.get_by_role("button", name=re.compile("^Mark as handled")))
    expect(page.get_by_role("status")).to_contain_text("Marked as handled")
    expect(page.get_by_role("main")).to_contain_text("No requests are waiting.")
    url = page.url
    sign_out(page)

    # Riverside's coordinator: a 404 for North Star's list, and nothing in their own.
    sign_in(page, demo.coordinator_b, codes=codes)
    # Asked without loading it in the tab: a 404 page logs a console error, which the
    # problems fixture would count against the test.
    assert page.request.get(url).status == 404
    page.goto(url.replace("north-star", "riverside"))
    expect(page.get_by_role("main")).not_to_contain_text("Priya")
