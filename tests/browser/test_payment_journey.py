"""Money followed through the real pages: the coordinator approves Sam's session and Sam
sees his pay; he says how to be paid and claims his bus fare with a photo of the receipt;
the coordinator looks at the receipt, approves the claim, makes a payment run, exports it
for finance and marks it paid; Sam downloads his statement.

The session itself is logged and confirmed behind the scenes (test_session_journey.py
follows that part through the pages)."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from mentoring import services
from mentoring.templatetags.session_tags import plain_when
from payments.models import LedgerLine, PaymentRun, RunItem, RunPayee
from tests.browser.support import sam_and_priya, sign_in
from tests.browser.test_session_journey import heading, sign_out, status

SAM = "Sam Okafor"
PRIYA = "Priya Shah"


def staff_link(page: Page, name: str):
    return page.get_by_role("navigation", name="Programmes you run").get_by_role("link", name=name)


def main(page: Page):
    return page.get_by_role("main")


def receipt_file(tmp_path) -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 200), "white")
    ImageDraw.Draw(image).text((20, 20), "Bus ticket  £12.50", fill="black")
    path = tmp_path / "bus-ticket.jpg"
    image.save(path, format="JPEG")
    return str(path)


def test_a_session_is_paid_and_an_expense_repaid_through_a_payment_run(
    demo, page, problems, codes, tmp_path
):
    match = sam_and_priya(demo)
    sam = match.mentor
    yesterday = timezone.now() - timedelta(days=1)
    session = services.session_log(
        match=match,
        by=match.mentee,
        starts_at=yesterday.replace(hour=17, minute=0),
        duration_minutes=60,
        meeting_mode="online",
    )
    services.session_confirm(session=session, by=sam)

    # The coordinator approves the session.
    sign_in(page, demo.coordinator, codes=codes)
    staff_link(page, "Sessions to approve").first.click()
    # Sam and Priya's year: the demo's latest session waits too; this one is named by its time.
    when = plain_when(session.starts_at, demo.north_star.time_zone)
    main(page).get_by_role(
        "button", name=f"Approve the session of {SAM} and {PRIYA} on {when}"
    ).click()
    expect(status(page)).to_contain_text(f"Approved the session of {SAM} and {PRIYA}")
    lines = LedgerLine.objects.filter(session=session)
    fees = sum(line.amount for line in lines)
    assert lines.count() >= 2 and fees > 0
    sign_out(page)

    # Sam sees the pay, moves it to a new bank account and claims his bus fare with the
    # receipt.
    sign_in(page, demo.mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your pay").click()
    expect(heading(page)).to_have_text("Your pay")
    fee = lines.get(kind=LedgerLine.Kind.SESSION)
    session_row = (
        main(page)
        .get_by_role("row")
        .filter(
            has=page.get_by_role("rowheader", name=re.compile("^" + re.escape(fee.description)))
        )
        .first
    )
    expect(session_row).to_contain_text("60 minutes")
    expect(session_row).to_contain_text("Waiting")
    main(page).get_by_role("link", name="Change how you are paid").first.click()
    main(page).get_by_role("radio", name="Bank transfer", exact=True).check()
    main(page).get_by_label("Name on the bank account").fill("S Okafor")
    main(page).get_by_label("Sort code").fill("30-94-57")
    main(page).get_by_label("Account number").fill("12345678")
    main(page).get_by_role("button", name="Save how I am paid").click()
    expect(status(page)).to_contain_text("We will pay you this way")

    main(page).get_by_role("link", name="Claim an expense").click()
    main(page).get_by_role("radio", name="Travel fares: bus, train or taxi").check()
    main(page).get_by_label("Date you spent it").fill(timezone.localdate().isoformat())
    main(page).get_by_label("What you spent it on").fill("Bus to the family centre and back")
    main(page).get_by_label("Amount you spent").fill("12.50")
    main(page).get_by_label("Photo or PDF of your receipt").set_input_files(receipt_file(tmp_path))
    main(page).get_by_role("button", name="Send the claim").click()
    expect(heading(page)).to_have_text("Your expense claim")
    expect(main(page)).to_contain_text("Waiting for a decision")
    sign_out(page)

    # The coordinator opens the receipt, approves the claim and makes a payment run.
    sign_in(page, demo.coordinator, codes=codes)
    staff_link(page, "Payments").first.click()
    expect(heading(page)).to_have_text("Payments in North Star")
    claims = main(page).get_by_role("table", name="Expense claims waiting for a decision")
    claims.get_by_role("row").filter(has_text="Travel fares").filter(has_text=SAM).get_by_role(
        "link"
    ).click()
    with page.expect_download() as receipt:
        main(page).get_by_role("link", name="Download the receipt").click()
    assert Path(receipt.value.path()).read_bytes()[:3] == b"\xff\xd8\xff"
    main(page).get_by_role("button", name="Approve £12.50").click()
    expect(status(page)).to_contain_text(f"Approved £12.50 for {SAM}")
    main(page).get_by_role("button", name="Prepare a pay day").click()
    expect(heading(page)).to_have_text(re.compile(r"^Pay day NORTH-STAR-\d{4}$"))
    run = PaymentRun.objects.filter(programme=demo.north_star).order_by("-number").first()
    payee = RunPayee.objects.get(run=run, mentor=sam)
    # The session's fees, with anything else of Sam's that was waiting for a run.
    in_run = RunItem.objects.filter(run=run, line__mentor=sam, line__category="fee")
    assert set(lines.values_list("pk", flat=True)) <= set(in_run.values_list("line", flat=True))
    assert payee.fees == sum(in_run.values_list("line__amount", flat=True)) >= fees
    assert payee.expenses == Decimal("12.50")
    sam_row = main(page).get_by_role("row").filter(has_text=SAM)
    expect(sam_row).to_contain_text(f"£{payee.total}")
    expect(sam_row).to_contain_text("ending 5678")

    with page.expect_download() as export:
        main(page).get_by_role("link", name="Export payments for finance (CSV)").click()
    text = Path(export.value.path()).read_text(encoding="utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    header = rows["Payment reference"]
    assert rows[payee.reference][2:7] == [SAM, "Bank transfer", "S Okafor", "309457", "12345678"]
    assert rows[payee.reference][header.index("Total")] == f"{payee.total:.2f}"
    assert rows[payee.reference][header.index("Employment status")] == "Self-employed: paid a fee"

    # Marked paid by keyboard: the date box starts at today, and Enter sends the form.
    date_box = main(page).get_by_label("Date finance paid it")
    expect(date_box).to_have_value(timezone.localdate().isoformat())
    date_box.focus()
    page.keyboard.press("Enter")
    expect(status(page)).to_contain_text("Marked as paid")
    sign_out(page)

    # Sam finds the run on his pay page and downloads his statement.
    sign_in(page, demo.mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your pay").click()
    main(page).get_by_role("link", name=f"Pay day {run.reference}").click()
    expect(heading(page)).to_have_text(f"Statement for pay day {run.reference}")
    expect(main(page)).to_contain_text(f"Paid {timezone.localdate():%-d %B %Y}")
    expect(main(page)).to_contain_text("Expense (not income)")
    with page.expect_download() as statement:
        main(page).get_by_role("link", name="PDF").click()
    pdf = PdfReader(statement.value.path())
    words = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Sam" in words and "£12.50" in words and "not income" in words
    assert not problems.take()
