"""Demo payments, called from `manage.py seed_demo` after the demo's sessions are approved.

North Star gets a year of paid partnership: a backdated rate card and a higher one from next
April, each seeded mentor's choice of how to be paid (one says nothing, so the coordinator sees
who has not), the organisation's decision on how each is paid (one worker through payroll, two
volunteers, the rest self-employed), their approved sessions' ledger lines, expense claims with
real receipt files, and a payment run every Tuesday on the programme's weekly schedule, paid
the next day, with one failed payment and one correction. The latest run is ready for the
coordinator to check and export; what was earned since waits for the next. A mentor on
Universal Credit set a cap on their pay, which held a line back from that latest run. The
mentor who has not said how to be paid waits longer than the slow-payment threshold. Nobody
is out of pocket: a mentee's short-notice cancellation pays their mentor the cancellation fee,
another mentor's missed session waits for the coordinator to confirm it, an advance for a
train fare is settled by its receipt, another is still to settle and a third waits for a
decision. Riverside gets a rate card only.

Everything goes through the payment services, in one transaction, so the tasks they queue run
after everything else here. Safe to run again: it only adds what is missing."""

from __future__ import annotations

import io
import random
import textwrap
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import User
from core.choices import MeetingMode
from demo.activities import ACTIVITY_RATES, seed_activities
from demo.people import COORDINATOR, COORDINATOR_B, MENTOR, SEED
from demo.programmes import NORTH_STAR, RIVERSIDE
from matching.models import Match
from mentoring import services as mentoring_services
from mentoring.models import PlannedSession, Session
from notifications.models import Kind, Notification
from payments import services
from payments.models import (
    Advance,
    CapPeriod,
    EmploymentDecision,
    EmploymentStatus,
    Expense,
    ExpenseKind,
    LedgerLine,
    PaymentMethod,
    PaymentPreference,
    PaymentRun,
    PaymentSchedule,
    RateCard,
    RunPayee,
)
from payments.money import tax_year_bounds, tax_year_of
from payments.periods import assessment_period
from payments.receipts import receipt_check
from payments.selectors import fees_paid_between, preferences_in_force, session_day
from programmes.models import Programme

CARD_TERMS = {
    "preparation_minutes": 30,
    "online_allowance": Decimal("2.50"),
    "cancellation_fee": Decimal("20.00"),
    "cancellation_notice_hours": 24,
    "mileage_rate": Decimal("0.45"),
    "receipt_needed_over": Decimal("10.00"),
    "slow_payment_days": 14,
}
FIRST_RATE = Decimal("20.00")
NEXT_RATE = Decimal("21.00")
RIVERSIDE_RATE = Decimal("18.00")
# Far enough back to cover the demo's year of sessions (the first is 50 weeks ago).
FIRST_CARD_DAYS_AGO = 400

# Payment choices, given to the seeded mentors from the busiest down; any beyond these are
# paid by bank, and the last mentor has not said how to be paid.
METHODS = (
    PaymentMethod.BANK,
    PaymentMethod.VOUCHER,
    PaymentMethod.REDUCED,
    PaymentMethod.CHARITY,
    PaymentMethod.NONE,
)
REDUCED_PERCENT = 50
CHARITY = ("Become", "1160283")
NEW_BANK_AFTER_FAILURE_DAYS = 3

# On Universal Credit, with assessment periods from the 15th, and a cap on the fees paid in
# each period that the last monthly run goes just over: the crawl's paid mentor, if their
# pay allows it, else the first mentor whose does.
UNIVERSAL_CREDIT_MENTOR = "mentor-007@north-star.example.org"
ASSESSMENT_DAY = 15

