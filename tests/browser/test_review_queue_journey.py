"""The review queue, followed through the real pages: a coordinator starts a round, narrows
the suggested pairs down, reads every reason for one pair (by keyboard alone), approves every
waiting pair on a page and watches the approval finish, without reloading, in the page's
live region. axe checks each page on the way."""

import re

from playwright.sync_api import Page, expect

from matching import services
from matching.models import ApprovalBatch
from tests.browser.crawler import CrawlReport, check_page
from tests.browser.support import sign_in

MARCIA = "Marcia Campbell"
TOM = "Tom Hargreaves"


def main(page: Page):
    return page.get_by_role("main")


def suggested_pairs(page: Page):
    return page.get_by_role("table", name=re.compile(r"^Suggested pairs"))


def row_for_mentee(page: Page, name: str):
    return (
        suggested_pairs(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=name, exact=True))
    )


def accessible(page: Page, where: str) -> None:
    report = CrawlReport(role="coordinator", origin="")
    check_page(page, report, where)
    assert not report.findings, report.summary()


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, locator, *, most: int = 80) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if is_focused(locator):
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_a_coordinator_reviews_a_round_page_by_page(demo, page, problems, codes, monkeypatch):
    # The approval waits for a worker here, so the page shows it running; the test plays the
    # worker below.
    asked = []
    monkeypatch.setattr(services, "_enqueue_approvals", lambda batch: asked.append(batch.pk))
    # The progress box asks its page while the test runs Django code too: every request to
    # it is held until the test is back in Playwright, so the two never share the database
    # connection at once.
    page.route(re.compile(r"/approvals/\d+/$"), lambda route: route.continue_())

    sign_in(page, demo.coordinator, codes=codes)
    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="Matching"
    ).click()
    page.get_by_role("button", name="Start a new matching round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Matching round \d+$"))
    expect(main(page)).to_contain_text("Finished")
    expect(main(page)).to_contain_text(re.compile(r"\d+ pairs? suggested, \d+ waiting for review"))
    accessible(page, "the review queue")

    # Narrow it down: pairs waiting for review that need a look.
    main(page).get_by_label("Status").select_option(label="Waiting for review")
    main(page).get_by_label("Needs a look").select_option(label="Needs a look, for any reason")
    main(page).get_by_role("button", name="Show these pairs").click()
    expect(main(page).get_by_label("Status")).to_have_value("proposed")
    rows = suggested_pairs(page).locator("tbody tr")
    expect(rows.first).to_be_visible()
    for n in range(rows.count()):
        expect(rows.nth(n)).to_contain_text("Waiting for review")
    main(page).get_by_role("link", name="Show every pair").click()

    # By keyboard alone: search for Tom, then open every reason for his pair.
    search = main(page).get_by_label("Name of the mentor or mentee")
    tab_to(page, search)
    page.keyboard.type("tom")
    page.keyboard.press("Enter")
    expect(search).to_have_value("tom")
    row = row_for_mentee(page, TOM)
    expect(suggested_pairs(page).locator("tbody tr")).to_have_count(1)
    expect(row).to_contain_text(MARCIA)
    expect(row).to_contain_text(re.compile(r"(Strong|Good|Weaker) fit"))
    expect(row).to_contain_text(f"{MARCIA} can help with all of {TOM}'s learning goals")
    experience = row.get_by_text(
        f"{MARCIA} has lived experience of residential care (children's homes) and time "
        "with the youth justice system"
    )
    expect(experience).to_be_hidden()
    more = row.locator("summary")
    expect(more).to_have_accessible_name(re.compile(rf"^All \d+ reasons for {MARCIA} and {TOM}$"))
    tab_to(page, more)
    page.keyboard.press("Enter")
    expect(experience).to_be_visible()
    expect(row).to_contain_text(f"{MARCIA} and {TOM} both speak English")
    expect(row).not_to_contain_text(re.compile(r"\b(you|your)\b", re.IGNORECASE))
    accessible(page, "the review queue, searched, with a pair's reasons open")

    # Approve every waiting pair on the first page of the whole queue.
    main(page).get_by_role("link", name="Show every pair").click()
    approve = main(page).get_by_role(
        "button", name=re.compile(r"^Approve every waiting pair on this page \((\d+)\)$")
    )
    waiting = int(re.search(r"\((\d+)\)", approve.inner_text()).group(1))
    assert waiting > 1
    approve.click()
    progress = main(page).get_by_role("status").filter(has_text="Approving")
    expect(progress).to_contain_text(
        f"Approving every waiting pair on one page: 0 of {waiting} pairs done so far."
    )
    expect(
        progress.get_by_role("link", name="Follow this approval on its own page")
    ).to_be_visible()
    accessible(page, "the review queue, approving")
    (batch_id,) = asked

    services.approval_batch_run(batch_id=batch_id)  # the worker

    # The page was not reloaded: the live region caught up by itself.
    box = page.locator(f"#approval-{batch_id}")
    expect(box).to_contain_text(
        "Finished approving every waiting pair on one page.", timeout=15_000
    )
    expect(box).to_contain_text(
        f"Approved {waiting} of {waiting} pairs, and asked each pair for their answer."
    )
    expect(box).to_have_attribute("role", "status")
    assert ApprovalBatch.objects.get(pk=batch_id).approved == waiting
    box.get_by_role("link", name="Show the suggested pairs as they are now").click()
    expect(suggested_pairs(page).locator("tbody tr").first).to_contain_text(
        "Approved, waiting for answers"
    )
    page.goto(f"{page.url.split('?')[0]}approvals/{batch_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Approving pairs"))
    accessible(page, "an approval's own page")
    assert not problems.take()
