"""Pay by the date it arrives, through the real pages: Sam, who gets Universal Credit, tells
us the day his assessment period starts and asks for his fees to stay under a weekly limit;
his pay page shows what was paid by assessment period; the coordinator's next run pays his
bus fare but leaves the fees over his limit for later, and says so; Sam's letter for his
work coach lists the day he was paid and how much.

The sessions and the first payment are made behind the scenes (test_payment_journey.py
follows those pages)."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from matching.models import Match
from mentoring import services as mentoring_services
from payments import services
from payments.models import PaymentRun, PaymentSchedule, RunHold
from payments.periods import assessment_period
from tests.browser.support import sam_and_priya, sign_in
from tests.browser.test_session_journey import heading, sign_out, status

SAM = "Sam Okafor"


def main(page: Page):
    return page.get_by_role("main")


def approved_session(match, coordinator, starts_at):
    session = mentoring_services.session_log(
        match=match,
        by=match.mentee,
        starts_at=starts_at,
        duration_minutes=60,
        meeting_mode="in_person",
    )
    mentoring_services.session_confirm(session=session, by=match.mentor)
    assert mentoring_services.session_approve(session=session, by=coordinator)


def test_a_mentor_on_universal_credit_sees_pay_by_assessment_period_and_is_kept_under_a_limit(
    demo, page, problems, codes
):
    sam_and_priya(demo)
    sam = User.objects.get(email=demo.mentor)
    coordinator = User.objects.get(email=demo.coordinator)
    match = Match.objects.get(mentor=sam, status="active")
    yesterday = timezone.now() - timedelta(days=1)
    services.preference_set(
        mentor=sam,
        method="bank",
        account_name="S Okafor",
        sort_code="309457",
        account_number="12345678",
    )
    # North Star's runs are made by hand here (the demo's weekly schedule is taken away), so
    # the next one pays today, in this week.
    PaymentSchedule.objects.filter(programme=demo.north_star).delete()
    # Whatever the demo still owed Sam (what he earned since its last run) was paid ten weeks
    # ago, in an earlier assessment period.
    earlier = services.run_create(programme=demo.north_star, by=coordinator)
    long_ago = timezone.now() - timedelta(weeks=10)
    PaymentRun.objects.filter(pk=earlier.pk).update(created_at=long_ago)
    earlier.refresh_from_db()
    # Its local date: ten weeks ago may have been summer time, when a late UTC evening is
    # already the next day in London, the day the run counts as made.
    services.run_mark_paid(run=earlier, by=coordinator, paid_on=timezone.localdate(long_ago))
    approved_session(match, coordinator, yesterday.replace(hour=10, minute=0))
    first = services.run_create(programme=demo.north_star, by=coordinator)
    services.run_mark_paid(run=first, by=coordinator, paid_on=timezone.localdate())
    approved_session(match, coordinator, yesterday.replace(hour=17, minute=0))
    fare = services.expense_claim(
        mentor=sam,
        programme=demo.north_star,
        kind="fare",
        spent_on=timezone.localdate() - timedelta(days=1),
        description="Bus to the family centre",
        amount=Decimal("6.40"),
    )
    services.expense_approve(expense=fare, by=coordinator)
    today = timezone.localdate()
    day = (today - timedelta(days=10)).day

    # Sam tells us about his Universal Credit and sets a weekly limit.
    sign_in(page, demo.mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your pay").click()
    main(page).get_by_role("link", name="Payments and benefits", exact=True).click()
    expect(main(page).get_by_role("link", name="Citizens Advice")).to_be_visible()
    main(page).get_by_role("link", name="Tell us about Universal Credit, or set a limit").click()
    expect(heading(page)).to_have_text("Universal Credit and limits on your pay")
    main(page).get_by_role("group", name="Do you get Universal Credit?").get_by_label("Yes").check()
    main(page).get_by_label("The day of the month your assessment period starts").fill(str(day))
    main(page).get_by_role("radio", name="Each week, Monday to Sunday").check()
    main(page).get_by_label("The most you want paid in fees in each period").fill("40")
    main(page).get_by_role("button", name="Save").click()
    expect(status(page)).to_contain_text("fees that would take you over your limit will wait")

    # His pay page: what was paid today, in today's assessment period; the next session's
    # fees would pass his limit this week.
    expect(heading(page)).to_have_text("Your pay")
    start, end = assessment_period(today, day)
    periods = main(page).get_by_role(
        "table", name=re.compile("by the assessment period they were paid in")
    )
    period_row = periods.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=f"{start:%-d %B %Y} to {end:%-d %B %Y}")
    )
    expect(period_row).to_contain_text("£30.00")
    expect(main(page)).to_contain_text("Your limit: £40.00 in fees each week.")
    expect(main(page)).to_contain_text("£30.00 of the fees waiting would wait for a later pay day")
    sign_out(page)

    # The coordinator's next run leaves Sam's fees over his limit for later, and says so.
    sign_in(page, demo.coordinator, codes=codes)
    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="Payments"
    ).first.click()
    main(page).get_by_role("button", name="Prepare a pay day").click()
    expect(heading(page)).to_have_text(re.compile(r"^Pay day NORTH-STAR-\d{4}$"))
    note = main(page).get_by_role("note").filter(has_text="Pay left for a later run")
    expect(note.get_by_role("listitem").filter(has_text=SAM)).to_contain_text(
        "£30.00 (2 lines) waits"
    )
    # His fare is paid: expenses are not earnings, so a limit never holds them.
    expect(main(page).get_by_role("row").filter(has_text=SAM)).to_contain_text("£6.40")
    assert RunHold.objects.get(mentor=sam).amount == 30
    sign_out(page)

    # Sam's letter for his work coach lists the day he was paid, and how much.
    sign_in(page, demo.mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your pay").click()
    main(page).get_by_role("link", name="Payments and benefits", exact=True).click()
    with page.expect_download() as letter:
        main(page).get_by_role("link", name="Download the letter (PDF)").click()
    words = "\n".join(p.extract_text() for p in PdfReader(letter.value.path()).pages)
    assert "Date paid" in words and f"{today:%-d %B %Y}" in words and "£30.00" in words
    assert f"starts on day {day}" in words
    assert not problems.take()
