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
from core.choices import EXPERT_ROLES
from payments.models import (
    SYMBOLS,
    Advance,
    BenefitsSettings,
    EarningsAlert,
    EmploymentDecision,
    EmploymentStatus,
    Expense,
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
)
from payments.money import (
    TRADING_ALLOWANCE,
    TRADING_ALLOWANCE_WARN_FROM,
    over_cap,
    self_assessment_register_by,
    tax_year_bounds,
    tax_year_label,
    tax_year_of,
)
from payments.periods import Cap, PeriodTotal, group_by_period, month_of, period_of, week_of
from payments.schedule import run_day_on_or_after, run_day_on_or_before
from programmes.models import Programme

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


def employment_status_current(mentor, organisation) -> EmploymentDecision | None:
    """The organisation's decision in force on how the mentor is paid: the latest recorded
    in the log, or None when it has recorded none (then fees are paid as a fee, the way the
    mentor chose). Every page, run and export reads it here or in the two below."""
    return EmploymentDecision.objects.filter(mentor=mentor, organisation=organisation).first()


def employment_statuses_in_force(organisation_id: int, mentor_ids) -> dict[int, str]:
    """Each mentor's status in force with the organisation, in one query; mentors with no
    decision recorded are left out."""
    latest = EmploymentDecision.objects.filter(
        mentor=OuterRef("mentor"), organisation_id=organisation_id
    ).values("pk")[:1]
    return dict(
        EmploymentDecision.objects.filter(
            mentor_id__in=mentor_ids, organisation_id=organisation_id, pk=Subquery(latest)
        ).values_list("mentor_id", "status")
    )


def employment_decisions_for_mentor(mentor) -> list[EmploymentDecision]:
    """The decision in force with each organisation the mentor has one with, for their
    pay page. A mentor has few decisions: read them all, keep each organisation's latest."""
    latest = {}
    for decision in EmploymentDecision.objects.filter(mentor=mentor).select_related("organisation"):
        latest.setdefault(decision.organisation_id, decision)
    return sorted(latest.values(), key=lambda decision: decision.organisation.name)


def volunteer_fees_waiting(programme) -> list[dict]:
    """Fees waiting for mentors the organisation has decided are volunteers: a run pays
    them their expenses only, so these fees wait (the ledger keeps them) until the decision
    changes. For the coordinator's payments and run pages. Two queries."""
    waiting = list(
        LedgerLine.objects.filter(programme=programme, category=LedgerLine.Category.FEE)
        .unpaid()
        .values("mentor_id", "mentor__display_name", "mentor__email")
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by("mentor__display_name", "mentor_id")
    )
    statuses = employment_statuses_in_force(
        programme.organisation_id, [row["mentor_id"] for row in waiting]
    )
    return [
        {
            "mentor_id": row["mentor_id"],
            "name": row["mentor__display_name"] or row["mentor__email"],
            "total": row["total"],
            "lines": row["lines"],
        }
        for row in waiting
        if statuses.get(row["mentor_id"]) == EmploymentStatus.VOLUNTEER and row["total"]
    ]


def payment_schedule_of(programme) -> PaymentSchedule | None:
    """The programme's schedule of payment runs, if it has one in use."""
    return PaymentSchedule.objects.filter(programme=programme).exclude(frequency="").first()


def programme_today(programme) -> date:
    """Today where the programme is: the day its schedule goes by."""
    return timezone.localdate(timezone=ZoneInfo(programme.time_zone))


def scheduled_run_due(schedule: PaymentSchedule, today: date) -> date | None:
    """The schedule's day whose run is due on `today` (the latest one not after it)."""
    return run_day_on_or_before(schedule.frequency, schedule.first_run_on, today)


def next_run_on(programme, today: date | None = None) -> date | None:
    """The day of the programme's next scheduled payment run, or None without a schedule:
    today's, unless today's run has been prepared already."""
    schedule = payment_schedule_of(programme)
    if schedule is None:
        return None
    today = today or programme_today(programme)
    day = run_day_on_or_after(schedule.frequency, schedule.first_run_on, today)
    if PaymentRun.objects.filter(programme=programme, scheduled_for=day).exists():
        day = run_day_on_or_after(schedule.frequency, schedule.first_run_on, day + timedelta(1))
    return day


def next_runs_for_mentor(mentor) -> list[dict]:
    """For each programme the mentor is in with a schedule, the day of its next run."""
    programmes = Programme.objects.filter(
        memberships__person=mentor,
        memberships__role__in=EXPERT_ROLES,
        memberships__ended_at__isnull=True,
        payment_schedule__frequency__in=[f for f in PaymentSchedule.Frequency.values if f],
    ).order_by("name")
    return [{"programme": p, "day": next_run_on(p)} for p in programmes.distinct()]


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
        label=f"pay day {run.reference}",
        lines=ids,
    )


