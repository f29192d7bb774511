"""Money: rounding, rate cards over time, the ledger lines an approval makes, corrections,
tax years, the £1,000 notice, expenses and payment runs. Runs on SQLite and PostgreSQL."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from core.choices import Role
from mentoring import services as mentoring_services
from notifications.models import Notification
from payments import selectors, services, tasks
from payments.models import (
    AppendOnly,
    Expense,
    LedgerLine,
    PaymentRun,
    RateCard,
    RunItem,
    RunPayee,
)
from payments.money import (
    PENNY,
    fee_for,
    mileage_for,
    money,
    share_of,
    tax_year_bounds,
    tax_year_of,
)
from tests.factories import MembershipFactory, UserFactory
from tests.payments_support import (
    approved_session,
    confirmed_session,
    earlier_today,
    paid_by_bank,
    rate_card,
)

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def lines_of(session) -> dict[str, LedgerLine]:
    return {line.kind: line for line in LedgerLine.objects.filter(session=session)}


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def another_mentor(w, name="Lee"):
    person = UserFactory(display_name=name, email=f"{name.lower()}@example.test")
    MembershipFactory(programme=w.programme, person=person, role=Role.MENTOR)
    return person


def approved_expense(w, *, mentor=None, programme=None, by=None, amount="12.50", **details):
    """A fare claimed yesterday (no receipt: the default card asks for one over £50)."""
    expense = services.expense_claim(
        mentor=mentor or w.mentor,
        programme=programme or w.programme,
        kind=details.pop("kind", "fare"),
        spent_on=details.pop("spent_on", yesterday()),
        description="Bus to the library",
        amount=Decimal(amount),
        **details,
    )
    assert services.expense_approve(expense=expense, by=by or w.coordinator)
    return expense


# Rounding


def test_it_pays_fifty_minutes_at_twenty_pounds_as_16_67():
    assert fee_for(minutes=50, hourly_rate=Decimal("20.00")) == Decimal("16.67")


def test_it_rounds_half_a_penny_up_not_to_even():
    # 0.01 / 60 is far below half a penny; 30 minutes at 1p an hour is exactly half a penny,
    # which banker's rounding would make 0.00.
    assert fee_for(minutes=1, hourly_rate=Decimal("0.01")) == Decimal("0.00")
    assert fee_for(minutes=30, hourly_rate=Decimal("0.01")) == Decimal("0.01")
    assert fee_for(minutes=3, hourly_rate=Decimal("0.10")) == Decimal("0.01")
    assert fee_for(minutes=90, hourly_rate=Decimal("0.03")) == Decimal("0.05")  # 0.045


def test_it_takes_a_share_of_a_fee_to_the_penny():
    assert share_of(Decimal("20.00"), 50) == Decimal("10.00")
    assert share_of(Decimal("16.67"), 33) == Decimal("5.50")  # 5.5011
    assert share_of(Decimal("0.05"), 50) == Decimal("0.03")  # 0.025, half up
    assert share_of(Decimal("10.00"), 1) == Decimal("0.10")


def test_it_rounds_mileage_half_up():
    assert mileage_for(miles=Decimal("12.3"), rate=Decimal("0.45")) == Decimal("5.54")  # 5.535
    assert mileage_for(miles=Decimal("0.1"), rate=Decimal("0.45")) == Decimal("0.05")  # 0.045


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("0"), "£0.00"),
        (Decimal("12.5"), "£12.50"),
        (Decimal("-12.5"), "-£12.50"),
        (Decimal("1234.5"), "£1,234.50"),
        (Decimal("-1234.5"), "-£1,234.50"),
        (Decimal("1234567.891"), "£1,234,567.89"),
        (Decimal("2.345"), "£2.35"),
        # Less than half a penny owed back is nothing owed: not "-£0.00".
        (Decimal("-0.004"), "£0.00"),
    ],
)
def test_it_formats_money(amount, shown):
    assert money(amount) == shown


def test_it_formats_money_in_another_currency():
    assert money(Decimal("1000"), "€") == "€1,000.00"


rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000"), places=2)
minutes = st.integers(min_value=0, max_value=24 * 60)


@given(minutes=minutes, rate=rates)
def test_it_always_pays_a_whole_penny_close_to_the_exact_fee(minutes, rate):
    fee = fee_for(minutes=minutes, hourly_rate=rate)

    assert fee == fee.quantize(PENNY)
    assert fee.as_tuple().exponent == -2
    assert fee >= 0
    exact = Fraction(minutes) * Fraction(rate) / 60
    assert abs(Fraction(fee) - exact) <= Fraction(1, 200)


@given(minutes=minutes, more=st.integers(min_value=0, max_value=600), rate=rates)
def test_it_never_pays_less_for_more_minutes(minutes, more, rate):
    assert fee_for(minutes=minutes, hourly_rate=rate) <= fee_for(
        minutes=minutes + more, hourly_rate=rate
    )


# Rate cards over time


def test_it_refuses_a_second_card_that_starts_in_the_past(world):
    rate_card(world)

    with pytest.raises(ValidationError) as refused:
        rate_card(world, effective_from=yesterday(), hourly_rate=Decimal("25.00"))

    assert "effective_from" in refused.value.message_dict
    assert RateCard.objects.filter(programme=world.programme).count() == 1


def test_it_refuses_two_cards_from_one_day(world):
    rate_card(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    rate_card(world, effective_from=tomorrow, hourly_rate=Decimal("25.00"))

    with pytest.raises(ValidationError):
        rate_card(world, effective_from=tomorrow, hourly_rate=Decimal("30.00"))

    assert RateCard.objects.filter(programme=world.programme).count() == 2


def test_it_refuses_a_card_from_a_coordinator_of_another_programme(world):
    with pytest.raises(PermissionDenied):
        rate_card(world, by=world.other_coordinator)


@pytest.mark.parametrize(
    ("starts_at", "day", "session_pay"),
    [
        (london(2026, 8, 31, 12, 0), date(2026, 8, 31), "20.00"),
        (london(2026, 9, 1, 10, 0), date(2026, 9, 1), "25.00"),
        (london(2026, 9, 2, 10, 0), date(2026, 9, 2), "25.00"),
        # 23:30 UTC on 31 August is 00:30 on 1 September in London (summer time).
        (datetime(2026, 8, 31, 23, 30, tzinfo=UTC), date(2026, 9, 1), "25.00"),
        # 22:30 UTC on 31 August is still 31 August in London, at 23:30.
        (datetime(2026, 8, 31, 22, 30, tzinfo=UTC), date(2026, 8, 31), "20.00"),
    ],
)
def test_it_pays_each_session_at_the_card_in_force_on_its_london_day(
    world, starts_at, day, session_pay
):
    first = rate_card(world)
    second = RateCard.objects.create(
        programme=world.programme,
        effective_from=date(2026, 9, 1),
        hourly_rate=Decimal("25.00"),
        preparation_minutes=30,
    )

    session = approved_session(world, starts_at=starts_at)

    lines = lines_of(session)
    assert lines["session"].amount == Decimal(session_pay)
    assert lines["preparation"].amount == Decimal(session_pay) / 2
    assert lines["session"].earned_on == lines["preparation"].earned_on == day
    card = first if session_pay == "20.00" else second
    assert lines["session"].rate_card == card
    assert lines["session"].rate == card.hourly_rate


# What an approval adds


def test_it_adds_a_session_line_and_a_preparation_line_for_an_in_person_session(world):
    card = rate_card(world, online_allowance=Decimal("3.50"))

    session = approved_session(world, starts_at=london(2026, 10, 14, 18, 0), duration_minutes=50)

    lines = lines_of(session)
    assert set(lines) == {"session", "preparation"}
    assert lines["session"].amount == Decimal("16.67")
    assert lines["session"].minutes == 50
    assert lines["preparation"].amount == Decimal("10.00")
    assert lines["preparation"].minutes == 30
    for line in lines.values():
        line.refresh_from_db()
        assert isinstance(line.amount, Decimal)
        assert line.category == LedgerLine.Category.FEE
        assert line.earned_on == date(2026, 10, 14)
        assert line.mentor == world.mentor
        assert line.programme == world.programme
        assert line.rate_card == card
        assert line.rate == Decimal("20.00")


@pytest.mark.parametrize("mode", ["online", "phone"])
def test_it_adds_the_online_allowance_for_online_and_phone_sessions(world, mode):
    rate_card(world, online_allowance=Decimal("3.50"))

    session = approved_session(world, meeting_mode=mode)

    lines = lines_of(session)
    assert set(lines) == {"session", "preparation", "online"}
    assert lines["online"].amount == Decimal("3.50")
    assert lines["online"].category == LedgerLine.Category.FEE


def test_it_adds_no_online_line_when_the_card_has_no_allowance(world):
    rate_card(world, online_allowance=Decimal("0.00"))

    session = approved_session(world, meeting_mode="online")

    assert set(lines_of(session)) == {"session", "preparation"}


def test_it_adds_no_preparation_line_when_the_card_pays_none(world):
    rate_card(world, preparation_minutes=0)

    session = approved_session(world)

    assert set(lines_of(session)) == {"session"}


def test_it_adds_nothing_when_a_session_is_approved_again(world):
    rate_card(world)
    session = approved_session(world)

    again = mentoring_services.session_approve(session=session, by=world.coordinator)

    assert again is False
    assert services.session_lines_create(session=session, by=world.coordinator) == 0
    assert LedgerLine.objects.filter(session=session).count() == 2


def test_it_rolls_the_approval_back_when_its_ledger_lines_cannot_be_made(world, monkeypatch):
    """Payments adds the lines in the approval's own transaction (mentoring.signals), so a
    session is never approved without them."""
    rate_card(world)
    session = confirmed_session(world)

    def broken(**kwargs):
        raise RuntimeError("the ledger is unavailable")

    monkeypatch.setattr("payments.receivers.session_lines_create", broken)
    with pytest.raises(RuntimeError):
        mentoring_services.session_approve(session=session, by=world.coordinator)

    session.refresh_from_db()
    assert session.status == "confirmed"
    assert session.approved_by is None
    assert not LedgerLine.objects.filter(session=session).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_APPROVED).exists()


def test_it_pays_sessions_approved_before_there_was_a_card_once_the_card_is_made(
    world, django_capture_on_commit_callbacks
):
    first = approved_session(world, starts_at=london(2026, 10, 1, 10, 0))
    second = approved_session(world, starts_at=london(2026, 10, 8, 10, 0))
    assert not LedgerLine.objects.exists()
    assert selectors.programme_pay(world.programme)["unpaid_sessions"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        rate_card(world, effective_from=date(2026, 9, 1))

    assert set(lines_of(first)) == set(lines_of(second)) == {"session", "preparation"}
    assert lines_of(first)["session"].amount == Decimal("20.00")
    assert lines_of(first)["session"].created_by == world.coordinator
    assert selectors.programme_pay(world.programme)["unpaid_sessions"] == 0
    # The task is safe to run twice.
    assert tasks.pay_approved_sessions(world.programme.pk) == 0
    assert LedgerLine.objects.count() == 4


def test_it_leaves_a_session_before_the_first_card_unpaid(world):
    rate_card(world, effective_from=date(2026, 10, 1))

    session = approved_session(world, starts_at=london(2026, 9, 30, 10, 0))

    assert not LedgerLine.objects.filter(session=session).exists()


# Payment preferences


def test_it_pays_the_share_a_mentor_asked_for(world):
    rate_card(world, online_allowance=Decimal("3.00"))
    paid_by_bank(world.mentor, method="reduced", reduced_percent=50)

    session = approved_session(world, meeting_mode="online")

    lines = lines_of(session)
    assert lines["session"].amount == Decimal("10.00")
    assert lines["preparation"].amount == Decimal("5.00")
    assert lines["online"].amount == Decimal("1.50")
    assert "50%" in lines["session"].description


def test_it_rounds_a_reduced_fee_to_the_penny(world):
    rate_card(world)
    paid_by_bank(world.mentor, method="reduced", reduced_percent=33)

    session = approved_session(world, duration_minutes=50)

    lines = lines_of(session)
    assert lines["session"].amount == Decimal("5.50")  # 33% of 16.67
    assert lines["preparation"].amount == Decimal("3.30")


def test_it_makes_lines_of_nothing_for_a_mentor_who_wants_no_payment(world):
    rate_card(world, online_allowance=Decimal("3.00"))
    services.preference_set(mentor=world.mentor, method="none")

    session = approved_session(world, meeting_mode="online")

    lines = lines_of(session)
    assert set(lines) == {"session", "preparation", "online"}
    assert {line.amount for line in lines.values()} == {Decimal("0.00")}
    assert selectors.tax_year_statement(world.mentor, 2026).fees == Decimal("0.00")


def test_it_refuses_a_reduced_fee_without_a_percentage(world):
    with pytest.raises(ValidationError) as refused:
        paid_by_bank(world.mentor, method="reduced", reduced_percent=None)

    assert "reduced_percent" in refused.value.message_dict


# Corrections


def test_it_corrects_a_line_with_its_opposite(world):
    rate_card(world)
    line = lines_of(approved_session(world))["session"]

    reversal = services.line_reverse(line=line, by=world.coordinator, reason="Was 30 minutes")

    assert reversal.amount == -line.amount == Decimal("-20.00")
    assert reversal.kind == LedgerLine.Kind.REVERSAL
    assert reversal.category == LedgerLine.Category.FEE
    assert reversal.reverses == line
    assert reversal.reason == "Was 30 minutes"
    assert reversal.earned_on == line.earned_on
    assert reversal.mentor == line.mentor


def test_it_refuses_to_correct_a_line_twice(world):
    rate_card(world)
    line = lines_of(approved_session(world))["session"]
    services.line_reverse(line=line, by=world.coordinator, reason="Wrong")

    with pytest.raises(ValidationError):
        services.line_reverse(line=line, by=world.coordinator, reason="Wrong again")

    assert LedgerLine.objects.filter(kind="reversal").count() == 1


def test_it_refuses_to_correct_a_correction(world):
    rate_card(world)
    line = lines_of(approved_session(world))["session"]
    reversal = services.line_reverse(line=line, by=world.coordinator, reason="Wrong")

    with pytest.raises(ValidationError):
        services.line_reverse(line=reversal, by=world.coordinator, reason="Undo that")

    assert LedgerLine.objects.filter(kind="reversal").count() == 1


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_it_refuses_a_correction_without_a_reason(world, reason):
    rate_card(world)
    line = lines_of(approved_session(world))["session"]

    with pytest.raises(ValidationError):
        services.line_reverse(line=line, by=world.coordinator, reason=reason)

    assert not LedgerLine.objects.filter(kind="reversal").exists()


def test_it_refuses_a_correction_by_a_coordinator_of_another_programme(world):
    rate_card(world)
    line = lines_of(approved_session(world))["session"]

    with pytest.raises(PermissionDenied):
        services.line_reverse(line=line, by=world.other_coordinator, reason="Wrong")


def test_it_takes_a_correction_off_the_fees(world):
    rate_card(world)
    approved_session(world, starts_at=london(2026, 10, 1, 10, 0))
    line = lines_of(approved_session(world, starts_at=london(2026, 10, 8, 10, 0)))["session"]

    services.line_reverse(line=line, by=world.coordinator, reason="Did not happen")

    statement = selectors.tax_year_statement(world.mentor, 2026)
    assert statement.fees == Decimal("40.00")  # 30 + 30 - 20
    assert statement.expenses == Decimal("0.00")


def test_it_pays_a_corrected_unpaid_line_and_its_correction_as_nothing(world):
    rate_card(world)
    paid_by_bank(world.mentor)
    lines = lines_of(approved_session(world))
    reversal = services.line_reverse(line=lines["session"], by=world.coordinator, reason="No")

    run = services.run_create(programme=world.programme, by=world.coordinator)

    payee = run.payees.get()
    assert payee.fees == payee.total == Decimal("10.00")
    assert set(run.items.values_list("line_id", flat=True)) == {
        lines["session"].pk,
        lines["preparation"].pk,
        reversal.pk,
    }


def test_it_takes_a_correction_of_a_paid_line_off_the_next_run(world):
    rate_card(world)
    paid_by_bank(world.mentor)
    paid_line = lines_of(approved_session(world))["session"]
    first = services.run_create(programme=world.programme, by=world.coordinator)
    services.run_mark_paid(run=first, by=world.coordinator, paid_on=timezone.localdate())

    services.line_reverse(line=paid_line, by=world.coordinator, reason="Was not held")
    approved_session(world, starts_at=timezone.now() - timedelta(days=1))
    second = services.run_create(programme=world.programme, by=world.coordinator)

    assert first.payees.get().total == Decimal("30.00")
    assert second.payees.get().total == Decimal("10.00")  # 30 new - 20 corrected


# The ledger is append-only


@pytest.fixture
def line(world):
    rate_card(world)
    return lines_of(approved_session(world))["session"]


def test_it_refuses_to_save_a_changed_line(line):
    line.amount = Decimal("0.00")

    with pytest.raises(AppendOnly):
        line.save()

    assert LedgerLine.objects.get(pk=line.pk).amount == Decimal("20.00")


def test_it_refuses_to_delete_a_line(line):
    with pytest.raises(AppendOnly):
        line.delete()

    assert LedgerLine.objects.filter(pk=line.pk).exists()


def test_it_refuses_to_update_lines_in_bulk(line):
    with pytest.raises(AppendOnly):
        LedgerLine.objects.filter(pk=line.pk).update(amount=Decimal("0.00"))
    with pytest.raises(AppendOnly):
        LedgerLine.objects.all().update(amount=Decimal("0.00"))
    line.amount = Decimal("0.00")
    with pytest.raises(AppendOnly):
        LedgerLine.objects.bulk_update([line], ["amount"])

    assert LedgerLine.objects.get(pk=line.pk).amount == Decimal("20.00")


def test_it_refuses_to_delete_lines_in_bulk(line):
    with pytest.raises(AppendOnly):
        LedgerLine.objects.filter(pk=line.pk).delete()
    with pytest.raises(AppendOnly):
        LedgerLine.objects.all().delete()

    assert LedgerLine.objects.count() == 2


# Tax years


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 4, 5), 2025),
        (date(2026, 4, 6), 2026),
        (date(2026, 1, 1), 2025),
        (date(2026, 12, 31), 2026),
        (date(2027, 4, 5), 2026),
    ],
)
def test_it_knows_which_tax_year_a_day_is_in(day, year):
    assert tax_year_of(day) == year


def test_it_knows_where_a_tax_year_starts_and_ends():
    assert tax_year_bounds(2026) == (date(2026, 4, 6), date(2027, 4, 5))
    start, end = tax_year_bounds(2025)
    assert tax_year_of(start) == tax_year_of(end) == 2025
    assert tax_year_of(end + timedelta(days=1)) == 2026


def test_it_puts_5_and_6_april_in_different_tax_years(world):
    rate_card(world, effective_from=date(2026, 3, 1))
    # 23:30 on 5 April in London is 22:30 UTC: still the old tax year.
    approved_session(world, starts_at=london(2026, 4, 5, 23, 30))
    approved_session(world, starts_at=london(2026, 4, 6, 0, 15))

    old = selectors.tax_year_statement(world.mentor, 2025)
    new = selectors.tax_year_statement(world.mentor, 2026)

    assert old.fees == new.fees == Decimal("30.00")
    assert {line.earned_on for line in old.lines} == {date(2026, 4, 5)}
    assert {line.earned_on for line in new.lines} == {date(2026, 4, 6)}


# The £1,000 notice


def _fees_today(world, hourly_rate: str):
    """One in-person hour today, with no preparation: fees of exactly `hourly_rate`."""
    rate_card(
        world,
        hourly_rate=Decimal(hourly_rate),
        preparation_minutes=0,
        receipt_needed_over=Decimal("1000.00"),
    )
    return approved_session(world, starts_at=earlier_today())


def _allowance_notices(world):
    year = tax_year_of(timezone.localdate())
    return Notification.objects.filter(
        person=world.mentor, kind="earnings", event_key=f"trading-allowance:{year}"
    )


def test_it_does_not_warn_at_999_99_of_fees_whatever_the_expenses(world):
    _fees_today(world, "999.99")
    approved_expense(world, amount="500.00", spent_on=timezone.localdate())

    pay = selectors.mentor_pay(world.mentor)
    tasks.check_earnings(world.mentor.pk)

    assert pay["statement"].fees == Decimal("999.99")
    assert pay["statement"].expenses == Decimal("500.00")
    assert pay["over_allowance"] is False
    assert not _allowance_notices(world).exists()


def _paid_today(world):
    """Pay what is waiting, in a run paid today: fees count when they are paid."""
    paid_by_bank(world.mentor)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    return run


def test_it_warns_once_at_1000_of_fees_paid(world, django_capture_on_commit_callbacks):
    _fees_today(world, "1000.00")
    assert selectors.mentor_pay(world.mentor)["over_allowance"] is False  # earned, not paid
    with django_capture_on_commit_callbacks(execute=True):
        _paid_today(world)

    assert selectors.mentor_pay(world.mentor)["over_allowance"] is True
    assert _allowance_notices(world).count() == 1
    tasks.check_earnings(world.mentor.pk)
    tasks.check_earnings(world.mentor.pk)
    assert _allowance_notices(world).count() == 1


def test_it_tells_a_mentor_once_a_month_when_fees_paid_reach_their_alert(world):
    rate_card(world)
    approved_session(world, starts_at=earlier_today())  # £20 + £10 preparation
    _paid_today(world)
    month_key = f"earnings-alert:{timezone.localdate():%Y-%m}"
    alerts = Notification.objects.filter(person=world.mentor, kind="earnings", event_key=month_key)

    services.earnings_alert_set(mentor=world.mentor, monthly_amount=Decimal("30.01"))
    tasks.check_earnings(world.mentor.pk)
    assert not alerts.exists()
    assert selectors.mentor_pay(world.mentor)["alert_reached"] is False

    services.earnings_alert_set(mentor=world.mentor, monthly_amount=Decimal("30.00"))
    tasks.check_earnings(world.mentor.pk)
    tasks.check_earnings(world.mentor.pk)
    assert alerts.count() == 1
    assert selectors.mentor_pay(world.mentor)["alert_reached"] is True


# Expenses


def test_it_works_out_mileage_from_the_miles_at_the_cards_rate(world):
    rate_card(world, mileage_rate=Decimal("0.45"))

    expense = services.expense_claim(
        mentor=world.mentor,
        programme=world.programme,
        kind="mileage",
        spent_on=yesterday(),
        description="To the community centre and back",
        miles=Decimal("12.3"),
        amount=Decimal("99.00"),  # ignored: mileage is worked out, not typed
    )

    expense.refresh_from_db()
    assert expense.amount == Decimal("5.54")
    assert expense.miles == Decimal("12.3")
    assert expense.status == Expense.Status.CLAIMED


def test_it_refuses_a_kind_of_expense_the_card_does_not_pay(world):
    rate_card(world, expense_kinds=["mileage", "fare"])

    with pytest.raises(ValidationError) as refused:
        approved_expense(world, kind="childcare")

    assert "kind" in refused.value.message_dict
    assert not Expense.objects.exists()


def test_it_refuses_an_expense_from_the_future(world):
    rate_card(world)

    with pytest.raises(ValidationError) as refused:
        approved_expense(world, spent_on=timezone.localdate() + timedelta(days=1))

    assert "spent_on" in refused.value.message_dict


def test_it_needs_a_receipt_only_over_the_cards_limit(world):
    rate_card(world, receipt_needed_over=Decimal("50.00"))

    with pytest.raises(ValidationError) as refused:
        approved_expense(world, amount="50.01")
    approved_expense(world, amount="50.00")

    assert "receipt" in refused.value.message_dict
    assert Expense.objects.get().amount == Decimal("50.00")


def test_it_refuses_an_expense_from_someone_not_a_mentor_here(world):
    rate_card(world)

    with pytest.raises(PermissionDenied):
        approved_expense(world, mentor=world.other_mentor)


def test_it_adds_one_expense_line_when_a_claim_is_approved_twice(world):
    rate_card(world)
    expense = approved_expense(world, amount="12.50")

    again = services.expense_approve(expense=expense, by=world.coordinator)

    assert again is False
    line = LedgerLine.objects.get()
    assert line.kind == LedgerLine.Kind.EXPENSE
    assert line.category == LedgerLine.Category.EXPENSE
    assert line.amount == Decimal("12.50")
    assert line.expense == expense
    assert line.earned_on == expense.spent_on


def test_it_refuses_an_approval_by_a_coordinator_of_another_programme(world):
    rate_card(world)
    expense = services.expense_claim(
        mentor=world.mentor,
        programme=world.programme,
        kind="fare",
        spent_on=yesterday(),
        description="Bus",
        amount=Decimal("3.00"),
    )

    with pytest.raises(PermissionDenied):
        services.expense_approve(expense=expense, by=world.other_coordinator)

    assert not LedgerLine.objects.exists()


def test_it_needs_a_reason_to_reject_a_claim(world):
    rate_card(world)
    expense = services.expense_claim(
        mentor=world.mentor,
        programme=world.programme,
        kind="fare",
        spent_on=yesterday(),
        description="Taxi",
        amount=Decimal("30.00"),
    )

    with pytest.raises(ValidationError):
        services.expense_reject(expense=expense, by=world.coordinator, reason="  ")
    assert services.expense_reject(expense=expense, by=world.coordinator, reason="Take the bus")

    expense.refresh_from_db()
    assert expense.status == Expense.Status.REJECTED
    assert expense.decision_reason == "Take the bus"
    assert services.expense_approve(expense=expense, by=world.coordinator) is False
    assert not LedgerLine.objects.exists()


def test_it_lets_only_its_mentor_withdraw_a_claim_and_only_while_waiting(world):
    rate_card(world)
    claim = {
        "mentor": world.mentor,
        "programme": world.programme,
        "kind": "fare",
        "spent_on": yesterday(),
        "description": "Bus",
        "amount": Decimal("3.00"),
    }
    waiting = services.expense_claim(**claim)
    approved = services.expense_claim(**claim)
    services.expense_approve(expense=approved, by=world.coordinator)

    for someone in (world.mentee, world.coordinator, world.other_mentor):
        with pytest.raises(PermissionDenied):
            services.expense_withdraw(expense=waiting, by=someone)
    assert services.expense_withdraw(expense=approved, by=world.mentor) is False
    assert services.expense_withdraw(expense=waiting, by=world.mentor) is True
    assert services.expense_withdraw(expense=waiting, by=world.mentor) is False

    assert waiting.status == Expense.Status.WITHDRAWN
    approved.refresh_from_db()
    assert approved.status == Expense.Status.APPROVED


def test_it_keeps_expenses_out_of_the_fees(world):
    rate_card(world)
    approved_session(world, starts_at=earlier_today())
    approved_expense(world, amount="40.00", spent_on=timezone.localdate())

    pay = selectors.mentor_pay(world.mentor)

    assert pay["statement"].fees == Decimal("30.00")
    assert pay["statement"].expenses == Decimal("40.00")
    assert LedgerLine.objects.fees().count() == 2
    assert LedgerLine.objects.expenses().count() == 1


# Payment runs


@pytest.fixture
def waiting_money(world):
    """Sam (paid by bank) has two sessions and a £12.50 fare waiting, then chose no payment
    and has a session of £0 lines. Lee, a mentor here who has not said how to be paid, has a
    fare. Kai, of the other programme, has a fare there."""
    rate_card(world)
    rate_card(world, programme=world.other_programme, by=world.other_coordinator)
    paid_by_bank(world.mentor)
    sessions = [
        approved_session(world, starts_at=timezone.now() - timedelta(days=days)) for days in (3, 2)
    ]
    approved_expense(world, amount="12.50")
    services.preference_set(
        mentor=world.mentor,
        method="none",
        account_name="Sam",
        sort_code="309457",
        account_number="12345678",
    )
    nothing = approved_session(world, starts_at=timezone.now() - timedelta(days=1))
    lee = another_mentor(world)
    approved_expense(world, mentor=lee, amount="7.00")
    paid_by_bank(world.other_mentor)
    approved_expense(
        world,
        mentor=world.other_mentor,
        programme=world.other_programme,
        by=world.other_coordinator,
        amount="9.00",
    )
    return {"sessions": sessions, "nothing": nothing, "lee": lee}


def test_it_collects_the_programmes_waiting_lines_into_a_run(world, waiting_money):
    run = services.run_create(programme=world.programme, by=world.coordinator)

    payee = run.payees.get()
    assert payee.mentor == world.mentor
    assert payee.method == "bank"
    assert payee.fees == Decimal("60.00")
    assert payee.expenses == Decimal("12.50")
    assert payee.total == payee.fees + payee.expenses == Decimal("72.50")
    expected = LedgerLine.objects.filter(programme=world.programme, mentor=world.mentor).exclude(
        amount=0
    )
    assert set(run.items.values_list("line_id", flat=True)) == set(
        expected.values_list("pk", flat=True)
    )
    assert run.items.count() == 5
    assert run.number == 1
    assert run.status == PaymentRun.Status.READY


def test_it_leaves_out_other_programmes_mentors_without_a_choice_and_zero_lines(
    world, waiting_money
):
    run = services.run_create(programme=world.programme, by=world.coordinator)

    in_run = LedgerLine.objects.filter(run_items__run=run)
    assert not in_run.filter(programme=world.other_programme).exists()
    assert not in_run.filter(mentor=waiting_money["lee"]).exists()
    assert not in_run.filter(session=waiting_money["nothing"]).exists()
    assert not in_run.filter(amount=0).exists()
    # Lee's fare waits for Lee to say how to be paid.
    assert LedgerLine.objects.filter(mentor=waiting_money["lee"]).unpaid().count() == 1


def test_it_finds_nothing_for_a_second_run_straight_after(world, waiting_money):
    services.run_create(programme=world.programme, by=world.coordinator)

    with pytest.raises(ValidationError):
        services.run_create(programme=world.programme, by=world.coordinator)

    assert PaymentRun.objects.filter(programme=world.programme).count() == 1


def test_it_numbers_runs_in_each_programme(world, waiting_money):
    first = services.run_create(programme=world.programme, by=world.coordinator)
    other = services.run_create(programme=world.other_programme, by=world.other_coordinator)

    assert first.number == other.number == 1
    assert other.payees.get().total == Decimal("9.00")


def test_it_refuses_a_run_by_a_coordinator_of_another_programme(world, waiting_money):
    with pytest.raises(PermissionDenied):
        services.run_create(programme=world.programme, by=world.other_coordinator)


def test_it_pays_fees_to_a_charity_and_expenses_to_the_mentor(world):
    rate_card(world)
    services.preference_set(
        mentor=world.mentor,
        method="charity",
        charity_name="Food Bank",
        charity_number="1234567",
        account_name="Sam",
        sort_code="309457",
        account_number="12345678",
    )
    approved_session(world)
    approved_expense(world, amount="4.20")

    run = services.run_create(programme=world.programme, by=world.coordinator)

    payees = {payee.method: payee for payee in run.payees.all()}
    assert set(payees) == {"charity", "bank"}
    assert payees["charity"].payee_name == "Food Bank"
    assert payees["charity"].total == payees["charity"].fees == Decimal("30.00")
    assert payees["bank"].total == payees["bank"].expenses == Decimal("4.20")
    assert sum(p.total for p in payees.values()) == Decimal("34.20")


def test_it_records_the_days_to_payment_once(world, waiting_money):
    run = services.run_create(programme=world.programme, by=world.coordinator)
    today = timezone.localdate()

    assert services.run_mark_paid(run=run, by=world.coordinator, paid_on=today) is True
    assert services.run_mark_paid(run=run, by=world.coordinator, paid_on=today) is False

    run.refresh_from_db()
    assert run.status == PaymentRun.Status.PAID
    assert run.paid_on == today
    items = list(run.items.select_related("line"))
    assert len(items) == 5
    for item in items:
        assert item.status == RunItem.Status.PAID
        assert item.days_to_payment == (today - item.line.earned_on).days
    fare = next(item for item in items if item.line.kind == LedgerLine.Kind.EXPENSE)
    assert fare.days_to_payment == 1  # spent yesterday
    assert set(run.payees.values_list("status", flat=True)) == {RunPayee.Status.PAID}


def test_it_refuses_a_payment_day_in_the_future(world, waiting_money):
    run = services.run_create(programme=world.programme, by=world.coordinator)

    with pytest.raises(ValidationError):
        services.run_mark_paid(
            run=run, by=world.coordinator, paid_on=timezone.localdate() + timedelta(days=1)
        )

    run.refresh_from_db()
    assert run.status == PaymentRun.Status.READY


def test_it_puts_a_failed_payments_lines_in_the_next_run(world, waiting_money):
    first = services.run_create(programme=world.programme, by=world.coordinator)
    payee = first.payees.get()
    lines = set(first.items.values_list("line_id", flat=True))

    with pytest.raises(ValidationError, match="not been paid yet"):
        services.run_payee_fail(payee=payee, by=world.coordinator, reason="Account closed")
    services.run_mark_paid(run=first, by=world.coordinator, paid_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.run_payee_fail(payee=payee, by=world.coordinator, reason=" ")
    assert services.run_payee_fail(payee=payee, by=world.coordinator, reason="Account closed")
    assert services.run_payee_fail(payee=payee, by=world.coordinator, reason="Again") is False
    second = services.run_create(programme=world.programme, by=world.coordinator)

    assert set(first.items.values_list("status", flat=True)) == {RunItem.Status.FAILED}
    assert set(second.items.values_list("line_id", flat=True)) == lines
    assert second.payees.get().total == payee.total == Decimal("72.50")
    assert second.number == 2


def test_it_leaves_a_mentor_who_owes_money_back_for_a_later_run(world):
    rate_card(world)
    paid_by_bank(world.mentor)
    paid = lines_of(approved_session(world))["session"]
    run = services.run_create(programme=world.programme, by=world.coordinator)
    services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    services.line_reverse(line=paid, by=world.coordinator, reason="Did not happen")

    with pytest.raises(ValidationError):
        services.run_create(programme=world.programme, by=world.coordinator)

    assert LedgerLine.objects.filter(kind="reversal").unpaid().count() == 1


def test_it_adds_no_lines_for_a_confirmed_session_until_it_is_approved(world):
    rate_card(world)

    confirmed_session(world)

    assert not LedgerLine.objects.exists()


# Audit


def test_it_records_each_change_of_money_in_the_audit_log(world, waiting_money):
    from accounts.models import AuditEvent

    line = LedgerLine.objects.filter(mentor=world.mentor, kind="session", amount__gt=0).first()
    services.line_reverse(line=line, by=world.coordinator, reason="Was shorter")
    run = services.run_create(programme=world.programme, by=world.coordinator)
    services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())

    def one(action):
        return AuditEvent.objects.get(action=action, programme=world.programme)

    card = one(AuditEvent.Action.RATE_CARD_ADDED).new_values
    assert str(card["effective_from"]) == "2026-04-06"
    assert str(card["hourly_rate"]) == "20.00"
    reversed_ = one(AuditEvent.Action.LEDGER_LINE_REVERSED).new_values
    assert str(reversed_["amount"]) == "-20.00"
    assert str(one(AuditEvent.Action.PAYMENT_RUN_CREATED).new_values["total"]) == "52.50"
    assert one(AuditEvent.Action.PAYMENT_RUN_PAID).new_values["paid_on"] == str(
        timezone.localdate()
    )
    claimed = AuditEvent.objects.filter(action=AuditEvent.Action.EXPENSE_CLAIMED)
    assert claimed.filter(programme=world.programme).count() == 2  # Sam's and Lee's fares
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPENSE_APPROVED).count() == 3


def test_it_leaves_lines_that_cancel_out_for_a_later_run(world):
    """Nothing to pay is not a payment: no £0.00 row for finance, no "you were paid"."""
    rate_card(world, preparation_minutes=0)
    paid_by_bank(world.mentor)
    line = lines_of(approved_session(world))["session"]
    services.line_reverse(line=line, by=world.coordinator, reason="Logged twice")

    with pytest.raises(ValidationError, match="Nothing is waiting"):
        services.run_create(programme=world.programme, by=world.coordinator)


def test_it_refuses_to_correct_a_line_for_nothing(world):
    rate_card(world)
    services.preference_set(mentor=world.mentor, method="none")
    line = lines_of(approved_session(world))["session"]
    assert line.amount == 0
    with pytest.raises(ValidationError, match="nothing to correct"):
        services.line_reverse(line=line, by=world.coordinator, reason="Wrong")


def test_it_keeps_the_waiting_list_in_step_with_the_ledger(world):
    """Through approvals, a claim, a correction, a run, a failed payment and a second run,
    the waiting list is what the ledger and the run items say is unpaid."""
    from payments.models import WaitingLine

    def waiting():
        return set(WaitingLine.objects.values_list("line_id", "amount"))

    rate_card(world, receipt_needed_over=Decimal("100.00"))
    paid_by_bank(world.mentor)
    first = lines_of(approved_session(world))
    approved_session(world, starts_at=earlier_today() - timedelta(days=9))
    expense = services.expense_claim(
        mentor=world.mentor,
        programme=world.programme,
        kind="fare",
        spent_on=timezone.localdate(),
        description="Bus",
        amount=Decimal("4.20"),
    )
    services.expense_approve(expense=expense, by=world.coordinator)
    services.line_reverse(line=first["session"], by=world.coordinator, reason="Too long")
    run = services.run_create(programme=world.programme, by=world.coordinator)
    assert waiting() == set()
    services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    services.run_payee_fail(payee=run.payees.get(), by=world.coordinator, reason="Closed")
    after_failure = waiting()
    assert len(after_failure) == run.items.count()
    services.waiting_lines_rebuild()
    assert waiting() == after_failure
    services.run_create(programme=world.programme, by=world.coordinator)
    assert waiting() == set()
