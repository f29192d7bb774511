"""Reading money: what a mentor has earned and been paid, what a programme still owes, and
how long payments take. Totals are summed in the database, never by looping over rows."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import AuditEvent
from activities.models import Place
from payments.models import (
    SYMBOLS,
    EarningsAlert,
    Expense,
    LedgerLine,
    PaymentMethod,
    PaymentPreference,
    PaymentRun,
    RateCard,
    RunItem,
    RunPayee,
    WaitingLine,
)
from payments.money import TRADING_ALLOWANCE, tax_year_bounds, tax_year_label, tax_year_of

ZERO = Decimal("0.00")


def session_day(session) -> date:
    """The day a session happened, where the programme is: what its pay goes by."""
    zone = ZoneInfo(session.match.programme.time_zone)
    return timezone.localtime(session.starts_at, zone).date()


def preference_current(mentor) -> PaymentPreference | None:
    """How the mentor is paid now: the latest choice in their log, or None if they have
    not chosen. The log is the one record of it; the profile holds none."""
    return PaymentPreference.objects.filter(mentor=mentor).first()


def preferences_in_force(mentor_ids) -> dict[int, PaymentPreference]:
    """Each mentor's latest choice, in one query."""
    latest = PaymentPreference.objects.filter(mentor=OuterRef("mentor")).values("pk")[:1]
    return {
        preference.mentor_id: preference
        for preference in PaymentPreference.objects.filter(
            mentor_id__in=mentor_ids, pk=Subquery(latest)
        )
    }


def bank_details_changed_since_paid(mentor_ids) -> dict[int, object]:
    """For each mentor whose bank details changed after the last payment run that paid
    them, when they changed. A mentor never paid before is not in it: there is nothing
    to compare with. Two queries."""
    changes = dict(
        PaymentPreference.objects.filter(mentor_id__in=mentor_ids, bank_details_changed=True)
        .values("mentor_id")
        .annotate(at=Max("chosen_at"))
        .values_list("mentor_id", "at")
    )
    last_paid = dict(
        RunPayee.objects.paid()
        .filter(mentor_id__in=changes)
        .values("mentor_id")
        .annotate(at=Max("run__created_at"))
        .values_list("mentor_id", "at")
    )
    return {
        mentor_id: at
        for mentor_id, at in changes.items()
        if mentor_id in last_paid and at > last_paid[mentor_id]
    }


def rate_card_today(programme) -> RateCard | None:
    return RateCard.objects.in_force_on(programme, timezone.localdate())


def lines_with_status(queryset):
    """Ledger lines with where each stands: `paid_on` (the run's payment day) once paid,
    `on_its_way` while in a run not yet paid, and whether it has been corrected."""
    live = RunItem.objects.filter(line=OuterRef("pk")).exclude(status__in=RunItem.GONE)
    return queryset.annotate(
        paid_on=Subquery(live.filter(status=RunItem.Status.PAID).values("run__paid_on")[:1]),
        run_reference_id=Subquery(live.values("run_id")[:1]),
        on_its_way=Exists(live.filter(status=RunItem.Status.INCLUDED)),
        corrected=Exists(LedgerLine.objects.filter(reverses=OuterRef("pk"))),
    )


def _totals(queryset) -> dict[str, Decimal]:
    figures = queryset.aggregate(
        fees=Sum("amount", filter=Q(category=LedgerLine.Category.FEE)),
        expenses=Sum("amount", filter=Q(category=LedgerLine.Category.EXPENSE)),
    )
    return {key: value or ZERO for key, value in figures.items()}


@dataclass
class Statement:
    """A mentor's money over a period: fees apart from expenses, by month, every line."""

    mentor: object
    label: str
    start: date
    end: date
    fees: Decimal
    expenses: Decimal
    paid: Decimal
    months: list[dict]
    lines: list
    symbol: str = "£"
    extra: dict = field(default_factory=dict)

    @property
    def waiting(self) -> Decimal:
        return self.fees + self.expenses - self.paid