# Claims still waiting for a decision were made in the last three weeks.
UNPAID_DAYS = 21
# North Star pays weekly: the schedule prepares a run each Tuesday with what was earned before
# that day, and finance pays it on the Wednesday.
RUN_WEEKDAY = 1  # Tuesday
RUN_PREPARED_AT = time(6, 0)
PAID_DAYS_AFTER_RUN = 1
# The organisation's decisions on how mentors are paid (by position in the mentor order): the
# mentor who wants no payment is a volunteer, and one paid by bank a worker on the payroll.
# The voucher mentor became a volunteer before the last run that had their fees in it, so
# those fees wait (the coordinator's pages list them).
PAYROLL_MENTOR = len(METHODS)
VOLUNTEER_MENTOR = METHODS.index(PaymentMethod.NONE)
LATE_VOLUNTEER_MENTOR = METHODS.index(PaymentMethod.VOUCHER)
DECISION_NOTE = "Agreed at the payments panel"
FAILED_REASON = "Account closed"
REVERSAL_REASON = (
    "The call dropped after a few minutes and the pair met in person that afternoon instead, "
    "so no online allowance is due."
)
REJECTED_REASON = (
    "This session was a video call, so there was no journey to pay for. If you travelled to "
    "somewhere else for it, tell me and I will look again."
)


@dataclass(frozen=True)
class Claim:
    """One expense to seed: whose (by their position in the mentor order), what, and what
    the coordinator decides ("approve", "reject" or "wait")."""

    mentor: int
    kind: str
    description: str
    decision: str
    amount: str | None = None
    miles: str | None = None
    receipt: str = ""  # "png", "pdf" or none
    recent: bool = False  # spent in the last three weeks, as a claim still waiting would be


CLAIMS = (
    Claim(0, ExpenseKind.FARE, "Taxi home after an evening session", "approve", "12.60",
          receipt="png"),
    Claim(0, ExpenseKind.CHILDCARE, "Childminder for two hours", "wait", "18.00",
          receipt="pdf", recent=True),
    Claim(1, ExpenseKind.MILEAGE, "Drove to the library café and back", "approve",
          miles="9.5"),
    Claim(2, ExpenseKind.CHILDCARE, "After-school club so I could meet my mentee", "approve",
          "24.00", receipt="pdf"),
    Claim(3, ExpenseKind.FARE, "Train to Manchester Piccadilly and back", "approve", "14.20",
          receipt="png"),
    Claim(5, ExpenseKind.MILEAGE, "Drove to the team's office in Bolton", "approve",
          miles="12.0"),
    Claim(5, ExpenseKind.FARE, "Bus fares for the session", "reject", "11.50",
          receipt="png"),
    Claim(-1, ExpenseKind.PHONE_DATA, "Extra mobile data for our video calls", "wait",
          "7.50", recent=True),
    # Approved since the last paid run: the latest scheduled run pays it.
    Claim(2, ExpenseKind.FARE, "Bus to the library for our session", "approve", "4.80",
          recent=True),
)  # fmt: skip
TRAVEL = (ExpenseKind.FARE, ExpenseKind.MILEAGE)


def seed_payments(stdout=None) -> dict[str, int]:
    """Demo payments for North Star and a rate card for Riverside. Safe to run again: it only
    adds what is missing. Returns how much of each thing it added."""
    north_star = Programme.objects.filter(slug=NORTH_STAR).first()
    coordinator = User.objects.filter(email=COORDINATOR.email).first()
    if north_star is None or coordinator is None:
        return {}
    now = timezone.now()
    rng = random.Random(SEED)
    # One transaction: the services' follow-up tasks (pay approved sessions, tell mentors
    # they were paid) run only once everything here is in place, and a failure adds nothing.
    with transaction.atomic():
        added = {"cards": _cards(north_star, coordinator, now)}
        riverside = Programme.objects.filter(slug=RIVERSIDE).first()
        coordinator_b = User.objects.filter(email=COORDINATOR_B.email).first()
        if riverside and coordinator_b:
            added["cards"] += _riverside_card(riverside, coordinator_b, now)
        mentors = seeded_mentors(north_star)
        # Choices before lines: a reduced fee or no payment applies as each line is made.
        added["preferences"] = _preferences(mentors, rng)
        added["preferences"] += _published_mentor_paid(north_star, coordinator, now)
        added["lines"] = services.approved_sessions_pay(programme=north_star)
        # Before the runs, so attended activities are paid in them as sessions are.
        added["activities"] = seed_activities(north_star, coordinator, mentors, now)
        added["expenses"] = _expenses(north_star, coordinator, mentors, rng, now)
        added["decisions"] = _decisions(north_star, coordinator, mentors)
        added["runs"] = _history(north_star, coordinator, mentors, now)
        added["schedules"] = _schedule(north_star, coordinator, now)
        added["cancellations"] = _short_notice(north_star, coordinator, mentors, now)
        added["advances"] = _advance_settled(north_star, coordinator, mentors, now)
        _no_email_for_payment_news()
    if stdout is not None and any(added.values()):
        stdout.write(
            f"Payments: {added['cards']} rate cards, {added['preferences']} payment choices, "
            f"{added['lines']} ledger lines, {added['activities']} paid activities, "
            f"{added['expenses']} expense claims, "
            f"{added['decisions']} employment decisions, {added['runs']} pay days, "
            f"{added['schedules']} payment schedules, {added['cancellations']} short-notice "
            f"cancellations and {added['advances']} advances added."
        )
    return added


