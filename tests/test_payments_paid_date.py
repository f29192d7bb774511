"""Pay by the date it arrives, and holding pay under a limit: assessment periods across month
ends, the tax year by the day paid, the monthly alert and the £1,000 notice by the day paid,
caps that leave fees for a later run, and the pages and letter that show all this.
Runs on SQLite and PostgreSQL (the concurrent runs are in tests/test_payments_races.py)."""

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from notifications.models import Notification
from payments import selectors, services
from payments.models import BenefitsSettings, LedgerLine, PaymentRun, RunHold, RunItem
from payments.money import over_cap, tax_year_bounds
from payments.periods import (
    Cap,
    assessment_period,
    group_by_period,
    month_of,
    period_of,
    week_of,
)
from tests.pages import table, table_rows
from tests.payments_support import approved_session, earlier_today, paid_by_bank, rate_card
from tests.test_payments_pages import pdf_text

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
start_days = st.integers(min_value=1, max_value=31)
pennies = st.integers(min_value=-50_000, max_value=200_000).map(lambda p: Decimal(p) / 100)


# Assessment periods


@pytest.mark.parametrize(
    ("day", "start_day", "period"),
    [
        # Starting on the 31st: February has no 31st, so that period starts on the 28th.
        (date(2026, 2, 10), 31, (date(2026, 1, 31), date(2026, 2, 27))),
        (date(2026, 2, 28), 31, (date(2026, 2, 28), date(2026, 3, 30))),
        (date(2026, 3, 31), 31, (date(2026, 3, 31), date(2026, 4, 29))),
        (date(2026, 4, 30), 31, (date(2026, 4, 30), date(2026, 5, 30))),
        # A leap year: 29 February is there, so a period starting on the 29th uses it.
        (date(2028, 2, 29), 29, (date(2028, 2, 29), date(2028, 3, 28))),
        (date(2027, 2, 28), 29, (date(2027, 2, 28), date(2027, 3, 28))),
        # Across the year end.
        (date(2026, 12, 20), 15, (date(2026, 12, 15), date(2027, 1, 14))),
        (date(2027, 1, 3), 15, (date(2026, 12, 15), date(2027, 1, 14))),
        # From the 1st: the calendar month.
        (date(2026, 6, 30), 1, (date(2026, 6, 1), date(2026, 6, 30))),
    ],
)
def test_it_knows_the_assessment_period_of_a_day(day, start_day, period):
    assert assessment_period(day, start_day) == period


@given(day=days, start_day=start_days)
def test_it_covers_every_day_with_one_assessment_period(day, start_day):
    start, end = assessment_period(day, start_day)
    assert start <= day <= end
    assert 28 <= (end - start).days + 1 <= 31
    # It starts on the day asked for, or the month's last day when the month is too short.
    assert start.day == min(start_day, calendar.monthrange(start.year, start.month)[1])
    # The next period starts the day after this one ends, and the one before ended the day
    # before this one started: no day is left out or counted twice.
    assert assessment_period(end + timedelta(days=1), start_day)[0] == end + timedelta(days=1)
    assert assessment_period(start - timedelta(days=1), start_day)[1] == start - timedelta(days=1)
    assert assessment_period(start, start_day) == assessment_period(end, start_day) == (start, end)


@given(day=days)
def test_it_knows_the_week_and_month_of_a_day(day):
    monday, sunday = week_of(day)
    assert monday.weekday() == 0 and (sunday - monday).days == 6 and monday <= day <= sunday
    first, last = month_of(day)
    assert first.day == 1 and first <= day <= last and (last + timedelta(days=1)).day == 1


def test_it_refuses_an_assessment_period_without_a_real_start_day():
    with pytest.raises(ValueError):
        assessment_period(date(2026, 1, 1), 32)
    with pytest.raises(ValueError):
        period_of(date(2026, 1, 1), Cap.ASSESSMENT_PERIOD, None)


payments_paid = st.lists(st.tuples(days, st.sampled_from(["fee", "expense"]), pennies), max_size=40)


@given(payments=payments_paid, start_day=start_days)
def test_it_groups_every_payment_into_the_assessment_period_it_was_paid_in(payments, start_day):
    periods = group_by_period(payments, lambda day: assessment_period(day, start_day))

    # Nothing lost or counted twice: the periods add up to what was paid.
    assert sum(p.fees for p in periods) == sum(a for _, c, a in payments if c == "fee")
    assert sum(p.expenses for p in periods) == sum(a for _, c, a in payments if c == "expense")
    # Oldest first, never overlapping, and each payment's day in its period.
    for before, after in zip(periods, periods[1:], strict=False):
        assert before.end < after.start
    for day, _, _ in payments:
        (period,) = [p for p in periods if p.start <= day <= p.end]
        assert (period.start, period.end) == assessment_period(day, start_day)
        assert day in period.days


