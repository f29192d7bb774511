"""The reflective journal, followed through the real pages. Priya, the demo mentee, writes an
entry with the keyboard and shares it; Sam, her mentor, reads it; she makes it private again
and Sam can no longer open it. Then she makes her CPD record: a printable page and a CSV
file with the same rows.

The demo leaves Sam and Priya unmatched so a coordinator can match them live; here they are
matched behind the scenes, through the matching services, first."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from journal.models import JournalEntry
from mentoring import services as mentoring_services
from tests.browser.crawler import CrawlReport, check_page
from tests.browser.support import sam_and_priya, sign_in

SAM = "Sam Okafor"
PRIYA = "Priya Shah"
WHAT_HAPPENED = "Sam showed me my review report through the eyes of the girl it was about."
LEARNED = "Write for the child first; the panel can follow."
IMPACT = "= I now read every report aloud before I send it."


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def status(page: Page):
    return page.get_by_role("status")


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


def assert_accessible(page: Page, where: str) -> None:
    """The crawl's checks, for pages it cannot reach: it sends no forms that use GET."""
    report = CrawlReport(role="mentee", origin="")
    check_page(page, report, where)
    assert not report.findings, report.summary()


def press(page: Page, locator) -> None:
    """Reach a control with the keyboard and press Enter on it."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press("Enter")


def write_an_entry_with_the_keyboard(page: Page) -> None:
    expect(heading(page)).to_have_text("Write a journal entry")

    page.get_by_label("What happened?").focus()
    page.keyboard.type(WHAT_HAPPENED)
    # The questions follow one another: Tab moves on to the next.
    page.keyboard.press("Tab")
    expect(page.get_by_label("What were you thinking and feeling?")).to_be_focused()
    page.keyboard.type("Nervous at first, then glad.")
    page.get_by_label("What did you learn?").focus()
    page.keyboard.type(LEARNED)
    page.get_by_label("Impact on my practice and on the people I work with").focus()
    page.keyboard.type(IMPACT)
    domains = page.get_by_role("group", name=re.compile(r"^Which PCF domains"))
    domains.get_by_label("Critical reflection and analysis").focus()
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Save your entry"))

    expect(heading(page)).to_have_text(re.compile(r"^Journal entry, "))
    expect(status(page)).to_contain_text("Only you can see it")
    expect(page.get_by_role("main")).to_contain_text(WHAT_HAPPENED)
    expect(page.get_by_role("main")).to_contain_text("Critical reflection and analysis")


def test_a_mentee_shares_an_entry_then_makes_it_private_again(demo, page, problems):
    sam_and_priya(demo)

    sign_in(page, demo.mentee)
    press(
        page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Your journal")
    )
    expect(heading(page)).to_have_text("Your reflective journal")
    press(page, page.get_by_role("main").get_by_role("link", name="Write a journal entry"))
    write_an_entry_with_the_keyboard(page)
    entry_url = page.url
    press(page, page.get_by_role("button", name="Share with your mentor"))
    expect(status(page)).to_contain_text("Your mentor can now read this entry")
    expect(page.get_by_role("main")).to_contain_text(f"{SAM} can read it")
    sign_out(page)

    sign_in(page, demo.mentor)
    page.get_by_role("link", name=re.compile(rf"You are mentoring {PRIYA}")).click()
    expect(heading(page)).to_have_text(f"Your sessions with {PRIYA}")
    page.get_by_role("link", name="Shared journal entries").click()
    expect(heading(page)).to_have_text("Journal entries shared with you")
    row = page.get_by_role("row").filter(has_text=WHAT_HAPPENED[:40])
    row.get_by_role("link").click()
    expect(heading(page)).to_have_text(re.compile(rf"^{PRIYA}'s journal entry"))
    expect(page.get_by_role("main")).to_contain_text(WHAT_HAPPENED)
    expect(page.get_by_role("main")).to_contain_text(LEARNED)
    # Read-only: nothing to change, share or delete.
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    shared_url = page.url
    sign_out(page)

    sign_in(page, demo.mentee)
    page.goto(entry_url)
    press(page, page.get_by_role("button", name=re.compile(r"^Stop sharing")))
    expect(status(page)).to_contain_text("This entry is private again")
    sign_out(page)

    sign_in(page, demo.mentor)
    response = page.goto(shared_url)
    assert response is not None and response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    page.goto("/journal/shared/")
    expect(page.get_by_role("main")).not_to_contain_text(WHAT_HAPPENED)
    # The browser logs the 404 it was meant to get; nothing else went wrong.
    unexpected = [p for p in problems.take() if "status of 404" not in p]
    assert not unexpected


def test_a_mentee_makes_a_cpd_record_to_print_and_to_download(demo, page, problems, tmp_path):
    match = sam_and_priya(demo)
    mentoring_services.session_log(
        match=match,
        by=match.mentor,
        starts_at=timezone.now() - timedelta(days=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    sign_in(page, demo.mentee)
    # From the session itself: the entry is about it, and dated like it.
    page.get_by_role("main").get_by_role(
        "link", name=re.compile(rf"^{SAM} is mentoring you")
    ).click()
    page.get_by_role("table").get_by_role("link").first.click()
    expect(heading(page)).to_have_text(re.compile(r"^Session on "))
    press(page, page.get_by_role("link", name="Write a journal entry about this session"))
    expect(page.get_by_label("Is this about a session?")).not_to_have_value("")
    write_an_entry_with_the_keyboard(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your journal").click()
    page.get_by_role("main").get_by_role("link", name="Make your CPD record").first.click()
    expect(heading(page)).to_have_text("Make your CPD record")

    # Nothing ticked: the error is next to the checkboxes.
    page.get_by_role("button", name="Show a record you can print").click()
    expect(heading(page)).to_have_text("Make your CPD record")
    choice = page.get_by_role("group", name=re.compile(r"^Which entries"))
    expect(choice).to_contain_text("Tick at least one entry")
    assert_accessible(page, "the CPD choice with nothing ticked")

    choice.get_by_label(re.compile(re.escape(WHAT_HAPPENED[:30]))).check()
    choice.get_by_label(re.compile(r"I read back a record")).check()
    page.get_by_role("button", name="Show a record you can print").click()
    expect(heading(page)).to_have_text("Your CPD record")
    main = page.get_by_role("main")
    for text in (
        "Mentoring session with an expert by experience",
        "Reflection",
        "Description and why it is relevant to my practice",
        WHAT_HAPPENED,
        "What I learned",
        LEARNED,
        "Impact on my practice and on the people I work with",
        IMPACT,
        "Critical reflection and analysis",
    ):
        expect(main).to_contain_text(text)
    records = main.locator("section")
    expect(records).to_have_count(2)
    assert_accessible(page, "the printable CPD record")
    # The entry about a session is also a peer reflection: with whom, when, what was said.
    peer = records.nth(1).get_by_role("heading", name="Peer reflection", level=3)
    expect(peer).to_be_visible()
    expect(records.nth(1)).to_contain_text(f"{SAM}, my mentor")
    printed = [records.nth(i).get_by_role("heading", level=2).inner_text() for i in range(2)]

    # Printed, the page is the record alone.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("contentinfo")).to_be_hidden()
    expect(main.get_by_text(WHAT_HAPPENED).first).to_be_visible()
    page.emulate_media(media="screen")

    page.go_back()
    expect(heading(page)).to_have_text("Make your CPD record")
    choice = page.get_by_role("group", name=re.compile(r"^Which entries"))
    choice.get_by_label(re.compile(re.escape(WHAT_HAPPENED[:30]))).check()
    choice.get_by_label(re.compile(r"I read back a record")).check()
    # Only the answers left ticked go in: what they learned stays in the journal.
    entry = JournalEntry.objects.get(description=WHAT_HAPPENED)
    learned = page.locator(f"#answer-{entry.pk}-conclusion")
    expect(learned).to_be_checked()
    learned.uncheck()
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Download a spreadsheet")).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    target = Path(tmp_path) / "cpd.csv"
    download.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Type of activity", "Date"]
    assert len(rows) == 3
    assert [row[0] for row in rows[1:]] == [
        heading.split(". ", 1)[1].rsplit(", ", 1)[0] for heading in printed
    ]
    written = rows[2]
    assert written[2] == WHAT_HAPPENED
    assert written[3] == ""  # unticked, so left out
    assert LEARNED not in target.read_text(encoding="utf-8-sig")
    assert written[-3].startswith(f"{SAM}, my mentor") and written[-1] == WHAT_HAPPENED
    assert written[4] == f"'{IMPACT}"  # never run as a formula
    assert written[5] == "Critical reflection and analysis"
    assert not problems.take()