# Pay by the date it is paid. Universal Credit counts earnings in the assessment period
# they are paid in, and the tax year counts what was received: a line counts on the day its
# payment run was paid (RunItem PAID, PaymentRun.paid_on), not the day it was earned.


def _paid_items(mentor_id):
    return RunItem.objects.filter(line__mentor_id=mentor_id, status=RunItem.Status.PAID)


def fees_paid_between(mentor_id: int, start: date, end: date) -> Decimal:
    """Fees paid to the mentor (in any programme) by runs paid from `start` to `end`."""
    total = (
        _paid_items(mentor_id)
        .filter(line__category=LedgerLine.Category.FEE, run__paid_on__range=(start, end))
        .aggregate(total=Sum("line__amount"))["total"]
    )
    return total or ZERO


def fees_on_their_way(mentor_id: int) -> Decimal:
    """Fees of the mentor's in runs that finance has not paid yet, in any programme."""
    total = RunItem.objects.filter(
        line__mentor_id=mentor_id,
        line__category=LedgerLine.Category.FEE,
        status=RunItem.Status.INCLUDED,
    ).aggregate(total=Sum("line__amount"))["total"]
    return total or ZERO


def paid_amounts(mentor, start: date, end: date) -> list[tuple[date, str, Decimal]]:
    """What was paid to the mentor from `start` to `end`: (day paid, "fee" or "expense",
    amount), summed in the database for each day and kind, for payments.periods to group."""
    rows = (
        _paid_items(mentor.pk)
        .filter(run__paid_on__range=(start, end))
        .values("run__paid_on", "line__category")
        .annotate(total=Sum("line__amount"))
        .order_by("run__paid_on", "line__category")
    )
    return [(row["run__paid_on"], row["line__category"], row["total"]) for row in rows]


def benefits_settings_of(mentor) -> BenefitsSettings | None:
    return BenefitsSettings.objects.filter(mentor=mentor).first()


def alert_period(settings_row: BenefitsSettings | None, day: date) -> tuple[date, date]:
    """The "month" the earnings alert counts: the assessment period for someone who gets
    Universal Credit (what their payment is worked out on), else the calendar month."""
    if settings_row is not None and settings_row.universal_credit:
        return period_of(day, Cap.ASSESSMENT_PERIOD, settings_row.assessment_day)
    return month_of(day)


def next_run_days(mentor) -> dict[int, date]:
    """The day of the next payment run of each programme the mentor is in that has a
    schedule (programme id -> day); programmes whose runs are made by hand have none."""
    return {row["programme"].pk: row["day"] for row in next_runs_for_mentor(mentor) if row["day"]}


@dataclass
class DueNext:
    """What the next payment run is due to pay the mentor: what is waiting and what is on
    its way in a run finance has not paid yet, and when, where that is known."""

    fees: Decimal
    expenses: Decimal
    on_its_way: Decimal
    expected_on: date | None
    held: Decimal  # of the fees waiting, what the mentor's cap would hold back today

    @property
    def total(self) -> Decimal:
        return self.fees + self.expenses + self.on_its_way


def due_next(mentor, settings_row: BenefitsSettings | None, today: date) -> DueNext:
    """What the mentor's next payment run is due to pay. Three small queries."""
    waiting = LedgerLine.objects.filter(mentor=mentor).unpaid()
    totals = _totals(waiting)
    on_its_way = (
        RunItem.objects.filter(line__mentor=mentor, status=RunItem.Status.INCLUDED).aggregate(
            total=Sum("line__amount")
        )["total"]
        or ZERO
    )
    days = [day for day in next_run_days(mentor).values() if day >= today]
    expected_on = min(days) if days else None
    held = ZERO
    if settings_row is not None and settings_row.has_cap:
        # The same rule a run applies (services.cap_holds), on the day the run is expected.
        period = period_of(
            expected_on or today, settings_row.cap_period, settings_row.assessment_day
        )
        room = (
            settings_row.cap_amount
            - fees_paid_between(mentor.pk, *period)
            - fees_on_their_way(mentor.pk)
        )
        fees = list(waiting.fees().order_by("earned_on", "id").values_list("pk", "amount"))
        amounts = dict(fees)
        held = sum((amounts[key] for key in over_cap(fees, room=room)), ZERO)
    return DueNext(
        fees=totals["fees"],
        expenses=totals["expenses"],
        on_its_way=on_its_way,
        expected_on=expected_on,
        held=held,
    )