@given(payments=payments_paid)
def test_it_puts_5_and_6_april_payments_in_different_tax_years(payments):
    """Grouped by tax year (6 April to 5 April) by the day paid: each payment in one."""
    from payments.money import tax_year_of

    periods = group_by_period(payments, lambda day: tax_year_bounds(tax_year_of(day)))
    for period in periods:
        assert (period.start.month, period.start.day) == (4, 6)
        assert (period.end.month, period.end.day) == (4, 5)
    assert sum(p.total for p in periods) == sum(a for _, _, a in payments)


def test_it_refuses_to_guess_whether_a_payment_is_a_fee():
    with pytest.raises(ValueError):
        group_by_period([(date(2026, 1, 1), "gift", Decimal("1.00"))], month_of)


# Caps: which fees wait


def test_it_pays_oldest_first_up_to_the_cap_and_holds_the_rest():
    fees = [("a", Decimal("20.00")), ("b", Decimal("10.00")), ("c", Decimal("20.00"))]
    assert over_cap(fees, room=Decimal("50.00")) == []
    assert over_cap(fees, room=Decimal("49.99")) == ["c"]
    # A later, smaller fee waits behind an older one that does not fit: pay stays in order.
    assert over_cap(fees, room=Decimal("25.00")) == ["b", "c"]
    assert over_cap(fees, room=Decimal("0.00")) == ["a", "b", "c"]
    assert over_cap(fees, room=Decimal("-5.00")) == ["a", "b", "c"]


def test_it_always_pays_a_correction_which_makes_room():
    fees = [("a", Decimal("20.00")), ("fix", Decimal("-20.00")), ("b", Decimal("30.00"))]
    assert over_cap(fees, room=Decimal("30.00")) == []
    assert over_cap(fees, room=Decimal("29.99")) == ["b"]


@given(
    amounts=st.lists(pennies, max_size=30),
    room=st.integers(min_value=-10_000, max_value=200_000).map(lambda p: Decimal(p) / 100),
)
def test_it_never_pays_over_the_cap_and_holds_only_what_does_not_fit(amounts, room):
    fees = list(enumerate(amounts))
    held = over_cap(fees, room=room)
    paid = [amount for key, amount in fees if key not in held]

    # Corrections are never held; what is held is the positive fees from the first that
    # did not fit onwards, in order.
    assert all(amounts[key] >= 0 for key in held)
    positives = [key for key, amount in fees if amount >= 0]
    assert held == positives[len(positives) - len(held) :]
    negatives = sum((a for a in amounts if a < 0), Decimal(0))
    if held:
        # The first held fee did not fit...
        first = amounts[held[0]]
        assert sum(paid) + first > room
    # ...and what is paid fits, unless corrections alone are already over (then only they
    # are paid, which only lowers the total).
    assert sum(paid) <= max(room, negatives)


# Runs with a cap


def _cap(world, amount, period=Cap.WEEK, assessment_day=None, mentor=None):
    return services.benefits_settings_set(
        mentor=mentor or world.mentor,
        assessment_day=assessment_day,
        cap_period=period,
        cap_amount=Decimal(amount),
    )


def _two_sessions(world):
    """Two sessions of £30 each (£20 for the hour, £10 for preparation): four lines."""
    rate_card(world)
    paid_by_bank(world.mentor)
    for days_ago in (3, 2):
        approved_session(world, starts_at=timezone.now() - timedelta(days=days_ago))


def _fare(world, amount="12.50"):
    expense = services.expense_claim(
        mentor=world.mentor,
        programme=world.programme,
        kind="fare",
        spent_on=timezone.localdate() - timedelta(days=1),
        description="Bus to the library",
        amount=Decimal(amount),
    )
    services.expense_approve(expense=expense, by=world.coordinator)


