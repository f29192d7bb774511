"""Nobody out of pocket, through the real pages: Priya cancels a session with Sam six hours
before it, and Sam finds the programme's cancellation fee on his pay page; Sam asks for his
train fare in advance, the coordinator approves it, and Sam settles it with a photo of the
receipt (it cost less, so the difference is taken off his next payment)."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from mentoring import services as mentoring_services
from mentoring.templatetags.session_tags import plain_when
from payments.models import Advance, LedgerLine
from tests.browser.support import sam_and_priya, sign_in
from tests.browser.test_payment_journey import SAM, main, receipt_file, staff_link
from tests.browser.test_session_journey import heading, sign_out, status


def your_pay(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your pay").click()
    expect(heading(page)).to_have_text("Your pay")


def test_a_late_cancellation_is_paid_and_an_advance_settled_by_its_receipt(
    demo, page, problems, codes, tmp_path
):
    match = sam_and_priya(demo)
    sam = match.mentor
    plan = mentoring_services.session_plan(
        match=match,
        by=sam,
        starts_at=timezone.now() + timedelta(hours=6),
        duration_minutes=60,
        meeting_mode="online",
    )

    # Priya cancels it from their match page, well inside the card's 24 hours' notice.
    sign_in(page, demo.mentee)
    page.goto(f"/matches/{match.pk}/")
    # Their next session is planned too: this one is named by its time.
    when = plain_when(plan.starts_at, demo.north_star.time_zone)
    main(page).get_by_role("button", name=f"Cancel the session of {when}").click()
    expect(status(page)).to_contain_text("The planned session is cancelled")
    sign_out(page)

    # Sam is paid for the time he kept free, and asks for his train fare in advance.
    sign_in(page, demo.mentor)
    your_pay(page)
    fee_row = (
        main(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=re.compile(r"cancelled the session of")))
    )
    expect(fee_row).to_contain_text("£20.00")
    expect(fee_row).to_contain_text("Fee")
    main(page).get_by_role("link", name="Ask for an advance").click()
    expect(heading(page)).to_have_text("Ask for an advance")
    main(page).get_by_role("radio", name="Travel fares: bus, train or taxi").check()
    main(page).get_by_label("Date you will spend it").fill(timezone.localdate().isoformat())
    main(page).get_by_label("What you will spend it on").fill("Train to Manchester and back")
    main(page).get_by_label("Amount you need").fill("25.00")
    main(page).get_by_role("button", name="Ask for the advance").click()
    expect(heading(page)).to_have_text("Your advance")
    expect(main(page)).to_contain_text("Waiting for a decision")
    sign_out(page)

    # The coordinator approves it: it is paid in the next run, before Sam spends it.
    sign_in(page, demo.coordinator, codes=codes)
    staff_link(page, "Payments").first.click()
    advances = main(page).get_by_role("table", name=re.compile(r"^Advances waiting"))
    advances.get_by_role("row").filter(has_text=SAM).get_by_role("link").click()
    main(page).get_by_role("button", name="Approve £25.00").click()
    expect(status(page)).to_contain_text(f"Approved an advance of £25.00 for {SAM}")
    advance = Advance.objects.get(mentor=sam)
    assert LedgerLine.objects.get(advance=advance).amount == Decimal("25.00")
    sign_out(page)

    # Sam settles it with the receipt: the train cost £22.40.
    sign_in(page, demo.mentor)
    your_pay(page)
    main(page).get_by_role("link", name=re.compile(r"^Travel fares: bus, train or taxi on")).click()
    main(page).get_by_label("Amount you really spent").fill("22.40")
    main(page).get_by_label("Photo or PDF of your receipt").set_input_files(receipt_file(tmp_path))
    main(page).get_by_role("button", name="Settle the advance").click()
    expect(status(page)).to_contain_text("You spent £2.60 less than the advance")
    expect(main(page)).to_contain_text("it is taken off your next payment")
    expect(main(page).get_by_role("link", name="Download your receipt")).to_be_visible()
    assert sorted(LedgerLine.objects.filter(advance=advance).values_list("amount", flat=True)) == [
        Decimal("-2.60"),
        Decimal("25.00"),
    ]
    assert not problems.take()
