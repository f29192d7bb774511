"""Everything that writes money: rate cards, ledger lines, expenses, payment preferences and
payment runs. Each service runs in a transaction, writes its audit row there, and sends its
messages only once the transaction commits."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce, Now
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from activities.models import Place
from background.services import enqueue
from core.choices import MeetingMode, Role
from core.locks import lock, lock_row
from mentoring.models import PlannedSession, Session
from notifications.models import Kind
from notifications.services import notify, notify_payment_details_changed
from payments.models import (
    ACTIVITY_KINDS,
    ADVANCE_KINDS,
    PAYROLL,
    SESSION_KINDS,
    SYMBOLS,
    ActivityRate,
    Advance,
    BenefitsSettings,
    CapPeriod,
    EarningsAlert,
    EmploymentDecision,
    EmploymentStatus,
    Expense,
    ExpenseKind,
    LedgerLine,
    PaymentMethod,
    PaymentPreference,
    PaymentRun,
    PaymentSchedule,
    Purchase,
    RateCard,
    RunHold,
    RunItem,
    RunPayee,
    WaitingLine,
    employment_status_words,
    ledger_key,
    receipt_storage,
)
from payments.money import (
    TRADING_ALLOWANCE,
    fee_for,
    half_day_fee_for,
    half_days_in,
    mileage_for,
    money,
    over_cap,
    pence,
    settlement_difference,
    share_of,
    short_notice,
    tax_year_bounds,
    tax_year_of,
)
from payments.periods import period_of
from payments.receipts import receipt_check, receipt_without_metadata
from payments.schedule import LAST_MONTHLY_DAY, MONTHLY
from payments.selectors import (
    activity_day,
    alert_period,
    approved_without_lines,
    attended_without_lines,
    bank_details_changed_since_paid,
    employment_statuses_in_force,
    fees_on_their_way,
    fees_paid_between,
    preference_current,
    preferences_in_force,
    programme_today,
    run_exported,
    scheduled_run_due,
    session_day,
    volunteer_fees_waiting,
)
from programmes import duties
from programmes.models import Membership, Programme
from programmes.services import check_coordinates

MAX_CLAIM = Decimal("10000.00")
MAX_MILES = Decimal("1000")


# Rate cards


@transaction.atomic
def rate_card_create(
    *,
    programme: Programme,
    by: User,
    effective_from: date,
    activity_rates: dict | None = None,
    **terms,
) -> RateCard:
    """A new rate card from `effective_from`. Only the first card may start in the past (so
    sessions logged before the programme set its rates are paid); later ones start today or
    later, so no one's pay for a past session changes. `activity_rates` maps a kind of
    activity to (basis, amount); a kind left out is paid at the hourly rate."""
    check_coordinates(by, programme)
    # Two coordinators adding cards at once queue here, so the second sees the first card
    # (and gets a plain message for the same day, not a database error).
    lock_row(programme)
    today = timezone.localdate()
    cards = RateCard.objects.filter(programme=programme)
    if cards.exists() and effective_from < today:
        raise ValidationError(
            {"effective_from": "A new rate can start today or later, not in the past."}
        )
    if cards.filter(effective_from=effective_from).exists():
        raise ValidationError(
            {"effective_from": "There is already a rate card from that day. Pick another day."}
        )
    currency = terms.get("currency", "GBP")
    if LedgerLine.objects.filter(programme=programme).exclude(currency=currency).exists():
        raise ValidationError({"currency": "This programme already pays in another currency."})
    card = RateCard.objects.create(
        programme=programme, effective_from=effective_from, created_by=by, **terms
    )
    rates = []
    for kind, (basis, amount) in sorted((activity_rates or {}).items()):
        if basis not in ActivityRate.Basis.values or not (0 <= amount <= 2000):
            raise ValidationError(
                "Each activity rate is from £0 to £2,000, by the hour or by the half day."
            )
        rates.append(ActivityRate(rate_card=card, kind=kind, basis=basis, amount=pence(amount)))
    ActivityRate.objects.bulk_create(rates)
    audit_record(
        action=AuditEvent.Action.RATE_CARD_ADDED,
        actor=by,
        obj=card,
        programme=programme,
        new={
            "effective_from": card.effective_from,
            "hourly_rate": card.hourly_rate,
            "preparation_minutes": card.preparation_minutes,
        },
    )
    from payments.tasks import pay_approved_sessions

    # Sessions approved (and activities attended) while there was no card in force get
    # their lines now.
    enqueue(pay_approved_sessions, programme.pk)
    return card


# Ledger lines for a session


def _preference_applied(amount: Decimal, description: str, preference) -> tuple[Decimal, str]:
    if preference is None:
        return amount, description
    if preference.method == PaymentMethod.REDUCED:
        return (
            share_of(amount, preference.reduced_percent),
            f"{description} ({preference.reduced_percent}% of {amount}, as you asked)",
        )
    if preference.method == PaymentMethod.NONE:
        return Decimal("0.00"), f"{description} (no payment, as you asked)"
    return amount, description


@transaction.atomic
def session_lines_create(*, session: Session, by: User | None) -> int:
    """The mentor's lines for an approved session: its time, the programme's paid
    preparation time and any online allowance, at the rate in force on the session's day.
    Safe to call twice, or at once from two places: the pay-once constraints keep one set,
    and the second call adds nothing. Returns how many lines it added. Usually runs inside
    the approval's transaction (payments/receivers.py); its own is for the session lock
    when it is called alone."""
    if session.status != Session.Status.APPROVED:
        return 0
    match = session.match
    day = session_day(session)
    card = RateCard.objects.in_force_on(match.programme, day)
    if card is None:
        return 0  # paid when the programme sets a rate card (rate_card_create)
    preference = preference_current(match.mentor)
    when = f"{day:%-d %B %Y}"
    parts = [
        (
            LedgerLine.Kind.SESSION,
            session.duration_minutes,
            f"Session on {when}, {session.duration_minutes} minutes",
        ),
    ]
    if card.preparation_minutes:
        parts.append(
            (
                LedgerLine.Kind.PREPARATION,
                card.preparation_minutes,
                f"Preparation for the session on {when}, {card.preparation_minutes} minutes",
            )
        )
    lines = []
    for kind, minutes, description in parts:
        amount, description = _preference_applied(
            fee_for(minutes=minutes, hourly_rate=card.hourly_rate), description, preference
        )
        lines.append(_session_line(session, card, kind, amount, description, by, minutes))
    if card.online_allowance and session.meeting_mode in (MeetingMode.ONLINE, MeetingMode.PHONE):
        amount, description = _preference_applied(
            card.online_allowance, f"Allowance for the online session on {when}", preference
        )
        lines.append(_session_line(session, card, LedgerLine.Kind.ONLINE, amount, description, by))
    # Concurrent calls for one session (a catch-up task running twice) queue on the
    # session's row, so each counts only the lines it added itself.
    lock_row(session)
    before = LedgerLine.objects.filter(session=session).count()
    # ignore_conflicts: the unique constraints, not this code, decide what is paid once.
    LedgerLine.objects.bulk_create(lines, ignore_conflicts=True)
    added = LedgerLine.objects.filter(session=session).count() - before
    if added:
        _wait(
            LedgerLine.objects.filter(session=session, kind__in=SESSION_KINDS)
            .exclude(amount=0)
            .filter(waiting__isnull=True, run_items__isnull=True)
        )
    return added


def _wait(lines) -> None:
    """Put lines on the waiting list (see WaitingLine)."""
    WaitingLine.objects.bulk_create(
        [WaitingLine.of(line) for line in lines if line.amount != 0], ignore_conflicts=True
    )


def waiting_lines_rebuild() -> int:
    """Recompute the waiting list from the ledger and the run items, for data loaded in
    bulk (benchmarks) and as the check that the list is right. Returns its length."""
    from django.db import connection

    from payments.waiting import REBUILD

    WaitingLine.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(REBUILD)
    return WaitingLine.objects.count()


def _session_line(session, card, kind, amount, description, by, minutes=None) -> LedgerLine:
    return LedgerLine(
        programme=session.match.programme,
        mentor=session.match.mentor,
        kind=kind,
        category=LedgerLine.Category.FEE,
        session=session,
        rate_card=card,
        minutes=minutes,
        rate=card.hourly_rate if minutes else None,
        amount=amount,
        currency=card.currency,
        earned_on=session_day(session),
        description=description[:200],
        created_by=by,
    )


def approved_sessions_pay(*, programme: Programme) -> int:
    """Lines for approved sessions and attended activities that have none, for when a rate
    card arrives after them. Safe to run twice."""
    added = 0
    sessions = approved_without_lines(programme).select_related(
        "match__programme", "match__mentor", "approved_by"
    )
    for session in sessions:
        with transaction.atomic():
            added += session_lines_create(session=session, by=session.approved_by)
    for place in attended_without_lines(programme):
        with transaction.atomic():
            added += activity_lines_create(place=place, by=place.attendance_by)
    return added


# Ledger lines for an activity


def activity_terms(card: RateCard, kind: str) -> tuple[str, Decimal]:
    """How a card pays a kind of activity: ("hourly" or "half_day", the rate). A kind the
    card has no rate for is paid at its hourly rate."""
    rate = next((r for r in card.activity_rates.all() if r.kind == kind), None)
    if rate is None:
        return ActivityRate.Basis.HOURLY, card.hourly_rate
    return rate.basis, rate.amount


@transaction.atomic
def activity_lines_create(*, place: Place, by: User | None) -> int:
    """The lines for an attended place: the activity's time at the card's rate for its
    kind (by the hour, or by the started half day) and the activity's paid preparation
    time by the hour, at the card in force on the activity's day. Safe to call twice, or
    at once from two places: the pay-once index (ledger_activity_paid_once) keeps one set
    and a second call adds nothing. Returns how many lines it added. Usually runs inside
    the attendance record's transaction (payments/receivers.py)."""
    if place.attendance != Place.Attendance.ATTENDED:
        return 0
    activity = place.activity
    programme = activity.programme
    day = activity_day(activity)
    card = RateCard.objects.in_force_on(programme, day)
    if card is None:
        return 0  # paid when the programme sets a rate card (rate_card_create)
    preference = preference_current(place.person)
    basis, rate = activity_terms(card, activity.kind)
    when = f"{day:%-d %B %Y}"
    name = f"{activity.kind_label}: {activity.title}"
    minutes = activity.duration_minutes
    if basis == ActivityRate.Basis.HALF_DAY:
        halves = half_days_in(minutes)
        amount = half_day_fee_for(minutes=minutes, half_day_rate=rate)
        description = f"{name}, {when}, {halves} half {'day' if halves == 1 else 'days'}"
    else:
        amount = fee_for(minutes=minutes, hourly_rate=rate)
        description = f"{name}, {when}, {minutes} minutes"
    parts = [(LedgerLine.Kind.ACTIVITY, minutes, rate, amount, description)]
    if activity.preparation_minutes:
        hourly = rate if basis == ActivityRate.Basis.HOURLY else card.hourly_rate
        parts.append(
            (
                LedgerLine.Kind.ACTIVITY_PREPARATION,
                activity.preparation_minutes,
                hourly,
                fee_for(minutes=activity.preparation_minutes, hourly_rate=hourly),
                f"Preparation for {name}, {when}, {activity.preparation_minutes} minutes",
            )
        )
    lines = []
    for kind, line_minutes, line_rate, line_amount, line_description in parts:
        line_amount, line_description = _preference_applied(
            line_amount, line_description, preference
        )
        lines.append(
            LedgerLine(
                programme=programme,
                mentor=place.person,
                kind=kind,
                category=LedgerLine.Category.FEE,
                activity_place=place,
                rate_card=card,
                minutes=line_minutes,
                rate=line_rate,
                amount=line_amount,
                currency=card.currency,
                earned_on=day,
                description=line_description[:200],
                created_by=by,
            )
        )
    # Concurrent calls for one place queue on its row, so each counts only its own lines.
    lock_row(place)
    mine = LedgerLine.objects.filter(activity_place=place, kind__in=ACTIVITY_KINDS)
    before = mine.count()
    # ignore_conflicts: the unique index, not this code, decides what is paid once.
    LedgerLine.objects.bulk_create(lines, ignore_conflicts=True)
    added = mine.count() - before
    if added:
        _wait(mine.exclude(amount=0).filter(waiting__isnull=True, run_items__isnull=True))
        from payments.tasks import check_earnings

        person_id = place.person_id
        enqueue(check_earnings, person_id)
    return added