def test_it_leaves_fees_over_the_cap_for_a_later_run_and_says_so(world, login_as):
    _two_sessions(world)
    _fare(world)
    _cap(world, "50.00")
    last_preparation = LedgerLine.objects.filter(kind="preparation").order_by("-id").first()

    run = services.run_create(programme=world.programme, by=world.coordinator)

    # £50 of fees fit, oldest first; the last preparation (£10) would pass the cap.
    payee = run.payees.get()
    assert (payee.fees, payee.expenses) == (Decimal("50.00"), Decimal("12.50"))
    assert not RunItem.objects.filter(line=last_preparation).exists()
    assert list(LedgerLine.objects.unpaid()) == [last_preparation]  # the ledger is unchanged
    hold = RunHold.objects.get(run=run)
    assert (hold.mentor, hold.lines, hold.amount) == (world.mentor, 1, Decimal("10.00"))
    assert (hold.period_start, hold.period_end) == week_of(timezone.localdate())
    told = Notification.objects.get(
        person=world.mentor, event_key=f"run:{run.pk}:held:{world.mentor.pk}"
    )
    assert "£10.00" in told.body and "£50.00" in told.body
    page = (
        login_as("coordinator")
        .get(reverse("payments:coordinator_run", args=[world.programme.slug, run.pk]))
        .content.decode()
    )
    assert "Pay left for a later run, at the mentor's request" in page
    assert "£10.00 (1 line) waits" in page
    # The coordinator is not told why: nothing about benefits or Universal Credit.
    assert "Universal Credit" not in page


def test_it_pays_what_was_held_in_the_next_period(world):
    _two_sessions(world)
    _cap(world, "50.00")
    first = services.run_create(programme=world.programme, by=world.coordinator)
    services.run_mark_paid(run=first, by=world.coordinator, paid_on=timezone.localdate())

    # The same week: the cap is used up, so nothing can be paid.
    with pytest.raises(ValidationError, match="under a limit"):
        services.run_create(programme=world.programme, by=world.coordinator)
    # A run that pays next week has room again.
    later = services.run_create(
        programme=world.programme,
        by=world.coordinator,
        pays_on=timezone.localdate() + timedelta(days=7),
    )

    assert later.payees.get().fees == Decimal("10.00")
    assert not RunHold.objects.filter(run=later).exists()
    assert not LedgerLine.objects.unpaid().exists()


def test_it_counts_a_run_not_yet_paid_against_the_cap(world):
    _two_sessions(world)
    _cap(world, "60.00")
    first = services.run_create(programme=world.programme, by=world.coordinator)
    assert first.payees.get().fees == Decimal("60.00")
    approved_session(world, starts_at=timezone.now() - timedelta(days=1))

    # The first run is not paid yet, but it will be: its £60 fills this week's cap.
    with pytest.raises(ValidationError):
        services.run_create(programme=world.programme, by=world.coordinator)

    services.run_mark_paid(run=first, by=world.coordinator, paid_on=timezone.localdate())
    later = services.run_create(
        programme=world.programme,
        by=world.coordinator,
        pays_on=timezone.localdate() + timedelta(days=7),
    )
    assert later.payees.get().fees == Decimal("30.00")


def test_it_counts_what_was_paid_earlier_in_the_assessment_period_across_a_month_end(world):
    _two_sessions(world)
    _cap(world, "100.00", Cap.ASSESSMENT_PERIOD, assessment_day=20)
    earlier = services.run_create(programme=world.programme, by=world.coordinator)
    # Paid on 25 November: in the assessment period from 20 November to 19 December.
    PaymentRun.objects.filter(pk=earlier.pk).update(
        status="paid", paid_on=date(2026, 11, 25), created_at=_at(date(2026, 11, 24))
    )
    RunItem.objects.filter(run=earlier).update(status="paid")
    for days_ago in (2, 1):
        approved_session(world, starts_at=timezone.now() - timedelta(days=days_ago))

    # Paying on 3 December: £60 paid in the period already, so £40 of room.
    run = services.run_create(
        programme=world.programme, by=world.coordinator, pays_on=date(2026, 12, 3)
    )
    # The next £20 would pass it, so it waits, and the £10 after it too: pay stays in order.
    assert run.payees.get().fees == Decimal("30.00")
    hold = RunHold.objects.get(run=run)
    assert (hold.period_start, hold.period_end) == (date(2026, 11, 20), date(2026, 12, 19))
    assert (hold.lines, hold.amount) == (2, Decimal("30.00"))


def test_it_never_holds_expenses_which_are_not_earnings(world):
    rate_card(world)
    paid_by_bank(world.mentor)
    _fare(world, "40.00")
    _cap(world, "5.00")
    run = services.run_create(programme=world.programme, by=world.coordinator)
    assert run.payees.get().expenses == Decimal("40.00")
    assert not RunHold.objects.exists()