# Rate cards


def _cards(programme: Programme, coordinator: User, now: datetime) -> int:
    today = timezone.localdate(now)
    cards = RateCard.objects.filter(programme=programme)
    added = 0
    if not cards.exists():
        # The first card may be backdated, so sessions approved before it are paid.
        services.rate_card_create(
            programme=programme,
            by=coordinator,
            effective_from=today - timedelta(days=FIRST_CARD_DAYS_AGO),
            hourly_rate=FIRST_RATE,
            activity_rates=ACTIVITY_RATES,
            **CARD_TERMS,
        )
        added += 1
    if cards.count() == 1:
        services.rate_card_create(
            programme=programme,
            by=coordinator,
            effective_from=_next_sixth_of_april(today),
            hourly_rate=NEXT_RATE,
            activity_rates=ACTIVITY_RATES,
            **CARD_TERMS,
        )
        added += 1
    return added


def _riverside_card(programme: Programme, coordinator: User, now: datetime) -> int:
    if RateCard.objects.filter(programme=programme).exists():
        return 0
    services.rate_card_create(
        programme=programme,
        by=coordinator,
        effective_from=timezone.localdate(now) - timedelta(days=FIRST_CARD_DAYS_AGO),
        hourly_rate=RIVERSIDE_RATE,
        **CARD_TERMS,
    )
    return 1


def _next_sixth_of_april(today: date) -> date:
    this_year = date(today.year, 4, 6)
    return this_year if this_year > today else date(today.year + 1, 4, 6)


# Payment choices


def seeded_mentors(programme: Programme) -> list[User]:
    """The mentors of the demo's matches, busiest first, then by email."""
    counts = (
        Match.objects.filter(programme=programme)
        # The published mentor's pay has a story of its own (_published_mentor_paid).
        .exclude(mentor__email=MENTOR.email)
        .values("mentor")
        .annotate(n=Count("sessions"))
    )
    by_id = {row["mentor"]: row["n"] for row in counts}
    mentors = User.objects.filter(pk__in=by_id)
    return sorted(mentors, key=lambda mentor: (-by_id[mentor.pk], mentor.email))


def _method_for(index: int, count: int) -> str | None:
    if count > 2 and index == count - 1:
        return None  # has not said how to be paid
    return METHODS[index] if index < len(METHODS) else PaymentMethod.BANK


def _bank_details(rng: random.Random, mentor: User) -> dict:
    return {
        "account_name": mentor.display_name,
        "sort_code": f"{rng.randint(10, 99)}{rng.randint(0, 9999):04d}",
        "account_number": f"{rng.randint(10_000_000, 99_999_999)}",
    }


def _preferences(mentors: list[User], rng: random.Random) -> int:
    chosen = set(
        PaymentPreference.objects.filter(mentor__in=mentors).values_list("mentor", flat=True)
    )
    added = 0
    for index, mentor in enumerate(mentors):
        # Drawn for everyone, so each mentor's details stay the same whoever already has some.
        bank = _bank_details(rng, mentor)
        method = _method_for(index, len(mentors))
        if method is None or mentor.pk in chosen:
            continue
        details = {}
        if method in (PaymentMethod.BANK, PaymentMethod.REDUCED, PaymentMethod.CHARITY):
            # The charity mentor gives bank details too, so their expenses can be repaid.
            details = bank
        if method == PaymentMethod.REDUCED:
            details["reduced_percent"] = REDUCED_PERCENT
        if method == PaymentMethod.CHARITY:
            details["charity_name"], details["charity_number"] = CHARITY
        preference = services.preference_set(mentor=mentor, method=method, **details)
        _chosen_at(preference, _first_session_start(mentor) - timedelta(days=7))
        added += 1
    return added


