"""Demo payments, called from `manage.py seed_demo` after the demo's sessions are approved.

North Star gets a year of paid partnership: a backdated rate card and a higher one from next
April, each seeded mentor's choice of how to be paid (one says nothing, so the coordinator sees
who has not), their approved sessions' ledger lines, expense claims with real receipt files,
a payment run at each month's end with one failed payment, and one correction. The last few
weeks are left unpaid, some of them past the slow-payment threshold. Riverside gets a rate
card only.

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
from mentoring.models import Session
from notifications.models import Kind, Notification
from payments import services
from payments.models import (
    Expense,
    ExpenseKind,
    LedgerLine,
    PaymentMethod,
    PaymentPreference,
    PaymentRun,
    RateCard,
    RunPayee,
)
from payments.money import tax_year_bounds, tax_year_of
from payments.receipts import receipt_check
from payments.selectors import session_day
from programmes.models import Programme

CARD_TERMS = {
    "preparation_minutes": 30,
    "online_allowance": Decimal("2.50"),
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

# Lines earned in the last three weeks wait for the next run; older ones are paid monthly.
UNPAID_DAYS = 21
# A run is made on the 2nd of the month for what was earned before the 1st, and paid on the
# 6th.
RUN_MADE_DAY, RUN_PAID_DAY = 2, 6
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
        mentors = _seeded_mentors(north_star)
        # Choices before lines: a reduced fee or no payment applies as each line is made.
        added["preferences"] = _preferences(mentors, rng)
        added["lines"] = services.approved_sessions_pay(programme=north_star)
        # Before the runs, so attended activities are paid in them as sessions are.
        added["activities"] = seed_activities(north_star, coordinator, mentors, now)
        added["expenses"] = _expenses(north_star, coordinator, mentors, rng, now)
        added["runs"] = _history(north_star, coordinator, now)
        _no_email_for_payment_news()
    if stdout is not None and any(added.values()):
        stdout.write(
            f"Payments: {added['cards']} rate cards, {added['preferences']} payment choices, "
            f"{added['lines']} ledger lines, {added['activities']} paid activities, "
            f"{added['expenses']} expense claims and "
            f"{added['runs']} payment runs added."
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


def _seeded_mentors(programme: Programme) -> list[User]:
    """The mentors of the demo's matches, busiest first, then by email."""
    counts = (
        Match.objects.filter(programme=programme)
        # The named demo mentor has no match on purpose, and no payment choice, so the real
        # user journey can make one.
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
        if claim.decision == "approve":
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


# Payment runs and a correction


def _month_ends(first: date, last: date) -> list[date]:
    """The first day of each month after `first`, up to `last`: a run pays what was earned
    before each of them."""
    day = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
    ends = []
    while day <= last:
        ends.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return ends


def _history(programme: Programme, coordinator: User, now: datetime) -> int:
    """A run at each month's end, paid a few days later; the payment to one mentor fails
    (their account was closed) and goes into the next run; one line is corrected and the
    next run takes the correction off. Only on a programme with no runs yet."""
    if PaymentRun.objects.filter(programme=programme).exists():
        return 0
    lines = LedgerLine.objects.filter(programme=programme)
    first = lines.order_by("earned_on").values_list("earned_on", flat=True).first()
    if first is None:
        return 0
    today = timezone.localdate(now)
    ends = _month_ends(first, today - timedelta(days=UNPAID_DAYS))
    failing, correcting = len(ends) - 3, len(ends) // 2
    made = 0
    for index, end in enumerate(ends):
        made_on = end.replace(day=RUN_MADE_DAY)
        paid_on = min(end.replace(day=RUN_PAID_DAY), today)
        try:
            run = services.run_create(programme=programme, by=coordinator, earned_before=end)
        except ValidationError:
            continue  # nothing earned that month by anyone who has said how to be paid
        made += 1
        # run_mark_paid refuses a payment day before the run was made, as it should: the
        # demo's runs were made in the past, so they are dated then before being paid.
        when = timezone.make_aware(datetime.combine(made_on, time(10, 0)))
        PaymentRun.objects.filter(pk=run.pk).update(created_at=when)
        run.created_at = when
        services.run_mark_paid(run=run, by=coordinator, paid_on=paid_on)
        if index == failing:
            # Finance paid the run; the bank sent one payment back.
            _fail_one(run, coordinator, paid_on)
        # The tasks queued by these services would run after the seed commits; do their work
        # now so the news is there, unemailed, like the rest of the demo (the queued ones
        # then find it made and add nothing).
        services.run_paid_tell(run_id=run.pk)
        if index == correcting:
            _correct_one(run, coordinator)
    return made


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


def _no_email_for_payment_news() -> None:
    # The demo's addresses are made up: nothing seeded here is emailed.
    Notification.objects.filter(
        kind__in=[Kind.PAYMENT, Kind.EARNINGS, Kind.PAYMENT_DETAILS],
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