# Cancellation fees: a session (or anything else paid) called off at short notice by
# someone other than the mentor, or one the mentee did not come to.


@transaction.atomic
def cancellation_fee_add(
    *,
    programme: Programme,
    mentor: User,
    day: date,
    description: str,
    key,
    starts_at: datetime,
    cancelled_at: datetime | None,
    by: User | None,
    url: str = "",
) -> LedgerLine | None:
    """Pay `mentor` the cancellation fee of the card in force on `day`, once for `key` (the
    row of what was cancelled: a planned session, or another kind of paid work), when it
    was called off less than the card's notice before `starts_at`, or when the person did
    not come (`cancelled_at` None). The caller decides that someone other than the mentor
    called it off. Returns the line, or None when no fee is due or it was already paid.

    Paid once: callers for one key queue on its row, and behind that the partial unique
    index `ledger_cancellation_paid_once` with ON CONFLICT DO NOTHING keeps one line."""
    card = RateCard.objects.in_force_on(programme, day)
    if card is None or card.cancellation_fee <= 0:
        return None
    if cancelled_at is not None and not short_notice(
        starts_at=starts_at, cancelled_at=cancelled_at, notice_hours=card.cancellation_notice_hours
    ):
        return None
    key_text = ledger_key(key)
    lock_row(key)
    fees = LedgerLine.objects.filter(kind=LedgerLine.Kind.CANCELLATION, key=key_text)
    if fees.exists():
        return None
    amount, description = _preference_applied(
        card.cancellation_fee, description, preference_current(mentor)
    )
    LedgerLine.objects.bulk_create(
        [
            LedgerLine(
                programme=programme,
                mentor=mentor,
                kind=LedgerLine.Kind.CANCELLATION,
                category=LedgerLine.Category.FEE,
                key=key_text,
                rate_card=card,
                amount=amount,
                currency=card.currency,
                earned_on=day,
                description=description[:200],
                created_by=by,
            )
        ],
        ignore_conflicts=True,
    )
    line = fees.get()
    _wait([line])
    audit_record(
        action=AuditEvent.Action.CANCELLATION_FEE_ADDED,
        actor=by,
        obj=line,
        programme=programme,
        new={"key": key_text, "amount": line.amount, "earned_on": day},
    )
    if line.amount == 0:
        return line  # "no payment, as you asked": recorded on the ledger, nothing to tell
    notify(
        person=mentor,
        kind=Kind.PAYMENT,
        event_key=f"cancellation:{key_text}",
        title=f"You will be paid {money(line.amount, card.symbol)} for time you kept free",
        body=f"{description}. It will be on the next pay day, and shows on your pay page.",
        url=url or reverse("payments:pay"),
    )
    from payments.tasks import check_earnings

    mentor_id = mentor.pk
    enqueue(check_earnings, mentor_id)
    return line


def plan_cancellation_pay(*, plan: PlannedSession, by: User) -> LedgerLine | None:
    """A planned session was cancelled: its mentor is paid the fee when someone else (the
    mentee) cancelled it within the programme's notice period. Called by the receiver of
    mentoring.signals.plan_cancelled, in the cancellation's transaction."""
    match = plan.match
    if plan.cancelled_at is None or plan.cancelled_by_id == match.mentor_id:
        return None
    day = session_day(plan)
    return cancellation_fee_add(
        programme=match.programme,
        mentor=match.mentor,
        day=day,
        description=f"{match.mentee} cancelled the session of {day:%-d %B %Y} at short notice",
        key=plan,
        starts_at=plan.starts_at,
        cancelled_at=plan.cancelled_at,
        by=by,
    )


def plan_missed_pay(*, plan: PlannedSession, by: User) -> LedgerLine | None:
    """A coordinator confirmed the mentee did not come: the mentor is paid the fee."""
    match = plan.match
    if plan.missed_confirmed_at is None:
        return None
    day = session_day(plan)
    return cancellation_fee_add(
        programme=match.programme,
        mentor=match.mentor,
        day=day,
        description=f"{match.mentee} did not come to the session of {day:%-d %B %Y}",
        key=plan,
        starts_at=plan.starts_at,
        cancelled_at=None,
        by=by,
    )


def activity_cancellation_pay(*, activity, by: User | None) -> list[LedgerLine]:
    """An activity was cancelled: each person who had said yes is paid the cancellation
    fee of the card in force on the activity's day, when it came less than the card's
    notice before the start (the same rule as a session's). Each place is its own key, so
    each person is paid once, by the database, however often this runs. Called by the
    receiver of activities.signals.activity_cancelled, in the cancellation's transaction.
    Returns the lines added."""
    if activity.cancelled_at is None:
        return []
    day = activity_day(activity)
    places = (
        Place.objects.filter(activity=activity, answer=Place.Answer.YES)
        .exclude(person_id=activity.cancelled_by_id)  # never paid for calling it off oneself
        .select_related("person")
        .order_by("pk")
    )
    lines = []
    for place in places:
        line = cancellation_fee_add(
            programme=activity.programme,
            mentor=place.person,
            day=day,
            description=(
                f"{activity.kind_label}: {activity.title}, {day:%-d %B %Y}, "
                "cancelled at short notice"
            ),
            key=place,
            starts_at=activity.starts_at,
            cancelled_at=activity.cancelled_at,
            by=by,
            url=reverse("activities:activity_detail", args=[activity.pk]),
        )
        if line is not None:
            lines.append(line)
    return lines