# Sam, the published mentor login, mentors Priya (demo/published_pair.py) and takes part in
# paid activities (demo/activities.py): he chose bank transfer, and was decided
# self-employed, a week before their first session.
PUBLISHED_MENTOR_BANK = {
    "account_name": "Sam Okafor",
    "sort_code": "204471",
    "account_number": "41207733",
}


def _published_mentor_paid(programme: Programme, coordinator: User, now: datetime) -> int:
    sam = User.objects.filter(email=MENTOR.email, memberships__programme=programme).first()
    if sam is None or PaymentPreference.objects.filter(mentor=sam).exists():
        return 0
    preference = services.preference_set(
        mentor=sam, method=PaymentMethod.BANK, **PUBLISHED_MENTOR_BANK
    )
    chosen = min(_first_session_start(sam), now - timedelta(weeks=50)) - timedelta(days=7)
    _chosen_at(preference, chosen)
    if not EmploymentDecision.objects.filter(mentor=sam).exists():
        _decide(
            programme, coordinator, sam, EmploymentStatus.SELF_EMPLOYED, timezone.localdate(chosen)
        )
    return 1


def _first_session_start(mentor: User) -> datetime:
    first = Session.objects.filter(match__mentor=mentor).order_by("starts_at").first()
    return first.starts_at if first else timezone.now()


def _chosen_at(preference: PaymentPreference, when: datetime) -> None:
    # The demo's mentors chose when they joined, not when the seed ran: the coordinator's
    # and mentor's pages show when each choice was made. Not a ledger line, so not append-only.
    PaymentPreference.objects.filter(pk=preference.pk).update(chosen_at=when)


# Expenses, with receipts


def _expenses(
    programme: Programme, coordinator: User, mentors: list[User], rng: random.Random, now
) -> int:
    if len(mentors) < 3:
        return 0
    today = timezone.localdate(now)
    added = 0
    for claim in CLAIMS:
        if not -len(mentors) <= claim.mentor < len(mentors):
            continue
        mentor = mentors[claim.mentor]
        session = _session_for(programme, mentor, claim, rng, today)
        if session is None:
            continue
        if Expense.objects.filter(
            programme=programme, mentor=mentor, description=claim.description
        ).exists():
            continue
        upload = receipt_type = None
        if claim.receipt:
            make = _receipt_png if claim.receipt == "png" else _receipt_pdf
            upload = ContentFile(make(claim), name=f"receipt.{claim.receipt}")
            receipt_type = receipt_check(upload)
        expense = services.expense_claim(
            mentor=mentor,
            programme=programme,
            kind=claim.kind,
            spent_on=session_day(session),
            description=claim.description,
            amount=Decimal(claim.amount) if claim.amount else None,
            miles=Decimal(claim.miles) if claim.miles else None,
            receipt=upload,
            receipt_type=receipt_type,
            session=session,
        )
        if claim.decision == "approve" and not claim.recent:
            # A recent one is approved this week, after the runs before it (_history).
            services.expense_approve(expense=expense, by=coordinator)
        elif claim.decision == "reject":
            services.expense_reject(expense=expense, by=coordinator, reason=REJECTED_REASON)
        added += 1
    return added


def _session_for(programme, mentor, claim: Claim, rng: random.Random, today: date):
    """A session of the mentor's the claim is plausibly for: in person for travel (online
    for the travel claim that is turned down), recent for a claim still waiting."""
    sessions = (
        Session.objects.filter(match__programme=programme, match__mentor=mentor)
        .exclude(status=Session.Status.LOGGED)
        .select_related("match__programme")
        .order_by("starts_at", "id")
    )
    recent = today - timedelta(days=UNPAID_DAYS)
    if claim.recent:
        sessions = [s for s in sessions if session_day(s) >= recent]
    else:
        sessions = [
            s for s in sessions if s.status == Session.Status.APPROVED and session_day(s) < recent
        ]
    if claim.decision == "reject":
        modes = {MeetingMode.ONLINE}
    elif claim.kind in TRAVEL:
        modes = {MeetingMode.IN_PERSON}
    elif claim.kind == ExpenseKind.PHONE_DATA:
        modes = {MeetingMode.ONLINE, MeetingMode.PHONE}
    else:
        modes = set(MeetingMode.values)
    pool = [s for s in sessions if s.meeting_mode in modes] or sessions
    return rng.choice(pool) if pool else None


