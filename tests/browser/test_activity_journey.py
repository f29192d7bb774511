"""A paid activity through the real pages: the coordinator makes an interview panel and
invites two experts by experience; both say yes and Sam downloads it for his calendar; the
panel happens; the coordinator records that both attended; a payment run pays them and the
coordinator marks it paid. Sam, who gets Universal Credit, sees the panel's pay by the date
it was paid and in his assessment period, and downloads the letter for his work coach.

Only the day passing (answers close when an activity starts) and Sam's choice of how to be
paid (the payment journey follows that page) happen behind the scenes."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from activities.models import Activity
from payments.models import LedgerLine, PaymentRun, RunItem
from payments.periods import assessment_period
from tests.browser.support import sign_in
from tests.browser.test_session_journey import heading, sign_out, status
from tests.payments_support import paid_by_bank

PANEL = "Interview panel: principal social worker"


def paid_in_full(demo) -> User:
    """A North Star mentor whom a run pays in full: paid by bank transfer, with no cap on
    their pay (the demo's mentor on Universal Credit has one) and not a volunteer."""
    from payments.models import PaymentMethod
    from payments.selectors import (
        benefits_settings_of,
        employment_status_current,
        preferences_in_force,
    )
    from programmes.models import Membership

    mentors = (
        Membership.objects.current()
        .filter(programme=demo.north_star, role="mentor")
        .exclude(person__email=demo.mentor)
        .select_related("person")
        .order_by("person__email")
    )
    choices = preferences_in_force([m.person_id for m in mentors])
    for membership in mentors:
        person = membership.person
        choice = choices.get(person.pk)
        decision = employment_status_current(person, demo.north_star.organisation)
        if (
            choice is not None
            and choice.method == PaymentMethod.BANK
            and benefits_settings_of(person) is None
            and (decision is None or decision.status != "volunteer")
        ):
            return person
    raise AssertionError("The demo has no mentor paid in full by bank transfer.")


def main(page: Page):
    return page.get_by_role("main")


def test_a_coordinator_makes_a_panel_two_say_yes_and_a_run_pays_them(demo, page, problems, codes):
    sam = User.objects.get(email=demo.mentor)
    other = paid_in_full(demo)
    paid_by_bank(sam)

    # The coordinator makes the panel and invites Sam and another expert by experience.
    sign_in(page, demo.coordinator, codes=codes)
    staff = page.get_by_role("navigation", name="Programmes you run")
    staff.get_by_role("link", name="Activities").first.click()
    expect(heading(page)).to_contain_text("Paid activities in")
    main(page).get_by_role("link", name="Add an activity").click()
    form = main(page)
    form.get_by_label("Interview panel").check()
    form.get_by_label("Title").fill(PANEL)
    day = timezone.localdate() + timedelta(days=3)
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_label("Start time").fill("10:00")
    form.get_by_label("How long it lasts, in minutes").fill("180")
    form.get_by_label("Paid preparation time, in minutes").fill("60")
    form.get_by_label("In person, at a place").check()
    form.get_by_label("Address or place").fill("Civic Centre, Committee Room 2")
    form.get_by_label("Number of places").fill("2")
    form.get_by_label("Only the experts by experience you invite").check()
    # Each is offered by name; someone on the panel (Sam sits on it) is marked so.
    for person in (sam, other):
        form.get_by_label(str(person)).check()
    form.get_by_role("button", name="Save the activity").click()
    expect(status(page)).to_contain_text(f"{PANEL} is saved")
    expect(heading(page)).to_have_text(PANEL)
    sign_out(page)

    # Both say yes; Sam adds it to his calendar.
    for email in (demo.mentor, other.email):
        sign_in(page, email)
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Paid activities").click()
        main(page).get_by_role("link", name=PANEL).click()
        main(page).get_by_label("Yes, I will take part").check()
        main(page).get_by_role("button", name="Send your answer").click()
        expect(status(page)).to_contain_text(f"You have a place on {PANEL}")
        if email == demo.mentor:
            with page.expect_download() as download:
                main(page).get_by_role("link", name="Add it to your calendar").click()
            assert download.value.suggested_filename.endswith(".ics")
        sign_out(page)

    # The panel happens.
    panel = Activity.objects.get(title=PANEL)
    Activity.objects.filter(pk=panel.pk).update(starts_at=timezone.now() - timedelta(hours=4))

    # The coordinator records that both attended, and makes a payment run.
    sign_in(page, demo.coordinator, codes=codes)
    page.goto(f"/coordinate/north-star/activities/{panel.pk}/")
    for person in (sam, other):
        name = re.compile(rf"^Attended\W+{re.escape(str(person))}$")
        main(page).get_by_role("button", name=name).click()
        expect(status(page)).to_contain_text(f"{person} attended")
    lines = LedgerLine.objects.filter(activity_place__activity=panel)
    assert set(lines.values_list("mentor__email", flat=True)) == {demo.mentor, other.email}
    assert set(lines.values_list("kind", flat=True)) == {"activity", "activity_preparation"}
    staff = page.get_by_role("navigation", name="Programmes you run")
    staff.get_by_role("link", name="Payments").first.click()
    main(page).get_by_role("button", name="Prepare a pay day").click()
    expect(status(page)).to_contain_text("is ready")
    run = PaymentRun.objects.order_by("-pk").first()
    in_run = RunItem.objects.filter(run=run, line__activity_place__activity=panel)
    assert in_run.count() == lines.exclude(amount=0).count()
    # Finance pays it today, and the coordinator marks it paid.
    main(page).get_by_label("Date finance paid it").fill(timezone.localdate().isoformat())
    main(page).get_by_role("button", name="Mark the run as paid").click()
    expect(status(page)).to_contain_text("Marked as paid")
    sign_out(page)

    # Sam sees the panel on his pay page; he gets Universal Credit, so he says when his
    # assessment period starts, and sees the panel's pay by the date it was paid and in
    # his assessment period.
    sam_paid = sum(
        RunItem.objects.filter(run=run, line__mentor=sam, line__category="fee").values_list(
            "line__amount", flat=True
        )
    )
    assert sam_paid >= sum(lines.filter(mentor=sam).values_list("amount", flat=True))
    today = timezone.localdate()
    day = (today - timedelta(days=10)).day
    sign_in(page, demo.mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your pay").click()
    expect(main(page)).to_contain_text(PANEL)
    main(page).get_by_role("link", name="Payments and benefits", exact=True).click()
    main(page).get_by_role("link", name="Tell us about Universal Credit, or set a limit").click()
    main(page).get_by_role("group", name="Do you get Universal Credit?").get_by_label("Yes").check()
    main(page).get_by_label("The day of the month your assessment period starts").fill(str(day))
    main(page).get_by_role("button", name="Save").click()
    expect(heading(page)).to_have_text("Your pay")
    start, end = assessment_period(today, day)
    periods = main(page).get_by_role(
        "table", name=re.compile("by the assessment period they were paid in")
    )
    period_row = periods.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=f"{start:%-d %B %Y} to {end:%-d %B %Y}")
    )
    expect(period_row).to_contain_text(f"£{sam_paid:.2f}")
    months = main(page).get_by_role("table", name=re.compile("by the month they were paid"))
    expect(months.get_by_role("row").filter(has_text=f"{today:%B %Y}")).to_contain_text(
        f"£{sam_paid:.2f}"
    )

    # His letter for his work coach lists the day he was paid, and how much.
    main(page).get_by_role("link", name="Payments and benefits", exact=True).click()
    with page.expect_download() as letter:
        main(page).get_by_role("link", name="Download the letter (PDF)").click()
    words = "\n".join(p.extract_text() for p in PdfReader(letter.value.path()).pages)
    assert "Date paid" in words and f"{today:%-d %B %Y}" in words
    assert f"£{sam_paid:.2f}" in words and f"starts on day {day}" in words
    assert not problems.take()