@transaction.atomic
def line_reverse(*, line: LedgerLine, by: User, reason: str) -> LedgerLine:
    """Put a line right by adding its opposite. A line is reversed at most once: the
    one-to-one `reverses` column refuses a second reversal, even from a second tab."""
    check_coordinates(by, line.programme)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this line is wrong, so the mentor knows."})
    if line.kind == LedgerLine.Kind.REVERSAL:
        raise ValidationError("A correction cannot be reversed. Ask an administrator.")
    if line.amount == 0:
        raise ValidationError("This line is for nothing, so there is nothing to correct.")
    # Lock the line so two coordinators correcting it at once queue, and the second sees
    # the first's reversal instead of meeting the unique constraint.
    lock_row(line)
    if LedgerLine.objects.filter(reverses=line).exists():
        raise ValidationError("This line has already been corrected.")
    reversal = LedgerLine.objects.create(
        programme=line.programme,
        mentor=line.mentor,
        kind=LedgerLine.Kind.REVERSAL,
        category=line.category,
        session=line.session,
        expense=line.expense,
        advance=line.advance,
        activity_place=line.activity_place,
        reverses=line,
        rate_card=line.rate_card,
        minutes=line.minutes,
        rate=line.rate,
        amount=-line.amount,
        currency=line.currency,
        earned_on=line.earned_on,
        description=f"Correction: {line.description}"[:200],
        reason=reason,
        created_by=by,
    )
    _wait([reversal])
    audit_record(
        action=AuditEvent.Action.LEDGER_LINE_REVERSED,
        actor=by,
        obj=line,
        programme=line.programme,
        new={"reversal": reversal.pk, "amount": reversal.amount},
    )
    return reversal


# Expenses


def _check_mentor_of(mentor: User, programme: Programme) -> None:
    if (
        not Membership.objects.current()
        .experts()
        .filter(person=mentor, programme=programme)
        .exists()
    ):
        raise PermissionDenied("Not an expert by experience of this programme")


def expense_terms(*, programme: Programme, kind: str, spent_on: date) -> RateCard:
    """The rate card a claim is judged by, or a plain reason why it cannot be made."""
    if spent_on > timezone.localdate():
        raise ValidationError({"spent_on": "The date cannot be in the future."})
    card = RateCard.objects.in_force_on(programme, spent_on)
    if card is None:
        raise ValidationError(
            {
                "spent_on": "Your programme had not set its rules for expenses on that date. "
                "Ask your coordinator."
            }
        )
    if not card.allows(kind):
        raise ValidationError(
            {"kind": "Your programme does not pay this kind of expense. Ask your coordinator."}
        )
    return card


@transaction.atomic
def expense_claim(
    *,
    mentor: User,
    programme: Programme,
    kind: str,
    spent_on: date,
    description: str,
    amount: Decimal | None = None,
    miles: Decimal | None = None,
    receipt=None,
    receipt_type=None,
    session: Session | None = None,
    activity_place: Place | None = None,
) -> Expense:
    """A mentor claims back what they spent, for a session, an activity they have a place
    on, or neither. Mileage is worked out from the miles at the programme's rate; anything
    else over the programme's limit needs a receipt."""
    _check_mentor_of(mentor, programme)
    card = expense_terms(programme=programme, kind=kind, spent_on=spent_on)
    if session is not None and (
        session.match.mentor_id != mentor.pk or session.match.programme_id != programme.pk
    ):
        raise PermissionDenied("Not this mentor's session")
    if activity_place is not None and (
        activity_place.person_id != mentor.pk
        or activity_place.activity.programme_id != programme.pk
        or activity_place.answer != Place.Answer.YES
    ):
        raise PermissionDenied("Not this mentor's place")
    if session is not None and activity_place is not None:
        raise ValidationError(
            {
                "activity_place": "Choose a session or an activity, not both. Claim twice if "
                "it was for both."
            }
        )
    if kind == ExpenseKind.MILEAGE:
        if miles is None or not (Decimal(0) < miles <= MAX_MILES):
            raise ValidationError({"miles": "Enter how many miles you drove, up to 1,000."})
        if miles != miles.quantize(Decimal("0.1")):
            raise ValidationError({"miles": "Enter miles to one decimal place, like 12.5."})
        amount = mileage_for(miles=miles, rate=card.mileage_rate)
        if amount <= 0:
            raise ValidationError({"miles": "Your programme does not pay for miles driven."})
    else:
        miles = None
        if amount is None or not (Decimal(0) < amount <= MAX_CLAIM):
            raise ValidationError({"amount": "Enter an amount between £0.01 and £10,000."})
        if amount != pence(amount):
            raise ValidationError({"amount": "Enter the amount in pounds and pence, like 12.50."})
        if not receipt and amount > card.receipt_needed_over:
            raise ValidationError(
                {"receipt": "Add a photo or PDF of your receipt. Your programme needs one."}
            )
    expense = Expense(
        programme=programme,
        mentor=mentor,
        session=session,
        activity_place=activity_place,
        kind=kind,
        spent_on=spent_on,
        description=description.strip()[:200],
        miles=miles,
        amount=amount,
        currency=card.currency,
    )
    if receipt:
        receipt_type = receipt_type or receipt_check(receipt)
        expense._receipt_type = receipt_type
        expense.receipt_type = receipt_type.content_type
        # Stored without the photo's location and other metadata.
        expense.receipt = receipt_without_metadata(receipt, receipt_type)
    expense.save()
    audit_record(
        action=AuditEvent.Action.EXPENSE_CLAIMED,
        actor=mentor,
        obj=expense,
        programme=programme,
        new={"kind": kind, "amount": amount},
    )
    return expense


def _expense_decide(*, expense: Expense, by: User, status: str, reason: str = "") -> bool:
    # Conditional update: of two coordinators deciding at once, only one finds it waiting.
    updated = Expense.objects.filter(pk=expense.pk, status=Expense.Status.CLAIMED).update(
        status=status, decided_by=by, decided_at=timezone.now(), decision_reason=reason
    )
    expense.refresh_from_db()
    return bool(updated)


@transaction.atomic
def expense_approve(*, expense: Expense, by: User) -> bool:
    """Approve a claim and add its ledger line, once. Never by the claimant."""
    check_coordinates(by, expense.programme)
    duties.check_not_own(by, expense.mentor_id, message=duties.refusal(duties.CLAIM))
    if not _expense_decide(expense=expense, by=by, status=Expense.Status.APPROVED):
        return False
    line = LedgerLine.objects.create(
        programme=expense.programme,
        mentor=expense.mentor,
        kind=LedgerLine.Kind.EXPENSE,
        category=LedgerLine.Category.EXPENSE,
        expense=expense,
        amount=expense.amount,
        currency=expense.currency,
        earned_on=expense.spent_on,
        description=f"{expense.get_kind_display()} on {expense.spent_on:%-d %B %Y}"[:200],
        created_by=by,
    )
    _wait([line])
    audit_record(
        action=AuditEvent.Action.EXPENSE_APPROVED,
        actor=by,
        obj=expense,
        programme=expense.programme,
        new={"status": expense.status, "amount": expense.amount},
    )
    return True


@transaction.atomic
def expense_reject(*, expense: Expense, by: User, reason: str) -> bool:
    check_coordinates(by, expense.programme)
    duties.check_not_own(by, expense.mentor_id, message=duties.refusal(duties.CLAIM))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the mentor understands."})
    if not _expense_decide(
        expense=expense, by=by, status=Expense.Status.REJECTED, reason=reason[:1000]
    ):
        return False
    audit_record(
        action=AuditEvent.Action.EXPENSE_REJECTED,
        actor=by,
        obj=expense,
        programme=expense.programme,
        new={"status": expense.status},
    )
    return True


@transaction.atomic
def expense_withdraw(*, expense: Expense, by: User) -> bool:
    if expense.mentor_id != by.pk:
        raise PermissionDenied("Not your claim")
    updated = Expense.objects.filter(pk=expense.pk, status=Expense.Status.CLAIMED).update(
        status=Expense.Status.WITHDRAWN
    )
    expense.refresh_from_db()
    if updated:
        audit_record(
            action=AuditEvent.Action.EXPENSE_WITHDRAWN,
            actor=by,
            obj=expense,
            programme=expense.programme,
            new={"status": expense.status},
        )
    return bool(updated)


# Advances: paid before the mentor spends, settled against the receipt afterwards


@transaction.atomic
def advance_ask(
    *,
    mentor: User,
    programme: Programme,
    kind: str,
    needed_on: date,
    description: str,
    amount: Decimal,
) -> Advance:
    """A mentor asks to be paid before they spend (a train ticket, a childminder), so they
    are not out of pocket. A coordinator decides; once approved it is paid in the next run."""
    _check_mentor_of(mentor, programme)
    if kind not in ADVANCE_KINDS:
        raise ValidationError(
            {"kind": "Mileage is paid after you drive. Claim it as an expense then."}
        )
    if needed_on < timezone.localdate():
        raise ValidationError(
            {"needed_on": "An advance is for spending still to come. Claim it as an expense."}
        )
    if needed_on > timezone.localdate() + timedelta(days=366):
        raise ValidationError({"needed_on": "Ask for an advance within a year of needing it."})
    card = RateCard.objects.in_force_on(programme, timezone.localdate())
    if card is None:
        raise ValidationError(
            "Your programme has not set its rules for expenses yet. Ask your coordinator."
        )
    if not card.allows(kind):
        raise ValidationError(
            {"kind": "Your programme does not pay this kind of expense. Ask your coordinator."}
        )
    if amount is None or not (Decimal(0) < amount <= MAX_CLAIM):
        raise ValidationError({"amount": "Enter an amount between £0.01 and £10,000."})
    if amount != pence(amount):
        raise ValidationError({"amount": "Enter the amount in pounds and pence, like 12.50."})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Say what you will spend it on."})
    advance = Advance.objects.create(
        programme=programme,
        mentor=mentor,
        kind=kind,
        needed_on=needed_on,
        description=description[:200],
        amount=amount,
        currency=card.currency,
    )
    audit_record(
        action=AuditEvent.Action.ADVANCE_ASKED,
        actor=mentor,
        obj=advance,
        programme=programme,
        new={"kind": kind, "amount": amount, "needed_on": needed_on},
    )
    return advance