def test_it_tells_the_mentor_when_one_fee_is_larger_than_the_cap(world):
    _two_sessions(world)
    _fare(world)
    _cap(world, "15.00")
    run = services.run_create(programme=world.programme, by=world.coordinator)
    assert run.payees.get().fees == Decimal("0.00")
    told = Notification.objects.get(event_key=f"run:{run.pk}:held:{world.mentor.pk}")
    assert "larger than your limit on its own" in told.body


def test_it_holds_nothing_for_mentors_without_a_cap(world):
    _two_sessions(world)
    services.benefits_settings_set(mentor=world.mentor, assessment_day=12)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    assert run.payees.get().fees == Decimal("60.00")
    assert not RunHold.objects.exists()


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"assessment_day": 0}, "assessment_day"),
        ({"assessment_day": 32}, "assessment_day"),
        (
            {
                "assessment_day": None,
                "cap_period": "assessment_period",
                "cap_amount": Decimal("50"),
            },
            "assessment_day",
        ),
        ({"assessment_day": None, "cap_period": "week"}, "cap_amount"),
        (
            {"assessment_day": None, "cap_period": "week", "cap_amount": Decimal("0.50")},
            "cap_amount",
        ),
        (
            {"assessment_day": None, "cap_period": "fortnight", "cap_amount": Decimal("50")},
            "cap_period",
        ),
    ],
)
def test_it_refuses_settings_that_do_not_make_sense(world, details, field):
    with pytest.raises(ValidationError) as caught:
        services.benefits_settings_set(mentor=world.mentor, **details)
    assert field in caught.value.message_dict
    assert not BenefitsSettings.objects.exists()


def test_it_forgets_the_settings_when_there_is_nothing_to_keep(world):
    _cap(world, "50.00")
    assert services.benefits_settings_set(mentor=world.mentor, assessment_day=None) is None
    assert not BenefitsSettings.objects.exists()


# The alert and the £1,000 notice go by the day paid


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _pay(world, paid_on=None):
    run = services.run_create(programme=world.programme, by=world.coordinator)
    services.run_mark_paid(run=run, by=world.coordinator, paid_on=paid_on or timezone.localdate())
    services.run_paid_tell(run_id=run.pk)
    return run


def test_it_tells_a_mentor_about_the_alert_only_once_fees_are_paid(world):
    _two_sessions(world)
    services.earnings_alert_set(mentor=world.mentor, monthly_amount=Decimal("60.00"))
    services.earnings_check(mentor_id=world.mentor.pk)
    alerts = Notification.objects.filter(person=world.mentor, kind="earnings")
    assert not alerts.exists()  # earned, not paid
    assert selectors.mentor_pay(world.mentor)["alert_reached"] is False

    _pay(world)
    services.earnings_check(mentor_id=world.mentor.pk)

    (alert,) = alerts
    assert alert.event_key == f"earnings-alert:{timezone.localdate():%Y-%m}"
    assert "£60.00 has been paid to you" in alert.body
    assert selectors.mentor_pay(world.mentor)["alert_reached"] is True


def test_it_counts_the_alert_over_the_assessment_period_for_universal_credit(world):
    _two_sessions(world)
    services.earnings_alert_set(mentor=world.mentor, monthly_amount=Decimal("60.00"))
    today = timezone.localdate()
    day = (today - timedelta(days=3)).day
    services.benefits_settings_set(mentor=world.mentor, assessment_day=day)
    _pay(world)

    start, end = assessment_period(today, day)
    alert = Notification.objects.get(person=world.mentor, kind="earnings")
    assert alert.event_key == f"earnings-alert:ap:{start:%Y-%m-%d}"
    assert f"from {start:%-d %B} to {end:%-d %B %Y}" in alert.title


def test_it_gives_the_1000_notice_once_fees_paid_in_the_tax_year_reach_it(world):
    rate_card(world, hourly_rate=Decimal("1000.00"), preparation_minutes=0)
    paid_by_bank(world.mentor)
    approved_session(world)
    assert selectors.mentor_pay(world.mentor)["over_allowance"] is False  # not paid yet

    _pay(world)
    services.earnings_check(mentor_id=world.mentor.pk)

    assert selectors.mentor_pay(world.mentor)["over_allowance"] is True
    notices = Notification.objects.filter(event_key__startswith="trading-allowance:")
    assert notices.count() == 1