def _receipt_png(claim: Claim) -> bytes:
    """A small picture of a till receipt, as a phone photo of one might be."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (220, 300), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    lines = [
        "GREATER MANCHESTER TRAVEL",
        "",
        *textwrap.wrap(claim.description, 26)[:2],
        "",
        f"TOTAL        GBP {claim.amount}",
        "Paid by card",
        "",
        "Thank you for travelling",
    ]
    for row, text in enumerate(lines):
        draw.text((14, 16 + row * 24), text, fill=(30, 30, 30))
    draw.line((14, 250, 206, 250), fill=(120, 120, 120), width=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _receipt_pdf(claim: Claim) -> bytes:
    """A one-page receipt for childcare, as a PDF."""
    from fpdf import FPDF

    pdf = FPDF()
    # A fixed date, so the same receipt comes out every time.
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone()))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, "Little Acorns Childcare", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for text in (
        "Registered with Ofsted",
        "",
        "Receipt",
        claim.description,
        f"Total paid: {claim.amount} pounds",
        "",
        "Thank you",
    ):
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# The organisation's decisions on how each mentor is paid


def _decide(programme, coordinator, mentor, status, decided_on: date) -> None:
    decision = services.employment_status_record(
        mentor=mentor,
        programme=programme,
        status=status,
        decided_on=decided_on,
        by=coordinator,
        note=DECISION_NOTE,
    )
    # Recorded when it was decided, not when the seed ran, so the log reads as it happened.
    when = timezone.make_aware(datetime.combine(decided_on, time(15, 0)))
    EmploymentDecision.objects.filter(pk=decision.pk).update(recorded_at=when)


def _decisions(programme: Programme, coordinator: User, mentors: list[User]) -> int:
    """Each seeded mentor who has said how to be paid gets the organisation's decision,
    from before their first session: self-employed, but for one volunteer and one worker on
    the payroll. Only for mentors with none yet."""
    decided = set(
        EmploymentDecision.objects.filter(mentor__in=mentors).values_list("mentor", flat=True)
    )
    # The first mentor paid by bank beyond the five methods, or else the busiest (by bank).
    payroll = (
        PAYROLL_MENTOR
        if len(mentors) > PAYROLL_MENTOR and _method_for(PAYROLL_MENTOR, len(mentors))
        else 0
    )
    added = 0
    for index, mentor in enumerate(mentors):
        if mentor.pk in decided or _method_for(index, len(mentors)) is None:
            continue
        status = {
            payroll: EmploymentStatus.PAYROLL,
            VOLUNTEER_MENTOR: EmploymentStatus.VOLUNTEER,
        }.get(index, EmploymentStatus.SELF_EMPLOYED)
        day = timezone.localdate(_first_session_start(mentor)) - timedelta(days=14)
        _decide(programme, coordinator, mentor, status, day)
        added += 1
    return added


# Payment runs on a weekly schedule, and a correction


def _run_days(first: date, today: date) -> list[date]:
    """Each Tuesday after `first`, up to today: the days of the weekly schedule's runs."""
    latest = today - timedelta(days=(today.weekday() - RUN_WEEKDAY) % 7)
    days = []
    day = latest
    while day > first:
        days.append(day)
        day -= timedelta(days=7)
    return sorted(days)


def _prepared_at(day: date, now: datetime) -> datetime:
    return min(timezone.make_aware(datetime.combine(day, RUN_PREPARED_AT)), now)