@transaction.atomic
def advance_approve(*, advance: Advance, by: User) -> bool:
    """Approve an advance and add its line (kind advance), paid in the next run. Once, and
    never by the mentor who asked."""
    check_coordinates(by, advance.programme)
    duties.check_not_own(by, advance.mentor_id, message=duties.refusal(duties.ADVANCE))
    # Conditional update: of two coordinators deciding at once, only one finds it asked.
    updated = Advance.objects.filter(pk=advance.pk, status=Advance.Status.ASKED).update(
        status=Advance.Status.APPROVED, decided_by=by, decided_at=timezone.now()
    )
    advance.refresh_from_db()
    if not updated:
        return False
    line = LedgerLine.objects.create(
        programme=advance.programme,
        mentor=advance.mentor,
        kind=LedgerLine.Kind.ADVANCE,
        category=LedgerLine.Category.EXPENSE,
        advance=advance,
        amount=advance.amount,
        currency=advance.currency,
        earned_on=advance.needed_on,
        description=(
            f"Paid in advance: {advance.get_kind_display()} on {advance.needed_on:%-d %B %Y}"
        )[:200],
        created_by=by,
    )
    _wait([line])
    audit_record(
        action=AuditEvent.Action.ADVANCE_APPROVED,
        actor=by,
        obj=advance,
        programme=advance.programme,
        new={"status": advance.status, "amount": advance.amount},
    )
    notify(
        person=advance.mentor,
        kind=Kind.PAYMENT,
        event_key=f"advance:{advance.pk}:approved",
        title=f"Your advance of {money(advance.amount, advance.symbol)} was approved",
        body=(
            "It will be paid on the next pay day. Once you have spent it, settle it on "
            "your pay page with your receipt."
        ),
        url=reverse("payments:advance_detail", args=[advance.pk]),
    )
    return True


@transaction.atomic
def advance_reject(*, advance: Advance, by: User, reason: str) -> bool:
    check_coordinates(by, advance.programme)
    duties.check_not_own(by, advance.mentor_id, message=duties.refusal(duties.ADVANCE))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the mentor understands."})
    updated = Advance.objects.filter(pk=advance.pk, status=Advance.Status.ASKED).update(
        status=Advance.Status.REJECTED,
        decided_by=by,
        decided_at=timezone.now(),
        decision_reason=reason[:1000],
    )
    advance.refresh_from_db()
    if updated:
        audit_record(
            action=AuditEvent.Action.ADVANCE_REJECTED,
            actor=by,
            obj=advance,
            programme=advance.programme,
            new={"status": advance.status},
        )
        notify(
            person=advance.mentor,
            kind=Kind.PAYMENT,
            event_key=f"advance:{advance.pk}:rejected",
            title="Your advance was not approved",
            body=f"{by} said: {reason[:600]}",
            url=reverse("payments:advance_detail", args=[advance.pk]),
        )
    return bool(updated)


@transaction.atomic
def advance_settle(
    *,
    advance: Advance,
    by: User,
    spent: Decimal,
    spent_on: date,
    receipt=None,
    receipt_type=None,
) -> LedgerLine:
    """After spending it, the mentor says what they really spent, with the receipt. One
    settlement line records the difference: the rest when they spent more, a negative
    amount when they spent less (taken off their next payment, as a correction is), £0.00
    when it matched. Settled once: the conditional update on the status lets one caller
    through, and the partial unique index `ledger_advance_settled_once` backs it up."""
    if advance.mentor_id != by.pk:
        raise PermissionDenied("Not your advance")
    if advance.status == Advance.Status.SETTLED:
        raise ValidationError("This advance has already been settled.")
    if advance.status != Advance.Status.APPROVED:
        raise ValidationError("Only an approved advance can be settled.")
    if spent is None or not (Decimal(0) <= spent <= MAX_CLAIM):
        raise ValidationError({"spent": "Enter an amount between £0.00 and £10,000."})
    if spent != pence(spent):
        raise ValidationError({"spent": "Enter the amount in pounds and pence, like 12.50."})
    if spent_on is None or spent_on > timezone.localdate():
        raise ValidationError({"spent_on": "The date cannot be in the future."})
    asked_on = timezone.localtime(advance.created_at).date()
    if spent_on < asked_on:
        raise ValidationError(
            {"spent_on": f"Enter the date you spent it: {asked_on:%-d %B %Y} or later."}
        )
    card = RateCard.objects.in_force_on(advance.programme, spent_on)
    threshold = card.receipt_needed_over if card else Decimal("0.00")
    if spent > 0 and not receipt and spent > threshold:
        raise ValidationError(
            {"receipt": "Add a photo or PDF of your receipt. Your programme needs one."}
        )
    stored = None
    if receipt:
        receipt_type = receipt_type or receipt_check(receipt)
        stored = receipt_without_metadata(receipt, receipt_type)
    updated = Advance.objects.filter(pk=advance.pk, status=Advance.Status.APPROVED).update(
        status=Advance.Status.SETTLED, spent=spent, spent_on=spent_on, settled_at=timezone.now()
    )
    if not updated:
        raise ValidationError("This advance has already been settled.")
    advance.refresh_from_db()
    if stored is not None:
        advance.receipt = stored
        advance.receipt_type = receipt_type.content_type
        advance.save(update_fields=["receipt", "receipt_type"])
    difference = settlement_difference(advanced=advance.amount, spent=spent)
    if difference > 0:
        what = f"Spent {money(difference, advance.symbol)} more than the advance"
    elif difference < 0:
        what = f"Spent {money(-difference, advance.symbol)} less than the advance, owed back"
    else:
        what = "Spent what was advanced"
    line = LedgerLine(
        programme=advance.programme,
        mentor=advance.mentor,
        kind=LedgerLine.Kind.SETTLEMENT,
        category=LedgerLine.Category.EXPENSE,
        advance=advance,
        amount=difference,
        currency=advance.currency,
        earned_on=spent_on,
        description=(
            f"Advance settled: {advance.get_kind_display()} on {spent_on:%-d %B %Y}. {what}"
        )[:200],
        created_by=by,
    )
    LedgerLine.objects.bulk_create([line], ignore_conflicts=True)
    line = LedgerLine.objects.get(advance=advance, kind=LedgerLine.Kind.SETTLEMENT)
    _wait([line])
    audit_record(
        action=AuditEvent.Action.ADVANCE_SETTLED,
        actor=by,
        obj=advance,
        programme=advance.programme,
        new={"spent": spent, "difference": difference},
    )
    return line


# Bought for a mentor: recorded and shown to them, never paid to them


@transaction.atomic
def purchase_record(
    *,
    programme: Programme,
    mentor: User,
    by: User,
    kind: str,
    bought_on: date,
    description: str,
    amount: Decimal,
) -> Purchase:
    """A coordinator records something the programme bought for a mentor. It is not a
    ledger line, so it is never in a payment run or a statement's totals: the mentor sees
    it apart, as bought for them. Never by the mentor themself."""
    check_coordinates(by, programme)
    duties.check_not_own(by, mentor.pk, message=duties.refusal(duties.BOUGHT))
    _check_mentor_of(mentor, programme)
    if kind not in ADVANCE_KINDS:
        raise ValidationError({"kind": "Choose what it was for."})
    if bought_on > timezone.localdate():
        raise ValidationError({"bought_on": "The date cannot be in the future."})
    if bought_on < timezone.localdate() - timedelta(days=366):
        raise ValidationError({"bought_on": "Enter a date in the last year."})
    if amount is None or not (Decimal(0) < amount <= MAX_CLAIM) or amount != pence(amount):
        raise ValidationError({"amount": "Enter an amount between £0.01 and £10,000."})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Say what was bought."})
    card = RateCard.objects.in_force_on(programme, bought_on)
    purchase = Purchase.objects.create(
        programme=programme,
        mentor=mentor,
        kind=kind,
        bought_on=bought_on,
        description=description[:200],
        amount=amount,
        currency=card.currency if card else programme.currency,
        recorded_by=by,
    )
    audit_record(
        action=AuditEvent.Action.PURCHASE_RECORDED,
        actor=by,
        obj=purchase,
        programme=programme,
        new={"kind": kind, "amount": amount, "mentor": mentor.pk},
    )
    return purchase


# Payment preferences and the earnings alert