def test_it_counts_a_fee_earned_on_5_april_and_paid_on_6_april_in_the_new_tax_year(world):
    rate_card(world, effective_from=date(2026, 3, 1))
    paid_by_bank(world.mentor)
    approved_session(world, starts_at=_at(date(2026, 4, 5)))
    run = services.run_create(programme=world.programme, by=world.coordinator)
    PaymentRun.objects.filter(pk=run.pk).update(status="paid", paid_on=date(2026, 4, 6))
    RunItem.objects.filter(run=run).update(status="paid")

    earned = selectors.tax_year_statement(world.mentor, 2025)
    assert earned.fees == Decimal("30.00")
    assert selectors.paid_by_month(world.mentor, 2025) == []
    (april,) = selectors.paid_by_month(world.mentor, 2026)
    assert (april.start, april.fees, april.days) == (
        date(2026, 4, 1),
        Decimal("30.00"),
        [date(2026, 4, 6)],
    )
    assert selectors.fees_paid_between(world.mentor.pk, *tax_year_bounds(2026)) == Decimal("30.00")


def test_it_leaves_a_failed_payment_out_of_what_was_paid(world):
    _two_sessions(world)
    run = _pay(world)
    services.run_payee_fail(payee=run.payees.get(), by=world.coordinator, reason="Closed")
    assert selectors.fees_paid_between(world.mentor.pk, *week_of(timezone.localdate())) == 0


# The pages


def test_it_shows_the_mentor_pay_by_date_paid_and_by_assessment_period(world, login_as):
    _two_sessions(world)
    _pay(world)
    today = timezone.localdate()
    day = (today - timedelta(days=3)).day
    services.benefits_settings_set(mentor=world.mentor, assessment_day=day)
    approved_session(world, starts_at=timezone.now() - timedelta(hours=30))

    page = login_as("mentor").get(reverse("payments:pay")).content.decode()

    year = selectors.tax_year_of(today)
    label = f"6 April {year} to 5 April {year + 1}"
    by_month = table_rows(page, f"Fees and expenses by the month they were paid, {label}")
    assert by_month[f"{today:%B %Y}"][:2] == ["£60.00", "£0.00"]
    start, end = assessment_period(today, day)
    periods = table_rows(
        page, f"Fees and expenses by the assessment period they were paid in, {label}"
    )
    assert periods[f"{start:%-d %B %Y} to {end:%-d %B %Y}"][:2] == ["£60.00", "£0.00"]
    assert f"starts on day {day} of each month" in page
    # The third session waits for the next run.
    assert "Fees waiting to be paid<strong>£30.00</strong>" in " ".join(page.split())
    assert "has not set a date for the next pay day yet" in page


def test_it_shows_when_the_next_run_is_expected_and_in_which_period(world, login_as, monkeypatch):
    _two_sessions(world)
    services.benefits_settings_set(mentor=world.mentor, assessment_day=31)
    monkeypatch.setattr(
        selectors, "next_run_days", lambda mentor: {world.programme.pk: date(2027, 2, 27)}
    )
    page = " ".join(login_as("mentor").get(reverse("payments:pay")).content.decode().split())
    assert "in your assessment period from 31 January to 27 February 2027" in page


def test_it_shows_the_cap_and_what_it_would_hold_and_points_to_advice_when_near(world, login_as):
    _two_sessions(world)
    _cap(world, "70.00")
    _pay(world)  # £60 of £70 paid this week
    approved_session(world, starts_at=timezone.now() - timedelta(hours=30))

    page = " ".join(login_as("mentor").get(reverse("payments:pay")).content.decode().split())

    assert "Your limit: £70.00 in fees each week." in page
    assert "£60.00 has been paid to you" in page
    assert "£30.00 of the fees waiting would wait for a later pay day" in page
    assert "You are close to your limit" in page
    assert f'href="{reverse("payments:benefits")}#advice"' in page


