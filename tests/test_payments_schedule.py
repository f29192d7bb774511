"""Paid promptly: a programme's pay days on a schedule (weekly, fortnightly or monthly),
prepared by the scheduler, which tells the coordinators; mentors see the next run's day."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from notifications.models import Kind, Notification
from payments import services, tasks
from payments.models import LedgerLine, PaymentRun, PaymentSchedule, RunItem
from payments.schedule import (
    STEP_DAYS,
    run_day_after,
    run_day_on_or_after,
    run_day_on_or_before,
)
from payments.selectors import next_run_on, programme_today
from tests.payments_support import approved_session, earlier_today, paid_by_bank, rate_card

# The days of a schedule


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))
frequencies = st.sampled_from(["weekly", "fortnightly", "monthly"])


def first_days(frequency):
    return days.map(lambda d: d.replace(day=min(d.day, 28)) if frequency == "monthly" else d)


@given(data=st.data(), frequency=frequencies, today=days)
def test_it_finds_the_run_due_and_the_next_with_no_run_day_between(data, frequency, today):
    first = data.draw(first_days(frequency))
    due = run_day_on_or_before(frequency, first, today)
    following = run_day_after(frequency, first, today)
    if today < first:
        assert due is None and following == first
        return
    assert first <= due <= today < following
    for day in (due, following):
        assert run_day_on_or_before(frequency, first, day) == day  # both are run days
        if frequency in STEP_DAYS:
            assert (day - first).days % STEP_DAYS[frequency] == 0
        else:
            assert day.day == first.day
    # Nothing in between is a run day.
    assert run_day_after(frequency, first, due) == following
    assert run_day_on_or_after(frequency, first, today) in (today, following)


def test_it_pays_monthly_on_the_same_day_across_the_year_end():
    first = date(2026, 11, 28)
    assert run_day_after("monthly", first, date(2026, 12, 28)) == date(2027, 1, 28)
    assert run_day_on_or_before("monthly", first, date(2027, 1, 27)) == date(2026, 12, 28)
    assert run_day_on_or_before("monthly", first, date(2027, 3, 31)) == date(2027, 3, 28)
    assert run_day_on_or_after("", first, date(2027, 1, 1)) is None


def test_it_pays_fortnightly_on_every_other_week():
    first = date(2026, 12, 1)  # a Tuesday
    assert run_day_after("fortnightly", first, date(2026, 12, 8)) == date(2026, 12, 15)
    assert run_day_on_or_before("fortnightly", first, date(2026, 12, 14)) == date(2026, 12, 1)


# Setting the schedule


def schedule(w, frequency="weekly", first=None, by=None):
    return services.payment_schedule_set(
        programme=w.programme,
        by=by or w.coordinator,
        frequency=frequency,
        first_run_on=first if first is not None else programme_today(w.programme),
    )


@pytest.mark.django_db
def test_it_sets_changes_and_stops_a_schedule_with_the_audit_log(world):
    today = programme_today(world.programme)
    schedule(world, "weekly", today)
    schedule(world, "monthly", today.replace(day=1) + timedelta(days=40))
    stopped = schedule(world, "", None)
    assert (stopped.frequency, stopped.first_run_on) == ("", None)
    assert next_run_on(world.programme) is None
    events = AuditEvent.objects.filter(action=AuditEvent.Action.PAYMENT_SCHEDULE_CHANGED)
    assert [e.new_values["frequency"] for e in events.order_by("id")] == ["weekly", "monthly", ""]
    assert PaymentSchedule.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_first_run_in_the_past_or_after_the_28th_for_monthly(world):
    today = programme_today(world.programme)
    with pytest.raises(ValidationError, match="today or later"):
        schedule(world, "weekly", today - timedelta(days=1))
    later = date(today.year + 1, 1, 29)
    with pytest.raises(ValidationError, match="1st to the 28th"):
        schedule(world, "monthly", later)
    with pytest.raises(ValidationError):
        schedule(world, "daily", today)
    with pytest.raises(PermissionDenied):
        schedule(world, "weekly", today, by=world.other_coordinator)
    assert not PaymentSchedule.objects.exists()


# The scheduler


def owed(w):
    rate_card(w)
    paid_by_bank(w.mentor)
    return approved_session(w)


@pytest.mark.django_db
def test_it_prepares_the_due_run_once_and_tells_the_coordinators(world):
    owed(world)
    today = programme_today(world.programme)
    schedule(world, "weekly", today)

    prepared = services.scheduled_runs_prepare(today=today)
    again = services.scheduled_runs_prepare(today=today)
    assert tasks.prepare_scheduled_runs() == 0  # beat's task, run again

    assert again == []
    [run] = prepared
    assert (run.scheduled_for, run.created_by, run.status) == (today, None, "ready")
    assert run.payees.get().total == Decimal("30.00")
    told = Notification.objects.get(kind=Kind.PAYMENT_RUN_READY)
    assert told.person == world.coordinator  # the programme's coordinator, not the admin
    assert told.title == f"Pay day {run.reference} is ready for you to check"
    assert "£30.00 for 1 mentor. Check it, export it for finance, then mark it paid." in told.body
    assert told.url == reverse("payments:coordinator_run", args=["north", run.pk])
    created = AuditEvent.objects.get(action=AuditEvent.Action.PAYMENT_RUN_CREATED)
    assert created.actor is None and created.new_values["scheduled_for"] == today.isoformat()


@pytest.mark.django_db
def test_it_pays_what_was_earned_before_the_day_and_leaves_the_rest(world):
    earlier = owed(world)  # two days ago
    today = programme_today(world.programme)
    schedule(world, "weekly", today)
    assert services.scheduled_runs_prepare(today=today - timedelta(days=1)) == []  # not yet
    later = approved_session(world, starts_at=earlier_today())
    [run] = services.scheduled_runs_prepare(today=today)
    in_run = set(RunItem.objects.filter(run=run).values_list("line__session", flat=True))
    assert in_run == {earlier.pk}
    waiting = LedgerLine.objects.filter(programme=world.programme).unpaid()
    assert {line.session_id for line in waiting} == {later.pk}


@pytest.mark.django_db
def test_it_prepares_a_missed_day_later_and_nothing_when_nothing_is_owed(world):
    today = programme_today(world.programme)
    schedule(world, "weekly", today)
    assert services.scheduled_runs_prepare(today=today) == []  # nothing owed: no run
    assert not Notification.objects.filter(kind=Kind.PAYMENT_RUN_READY).exists()
    owed(world)
    # The scheduler was down for nine days: it prepares the latest day that is due.
    [run] = services.scheduled_runs_prepare(today=today + timedelta(days=9))
    assert run.scheduled_for == today + timedelta(days=7)


@pytest.mark.django_db
def test_it_includes_a_coordinator_who_mentors_whom_nobody_made_the_run_for(world):
    """A scheduled run is made by nobody, so it leaves nobody's pay out; the coordinator it
    pays still cannot mark it paid (programmes.duties)."""
    from programmes.services import membership_add

    rate_card(world)
    membership_add(programme=world.programme, person=world.coordinator, role="mentor", by=None)
    paid_by_bank(world.coordinator)
    claim = services.expense_claim(
        mentor=world.coordinator,
        programme=world.programme,
        kind="fare",
        spent_on=timezone.localdate() - timedelta(days=2),
        description="Bus",
        amount=Decimal("4.00"),
    )
    services.expense_approve(expense=claim, by=world.administrator)
    today = programme_today(world.programme)
    schedule(world, "weekly", today)
    [run] = services.scheduled_runs_prepare(today=today)
    assert run.payees.get().mentor == world.coordinator
    with pytest.raises(PermissionDenied):
        services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    assert services.run_mark_paid(run=run, by=world.administrator, paid_on=timezone.localdate())


@pytest.mark.django_db
def test_it_measures_days_from_session_to_payment_for_a_scheduled_run(world):
    owed(world)
    today = programme_today(world.programme)
    schedule(world, "weekly", today)
    [run] = services.scheduled_runs_prepare(today=today)
    services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    measured = set(RunItem.objects.filter(run=run).values_list("days_to_payment", flat=True))
    assert measured == {2}  # the session was two days ago


def test_it_runs_the_scheduler_every_hour():
    entries = django_settings.CELERY_BEAT_SCHEDULE.values()
    [entry] = [e for e in entries if e["task"] == "payments.prepare_scheduled_runs"]
    assert entry["schedule"] == 60 * 60


# Pages


@pytest.mark.django_db
def test_it_tells_each_mentor_the_day_of_the_next_run(world, login_as):
    owed(world)
    today = programme_today(world.programme)
    client = login_as("mentor")
    assert b"The next pay day is on" not in client.get(reverse("payments:pay")).content
    schedule(world, "weekly", today)
    page = client.get(reverse("payments:pay")).content.decode()
    assert f"The next pay day is on {today:%A %-d %B %Y}." in page
    # Once today's run is prepared, the next is a week later.
    services.scheduled_runs_prepare(today=today)
    page = client.get(reverse("payments:pay")).content.decode()
    assert f"The next pay day is on {today + timedelta(days=7):%A %-d %B %Y}." in page


@pytest.mark.django_db
def test_it_lets_a_coordinator_set_the_schedule_and_says_when_the_next_run_is(world, login_as):
    client = login_as("coordinator")
    url = reverse("payments:coordinator_run_schedule", args=["north"])
    page = client.get(url).content.decode()
    assert "pay days are made only when a coordinator starts one" in page
    first = programme_today(world.programme) + timedelta(days=2)
    response = client.post(url, {"frequency": "fortnightly", "first_run_on": first.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:coordinator_pay", args=["north"])
    saved = PaymentSchedule.objects.get()
    assert (saved.frequency, saved.first_run_on, saved.updated_by) == (
        "fortnightly",
        first,
        world.coordinator,
    )
    pay = client.get(reverse("payments:coordinator_pay", args=["north"])).content.decode()
    assert f"Runs are prepared every two weeks; the next on {first:%A %-d %B %Y}" in pay
    # Stopping it needs no date.
    assert client.post(url, {"frequency": "none", "first_run_on": ""}).status_code == 302
    assert PaymentSchedule.objects.get().frequency == ""


@pytest.mark.django_db
def test_it_explains_a_bad_schedule_next_to_the_field_and_keeps_what_was_typed(world, login_as):
    client = login_as("coordinator")
    url = reverse("payments:coordinator_run_schedule", args=["north"])
    response = client.post(url, {"frequency": "weekly", "first_run_on": ""})
    assert "Enter the date of the first pay day." in response.content.decode()
    day = date(programme_today(world.programme).year + 1, 1, 29)
    response = client.post(url, {"frequency": "monthly", "first_run_on": day.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "pick a day from the 1st to the 28th" in page
    assert f'value="{day.isoformat()}"' in page
    assert re.search(r'value="monthly"[^>]*checked', page)
    assert not PaymentSchedule.objects.exists()


@pytest.mark.django_db
def test_it_says_who_prepared_a_scheduled_run(world, login_as):
    owed(world)
    today = programme_today(world.programme)
    schedule(world, "weekly", today)
    [run] = services.scheduled_runs_prepare(today=today)
    page = login_as("coordinator").get(reverse("payments:coordinator_run", args=["north", run.pk]))
    assert "Prepared by the payment schedule on" in page.content.decode()
    assert PaymentRun.objects.get().scheduled_for == today


@pytest.mark.django_db
def test_it_tells_the_administrators_when_nobody_coordinates_and_names_waiting_volunteers(world):
    from payments.models import EmploymentStatus
    from programmes.models import Membership
    from programmes.services import membership_end

    owed(world)
    services.employment_status_record(
        mentor=world.mentor,
        programme=world.programme,
        status=EmploymentStatus.VOLUNTEER,
        decided_on=timezone.localdate(),
        by=world.coordinator,
    )
    services.expense_approve(
        expense=services.expense_claim(
            mentor=world.mentor,
            programme=world.programme,
            kind="fare",
            spent_on=timezone.localdate() - timedelta(days=2),
            description="Bus",
            amount=Decimal("4.00"),
        ),
        by=world.coordinator,
    )
    today = programme_today(world.programme)
    schedule(world, "weekly", today)
    membership_end(
        membership=Membership.objects.get(person=world.coordinator, programme=world.programme),
        by=world.administrator,
    )

    [run] = services.scheduled_runs_prepare(today=today)

    assert run.payees.get().total == Decimal("4.00")  # the fare; the fees wait
    told = Notification.objects.get(kind=Kind.PAYMENT_RUN_READY)
    assert told.person == world.administrator
    assert "Fees of 1 volunteer are not in it: they are paid expenses only." in told.body