@transaction.atomic
def preference_set(
    *,
    mentor: User,
    method: str,
    account_name: str = "",
    sort_code: str = "",
    account_number: str = "",
    reduced_percent: int | None = None,
    charity_name: str = "",
    charity_number: str = "",
) -> PaymentPreference:
    """A new entry in the mentor's log of payment choices. Bank details are kept only when
    they are needed to pay: by bank, at a reduced fee, or to repay expenses."""
    if method not in PaymentMethod.values:
        raise ValidationError({"method": "Choose how you would like to be paid."})
    sort_code = "".join(ch for ch in sort_code if ch.isdigit())
    account_number = "".join(ch for ch in account_number if ch.isdigit())
    needs_bank = method in (PaymentMethod.BANK, PaymentMethod.REDUCED)
    errors = {}
    if needs_bank or sort_code or account_number:
        if not account_name.strip():
            errors["account_name"] = "Enter the name on the bank account."
        if len(sort_code) != 6:
            errors["sort_code"] = "Enter a sort code of 6 numbers, like 30-94-57."
        if not (6 <= len(account_number) <= 8):
            errors["account_number"] = "Enter an account number of 6 to 8 numbers."
    if method == PaymentMethod.REDUCED and not (reduced_percent and 1 <= reduced_percent <= 99):
        errors["reduced_percent"] = "Enter how much of each fee you want, from 1 to 99 percent."
    if method == PaymentMethod.CHARITY and not charity_name.strip():
        errors["charity_name"] = "Enter the name of the charity."
    if errors:
        raise ValidationError(errors)
    if not (needs_bank or sort_code or account_number):
        account_name = ""
    before = preference_current(mentor)
    preference = PaymentPreference(
        mentor=mentor,
        method=method,
        account_name=account_name.strip()[:70],
        sort_code=sort_code,
        account_number=account_number.zfill(8) if account_number else "",
        reduced_percent=reduced_percent if method == PaymentMethod.REDUCED else None,
        charity_name=charity_name.strip()[:120] if method == PaymentMethod.CHARITY else "",
        charity_number=charity_number.strip()[:20] if method == PaymentMethod.CHARITY else "",
    )
    # Compared here, in Python: the stored details are encrypted, so the database cannot.
    preference.bank_details_changed = preference.bank_details != (
        before.bank_details if before else ("", "", "")
    )
    preference.save()
    # Never the bank details: the audit log is read more widely than they are.
    audit_record(
        action=AuditEvent.Action.PAYMENT_PREFERENCE_CHANGED,
        actor=mentor,
        obj=preference,
        new={
            "method": method,
            "bank_details": bool(sort_code),
            "bank_details_changed": preference.bank_details_changed,
        },
    )
    # Every change, whatever it is: if it was not them, they find out straight away.
    notify_payment_details_changed(person=mentor, preference=preference)
    return preference


def bank_details_encrypt_again(*, batch_size: int = 500) -> int:
    """Write every stored bank detail again, so it is encrypted with the first key in
    FIELD_ENCRYPTION_KEYS (reading still tries every key). For changing keys; returns how
    many rows it wrote. Each batch is its own transaction, so a long run holds no lock."""
    count = 0
    for model, fields in (
        (PaymentPreference, ["account_name", "sort_code", "account_number"]),
        (RunPayee, ["payee_name", "sort_code", "account_number"]),
    ):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            with transaction.atomic():
                rows = list(model.objects.filter(pk__in=ids[start : start + batch_size]))
                model.objects.bulk_update(rows, fields)
            count += len(rows)
    return count


@transaction.atomic
def earnings_alert_set(*, mentor: User, monthly_amount: Decimal | None) -> EarningsAlert | None:
    """Set, change or (with None) remove the mentor's monthly earnings alert."""
    if monthly_amount is None:
        EarningsAlert.objects.filter(mentor=mentor).delete()
        return None
    if not (Decimal(1) <= monthly_amount <= Decimal(100000)):
        raise ValidationError({"monthly_amount": "Enter an amount between £1 and £100,000."})
    alert, _ = EarningsAlert.objects.update_or_create(
        mentor=mentor,
        defaults={"monthly_amount": pence(monthly_amount), "updated_at": timezone.now()},
    )
    return alert


@transaction.atomic
def benefits_settings_set(
    *,
    mentor: User,
    assessment_day: int | None,
    cap_period: str = "",
    cap_amount: Decimal | None = None,
) -> BenefitsSettings | None:
    """Save what the mentor tells us about their benefits: the day their Universal Credit
    assessment period starts (None if they do not get it), and a cap on the fees paid to
    them in each week, calendar month or assessment period (none without a period). With
    neither, nothing is kept. The next payment run goes by the cap; runs already made keep
    what they hold."""
    errors = {}
    if assessment_day is not None and not 1 <= assessment_day <= 31:
        errors["assessment_day"] = "Enter a day of the month, from 1 to 31."
    if cap_period and cap_period not in CapPeriod.values:
        errors["cap_period"] = "Choose how often the limit applies."
    if cap_period == CapPeriod.ASSESSMENT_PERIOD and assessment_day is None:
        errors["assessment_day"] = (
            "To keep your pay under a limit in each assessment period, enter the day it starts."
        )
    if cap_period and cap_amount is None:
        errors["cap_amount"] = "Enter the most you want to be paid in fees in each period."
    elif cap_period and not Decimal(1) <= cap_amount <= Decimal(100000):
        errors["cap_amount"] = "Enter an amount between £1 and £100,000."
    if errors:
        raise ValidationError(errors)
    if not cap_period:
        cap_amount = None
    if assessment_day is None and not cap_period:
        BenefitsSettings.objects.filter(mentor=mentor).delete()
        return None
    # Locked, as a payment run locks it (cap_holds): a run being made now finishes with the
    # cap it read, and the next one reads the new cap.
    existing = lock(BenefitsSettings.objects.filter(mentor=mentor)).first()
    row = existing or BenefitsSettings(mentor=mentor)
    row.assessment_day = assessment_day
    row.cap_period = cap_period
    row.cap_amount = pence(cap_amount) if cap_amount is not None else None
    row.updated_at = timezone.now()
    row.save()
    return row


def earnings_check(*, mentor_id: int) -> None:
    """Tell a mentor when the fees paid to them in a month reach the alert they set (in an
    assessment period, for someone who gets Universal Credit), and when the fees paid in a
    tax year reach £1,000. Both go by the day each payment run was paid, as benefits and
    tax do. Checked when a run is paid (run_paid_tell), for the period of today and of the
    mentor's latest payment. Once a period, and once a tax year, by the event key."""
    mentor = User.objects.filter(pk=mentor_id, is_active=True).first()
    if mentor is None:
        return
    today = timezone.localdate()
    latest = (
        RunItem.objects.filter(line__mentor=mentor, status=RunItem.Status.PAID)
        .order_by("-run__paid_on")
        .values_list("run__paid_on", flat=True)
        .first()
    )
    days = sorted({today, latest} - {None})
    url = reverse("payments:pay")
    with transaction.atomic():
        alert = EarningsAlert.objects.filter(mentor=mentor).first()
        benefits = BenefitsSettings.objects.filter(mentor=mentor).first()
        for day in days:
            if alert:
                _alert_check(mentor, alert, alert_period(benefits, day), url)
            year = tax_year_of(day)
            if fees_paid_between(mentor.pk, *tax_year_bounds(year)) >= TRADING_ALLOWANCE:
                notify(
                    person=mentor,
                    kind=Kind.EARNINGS,
                    event_key=f"trading-allowance:{year}",
                    title="Your fees paid this tax year have reached £1,000",
                    body=(
                        "Above £1,000 a year you may need to tell HMRC and fill in a Self "
                        "Assessment tax return. Your pay page explains what to do."
                    ),
                    url=url,
                )


def _alert_check(mentor: User, alert: EarningsAlert, period: tuple[date, date], url: str) -> None:
    start, end = period
    total = fees_paid_between(mentor.pk, start, end)
    if total < alert.monthly_amount:
        return
    calendar_month = start.day == 1 and (end + timedelta(days=1)).day == 1
    if calendar_month:
        key, when = f"earnings-alert:{start:%Y-%m}", f"in {start:%B %Y}"
    else:
        key = f"earnings-alert:ap:{start:%Y-%m-%d}"
        when = f"in your assessment period from {start:%-d %B} to {end:%-d %B %Y}"
    notify(
        person=mentor,
        kind=Kind.EARNINGS,
        event_key=key,
        title=f"Fees paid to you {when} have reached {money(alert.monthly_amount)}",
        body=(
            f"You asked us to tell you. So far, {money(total)} has been paid to you {when}. "
            "If this matters for your benefits, you may want to talk to your coordinator, "
            "or get independent advice, before your next session."
        ),
        url=url,
    )


# Payment runs


def _payee_method(preference, category: str) -> str | None:
    """How a line is paid under the mentor's choice, or None when it cannot be yet (no
    choice made, or no bank details to repay expenses to someone paid to a charity)."""
    if preference is None:
        return None
    method = preference.method
    if category == LedgerLine.Category.EXPENSE:
        if preference.has_bank_details:
            return PaymentMethod.BANK
        return PaymentMethod.VOUCHER if method == PaymentMethod.VOUCHER else None
    if method == PaymentMethod.REDUCED:
        return PaymentMethod.BANK
    if method == PaymentMethod.NONE:
        # Fees earned before the mentor chose no payment are still theirs.
        return PaymentMethod.BANK if preference.has_bank_details else None
    return method


def _run_method(preference, status: str | None, category: str) -> str | None:
    """How a run pays a line, after the organisation's decision on how the mentor is paid
    (EmploymentDecision): a volunteer's fees wait (None), since a volunteer is repaid
    expenses only; a payroll worker's fees go to payroll, in finance's payroll file. Their
    expenses, and everyone else's lines, go the way the mentor chose (_payee_method)."""
    method = _payee_method(preference, category)
    if method is None or category != LedgerLine.Category.FEE:
        return method
    if status == EmploymentStatus.VOLUNTEER:
        return None
    if status == EmploymentStatus.PAYROLL:
        return PAYROLL
    return method