def statement_for(mentor, *, start: date, end: date, label: str, lines=None) -> Statement:
    """Everything earned and claimed from `start` to `end` (or just the given lines)."""
    base = LedgerLine.objects.filter(mentor=mentor)
    base = base.filter(pk__in=lines) if lines is not None else base
    base = base.filter(earned_on__range=(start, end))
    totals = _totals(base)
    paid = base.filter(run_items__status=RunItem.Status.PAID).aggregate(total=Sum("amount"))
    months = list(
        base.annotate(month=TruncMonth("earned_on"))
        .values("month")
        .annotate(
            fees=Sum("amount", filter=Q(category=LedgerLine.Category.FEE)),
            expenses=Sum("amount", filter=Q(category=LedgerLine.Category.EXPENSE)),
        )
        .order_by("month")
    )
    rows = list(
        lines_with_status(base.select_related("session", "expense", "activity_place")).order_by(
            "earned_on", "id"
        )
    )
    symbol = SYMBOLS.get(rows[0].currency, "£") if rows else "£"
    return Statement(
        mentor=mentor,
        label=label,
        start=start,
        end=end,
        fees=totals["fees"],
        expenses=totals["expenses"],
        paid=paid["total"] or ZERO,
        months=[
            {"month": m["month"], "fees": m["fees"] or ZERO, "expenses": m["expenses"] or ZERO}
            for m in months
        ],
        lines=rows,
        symbol=symbol,
    )


def tax_year_statement(mentor, year: int) -> Statement:
    start, end = tax_year_bounds(year)
    return statement_for(mentor, start=start, end=end, label=f"the tax year {tax_year_label(year)}")


def run_statement(mentor, run: PaymentRun) -> Statement:
    """The mentor's lines in one payment run."""
    ids = RunItem.objects.filter(run=run, payee__mentor=mentor).values("line_id")
    return statement_for(
        mentor,
        start=date(2000, 1, 1),
        end=date(2999, 12, 31),
        label=f"payment run {run.reference}",
        lines=ids,
    )


def tax_years_of(mentor) -> list[int]:
    """Tax years the mentor has lines in, newest first, always with the current one."""
    found = LedgerLine.objects.filter(mentor=mentor).aggregate(first=Min("earned_on"))["first"]
    current = tax_year_of(timezone.localdate())
    first = tax_year_of(found) if found else current
    return list(range(current, min(first, current) - 1, -1))


def first_payment_ahead(mentor) -> bool:
    """No paid session yet: the time to show the benefits information."""
    return not LedgerLine.objects.filter(mentor=mentor, category="fee", amount__gt=0).exists()


def mentor_pay(mentor, year: int | None = None) -> dict:
    """What the mentor's pay page shows."""
    today = timezone.localdate()
    year = year if year is not None else tax_year_of(today)
    statement = tax_year_statement(mentor, year)
    month_start = today.replace(day=1)
    this_month = _totals(LedgerLine.objects.filter(mentor=mentor, earned_on__gte=month_start))
    alert = EarningsAlert.objects.filter(mentor=mentor).first()
    preference = preference_current(mentor)
    return {
        "year": year,
        "year_label": tax_year_label(year),
        "years": tax_years_of(mentor),
        "statement": statement,
        "over_allowance": statement.fees >= TRADING_ALLOWANCE,
        "allowance": TRADING_ALLOWANCE,
        "this_month_fees": this_month["fees"],
        "alert": alert,
        "alert_reached": bool(alert and this_month["fees"] >= alert.monthly_amount),
        "preference": preference,
        "first_payment_ahead": first_payment_ahead(mentor),
        "expenses": Expense.objects.filter(mentor=mentor).select_related("programme")[:50],
        "runs": PaymentRun.objects.filter(payees__mentor=mentor)
        .select_related("programme")
        .distinct()
        .order_by("-created_at")[:24],
    }


# Coordinators


@dataclass
class Waiting:
    mentor_id: int
    name: str
    total: Decimal
    lines: int
    oldest: date
    slow: bool
    has_preference: bool


def waiting_lines(programme):
    """Positive lines still owed and not corrected: what promptness is measured on."""
    return (
        LedgerLine.objects.filter(programme=programme, amount__gt=0)
        .unpaid()
        .exclude(reversed_by__isnull=False)
    )


def slow_after(programme, today: date | None = None) -> date:
    """Lines earned before this day are slow to pay, by the card in force today."""
    today = today or timezone.localdate()
    card = RateCard.objects.in_force_on(programme, today)
    return today - timedelta(days=card.slow_payment_days if card else 14)