def _history(programme: Programme, coordinator: User, mentors: list[User], now: datetime) -> int:
    """A run prepared by the schedule each Tuesday and paid the next day; the payment to
    one mentor fails (their account was closed) and goes into the next run; one line is
    corrected and the next run takes the correction off. The voucher mentor is decided to
    be a volunteer before the last of these runs, whose fees then wait. The latest run is
    left ready for the coordinator to check. Only on a programme with no runs yet."""
    if PaymentRun.objects.filter(programme=programme).exists():
        return 0
    lines = LedgerLine.objects.filter(programme=programme)
    first = lines.order_by("earned_on").values_list("earned_on", flat=True).first()
    if first is None:
        return 0
    today = timezone.localdate(now)
    days = _run_days(first, today)
    if not days:
        return 0
    *past, latest = days
    # The weeks with something earned make a run (the demo's sessions are weeks apart).
    week = timedelta(days=7)
    busy = [
        day for day in past if lines.filter(earned_on__gte=day - week, earned_on__lt=day).exists()
    ]
    # A couple of months back, so the mentor's new bank details have been paid into since.
    failing = next((d for d in reversed(busy[:-1]) if d <= today - timedelta(weeks=10)), None)
    correcting = busy[len(busy) // 2] if busy else None
    made = 0
    for day in past:
        if busy and day == busy[-1] and len(mentors) > LATE_VOLUNTEER_MENTOR:
            # The voucher mentor is decided to be a volunteer: this run and the next pay
            # their expenses only, and their fees wait.
            _decide(
                programme,
                coordinator,
                mentors[LATE_VOLUNTEER_MENTOR],
                EmploymentStatus.VOLUNTEER,
                day - timedelta(days=3),
            )
        paid_on = day + timedelta(days=PAID_DAYS_AFTER_RUN)
        if busy and day == busy[-1]:
            # The last paid run holds back a fee of a mentor on Universal Credit.
            _universal_credit_with_a_cap(programme, day, paid_on)
        try:
            # As the scheduler prepares it (services.run_create_scheduled), without telling
            # the coordinator about runs paid long ago.
            run = services.run_create(
                programme=programme,
                by=None,
                earned_before=day,
                scheduled_for=day,
                pays_on=paid_on,
            )
        except ValidationError:
            continue  # nothing earned that week by anyone who has said how to be paid
        made += 1
        # run_mark_paid refuses a payment day before the run was made, as it should: the
        # demo's runs were made in the past, so they are dated then before being paid.
        when = _prepared_at(day, now)
        PaymentRun.objects.filter(pk=run.pk).update(created_at=when)
        run.created_at = when
        services.run_mark_paid(run=run, by=coordinator, paid_on=paid_on)
        if day == failing:
            # Finance paid the run; the bank sent one payment back.
            _fail_one(run, coordinator, paid_on)
        # The tasks queued by these services would run after the seed commits; do their work
        # now so the news is there, unemailed, like the rest of the demo (the queued ones
        # then find it made and add nothing).
        services.run_paid_tell(run_id=run.pk)
        if day == correcting:
            _correct_one(run, coordinator)
    # Claims approved this week, which the latest run pays.
    for claim in CLAIMS:
        if claim.recent and claim.decision == "approve":
            expense = Expense.objects.filter(
                programme=programme, description=claim.description, status="claimed"
            ).first()
            if expense is not None:
                services.expense_approve(expense=expense, by=coordinator)
    run = services.run_create_scheduled(programme=programme, scheduled_for=latest)
    if run is not None:
        PaymentRun.objects.filter(pk=run.pk).update(created_at=_prepared_at(latest, now))
        made += 1
    return made


def _universal_credit_with_a_cap(programme: Programme, end: date, pays_on: date) -> None:
    """A mentor who gets Universal Credit sets a cap on the fees paid to them in each
    assessment period: what was paid to them in the period the run of `end` pays in (on
    `pays_on`), and all that run would pay them but its last fee, which it leaves waiting."""
    mentors = sorted(
        User.objects.filter(ledger_lines__programme=programme).distinct(),
        key=lambda mentor: (mentor.email != UNIVERSAL_CREDIT_MENTOR, mentor.email),
    )
    for mentor in mentors:
        fees = list(
            LedgerLine.objects.filter(programme=programme, mentor=mentor, earned_on__lt=end)
            .fees()
            .unpaid()
            .order_by("earned_on", "id")
            .values_list("amount", flat=True)
        )
        positive = [amount for amount in fees if amount > 0]
        paid = fees_paid_between(mentor.pk, *assessment_period(pays_on, ASSESSMENT_DAY))
        cap = paid + sum(fees) - positive[-1] if len(positive) > 1 else Decimal(0)
        if cap < 1 or preferences_in_force([mentor.pk]).get(mentor.pk) is None:
            continue
        services.benefits_settings_set(
            mentor=mentor,
            assessment_day=ASSESSMENT_DAY,
            cap_period=CapPeriod.ASSESSMENT_PERIOD,
            cap_amount=cap,
        )
        return


def _schedule(programme: Programme, coordinator: User, now: datetime) -> int:
    """North Star's weekly schedule, from its first run's Tuesday."""
    if PaymentSchedule.objects.filter(programme=programme).exists():
        return 0
    first = (
        PaymentRun.objects.filter(programme=programme, scheduled_for__isnull=False)
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    today = timezone.localdate(now)
    # Set as a coordinator would, from the next Tuesday; then dated from the first run, as
    # if it had been set then (the service refuses a first run in the past, as it should).
    services.payment_schedule_set(
        programme=programme,
        by=coordinator,
        frequency=PaymentSchedule.Frequency.WEEKLY,
        first_run_on=today + timedelta(days=(RUN_WEEKDAY - today.weekday()) % 7 or 7),
    )
    if first is not None:
        PaymentSchedule.objects.filter(programme=programme).update(first_run_on=first)
    return 1


def _fail_one(run: PaymentRun, coordinator: User, paid_on: date) -> None:
    payee = (
        RunPayee.objects.filter(run=run, method=PaymentMethod.BANK)
        .select_related("run__programme", "mentor")
        .order_by("-total", "id")
        .first()
    )
    if payee is None:
        return
    services.run_payee_fail(payee=payee, by=coordinator, reason=FAILED_REASON)
    services.payee_failed_tell(payee_id=payee.pk)
    # The mentor gives their new account's details, so the next run pays them.
    preference = services.preference_set(
        mentor=payee.mentor,
        method=PaymentMethod.BANK,
        account_name=payee.payee_name,
        sort_code=payee.sort_code[:2] + "0451",
        account_number=f"{(int(payee.account_number) + 1_357_911) % 10**8:08d}",
    )
    _chosen_at(
        preference,
        timezone.make_aware(
            datetime.combine(paid_on + timedelta(days=NEW_BANK_AFTER_FAILURE_DAYS), time(19, 0))
        ),
    )


def _correct_one(run: PaymentRun, coordinator: User) -> None:
    """Take back an online allowance paid in `run`; the next run takes it off."""
    line = (
        LedgerLine.objects.filter(
            run_items__run=run,
            run_items__payee__method=PaymentMethod.BANK,
            kind=LedgerLine.Kind.ONLINE,
        )
        .select_related("programme", "mentor")
        .order_by("mentor__email", "earned_on", "id")
        .first()
    )
    if line is not None:
        services.line_reverse(line=line, by=coordinator, reason=REVERSAL_REASON)


# Nobody out of pocket: a short-notice cancellation, a missed session, an advance


ADVANCE = ("Train to Manchester Piccadilly and back for our session", "25.00", "22.40")


def _short_notice(programme: Programme, coordinator: User, mentors: list[User], now) -> int:
    """A mentee cancels a session planned for tomorrow, well inside the card's 24 hours'
    notice: their mentor is paid the cancellation fee. Another mentor says
    their mentee did not come to yesterday's session; it waits for the coordinator."""
    if LedgerLine.objects.filter(programme=programme, kind=LedgerLine.Kind.CANCELLATION).exists():
        return 0
    # Mentors paid by bank transfer, so the fee shows in full (a reduced fee or no payment
    # would change it, as it does any fee).
    by_bank = {
        mentor_id
        for mentor_id, choice in preferences_in_force([m.pk for m in mentors]).items()
        if choice.method == PaymentMethod.BANK
    }
    matches = list(
        Match.objects.live()
        .filter(programme=programme, mentor__in=by_bank)
        .select_related("programme", "mentor", "mentee")
        .order_by("mentor__email", "pk")
    )
    # Two different mentors: one paid the fee, one whose missed session waits.
    one_each = {}
    for match in matches:
        one_each.setdefault(match.mentor_id, match)
    matches = list(one_each.values())[:2]
    if not matches:
        return 0
    cancelled = mentoring_services.session_plan(
        match=matches[0],
        by=matches[0].mentee,
        starts_at=now + timedelta(hours=20),
        duration_minutes=60,
        meeting_mode=MeetingMode.ONLINE,
    )
    mentoring_services.plan_cancel(plan=cancelled, by=matches[0].mentee)
    if len(matches) > 1:
        missed = mentoring_services.session_plan(
            match=matches[1],
            by=matches[1].mentor,
            starts_at=now + timedelta(hours=1),
            duration_minutes=60,
            meeting_mode=MeetingMode.IN_PERSON,
            place="The family centre, Station Road",
        )
        # Planned for yesterday afternoon (a plan must be made for a time still to come).
        yesterday = timezone.localtime(now).replace(hour=15, minute=0, second=0, microsecond=0)
        PlannedSession.objects.filter(pk=missed.pk).update(starts_at=yesterday - timedelta(days=1))
        missed.refresh_from_db()
        mentoring_services.plan_missed_report(plan=missed, by=matches[1].mentor)
    return 1


def _advance_settled(programme: Programme, coordinator: User, mentors: list[User], now) -> int:
    """The busiest mentor was paid a train fare before their session and settled it with
    the receipt: it cost less, so the difference comes off their next payment. They have a
    childminder advance approved for tomorrow, still to settle; the next mentor's advance
    for a taxi waits for the coordinator."""
    if not mentors or Advance.objects.filter(programme=programme).exists():
        return 0
    today = timezone.localdate(now)
    mentor = mentors[0]
    description, asked, spent = ADVANCE
    settled = services.advance_ask(
        mentor=mentor,
        programme=programme,
        kind=ExpenseKind.FARE,
        needed_on=today,
        description=description,
        amount=Decimal(asked),
    )
    services.advance_approve(advance=settled, by=coordinator)
    receipt = Claim(0, ExpenseKind.FARE, description, "approve", spent, receipt="png")
    upload = ContentFile(_receipt_png(receipt), name="receipt.png")
    services.advance_settle(
        advance=settled,
        by=mentor,
        spent=Decimal(spent),
        spent_on=today,
        receipt=upload,
        receipt_type=receipt_check(upload),
    )
    to_settle = services.advance_ask(
        mentor=mentor,
        programme=programme,
        kind=ExpenseKind.CHILDCARE,
        needed_on=today + timedelta(days=1),
        description="Childminder for two hours while we meet",
        amount=Decimal("18.00"),
    )
    services.advance_approve(advance=to_settle, by=coordinator)
    added = 2
    if len(mentors) > 1:
        services.advance_ask(
            mentor=mentors[1],
            programme=programme,
            kind=ExpenseKind.FARE,
            needed_on=today + timedelta(days=3),
            description="Taxi to the family centre: no bus after 7pm",
            amount=Decimal("16.00"),
        )
        added += 1
    return added


def _no_email_for_payment_news() -> None:
    # The demo's addresses are made up: nothing seeded here is emailed.
    Notification.objects.filter(
        kind__in=[Kind.PAYMENT, Kind.EARNINGS, Kind.PAYMENT_DETAILS, Kind.PAYMENT_RUN_READY],
        person__email__endswith="example.org",
        email_wanted=True,
        emailed_at__isnull=True,
    ).update(email_wanted=False, email_claimed_until=None)


def tax_year_fees(programme: Programme, day: date) -> dict[str, Decimal]:
    """Each mentor's fees in the tax year of `day`, by email: for checking the demo."""
    start, end = tax_year_bounds(tax_year_of(day))
    rows = (
        LedgerLine.objects.filter(
            programme=programme, category=LedgerLine.Category.FEE, earned_on__range=(start, end)
        )
        .values("mentor__email")
        .annotate(total=Sum("amount"))
    )
    return {row["mentor__email"]: row["total"] for row in rows}