@dataclass
class CapStanding:
    """How the mentor stands against their cap in the period that holds today."""

    cap: Decimal
    period: tuple[date, date]
    paid: Decimal
    on_its_way: Decimal

    @property
    def used(self) -> Decimal:
        return self.paid + self.on_its_way

    @property
    def near(self) -> bool:
        """Within a fifth of the cap, or over it: the time to get advice."""
        return self.used * 5 >= self.cap * 4


def cap_standing(mentor, settings_row: BenefitsSettings | None, today: date):
    if settings_row is None or not settings_row.has_cap:
        return None
    period = period_of(today, settings_row.cap_period, settings_row.assessment_day)
    return CapStanding(
        cap=settings_row.cap_amount,
        period=period,
        paid=fees_paid_between(mentor.pk, *period),
        on_its_way=fees_on_their_way(mentor.pk),
    )


def paid_by_month(mentor, year: int, paid=None) -> list[PeriodTotal]:
    """Fees and expenses paid in the tax year, by the month they were paid in. (`paid`: the
    year's paid_amounts, when the caller has them already.)"""
    paid = paid if paid is not None else paid_amounts(mentor, *tax_year_bounds(year))
    return group_by_period(paid, month_of)


def paid_by_assessment_period(mentor, year: int, start_day: int, paid=None) -> list[PeriodTotal]:
    """Fees and expenses paid in the tax year, by Universal Credit assessment period (periods
    that start before 6 April or end after 5 April count only what was paid in the year)."""
    paid = paid if paid is not None else paid_amounts(mentor, *tax_year_bounds(year))
    return group_by_period(paid, lambda day: period_of(day, Cap.ASSESSMENT_PERIOD, start_day))