def waiting_by_mentor(programme) -> list[Waiting]:
    """Who is owed what, oldest debt first, in two queries."""
    cutoff = slow_after(programme)
    rows = (
        waiting_lines(programme)
        .values("mentor_id", "mentor__display_name", "mentor__email")
        .annotate(total=Sum("amount"), lines=Count("id"), oldest=Min("earned_on"))
        .order_by("oldest", "mentor_id")
    )
    rows = list(rows)
    choices = set(
        PaymentPreference.objects.filter(mentor_id__in=[r["mentor_id"] for r in rows])
        .values_list("mentor_id", flat=True)
        .distinct()
    )
    return [
        Waiting(
            mentor_id=row["mentor_id"],
            name=row["mentor__display_name"] or row["mentor__email"],
            total=row["total"],
            lines=row["lines"],
            oldest=row["oldest"],
            slow=row["oldest"] < cutoff,
            has_preference=row["mentor_id"] in choices,
        )
        for row in rows
    ]


def _corrected(line: str):
    """Whether the line named by the outer `line` column has a reversal pointing at it. The
    reversal is looked for among reversals only (`reverses` set), which the index on that
    column finds directly: a join from every line would read the whole ledger to find the
    few corrected ones (bench/pages.py measured 530,000 rows for one dashboard)."""
    return Exists(LedgerLine.objects.filter(reverses=OuterRef(line), reverses__isnull=False))


def slow_payment_counts(programme_ids) -> dict[int, int]:
    """How many lines each programme (by id) has waiting past its threshold, for the
    dashboard and the statistics. Two queries whatever the number of programmes: the
    cards, then one count."""
    programme_ids = list(programme_ids)
    if not programme_ids:
        return {}
    today = timezone.localdate()
    cards = RateCard.objects.filter(
        programme__in=programme_ids, effective_from__lte=today
    ).order_by("programme_id", "-effective_from")
    days = {}
    for card in cards:
        days.setdefault(card.programme_id, card.slow_payment_days)
    condition = Q()
    for programme_id in programme_ids:
        cutoff = today - timedelta(days=days.get(programme_id, 14))
        condition |= Q(programme_id=programme_id, earned_on__lt=cutoff)
    counts = (
        WaitingLine.objects.filter(condition, amount__gt=0)
        .exclude(_corrected("line_id"))
        .values("programme_id")
        .annotate(n=Count("line_id"))
    )
    return {row["programme_id"]: row["n"] for row in counts}


def programme_pay(programme) -> dict:
    """What the coordinator's payments page shows."""
    waiting = waiting_by_mentor(programme)
    card = rate_card_today(programme)
    return {
        "card": card,
        "symbol": card.symbol if card else SYMBOLS.get(programme.currency, "£"),
        "waiting": waiting,
        "waiting_total": sum((w.total for w in waiting), ZERO),
        "slow_count": sum(1 for w in waiting if w.slow),
        "no_preference": [w for w in waiting if not w.has_preference],
        "claims": Expense.objects.waiting()
        .filter(programme=programme)
        .select_related("mentor")
        .order_by("created_at"),
        "runs": PaymentRun.objects.filter(programme=programme)
        .annotate(total=Sum("payees__total"), payee_count=Count("payees"))
        .order_by("-number")[:50],
        "unpaid_sessions": approved_without_lines(programme).count(),
    }


def approved_without_lines(programme):
    """Approved sessions of the programme with no pay yet: approved while it had no rate
    card, and paid when one is added."""
    from mentoring.models import Session

    return Session.objects.filter(
        match__programme=programme, status=Session.Status.APPROVED
    ).exclude(ledger_lines__kind=LedgerLine.Kind.SESSION)


def attended_without_lines(programme):
    """Attended places of the programme's activities with no pay yet: recorded while it
    had no rate card in force on the day, and paid when one is added."""
    return (
        Place.objects.filter(activity__programme=programme, attendance=Place.Attendance.ATTENDED)
        .exclude(ledger_lines__kind=LedgerLine.Kind.ACTIVITY)
        .select_related("activity__programme", "person", "attendance_by")
    )


def activity_day(activity) -> date:
    """The day an activity happened, where the programme is: what its pay goes by."""
    zone = ZoneInfo(activity.programme.time_zone)
    return timezone.localtime(activity.starts_at, zone).date()