def _payee_details(mentor: User, preference, method: str) -> dict:
    if method == PaymentMethod.CHARITY:
        return {"payee_name": preference.charity_name, "charity_number": preference.charity_number}
    if method == PaymentMethod.BANK:
        return {
            "payee_name": preference.account_name,
            "sort_code": preference.sort_code,
            "account_number": preference.account_number,
        }
    return {"payee_name": mentor.display_name or mentor.email}


@transaction.atomic
def run_create(
    *,
    programme: Programme,
    by: User | None,
    earned_before: date | None = None,
    pays_on: date | None = None,
    scheduled_for: date | None = None,
) -> PaymentRun:
    """Collect the programme's approved, unpaid lines into a new run, one payee row per
    mentor and way of paying. Two coordinators starting runs at once queue on the
    programme's row, so the second collects only what the first left; the partial unique
    index on run items is the backstop that keeps any line in one live run. With
    `earned_before`, only lines earned before that day (to pay up to a month's end).
    A run never pays the person who makes it: their own lines wait for a run made by
    another coordinator or an administrator (programmes.duties). A run the schedule
    prepares (`by` None, see run_create_scheduled) is made by nobody, so it leaves no one out.
    Fees of a mentor the organisation decided is a volunteer wait (_run_method). A mentor
    who set a cap on their pay has the fees that would take them over it, in the period the
    run pays in (`pays_on`: the scheduled day, else today, unless given), left waiting for a
    later run (cap_holds)."""
    if by is not None:
        check_coordinates(by, programme)
    lock_row(programme)
    waiting = LedgerLine.objects.filter(programme=programme).unpaid().exclude(mentor=by)
    if earned_before is not None:
        waiting = waiting.filter(earned_on__lt=earned_before)
    lines = list(waiting.select_related("mentor").order_by("mentor_id", "earned_on", "id"))
    preferences = preferences_in_force({line.mentor_id for line in lines})
    statuses = employment_statuses_in_force(
        programme.organisation_id, {line.mentor_id for line in lines}
    )
    # A cap counts only what this run would pay: not a volunteer's fees, which wait anyway.
    holds = cap_holds(
        [
            line
            for line in lines
            if line.mentor_id in preferences
            and _run_method(
                preferences[line.mentor_id], statuses.get(line.mentor_id), line.category
            )
            is not None
        ],
        pays_on=pays_on or scheduled_for or timezone.localdate(),
    )
    held = {line_id for hold in holds for line_id in hold.line_ids}
    lines = [line for line in lines if line.pk not in held]
    groups: dict[tuple[int, str], list[LedgerLine]] = defaultdict(list)
    for line in lines:
        method = _run_method(
            preferences.get(line.mentor_id), statuses.get(line.mentor_id), line.category
        )
        if method is not None:
            groups[(line.mentor_id, method)].append(line)
    # A mentor who owes money back (corrections larger than what is waiting) is left for a
    # later run, where new fees make up the difference: finance cannot pay a negative sum.
    # Lines that cancel out (a correction of a line not yet paid) wait the same way, so no
    # one is told "£0.00 has been paid to you".
    groups = {key: group for key, group in groups.items() if sum(x.amount for x in group) > 0}
    if not groups:
        nothing = "Nothing is waiting to be paid to mentors who have said how."
        if holds:
            nothing = (
                f"{nothing} Some pay is waiting because mentors asked us to keep their pay "
                "under a limit: it can be paid in a later period."
            )
        if by is not None and own_pay_waiting(programme, by):
            nothing = f"{nothing} {duties.OWN_RUN}"
        raise ValidationError(nothing)
    changed = bank_details_changed_since_paid({mentor_id for mentor_id, _ in groups})
    latest = PaymentRun.objects.filter(programme=programme).aggregate(n=Max("number"))["n"]
    number = (latest or 0) + 1
    run = PaymentRun.objects.create(
        programme=programme,
        number=number,
        created_by=by,
        currency=lines[0].currency,
        scheduled_for=scheduled_for,
    )
    items = []
    for index, ((mentor_id, method), group) in enumerate(sorted(groups.items()), start=1):
        mentor = group[0].mentor
        fees = sum((x.amount for x in group if x.category == "fee"), Decimal("0.00"))
        expenses = sum((x.amount for x in group if x.category == "expense"), Decimal("0.00"))
        payee = RunPayee.objects.create(
            run=run,
            mentor=mentor,
            method=method,
            reference=f"{run.reference}-{index:03d}",
            fees=fees,
            expenses=expenses,
            total=fees + expenses,
            bank_details_changed_at=(
                changed.get(mentor_id) if method == PaymentMethod.BANK else None
            ),
            employment_status=statuses.get(mentor_id, ""),
            **_payee_details(mentor, preferences[mentor_id], method),
        )
        items += [RunItem(run=run, payee=payee, line=line) for line in group]
    RunItem.objects.bulk_create(items)
    # Off the waiting list: these lines are on their way.
    WaitingLine.objects.filter(line__in=[item.line for item in items]).delete()
    run_holds_record(run=run, holds=holds)
    audit_record(
        action=AuditEvent.Action.PAYMENT_RUN_CREATED,
        actor=by,
        obj=run,
        programme=programme,
        new={
            "lines": len(items),
            "total": sum((x.line.amount for x in items), Decimal("0.00")),
            "held": sum((hold.amount for hold in holds), Decimal("0.00")),
            "scheduled_for": scheduled_for,
        },
    )
    return run


@dataclass
class CapHold:
    """What a mentor's cap holds back from a run: which fee lines, and over which period."""

    mentor: User
    line_ids: list[int]
    amount: Decimal
    period: tuple[date, date]
    cap: Decimal
    larger_than_cap: bool  # one line alone is more than the cap: it can never be paid under it


def cap_holds(lines: list[LedgerLine], *, pays_on: date) -> list[CapHold]:
    """For each mentor of `lines` who set a cap, the fee lines that would take the fees paid
    to them in the period `pays_on` falls in over it (money.over_cap decides which). What
    was paid in that period counts, in any programme, and so does every run not yet paid,
    wherever it will be paid: a run made before the period began may be paid in it.
    Expenses are never held: they are not earnings.

    The mentors' settings rows are locked, in order, so two runs (of this programme or
    another the mentor is paid by) that would both pay them take turns, and the second
    counts what the first took."""
    mentor_ids = sorted({line.mentor_id for line in lines})
    capped = list(
        lock(
            BenefitsSettings.objects.filter(
                mentor_id__in=mentor_ids, cap_amount__isnull=False
            ).order_by("pk")
        )
    )
    holds = []
    for settings_row in capped:
        period = period_of(pays_on, settings_row.cap_period, settings_row.assessment_day)
        fees = [
            line
            for line in lines
            if line.mentor_id == settings_row.mentor_id and line.category == LedgerLine.Category.FEE
        ]
        room = (
            settings_row.cap_amount
            - fees_paid_between(settings_row.mentor_id, *period)
            - fees_on_their_way(settings_row.mentor_id)
        )
        held = set(over_cap([(line.pk, line.amount) for line in fees], room=room))
        if not held:
            continue
        held_lines = [line for line in fees if line.pk in held]
        holds.append(
            CapHold(
                mentor=held_lines[0].mentor,
                line_ids=[line.pk for line in held_lines],
                amount=sum((line.amount for line in held_lines), Decimal("0.00")),
                period=period,
                cap=settings_row.cap_amount,
                larger_than_cap=any(line.amount > settings_row.cap_amount for line in held_lines),
            )
        )
    return holds


def run_holds_record(*, run: PaymentRun, holds: list[CapHold]) -> None:
    """Note on the run what each mentor's cap held back, and tell the mentor. (Part of
    run_create's transaction.)"""
    symbol = SYMBOLS.get(run.currency, "")
    for hold in holds:
        RunHold.objects.create(
            run=run,
            mentor=hold.mentor,
            lines=len(hold.line_ids),
            amount=hold.amount,
            period_start=hold.period[0],
            period_end=hold.period[1],
        )
        start, end = hold.period
        body = (
            f"You asked us to keep your fees under {money(hold.cap, symbol)} in each period. "
            f"To keep the period from {start:%-d %B %Y} to {end:%-d %B %Y} under it, "
            f"{money(hold.amount, symbol)} of your fees will wait for a later pay day. "
            "Nothing is lost: it is paid once it fits under your limit."
        )
        if hold.larger_than_cap:
            body += (
                " One payment is larger than your limit on its own, so it cannot be paid "
                "under it: you could raise your limit, or talk to your coordinator."
            )
        notify(
            person=hold.mentor,
            kind=Kind.PAYMENT,
            event_key=f"run:{run.pk}:held:{hold.mentor.pk}",
            title="Some of your pay will wait, to keep you under your limit",
            body=body,
            url=reverse("payments:pay"),
        )


def own_pay_waiting(programme: Programme, person: User) -> bool:
    """Whether `person` has pay of their own waiting in `programme`, which a run they make
    leaves for someone else's run."""
    return LedgerLine.objects.filter(programme=programme, mentor=person).unpaid().exists()


def check_not_payee(run: PaymentRun, by: User) -> None:
    """Nobody marks a run paid, takes a payment out of it or marks one failed when they are
    paid in it."""
    duties.check_not_own(
        by,
        *RunPayee.objects.filter(run=run, mentor=by).values_list("mentor_id", flat=True),
        message=duties.refusal(duties.PAID_IN_RUN),
    )


