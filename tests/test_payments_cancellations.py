"""Short-notice cancellations and missed sessions: the mentor is paid the rate card's
cancellation fee when someone else calls a planned session off too late, or when a
coordinator confirms the mentee did not come. Once, by the database. Runs on SQLite and
PostgreSQL (the concurrent cases are in tests/test_payments_races.py)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from core.choices import Role
from mentoring import services as mentoring_services
from mentoring.models import PlannedSession
from notifications.models import Notification
from payments import services
from payments.models import LedgerLine, ledger_key
from payments.money import short_notice
from tests.factories import MembershipFactory, UserFactory, live_match
from tests.payments_support import paid_by_bank, rate_card
from tests.test_permissions import _match

FEE = Decimal("20.00")


def with_fee(w, **overrides):
    return rate_card(w, cancellation_fee=FEE, cancellation_notice_hours=24, **overrides)


def plan(w, *, hours_ahead: float, by="mentee") -> PlannedSession:
    return mentoring_services.session_plan(
        match=_match(w),
        by=getattr(w, by),
        starts_at=timezone.now() + timedelta(hours=hours_ahead),
        duration_minutes=60,
        meeting_mode="online",
    )


def past_plan(w, *, hours_ago: float = 2) -> PlannedSession:
    """A plan whose time has come: made for later, then moved back (a plan must be made for
    a time still to come)."""
    made = plan(w, hours_ahead=1, by="mentor")
    PlannedSession.objects.filter(pk=made.pk).update(
        starts_at=timezone.now() - timedelta(hours=hours_ago)
    )
    made.refresh_from_db()
    return made


def fees(**filters):
    return LedgerLine.objects.filter(kind=LedgerLine.Kind.CANCELLATION, **filters)


# The rule at the boundary, as a property: cancelling exactly the notice period before the
# start is in time; a moment later is short notice, as is cancelling after the start.

MOMENTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(
    starts_at=MOMENTS,
    notice_hours=st.integers(min_value=1, max_value=336),
    offset=st.integers(min_value=-30 * 86_400_000_000, max_value=30 * 86_400_000_000),
)
def test_it_calls_a_cancellation_short_notice_only_inside_the_notice_period(
    starts_at, notice_hours, offset
):
    boundary = starts_at - timedelta(hours=notice_hours)
    cancelled_at = boundary + timedelta(microseconds=offset)
    due = short_notice(starts_at=starts_at, cancelled_at=cancelled_at, notice_hours=notice_hours)
    assert due == (offset > 0)
    # Exactly at the boundary is in time; a microsecond later is not.
    assert not short_notice(starts_at=starts_at, cancelled_at=boundary, notice_hours=notice_hours)
    assert short_notice(
        starts_at=starts_at,
        cancelled_at=boundary + timedelta(microseconds=1),
        notice_hours=notice_hours,
    )


@pytest.mark.parametrize(
    ("notice_given", "paid"),
    [
        (timedelta(hours=24), False),
        (timedelta(hours=24, seconds=1), False),
        (timedelta(hours=23, minutes=59, seconds=59), True),
        (timedelta(0), True),
        (-timedelta(minutes=30), True),  # cancelled after the start
    ],
)
def test_it_pays_the_fee_only_inside_the_cards_notice_period(world, notice_given, paid):
    with_fee(world)
    made = plan(world, hours_ahead=48)
    line = services.cancellation_fee_add(
        programme=world.programme,
        mentor=world.mentor,
        day=timezone.localdate(made.starts_at),
        description="Priya cancelled",
        key=made,
        starts_at=made.starts_at,
        cancelled_at=made.starts_at - notice_given,
        by=world.mentee,
    )
    assert (line is not None) == paid
    assert fees().count() == (1 if paid else 0)


def test_it_pays_the_mentor_when_the_mentee_cancels_at_short_notice(world):
    with_fee(world)
    made = plan(world, hours_ahead=5)

    assert mentoring_services.plan_cancel(plan=made, by=world.mentee)

    line = fees().get()
    assert line.mentor == world.mentor
    assert line.amount == FEE
    assert line.category == LedgerLine.Category.FEE
    assert line.key == ledger_key(made) == f"mentoring.plannedsession:{made.pk}"
    assert line.earned_on == timezone.localdate(made.starts_at)
    assert "Priya cancelled the session of" in line.description
    assert LedgerLine.objects.filter(programme=world.programme).unpaid().get() == line
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CANCELLATION_FEE_ADDED).count() == 1
    told = Notification.objects.get(person=world.mentor, kind="payment")
    assert told.title == "You will be paid £20.00 for time you kept free"


def test_it_pays_nothing_when_the_mentor_cancels_or_the_notice_was_enough(world):
    with_fee(world)
    own = plan(world, hours_ahead=3, by="mentor")
    mentoring_services.plan_cancel(plan=own, by=world.mentor)
    in_time = plan(world, hours_ahead=30)
    mentoring_services.plan_cancel(plan=in_time, by=world.mentee)

    assert not fees().exists()


def test_it_pays_nothing_when_the_card_has_no_cancellation_fee(world):
    rate_card(world)  # the default: no fee
    made = plan(world, hours_ahead=2)
    mentoring_services.plan_cancel(plan=made, by=world.mentee)

    assert not fees().exists()


def test_it_pays_the_fee_once_however_often_it_is_asked(world):
    with_fee(world)
    made = plan(world, hours_ahead=2)
    mentoring_services.plan_cancel(plan=made, by=world.mentee)
    assert not mentoring_services.plan_cancel(plan=made, by=world.mentee)

    again = services.plan_cancellation_pay(plan=made, by=world.mentee)

    assert again is None
    assert fees().count() == 1


def test_it_takes_a_reduced_fee_as_the_mentor_chose(world):
    with_fee(world)
    paid_by_bank(world.mentor, method="reduced", reduced_percent=50)
    made = plan(world, hours_ahead=2)
    mentoring_services.plan_cancel(plan=made, by=world.mentee)

    line = fees().get()
    assert line.amount == Decimal("10.00")
    assert "(50% of 20.00, as you asked)" in line.description


def test_it_pays_once_for_each_key_object_so_other_paid_work_can_use_it(world):
    """The service is not about planned sessions: anything with a row can be its key."""
    with_fee(world)
    starts_at = timezone.now() + timedelta(hours=3)
    match = _match(world)
    arguments = {
        "programme": world.programme,
        "mentor": world.mentor,
        "day": timezone.localdate(),
        "description": "Interview panel called off",
        "starts_at": starts_at,
        "cancelled_at": timezone.now(),
        "by": world.coordinator,
    }

    first = services.cancellation_fee_add(key=match, **arguments)
    second = services.cancellation_fee_add(key=match, **arguments)
    other = services.cancellation_fee_add(key=world.programme, **arguments)

    assert first is not None and second is None and other is not None
    assert sorted(fees().values_list("key", flat=True)) == sorted(
        [f"matching.match:{match.pk}", f"programmes.programme:{world.programme.pk}"]
    )


def test_it_uses_the_card_in_force_on_the_sessions_day(world):
    """A fee set on a later card is not owed for a session before that card."""
    with_fee(world)
    later = rate_card(
        world,
        effective_from=timezone.localdate() + timedelta(days=3),
        cancellation_fee=Decimal("35.00"),
        cancellation_notice_hours=48,
    )
    soon = plan(world, hours_ahead=2)
    mentoring_services.plan_cancel(plan=soon, by=world.mentee)
    after = plan(world, hours_ahead=24 * 5)
    mentoring_services.plan_cancel(plan=after, by=world.mentee)  # 5 days' notice: in time

    assert [line.amount for line in fees()] == [FEE]
    assert later.cancellation_notice_hours == 48


# Missed sessions: the mentor says so, a coordinator confirms it


def test_it_pays_the_fee_once_a_coordinator_confirms_the_mentee_did_not_come(world):
    with_fee(world)
    missed = past_plan(world)

    assert mentoring_services.plan_missed_report(plan=missed, by=world.mentor)
    assert not fees().exists()  # not until a coordinator confirms it
    assert not PlannedSession.objects.open().filter(pk=missed.pk).exists()
    assert mentoring_services.plan_missed_confirm(plan=missed, by=world.coordinator)
    assert not mentoring_services.plan_missed_confirm(plan=missed, by=world.administrator)

    line = fees().get()
    assert line.amount == FEE
    assert "Priya did not come to the session of" in line.description
    assert line.created_by == world.coordinator


def test_it_lets_only_the_mentor_say_the_mentee_did_not_come_once_it_started(world):
    with_fee(world)
    future = plan(world, hours_ahead=3)
    with pytest.raises(ValidationError):
        mentoring_services.plan_missed_report(plan=future, by=world.mentor)
    missed = past_plan(world)
    with pytest.raises(PermissionDenied):
        mentoring_services.plan_missed_report(plan=missed, by=world.mentee)
    with pytest.raises(PermissionDenied):
        mentoring_services.plan_missed_report(plan=missed, by=world.coordinator)
    assert not PlannedSession.objects.missed_to_confirm().exists()


def test_it_never_lets_the_mentor_confirm_their_own_missed_session(world):
    with_fee(world)
    missed = past_plan(world)
    mentoring_services.plan_missed_report(plan=missed, by=world.mentor)
    # Sam also coordinates North Star: still not his to confirm.
    MembershipFactory(programme=world.programme, person=world.mentor, role=Role.COORDINATOR)

    with pytest.raises(PermissionDenied):
        mentoring_services.plan_missed_confirm(plan=missed, by=world.mentor)
    with pytest.raises(PermissionDenied):
        mentoring_services.plan_missed_confirm(plan=missed, by=world.other_coordinator)
    assert not fees().exists()


def test_it_opens_the_plan_again_when_a_coordinator_does_not_confirm_it(world, login_as):
    with_fee(world)
    missed = past_plan(world)
    mentoring_services.plan_missed_report(plan=missed, by=world.mentor)
    client = login_as("coordinator")
    url = reverse("mentoring:coordinator_plan_missed", args=["north", missed.pk])

    response = client.post(url, {"reason": "Priya says she came and waited in the café."})

    assert response.status_code == 302
    missed.refresh_from_db()
    assert missed.is_open
    assert not fees().exists()
    told = Notification.objects.get(person=world.mentor, kind="payment")
    assert "Priya says she came and waited in the café." in told.body
    assert "log it from your match page" in told.body
    # Open again: the pair can now log it as a session.
    session = mentoring_services.session_log_from_plan(
        plan=missed,
        by=world.mentor,
        starts_at=missed.starts_at,
        duration_minutes=60,
        meeting_mode="online",
    )
    assert session.plan == missed


def test_it_shows_the_coordinator_missed_sessions_and_confirms_from_the_page(world, login_as):
    with_fee(world)
    missed = past_plan(world)
    mentoring_services.plan_missed_report(plan=missed, by=world.mentor)
    client = login_as("coordinator")

    queue = client.get(reverse("mentoring:coordinator_sessions", args=["north"]))
    assert "Sessions the mentee did not come to" in queue.content.decode()
    page = client.get(reverse("mentoring:coordinator_plan_missed", args=["north", missed.pk]))
    assert "Confirm Priya did not come" in page.content.decode()
    response = client.post(
        reverse("mentoring:coordinator_plan_missed_confirm", args=["north", missed.pk])
    )

    assert response.status_code == 302
    assert fees().get().amount == FEE


def test_it_lets_the_mentor_say_so_from_the_match_page(world, login_as):
    with_fee(world)
    missed = past_plan(world)
    client = login_as("mentor")
    match_page = client.get(reverse("mentoring:match_detail", args=[_match(world).pk]))
    assert "Priya did not come" in match_page.content.decode()

    response = client.post(reverse("mentoring:plan_missed", args=[missed.pk]), follow=True)

    assert "A coordinator will check it" in response.content.decode()
    assert PlannedSession.objects.missed_to_confirm().get() == missed
    mentee_page = login_as("mentee").get(reverse("mentoring:match_detail", args=[_match(world).pk]))
    assert "Sam said you did not come" in mentee_page.content.decode()


def test_it_never_logs_a_session_the_mentor_said_was_missed(world):
    with_fee(world)
    missed = past_plan(world)
    mentoring_services.plan_missed_report(plan=missed, by=world.mentor)

    with pytest.raises(ValidationError):
        mentoring_services.session_log_from_plan(
            plan=missed,
            by=world.mentee,
            starts_at=missed.starts_at,
            duration_minutes=60,
            meeting_mode="online",
        )
    assert not mentoring_services.plan_cancel(plan=missed, by=world.mentee)


def test_it_pays_another_mentors_cancellation_to_that_mentor_only(world):
    with_fee(world)
    other_mentor = UserFactory(display_name="Rae")
    MembershipFactory(programme=world.programme, person=other_mentor, role=Role.MENTOR)
    other_match = live_match(world.programme, other_mentor, world.mentee)
    made = mentoring_services.session_plan(
        match=other_match,
        by=world.mentee,
        starts_at=timezone.now() + timedelta(hours=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    mentoring_services.plan_cancel(plan=made, by=world.mentee)

    assert fees().get().mentor == other_mentor


def test_it_sets_the_cancellation_fee_on_the_rates_page(world, login_as):
    client = login_as("coordinator")
    url = reverse("payments:coordinator_rates", args=[world.programme.slug])
    form = client.get(url).content.decode()
    assert 'name="cancellation_fee"' in form and 'value="24"' in form

    client.post(
        url,
        {
            "effective_from": timezone.localdate().isoformat(),
            "hourly_rate": "20.00",
            "preparation_minutes": "30",
            "online_allowance": "0",
            "cancellation_fee": "15.00",
            "cancellation_notice_hours": "48",
            "mileage_rate": "0.45",
            "expense_kinds": ["fare"],
            "receipt_needed_over": "10",
            "currency": "GBP",
            "slow_payment_days": "14",
        },
    )

    page = client.get(url).content.decode()
    assert "£15.00, under 48 hours' notice" in page
    made = plan(world, hours_ahead=40)
    mentoring_services.plan_cancel(plan=made, by=world.mentee)
    assert fees().get().amount == Decimal("15.00")


def test_it_tells_a_coordinator_who_mentors_that_someone_else_confirms_their_missed_session(
    world, login_as
):
    with_fee(world)
    MembershipFactory(programme=world.programme, person=world.coordinator, role=Role.MENTOR)
    match = live_match(world.programme, world.coordinator, world.mentee)
    missed = PlannedSession.objects.create(
        match=match,
        planned_by=world.coordinator,
        starts_at=timezone.now() - timedelta(hours=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    mentoring_services.plan_missed_report(plan=missed, by=world.coordinator)
    client = login_as("coordinator")
    sentence = (
        "This session is yours, so another coordinator or an administrator confirms whether "
        "the mentee came."
    )

    queue = client.get(reverse("mentoring:coordinator_sessions", args=["north"]))
    page = client.get(reverse("mentoring:coordinator_plan_missed", args=["north", missed.pk]))
    client.post(reverse("mentoring:coordinator_plan_missed_confirm", args=["north", missed.pk]))

    assert sentence in queue.content.decode()
    assert sentence in page.content.decode()
    assert "Confirm Priya did not come" not in page.content.decode()
    assert not fees().exists()


def test_it_records_the_fee_at_nothing_without_telling_a_mentor_who_asked_for_no_payment(world):
    with_fee(world)
    paid_by_bank(world.mentor, method="none")
    made = plan(world, hours_ahead=2)
    mentoring_services.plan_cancel(plan=made, by=world.mentee)

    line = fees().get()
    assert line.amount == Decimal("0.00")
    assert "(no payment, as you asked)" in line.description
    assert not LedgerLine.objects.filter(programme=world.programme).unpaid().exists()
    assert not Notification.objects.filter(person=world.mentor, kind="payment").exists()