def run_detail(run: PaymentRun) -> dict:
    """The run page: every payee row, and the totals of those it pays (RunPayee.live)."""
    payees = list(RunPayee.objects.filter(run=run).select_related("mentor"))
    live = [p for p in payees if p.status in RunPayee.LIVE]
    return {
        "payees": payees,
        "bank_details_changed": [p for p in live if p.bank_details_changed_at],
        "fees": sum((p.fees for p in live), ZERO),
        "expenses": sum((p.expenses for p in live), ZERO),
        "total": sum((p.total for p in live), ZERO),
    }


def run_exported(run: PaymentRun) -> bool:
    """Whether anyone has exported the run for finance yet (the audit log records each)."""
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.PAYMENT_RUN_EXPORTED,
        object_type=run._meta.label_lower,
        object_id=str(run.pk),
    ).exists()


def mentor_pay_card(mentor) -> dict:
    """The dashboard's pay card: this tax year's fees, what is still to come, and whether
    the mentor has said how to be paid. Three small queries."""
    start, end = tax_year_bounds(tax_year_of(timezone.localdate()))
    lines = LedgerLine.objects.filter(mentor=mentor)
    year = _totals(lines.filter(earned_on__range=(start, end)))
    waiting = lines.unpaid().aggregate(total=Sum("amount"))["total"] or ZERO
    return {
        "fees": year["fees"],
        "waiting": waiting,
        "first_payment_ahead": first_payment_ahead(mentor),
        "has_preference": PaymentPreference.objects.filter(mentor=mentor).exists(),
    }


def kept_after_deletion(person) -> dict:
    """What the delete-account page says stays of this person's payments, and for how
    long, from the settings that the tidy-up task (payments.services) goes by."""
    from django.conf import settings

    return {
        "has_payments": LedgerLine.objects.filter(mentor=person).exists()
        or Expense.objects.filter(mentor=person).exists(),
        "has_bank_details_in_runs": RunPayee.objects.filter(
            mentor=person, method=PaymentMethod.BANK, bank_details_dropped_at__isnull=True
        ).exists(),
        "reconciliation_days": settings.PAYMENT_RECONCILIATION_DAYS,
        "keep_years": settings.PAYMENT_RECORDS_KEEP_YEARS,
    }


def personal_data(mentor) -> dict:
    """The mentor's money, for "download my data": every line, claim, payment choice and
    payment. Bank details are masked, as on every page: a copy of this file in the wrong
    hands must not be enough to take money from the account."""
    return {
        "pay": [
            {
                "date": line.earned_on.isoformat(),
                "what": line.description,
                "kind": line.get_category_display(),
                "amount": str(line.amount),
                "currency": line.currency,
                "reason": line.reason,
            }
            for line in LedgerLine.objects.filter(mentor=mentor).order_by("earned_on", "id")
        ],
        "expenses": [
            {
                "date": expense.spent_on.isoformat(),
                "what_for": expense.get_kind_display(),
                "description": expense.description,
                "amount": str(expense.amount),
                "status": expense.get_status_display(),
                "reason": expense.decision_reason,
                "receipt": bool(expense.receipt),
            }
            for expense in Expense.objects.filter(mentor=mentor)
        ],
        "payment_choices": [
            {
                "from": choice.chosen_at.isoformat(),
                "method": choice.get_method_display(),
                # Masked, as on every page: the full numbers go only to finance.
                "account_name": choice.account_name,
                "sort_code": choice.masked_sort_code,
                "account_number": choice.masked_account,
                "reduced_percent": choice.reduced_percent,
                "charity": choice.charity_name,
            }
            for choice in PaymentPreference.objects.filter(mentor=mentor)
        ],
        "payments": [
            {
                "run": payee.run.reference,
                "method": payee.get_method_display(),
                "total": str(payee.total),
                "status": payee.get_status_display(),
                "paid_on": payee.run.paid_on.isoformat() if payee.run.paid_on else None,
            }
            for payee in RunPayee.objects.filter(mentor=mentor).select_related("run__programme")
        ],
        "earnings_alert": str(alert.monthly_amount)
        if (alert := EarningsAlert.objects.filter(mentor=mentor).first())
        else None,
    }
