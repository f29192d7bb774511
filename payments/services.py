"""Everything that writes money: rate cards, ledger lines, expenses, payment preferences and
payment runs. Each service runs in a transaction, writes its audit row there, and sends its
messages only once the transaction commits."""

from collections import defaultdict
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
from core.locks import lock_row
from mentoring.models import Session
from notifications.models import Kind
from notifications.services import notify, notify_payment_details_changed
from payments.models import (
    ACTIVITY_KINDS,
    SESSION_KINDS,
    SYMBOLS,
    ActivityRate,
    EarningsAlert,
    Expense,
    ExpenseKind,
    LedgerLine,
    PaymentMethod,
    PaymentPreference,
    PaymentRun,
    RateCard,
    RunItem,
    RunPayee,
    WaitingLine,
    receipt_storage,
)
from payments.money import (
    TRADING_ALLOWANCE,
    fee_for,
    half_day_fee_for,
    half_days_in,
    mileage_for,
    money,
    pence,
    share_of,
    tax_year_bounds,
    tax_year_of,
)
from payments.receipts import receipt_check, receipt_without_metadata
from payments.selectors import (
    activity_day,
    approved_without_lines,
    attended_without_lines,
    bank_details_changed_since_paid,
    preference_current,
    preferences_in_force,
    run_exported,
    session_day,
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
    if added:
        from payments.tasks import check_earnings

        mentor_id = match.mentor_id
        enqueue(check_earnings, mentor_id)
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
        .filter(person=mentor, programme=programme, role=Role.MENTOR)
        .exists()
    ):
        raise PermissionDenied("Not a mentor of this programme")


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


def earnings_check(*, mentor_id: int) -> None:
    """Tell a mentor when this month's fees reach the alert they set, and when the tax
    year's fees reach £1,000. Once a month, and once a tax year, by the event key."""
    mentor = User.objects.filter(pk=mentor_id, is_active=True).first()
    if mentor is None:
        return
    today = timezone.localdate()
    fees = LedgerLine.objects.filter(mentor=mentor, category=LedgerLine.Category.FEE)
    url = reverse("payments:pay")
    with transaction.atomic():
        alert = EarningsAlert.objects.filter(mentor=mentor).first()
        if alert:
            month = fees.filter(earned_on__gte=today.replace(day=1))
            total = month.aggregate(total=Sum("amount"))["total"] or 0
            if total >= alert.monthly_amount:
                notify(
                    person=mentor,
                    kind=Kind.EARNINGS,
                    event_key=f"earnings-alert:{today:%Y-%m}",
                    title=f"Your fees this month have reached {money(alert.monthly_amount)}",
                    body=(
                        f"You asked us to tell you. So far this month: {money(total)}. "
                        "If this matters for your benefits, you may want to talk to your "
                        "coordinator before your next session."
                    ),
                    url=url,
                )
        year = tax_year_of(today)
        start, end = tax_year_bounds(year)
        in_year = fees.filter(earned_on__range=(start, end))
        year_total = in_year.aggregate(total=Sum("amount"))["total"] or 0
        if year_total >= TRADING_ALLOWANCE:
            notify(
                person=mentor,
                kind=Kind.EARNINGS,
                event_key=f"trading-allowance:{year}",
                title="Your fees this tax year have reached £1,000",
                body=(
                    "Above £1,000 a year you may need to tell HMRC and fill in a Self "
                    "Assessment tax return. Your pay page explains what to do."
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
def run_create(*, programme: Programme, by: User, earned_before: date | None = None) -> PaymentRun:
    """Collect the programme's approved, unpaid lines into a new run, one payee row per
    mentor and way of paying. Two coordinators starting runs at once queue on the
    programme's row, so the second collects only what the first left; the partial unique
    index on run items is the backstop that keeps any line in one live run. With
    `earned_before`, only lines earned before that day (to pay up to a month's end).
    A run never pays the person who makes it: their own lines wait for a run made by
    another coordinator or an administrator (programmes.duties)."""
    check_coordinates(by, programme)
    lock_row(programme)
    waiting = LedgerLine.objects.filter(programme=programme).unpaid().exclude(mentor=by)
    if earned_before is not None:
        waiting = waiting.filter(earned_on__lt=earned_before)
    lines = list(waiting.select_related("mentor").order_by("mentor_id", "earned_on", "id"))
    preferences = preferences_in_force({line.mentor_id for line in lines})
    groups: dict[tuple[int, str], list[LedgerLine]] = defaultdict(list)
    for line in lines:
        method = _payee_method(preferences.get(line.mentor_id), line.category)
        if method is not None:
            groups[(line.mentor_id, method)].append(line)
    # A mentor who owes money back (corrections larger than what is waiting) is left for a
    # later run, where new fees make up the difference: finance cannot pay a negative sum.
    # Lines that cancel out (a correction of a line not yet paid) wait the same way, so no
    # one is told "£0.00 has been paid to you".
    groups = {key: group for key, group in groups.items() if sum(x.amount for x in group) > 0}
    if not groups:
        nothing = "Nothing is waiting to be paid to mentors who have said how."
        if own_pay_waiting(programme, by):
            nothing = f"{nothing} {duties.OWN_RUN}"
        raise ValidationError(nothing)
    changed = bank_details_changed_since_paid({mentor_id for mentor_id, _ in groups})
    latest = PaymentRun.objects.filter(programme=programme).aggregate(n=Max("number"))["n"]
    number = (latest or 0) + 1
    run = PaymentRun.objects.create(
        programme=programme, number=number, created_by=by, currency=lines[0].currency
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
            **_payee_details(mentor, preferences[mentor_id], method),
        )
        items += [RunItem(run=run, payee=payee, line=line) for line in group]
    RunItem.objects.bulk_create(items)
    # Off the waiting list: these lines are on their way.
    WaitingLine.objects.filter(line__in=[item.line for item in items]).delete()
    audit_record(
        action=AuditEvent.Action.PAYMENT_RUN_CREATED,
        actor=by,
        obj=run,
        programme=programme,
        new={"lines": len(items), "total": sum((x.line.amount for x in items), Decimal("0.00"))},
    )
    return run


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
        for payee in RunPayee.objects.filter(run=run, status=RunPayee.Status.PAID).select_related(
            "mentor"
        ):
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
            "We will pay you in the next payment run."
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
    for expense in Expense.objects.filter(mentor=person).exclude(receipt=""):
        storage.delete(expense.receipt.name)
        Expense.objects.filter(pk=expense.pk).update(receipt="", receipt_type="")
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
    from payments.tasks import delete_receipts

    enqueue(delete_receipts, person.pk)