def hours_by_week(mentor, *, weeks: int, today: date) -> list[dict]:
    """Hours worked each week, Monday to Sunday, by the day the work was done: each
    session's time, each paid activity attended, and their paid preparation, in every
    programme. For limits counted in hours. A line that was corrected (reversed) does not
    count."""
    first = week_of(today)[0] - timedelta(weeks=weeks - 1)
    column = {
        "session": "session",
        "preparation": "preparation",
        "activity": "activity",
        "activity_preparation": "preparation",
    }
    rows = (
        LedgerLine.objects.filter(
            mentor=mentor,
            kind__in=list(column),
            earned_on__range=(first, week_of(today)[1]),
            minutes__isnull=False,
        )
        .exclude(reversed_by__isnull=False)
        .values("earned_on", "kind")
        .annotate(minutes=Sum("minutes"))
    )
    by_week = {
        first + timedelta(weeks=n): {"session": 0, "activity": 0, "preparation": 0}
        for n in range(weeks)
    }
    for row in rows:
        by_week[week_of(row["earned_on"])[0]][column[row["kind"]]] += row["minutes"]
    return [
        {
            "start": start,
            "end": start + timedelta(days=6),
            "session_minutes": minutes["session"],
            "activity_minutes": minutes["activity"],
            "preparation_minutes": minutes["preparation"],
            "minutes": sum(minutes.values()),
        }
        for start, minutes in sorted(by_week.items(), reverse=True)
    ]


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
    """What the mentor's pay page shows: the tax year by the date each session or expense
    happened and by the date it was paid (by assessment period too, for someone who gets
    Universal Credit), and what the next run is due to pay. The £1,000 notice and the
    monthly alert go by the date paid, as tax and benefits do."""
    today = timezone.localdate()
    year = year if year is not None else tax_year_of(today)
    statement = tax_year_statement(mentor, year)
    benefits = benefits_settings_of(mentor)
    paid = paid_amounts(mentor, *tax_year_bounds(year))
    by_month_paid = paid_by_month(mentor, year, paid)
    paid_fees = sum((row.fees for row in by_month_paid), ZERO)
    alert_days = alert_period(benefits, today)
    alert_fees = fees_paid_between(mentor.pk, *alert_days)
    alert = EarningsAlert.objects.filter(mentor=mentor).first()
    preference = preference_current(mentor)
    due = due_next(mentor, benefits, today)
    return {
        "year": year,
        "year_label": tax_year_label(year),
        "years": tax_years_of(mentor),
        "statement": statement,
        "paid_by_month": by_month_paid,
        "paid_fees": paid_fees,
        "paid_expenses": sum((row.expenses for row in by_month_paid), ZERO),
        "by_assessment_period": paid_by_assessment_period(
            mentor, year, benefits.assessment_day, paid
        )
        if benefits and benefits.universal_credit
        else None,
        "benefits": benefits,
        "due": due,
        # The assessment period the next run is expected to pay in, where its day is known.
        "due_period": period_of(due.expected_on, Cap.ASSESSMENT_PERIOD, benefits.assessment_day)
        if due.expected_on and benefits and benefits.universal_credit
        else None,
        "cap": cap_standing(mentor, benefits, today),
        "last_hold": RunHold.objects.filter(mentor=mentor)
        .select_related("run__programme")
        .order_by("-run__created_at", "-pk")
        .first(),
        "over_allowance": paid_fees >= TRADING_ALLOWANCE,
        "near_allowance": TRADING_ALLOWANCE_WARN_FROM <= paid_fees < TRADING_ALLOWANCE,
        "allowance": TRADING_ALLOWANCE,
        "register_by": self_assessment_register_by(year),
        "alert_days": alert_days,
        "alert_fees": alert_fees,
        "alert": alert,
        "alert_reached": bool(alert and alert_fees >= alert.monthly_amount),
        "preference": preference,
        "employment": employment_decisions_for_mentor(mentor),
        "next_runs": next_runs_for_mentor(mentor),
        "first_payment_ahead": first_payment_ahead(mentor),
        "expenses": Expense.objects.filter(mentor=mentor).select_related("programme")[:50],
        "advances": Advance.objects.filter(mentor=mentor).select_related("programme")[:50],
        # Bought for them by the programme: shown apart, never paid to them (not ledger lines).
        "purchases": Purchase.objects.filter(mentor=mentor).select_related("programme")[:50],
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
    capped: bool = False  # asked for their pay in a period to be kept under a limit


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
    """Who is owed what, oldest debt first, in three queries."""
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
    capped = set(
        BenefitsSettings.objects.filter(
            mentor_id__in=[r["mentor_id"] for r in rows], cap_amount__isnull=False
        ).values_list("mentor_id", flat=True)
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
            capped=row["mentor_id"] in capped,
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
        "advances": Advance.objects.waiting()
        .filter(programme=programme)
        .select_related("mentor")
        .order_by("needed_on", "created_at"),
        "runs": PaymentRun.objects.filter(programme=programme)
        .annotate(total=Sum("payees__total"), payee_count=Count("payees"))
        .order_by("-number")[:50],
        "unpaid_sessions": approved_without_lines(programme).count(),
        "schedule": payment_schedule_of(programme),
        "next_run_on": next_run_on(programme),
        "volunteer_fees": volunteer_fees_waiting(programme),
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
        # Pay the run left waiting, to keep mentors under the caps they set.
        "holds": list(RunHold.objects.filter(run=run).select_related("mentor")),
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
        "advances": [
            {
                "needed_on": advance.needed_on.isoformat(),
                "what_for": advance.get_kind_display(),
                "description": advance.description,
                "amount": str(advance.amount),
                "status": advance.get_status_display(),
                "spent": str(advance.spent) if advance.spent is not None else None,
                "reason": advance.decision_reason,
                "receipt": bool(advance.receipt),
            }
            for advance in Advance.objects.filter(mentor=mentor)
        ],
        "bought_for_you": [
            {
                "date": purchase.bought_on.isoformat(),
                "what_for": purchase.get_kind_display(),
                "description": purchase.description,
                "amount": str(purchase.amount),
            }
            for purchase in Purchase.objects.filter(mentor=mentor)
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
        "employment_decisions": [
            {
                "organisation": decision.organisation.name,
                "decision": decision.get_status_display(),
                "decided_on": decision.decided_on.isoformat(),
                "recorded_at": decision.recorded_at.isoformat(),
            }
            for decision in EmploymentDecision.objects.filter(mentor=mentor).select_related(
                "organisation"
            )
        ],
        "earnings_alert": str(alert.monthly_amount)
        if (alert := EarningsAlert.objects.filter(mentor=mentor).first())
        else None,
        "benefits": {
            "universal_credit_assessment_period_starts_on_day": benefits.assessment_day,
            "limit": str(benefits.cap_amount) if benefits.has_cap else None,
            "limit_applies_to": benefits.get_cap_period_display() if benefits.has_cap else None,
        }
        if (benefits := benefits_settings_of(mentor))
        else None,
        "pay_held_back_in_runs": [
            {
                "run": hold.run.reference,
                "amount": str(hold.amount),
                "period": f"{hold.period_start.isoformat()} to {hold.period_end.isoformat()}",
            }
            for hold in RunHold.objects.filter(mentor=mentor).select_related("run__programme")
        ],
    }