def test_it_saves_benefits_settings_and_explains_mistakes_next_to_the_field(world, login_as):
    client = login_as("mentor")
    url = reverse("payments:benefits_settings")
    response = client.post(
        url, {"universal_credit": "yes", "assessment_day": "", "cap_period": "week"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the day of the month your assessment period starts." in page
    assert "Enter the most you want paid in fees in each period." in page
    assert not BenefitsSettings.objects.exists()

    response = client.post(
        url, {"universal_credit": "no", "cap_period": "assessment_period", "cap_amount": "50"}
    )
    assert "Assessment periods are for Universal Credit" in response.content.decode()

    response = client.post(
        url,
        {
            "universal_credit": "yes",
            "assessment_day": "31",
            "cap_period": "assessment_period",
            "cap_amount": "180",
        },
    )
    assert response.status_code == 302
    saved = BenefitsSettings.objects.get(mentor=world.mentor)
    assert (saved.assessment_day, saved.cap_period, saved.cap_amount) == (
        31,
        "assessment_period",
        Decimal("180.00"),
    )
    page = client.get(url).content.decode()
    assert 'value="31"' in page and 'value="180.00"' in page
    assert "Check your own limit." in page


def test_it_points_to_independent_advice_and_says_when_to_get_it(world, login_as):
    page = login_as("mentor").get(reverse("payments:benefits")).content.decode()
    for name, address in (
        ("Citizens Advice", "https://www.citizensadvice.org.uk/benefits/"),
        ("Turn2us", "https://www.turn2us.org.uk/"),
        ("Advicelocal", "https://advicelocal.uk/"),
    ):
        assert f'<a href="{address}">{name}</a>' in page
    assert "before you reduce your fee or say no to payment" in page
    assert "when your pay is close to a limit" in page
    choice = login_as("mentor").get(reverse("payments:payment_preference")).content.decode()
    assert "Get free, independent advice first" in choice


def test_it_shows_the_hours_worked_each_week(world, login_as):
    rate_card(world)
    today = timezone.localdate()
    monday = week_of(today)[0]
    this_week = _at(monday) if monday < today else earlier_today()
    approved_session(world, starts_at=this_week, duration_minutes=90)
    approved_session(world, starts_at=_at(monday - timedelta(days=7)), duration_minutes=60)
    corrected = approved_session(
        world, starts_at=_at(monday - timedelta(days=7)), duration_minutes=45
    )
    services.line_reverse(
        line=LedgerLine.objects.get(session=corrected, kind="session"),
        by=world.coordinator,
        reason="Did not happen",
    )

    page = login_as("mentor").get(reverse("payments:pay_hours")).content.decode()
    rows = table(page, "Paid hours in each of the last 26 weeks, newest first")
    assert len(rows) == 27
    assert rows[1][1:] == ["1 hour 30 minutes", "0 hours", "30 minutes", "2 hours"]
    # The corrected session's own time does not count; its preparation line was not corrected.
    assert rows[2][1:] == ["1 hour", "0 hours", "1 hour", "2 hours"]
    assert rows[3][1:] == ["0 hours", "0 hours", "0 hours", "0 hours"]


def test_it_lists_the_dates_paid_and_amounts_in_the_work_coach_letter(world, login_as):
    _two_sessions(world)
    _fare(world)
    _pay(world)
    services.benefits_settings_set(mentor=world.mentor, assessment_day=9)
    text = pdf_text(login_as("mentor").get(reverse("payments:work_coach_letter")).content)
    assert "Date paid" in text
    assert f"{timezone.localdate():%-d %B %Y}" in text
    assert "£60.00" in text and "£12.50" in text
    assert "assessment period starts on day 9" in text


def test_it_keeps_benefits_settings_in_my_data_and_deletes_them_with_the_account(world):
    from portal.services import account_delete

    _cap(world, "50.00", Cap.ASSESSMENT_PERIOD, assessment_day=4)
    data = selectors.personal_data(world.mentor)
    assert data["benefits"]["universal_credit_assessment_period_starts_on_day"] == 4
    assert data["benefits"]["limit"] == "50.00"
    account_delete(user=world.mentor)
    assert not BenefitsSettings.objects.exists()


@pytest.mark.parametrize("count", [5, 60])
def test_it_keeps_the_pay_page_queries_flat_with_universal_credit_and_a_cap(
    world, login_as, django_assert_max_num_queries, count
):
    """Paid and waiting sessions, by assessment period and under a cap: the pay page's query
    count does not grow with them."""
    rate_card(world)
    paid_by_bank(world.mentor)
    for number in range(count):
        approved_session(world, starts_at=timezone.now() - timedelta(days=2, minutes=number))
    _cap(world, "100.00", Cap.ASSESSMENT_PERIOD, assessment_day=31)
    _pay(world)
    approved_session(world, starts_at=timezone.now() - timedelta(days=1))
    client = login_as("mentor")
    with django_assert_max_num_queries(34):
        assert client.get(reverse("payments:pay")).status_code == 200
