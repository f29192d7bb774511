"""The care-language check as a coordinator types, through the real page: the words to avoid
and the reading age appear under the box while Jo writes, announced politely, and saving is
never stopped."""

import re

from playwright.sync_api import expect

from tests.browser.crawler import CrawlReport, check_page
from tests.browser.support import sign_in

HARD = (
    "Notwithstanding the aforementioned considerations, practitioners participating in the "
    "programme are expected to demonstrate continuous professional development through "
    "documented reflective engagement, utilising the organisational frameworks provided "
    "prior to the commencement of each placement."
)


def test_a_coordinator_sees_kinder_words_and_the_reading_age_as_they_type(
    demo, page, problems, codes
):
    sign_in(page, demo.coordinator, codes=codes)
    page.goto("/coordinate/north-star/resources/")
    box = page.get_by_role("main").get_by_role("textbox").first
    box.fill(HARD)
    status = page.get_by_role("main").get_by_role("status").filter(has_text="Reading age")
    expect(status).to_contain_text(re.compile(r"Reading age: about \d+\. Aim for 9 or under"))
    expect(status).to_contain_text("You used \u2018placement\u2019")
    report = CrawlReport(role="coordinator", origin="")
    check_page(page, report, "the resources form with the check showing")
    assert not report.findings, report.summary()

    # Saved all the same: the check never blocks.
    page.get_by_role("button", name="Save the resources page").click()
    expect(page.get_by_role("main")).to_contain_text("The resources page is saved.")
    demo.north_star.refresh_from_db()
    assert demo.north_star.resources == HARD
    assert not problems.take()