@transaction.atomic
def run_mark_paid(*, run: PaymentRun, by: User, paid_on: date) -> bool:
    """Finance has paid the run: record the day, and for each line how many days it took
    from the session (or spending) to payment. Once only; never by someone it pays."""
    check_coordinates(by, run.programme)
    check_not_payee(run, by)
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "The payment date cannot be in the future."})
    if paid_on < timezone.localtime(run.created_at).date():
        raise ValidationError({"paid_on": "The payment date cannot be before the run was made."})
    updated = PaymentRun.objects.filter(pk=run.pk, status=PaymentRun.Status.READY).update(
        status=PaymentRun.Status.PAID, paid_on=paid_on, paid_by=by
    )
    run.refresh_from_db()
    if not updated:
        return False
    RunPayee.objects.filter(run=run, status=RunPayee.Status.READY).update(
        status=RunPayee.Status.PAID
    )
    items = list(
        RunItem.objects.filter(run=run, status=RunItem.Status.INCLUDED).select_related("line")
    )
    for item in items:
        item.status = RunItem.Status.PAID
        item.days_to_payment = max((paid_on - item.line.earned_on).days, 0)
    RunItem.objects.bulk_update(items, ["status", "days_to_payment"], batch_size=500)
    audit_record(
        action=AuditEvent.Action.PAYMENT_RUN_PAID,
        actor=by,
        obj=run,
        programme=run.programme,
        new={"paid_on": paid_on},
    )
    from payments.tasks import tell_mentors_paid

    run_id = run.pk
    enqueue(tell_mentors_paid, run_id)
    return True


def run_paid_tell(*, run_id: int) -> None:
    """Tell each mentor a paid run paid, what and when. Once per payee, by the event key."""
    run = PaymentRun.objects.select_related("programme").filter(pk=run_id).first()
    if run is None or run.status != PaymentRun.Status.PAID:
        return
    symbol = SYMBOLS.get(run.currency, "")
    with transaction.atomic():
        payees = list(
            RunPayee.objects.filter(run=run, status=RunPayee.Status.PAID).select_related("mentor")
        )
        for payee in payees:
            notify(
                person=payee.mentor,
                kind=Kind.PAYMENT,
                event_key=f"run:{run.pk}:payee:{payee.pk}:paid",
                title=f"{money(payee.total, symbol)} has been paid to you",
                body=(
                    f"{run.programme.name} paid you on {run.paid_on:%-d %B %Y} "
                    f"({payee.get_method_display().lower()}). Your statement shows every "
                    "session and expense it covers."
                ),
                url=reverse("payments:pay_run_statement", args=[run.pk]),
            )
        # What was just paid counts towards their alert and the £1,000 notice.
        for mentor_id in sorted({payee.mentor_id for payee in payees}):
            earnings_check(mentor_id=mentor_id)


def _payee_lines_wait(payee: RunPayee, status: str) -> None:
    """A payment that failed or was taken out: its items leave the run and its lines go
    back on the waiting list, for the next run."""
    RunItem.objects.filter(payee=payee).update(status=status, days_to_payment=None)
    _wait(LedgerLine.objects.filter(run_items__payee=payee))


@transaction.atomic
def run_payee_fail(*, payee: RunPayee, by: User, reason: str) -> bool:
    """Finance paid the run, but this payment did not reach the mentor (an account closed,
    say): its lines go back to wait for the next run. Only once the run is paid: before
    that, a payment that should not go is taken out of the run (run_payee_remove), so the
    lines are never in two finance files at once."""
    check_coordinates(by, payee.run.programme)
    check_not_payee(payee.run, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what went wrong, such as 'account closed'."})
    # Conditional update: only a payment that was made can fail, once. A run being marked
    # paid at the same moment turns its payees to paid first, or this finds none.
    updated = RunPayee.objects.filter(pk=payee.pk, status=RunPayee.Status.PAID).update(
        status=RunPayee.Status.FAILED, failed_reason=reason[:300]
    )
    payee.refresh_from_db()
    if not updated:
        if payee.status == RunPayee.Status.READY:
            raise ValidationError(
                "This run has not been paid yet. To stop this payment, take it out of the run."
            )
        return False
    _payee_lines_wait(payee, RunItem.Status.FAILED)
    audit_record(
        action=AuditEvent.Action.PAYMENT_FAILED,
        actor=by,
        obj=payee.run,
        programme=payee.run.programme,
        new={"payee": payee.pk},
    )
    from payments.tasks import tell_mentor_failed

    payee_id = payee.pk
    enqueue(tell_mentor_failed, payee_id)
    return True


def payee_failed_tell(*, payee_id: int) -> None:
    """Tell a mentor a payment to them did not go through. Once, by the event key."""
    payee = RunPayee.objects.select_related("run__programme", "mentor").filter(pk=payee_id).first()
    if payee is None or payee.status != RunPayee.Status.FAILED:
        return
    notify(
        person=payee.mentor,
        kind=Kind.PAYMENT,
        event_key=f"payee:{payee.pk}:failed",
        title="A payment to you did not go through",
        body=(
            "Please check how you want to be paid, and your bank details if you gave them. "
            "We will pay you on the next pay day."
        ),
        url=reverse("payments:payment_preference"),
    )


@transaction.atomic
def run_payee_remove(*, payee: RunPayee, by: User, reason: str, finance_told: bool = False) -> bool:
    """Take a payee out of a run that finance has not paid yet: the finance file no longer
    lists them, and their lines wait for the next run."""
    check_coordinates(by, payee.run.programme)
    check_not_payee(payee.run, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter a reason, so other coordinators know why."})
    exported = run_exported(payee.run)
    if exported and not finance_told:
        # Finance may pay from the file they have, and the lines would be paid again in the
        # next run: the payment is taken out only once finance has been told.
        raise ValidationError(
            {"finance_told": "Tick this once you have told finance not to pay it from the file."}
        )
    # Conditional update on the payee and its run: marking the run paid at the same moment
    # turns this payee to paid first (then nothing is taken out), or finds it taken out.
    updated = RunPayee.objects.filter(
        pk=payee.pk, status=RunPayee.Status.READY, run__status=PaymentRun.Status.READY
    ).update(status=RunPayee.Status.REMOVED, removed_reason=reason[:300])
    payee.refresh_from_db()
    if not updated:
        if payee.status != RunPayee.Status.REMOVED:
            raise ValidationError(
                "This run has already been paid. If this payment did not reach the mentor, "
                "mark it as failed."
            )
        return False
    _payee_lines_wait(payee, RunItem.Status.REMOVED)
    audit_record(
        action=AuditEvent.Action.PAYMENT_REMOVED,
        actor=by,
        obj=payee.run,
        programme=payee.run.programme,
        new={
            "payee": payee.pk,
            "total": payee.total,
            "reason": reason[:300],
            "finance_told": exported and finance_told,
        },
    )
    return True


# The organisation's decision on how each mentor is paid


@transaction.atomic
def employment_status_record(
    *,
    mentor: User,
    programme: Programme,
    status: str,
    decided_on: date,
    by: User,
    note: str = "",
) -> EmploymentDecision:
    """Record the organisation's decision on how `mentor` is paid: a volunteer (expenses
    only), a fee as a self-employed person, or a worker through payroll. A new row in the
    mentor's log with the organisation, never a change to one; the latest is in force from
    the next payment run. Recorded by a coordinator or administrator of one of the
    organisation's programmes, never by the mentor themself. The mentor is told."""
    check_coordinates(by, programme)
    duties.check_not_own(by, mentor.pk, message=duties.refusal(duties.EMPLOYMENT))
    if not Membership.objects.experts().filter(programme=programme, person=mentor).exists():
        raise PermissionDenied("Not a mentor of this programme")
    if status not in EmploymentStatus.values:
        raise ValidationError({"status": "Choose how the organisation has decided to pay them."})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "The date of the decision cannot be in the future."})
    decision = EmploymentDecision.objects.create(
        mentor=mentor,
        organisation=programme.organisation,
        status=status,
        decided_on=decided_on,
        decided_by=by,
        note=(note or "").strip()[:300],
    )
    audit_record(
        action=AuditEvent.Action.EMPLOYMENT_STATUS_RECORDED,
        actor=by,
        obj=decision,
        programme=programme,
        new={"mentor": mentor.pk, "status": status, "decided_on": decided_on},
    )
    notify(
        person=mentor,
        # A change to how someone is paid: always emailed, as a change of payment choice is.
        kind=Kind.PAYMENT_DETAILS,
        event_key=f"employment-decision:{decision.pk}",
        title=f"{programme.organisation.name} has recorded how it pays you",
        body=f"{employment_status_words(status, programme.organisation.name)} Your pay page "
        "explains it. If you think it is wrong, talk to your coordinator.",
        url=reverse("payments:pay"),
    )
    return decision


# Scheduled payment runs


@transaction.atomic
def payment_schedule_set(
    *, programme: Programme, by: User, frequency: str, first_run_on: date | None
) -> PaymentSchedule:
    """Set when the programme's payment runs are prepared: every week, two weeks or month
    from `first_run_on`, or (frequency "") only when a coordinator starts one."""
    check_coordinates(by, programme)
    if frequency not in PaymentSchedule.Frequency.values:
        raise ValidationError({"frequency": "Choose how often to pay."})
    schedule = PaymentSchedule.objects.filter(programme=programme).first()
    before = (schedule.frequency, schedule.first_run_on) if schedule else ("", None)
    if not frequency:
        first_run_on = None
    elif first_run_on is None:
        raise ValidationError({"first_run_on": "Enter the date of the first pay day."})
    elif (frequency, first_run_on) != before:
        if first_run_on < programme_today(programme):
            raise ValidationError(
                {"first_run_on": "The first pay day can be today or later, not in the past."}
            )
        if frequency == MONTHLY and first_run_on.day > LAST_MONTHLY_DAY:
            raise ValidationError(
                {
                    "first_run_on": "For a monthly run, pick a day from the 1st to the 28th, "
                    "so that every month has it."
                }
            )
    schedule, _ = PaymentSchedule.objects.update_or_create(
        programme=programme,
        defaults={
            "frequency": frequency,
            "first_run_on": first_run_on,
            "updated_by": by,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        action=AuditEvent.Action.PAYMENT_SCHEDULE_CHANGED,
        actor=by,
        obj=schedule,
        programme=programme,
        old={"frequency": before[0], "first_run_on": before[1]},
        new={"frequency": frequency, "first_run_on": first_run_on},
    )
    return schedule


@transaction.atomic
def run_create_scheduled(*, programme: Programme, scheduled_for: date) -> PaymentRun | None:
    """Prepare the run of the programme's schedule for `scheduled_for`: what was earned
    before that day, made by nobody, for a coordinator to check and export. One run per
    scheduled day: two schedulers starting it at once queue on the programme's row, and the
    unique index on (programme, scheduled_for) is the backstop, so the second finds the
    first and makes nothing. None when it was made already, or nothing is waiting."""
    lock_row(programme)
    if PaymentRun.objects.filter(programme=programme, scheduled_for=scheduled_for).exists():
        return None
    try:
        run = run_create(
            programme=programme,
            by=None,
            earned_before=scheduled_for,
            scheduled_for=scheduled_for,
        )
    except ValidationError:
        return None  # nothing waiting to be paid: no run, and no one to tell
    run_prepared_tell(run=run)
    return run


def run_prepared_tell(*, run: PaymentRun) -> None:
    """Tell the programme's coordinators (or, with none, its administrators) that the
    schedule prepared a run for them to check and export. Once each, by the event key."""
    programme = run.programme
    people = list(
        User.objects.filter(
            is_active=True,
            memberships__programme=programme,
            memberships__role=Role.COORDINATOR,
            memberships__ended_at__isnull=True,
        ).distinct()
    ) or list(
        User.objects.filter(
            is_active=True, administrator_of__organisation_id=programme.organisation_id
        ).distinct()
    )
    payees = RunPayee.objects.filter(run=run).live()
    total = payees.aggregate(total=Sum("total"))["total"] or Decimal("0.00")
    count = payees.values("mentor").distinct().count()
    volunteers = volunteer_fees_waiting(programme)
    held = (
        f" Fees of {len(volunteers)} volunteer{'s' if len(volunteers) != 1 else ''} are not "
        "in it: they are paid expenses only."
        if volunteers
        else ""
    )
    for person in people:
        notify(
            person=person,
            kind=Kind.PAYMENT_RUN_READY,
            event_key=f"run:{run.pk}:prepared",
            title=f"Pay day {run.reference} is ready for you to check",
            body=(
                f"The payment schedule of {programme.name} prepared it: "
                f"{money(total, run.symbol)} for {count} mentor{'s' if count != 1 else ''}."
                f"{held} Check it, export it for finance, then mark it paid."
            ),
            url=reverse("payments:coordinator_run", args=[programme.slug, run.pk]),
        )


def scheduled_runs_prepare(*, today: date | None = None) -> list[PaymentRun]:
    """Prepare every run that programmes' schedules say is due: the latest scheduled day up
    to today, in each programme's time zone. Run every hour by beat; safe to run twice, or
    at once in two workers (run_create_scheduled). A day missed while nothing ran is
    prepared when the scheduler runs again, until the next day comes."""
    prepared = []
    for schedule in PaymentSchedule.objects.exclude(frequency="").select_related(
        "programme__organisation"
    ):
        programme = schedule.programme
        due = scheduled_run_due(schedule, today or programme_today(programme))
        if due is None:
            continue
        if PaymentRun.objects.filter(programme=programme, scheduled_for=due).exists():
            continue
        run = run_create_scheduled(programme=programme, scheduled_for=due)
        if run is not None:
            prepared.append(run)
    return prepared


# What is kept, and for how long (settings PAYMENT_RECONCILIATION_DAYS and
# PAYMENT_RECORDS_KEEP_YEARS; the delete-account page says the same in words).

# Coordinators' reasons are free text that may name the person: replaced, not kept.
REASON_NOT_KEPT = "Not kept: the person deleted their account."


def run_bank_details_drop(*, today: date | None = None) -> int:
    """Take the bank details out of payment runs paid more than the reconciliation period
    ago: finance has had time to find a payment that did not arrive, and the mentor's
    current details are in their payment choice. Safe to run twice: a payee is done once.
    Returns how many payee rows it changed."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.PAYMENT_RECONCILIATION_DAYS)
    due = RunPayee.objects.filter(
        run__status=PaymentRun.Status.PAID,
        run__paid_on__lt=cutoff,
        bank_details_dropped_at__isnull=True,
    )
    runs = list(PaymentRun.objects.filter(payees__in=due).distinct().select_related("programme"))
    changed = 0
    for run in runs:
        with transaction.atomic():
            # Conditional on not done yet: two sweeps at once change each row once.
            count = due.filter(run=run).update(
                sort_code="", account_number="", bank_details_dropped_at=timezone.now()
            )
            if count:
                audit_record(
                    action=AuditEvent.Action.BANK_DETAILS_DROPPED,
                    obj=run,
                    programme=run.programme,
                    new={"payees": count, "paid_on": run.paid_on},
                )
            changed += count
    return changed


def retention_start(today: date | None = None) -> date:
    """Payment records from before this day are past the retention period: the law asks
    for them to be kept for PAYMENT_RECORDS_KEEP_YEARS after the end of their tax year."""
    today = today or timezone.localdate()
    return tax_year_bounds(tax_year_of(today) - settings.PAYMENT_RECORDS_KEEP_YEARS)[0]


def payment_records_anonymise(*, today: date | None = None) -> int:
    """For people who deleted their account: once their payments are past the retention
    period, take out the name they were paid to, any bank details left, and coordinators'
    reasons. The amounts, dates and run references stay, so totals still add up. Safe to
    run twice. Returns how many payee rows it changed."""
    start = retention_start(today)
    made_before = timezone.make_aware(datetime.combine(start, time.min))
    due = RunPayee.objects.filter(
        Q(run__paid_on__lt=start) | Q(run__paid_on__isnull=True, run__created_at__lt=made_before),
        mentor__deleted_at__isnull=False,
        anonymised_at__isnull=True,
    )
    changed = 0
    for mentor_id in list(due.values_list("mentor_id", flat=True).distinct()):
        with transaction.atomic():
            mine = due.filter(mentor_id=mentor_id)
            mine.exclude(failed_reason="").update(failed_reason=REASON_NOT_KEPT)
            mine.exclude(removed_reason="").update(removed_reason=REASON_NOT_KEPT)
            count = mine.update(
                payee_name="",
                sort_code="",
                account_number="",
                bank_details_dropped_at=Coalesce("bank_details_dropped_at", Now()),
                anonymised_at=timezone.now(),
            )
            if count:
                audit_record(
                    action=AuditEvent.Action.PAYMENT_RECORDS_ANONYMISED,
                    obj=User.objects.get(pk=mentor_id),
                    new={"payees": count, "before": start},
                )
            changed += count
    return changed


def receipts_delete(*, person: User) -> int:
    """Delete the receipt files of someone who deleted their account, and the note of them.
    Run after the deletion commits (a failed deletion must leave the files); safe to run
    twice, and the daily tidy-up runs it again for anyone whose files are left."""
    storage = receipt_storage()
    deleted = 0
    for model in (Expense, Advance):
        for row in model.objects.filter(mentor=person).exclude(receipt=""):
            storage.delete(row.receipt.name)
            model.objects.filter(pk=row.pk).update(receipt="", receipt_type="")
            deleted += 1
    return deleted


def expenses_of_deleted_person_clear(*, person: User) -> None:
    """What someone wrote about their expenses goes with their account, as do coordinators'
    reasons for turning a claim down; what was claimed, when and for how much stays with
    the payment records. The receipt files follow once the deletion commits."""
    expenses = Expense.objects.filter(mentor=person)
    expenses.update(description="")
    expenses.filter(status=Expense.Status.REJECTED).update(decision_reason=REASON_NOT_KEPT)
    expenses.exclude(status=Expense.Status.REJECTED).update(decision_reason="")
    advances = Advance.objects.filter(mentor=person)
    advances.update(description="")
    advances.filter(status=Advance.Status.REJECTED).update(decision_reason=REASON_NOT_KEPT)
    advances.exclude(status=Advance.Status.REJECTED).update(decision_reason="")
    Purchase.objects.filter(mentor=person).update(description="")
    from payments.tasks import delete_receipts

    enqueue(delete_receipts, person.pk)
