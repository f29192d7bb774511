"""Money when many people (or retries) act at the same moment, on PostgreSQL, where the row
locks, conditional updates, unique indexes and the append-only trigger are real."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from mentoring import services as mentoring_services
from mentoring.models import Session
from payments import services
from payments.models import Expense, LedgerLine, PaymentRun, RateCard, RunHold, RunItem
from tests.payments_support import approved_session, confirmed_session, paid_by_bank, rate_card
from tests.test_matching_app import at_once, postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def refused_or(work):
    """Run `work`, answering "refused" for a ValidationError: the expected loser's answer."""

    def attempt():
        try:
            return work()
        except ValidationError:
            return "refused"

    return attempt


def test_it_pays_a_session_once_when_fifty_approvals_arrive_at_once(world):
    rate_card(world, online_allowance=Decimal("2.00"))
    session = confirmed_session(world, meeting_mode="online")

    results = at_once(
        50,
        lambda: mentoring_services.session_approve(
            session=Session.objects.get(pk=session.pk), by=world.coordinator
        ),
    )

    assert sorted(results) == [False] * 49 + [True]
    lines = LedgerLine.objects.filter(session=session)
    assert sorted(lines.values_list("kind", flat=True)) == ["online", "preparation", "session"]
    assert sum(line.amount for line in lines) == Decimal("32.00")
    approvals = AuditEvent.objects.filter(
        action=AuditEvent.Action.SESSION_APPROVED, object_id=str(session.pk)
    )
    assert approvals.count() == 1


def test_it_adds_one_line_when_twenty_approvals_of_a_claim_arrive_at_once(world):
    rate_card(world)
    expense = services.expense_claim(
        mentor=world.mentor,
        programme=world.programme,
        kind="mileage",
        spent_on=timezone.localdate() - timedelta(days=1),
        description="To the library",
        miles=Decimal("20"),
    )

    results = at_once(
        20,
        lambda: services.expense_approve(
            expense=Expense.objects.get(pk=expense.pk), by=world.coordinator
        ),
    )

    assert sorted(results) == [False] * 19 + [True]
    line = LedgerLine.objects.get(expense=expense)
    assert line.amount == Decimal("9.00")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPENSE_APPROVED).count() == 1


def test_it_puts_each_waiting_line_in_one_run_when_runs_are_made_at_once(world):
    rate_card(world)
    paid_by_bank(world.mentor)
    for _ in range(3):
        approved_session(world)
    waiting = set(LedgerLine.objects.values_list("pk", flat=True))
    assert len(waiting) == 6

    results = at_once(
        4,
        refused_or(lambda: services.run_create(programme=world.programme, by=world.coordinator)),
    )

    runs = [result for result in results if isinstance(result, PaymentRun)]
    assert len(runs) >= 1
    assert all(result == "refused" for result in results if result not in runs)
    in_runs = list(RunItem.objects.values_list("line_id", flat=True))
    assert sorted(in_runs) == sorted(waiting)  # every line, none twice
    assert sorted(PaymentRun.objects.values_list("number", flat=True)) == list(
        range(1, len(runs) + 1)
    )


def test_it_corrects_a_line_once_when_corrections_arrive_at_once(world):
    rate_card(world)
    line = LedgerLine.objects.get(session=approved_session(world), kind="session")

    results = at_once(
        10,
        refused_or(
            lambda: services.line_reverse(
                line=LedgerLine.objects.get(pk=line.pk), by=world.coordinator, reason="Wrong"
            )
        ),
    )

    reversals = [result for result in results if isinstance(result, LedgerLine)]
    assert len(reversals) == 1
    assert results.count("refused") == 9
    assert LedgerLine.objects.filter(reverses=line).count() == 1
    assert LedgerLine.objects.get(reverses=line).amount == Decimal("-20.00")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE payments_ledgerline SET amount = 0 WHERE id = %s",
        "UPDATE payments_ledgerline SET description = 'Changed' WHERE id = %s",
        "DELETE FROM payments_ledgerline WHERE id = %s",
    ],
)
def test_it_has_the_database_refuse_to_change_or_delete_a_line(world, statement):
    rate_card(world)
    line = LedgerLine.objects.get(session=approved_session(world), kind="session")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [line.pk])

    stored = LedgerLine.objects.get(pk=line.pk)
    assert stored.amount == Decimal("20.00")
    assert stored.description == line.description


def test_it_pays_sessions_once_when_the_catch_up_task_runs_many_times_at_once(world):
    sessions = [approved_session(world) for _ in range(3)]
    assert not LedgerLine.objects.exists()  # approved before there was a card
    RateCard.objects.create(
        programme=world.programme, effective_from=date(2026, 4, 6), hourly_rate=Decimal("20.00")
    )

    results = at_once(10, lambda: services.approved_sessions_pay(programme=world.programme))

    for session in sessions:
        kinds = LedgerLine.objects.filter(session=session).values_list("kind", flat=True)
        assert sorted(kinds) == ["preparation", "session"]
    # Each call says how many lines it added: together, exactly the lines there are.
    assert sum(results) == LedgerLine.objects.count() == 6


# A cap on a mentor's pay (BenefitsSettings): runs leave what would pass it for later.


def _fees_in_live_runs(mentor) -> Decimal:
    items = RunItem.objects.filter(line__mentor=mentor, line__category="fee").exclude(
        status__in=RunItem.GONE
    )
    return sum((item.line.amount for item in items.select_related("line")), Decimal("0.00"))


def test_it_holds_exactly_the_fees_over_a_cap_when_runs_are_made_at_once(world):
    rate_card(world)
    paid_by_bank(world.mentor)
    for days_ago in (4, 3, 2):
        approved_session(world, starts_at=timezone.now() - timedelta(days=days_ago))
    services.benefits_settings_set(
        mentor=world.mentor, assessment_day=None, cap_period="week", cap_amount=Decimal("50")
    )
    lines = list(LedgerLine.objects.order_by("earned_on", "id"))  # £20, £10, three times

    results = at_once(
        4,
        refused_or(lambda: services.run_create(programme=world.programme, by=world.coordinator)),
    )

    (run,) = [result for result in results if isinstance(result, PaymentRun)]
    assert results.count("refused") == 3
    # Oldest first up to £50: the first session, its preparation and the second session.
    assert sorted(run.items.values_list("line_id", flat=True)) == [x.pk for x in lines[:3]]
    assert sorted(LedgerLine.objects.unpaid().values_list("pk", flat=True)) == [
        x.pk for x in lines[3:]
    ]
    assert _fees_in_live_runs(world.mentor) == Decimal("50.00")
    hold = RunHold.objects.get()
    assert (hold.run, hold.lines, hold.amount) == (run, 3, Decimal("40.00"))


def _mentor_in_second_programme(world):
    """Sam mentors in Riverside too, with a session approved there by its coordinator."""
    from core.choices import Role
    from matching.models import Match, MatchingRound, Proposal
    from tests.factories import MembershipFactory, UserFactory

    MembershipFactory(programme=world.other_programme, person=world.mentor, role=Role.MENTOR)
    mentee = UserFactory(display_name="Ola", email="ola@example.test")
    MembershipFactory(programme=world.other_programme, person=mentee, role=Role.MENTEE)
    matching_round = MatchingRound.objects.create(
        programme=world.other_programme, status=MatchingRound.Status.FINISHED
    )
    proposal = Proposal.objects.create(
        round=matching_round, mentor=world.mentor, mentee=mentee, score=1, status="accepted"
    )
    match = Match.objects.create(
        programme=world.other_programme, proposal=proposal, mentor=world.mentor, mentee=mentee
    )
    rate_card(world, programme=world.other_programme, by=world.other_coordinator)
    session = mentoring_services.session_log(
        match=match,
        by=world.mentor,
        starts_at=timezone.now() - timedelta(days=2),
        duration_minutes=60,
        meeting_mode="in_person",
    )
    mentoring_services.session_confirm(session=session, by=mentee)
    assert mentoring_services.session_approve(session=session, by=world.other_coordinator)


def test_it_counts_both_of_two_runs_of_different_programmes_made_at_once(world, monkeypatch):
    rate_card(world)
    paid_by_bank(world.mentor)
    approved_session(world)  # £30 in North Star
    _mentor_in_second_programme(world)  # £30 in Riverside
    services.benefits_settings_set(
        mentor=world.mentor, assessment_day=None, cap_period="week", cap_amount=Decimal("50")
    )
    makers = [
        (world.programme, world.coordinator),
        (world.other_programme, world.other_coordinator),
    ]
    # Each run reads what is on its way, then takes a moment: long enough for the other run
    # to read it too, were nothing making them take turns.
    on_their_way = services.fees_on_their_way

    def slowly(mentor_id):
        found = on_their_way(mentor_id)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "fees_on_their_way", slowly)

    def make_a_run():
        programme, coordinator = makers.pop()  # one each: list.pop is atomic
        return services.run_create(programme=programme, by=coordinator)

    runs = at_once(2, make_a_run)

    # The runs take turns on Sam's settings: whichever came second had £20 of room, so it
    # paid the £20 session and left its £10 preparation. Without the lock both would pay
    # £30, £60 together.
    assert {run.programme for run in runs} == {world.programme, world.other_programme}
    assert _fees_in_live_runs(world.mentor) == Decimal("50.00")
    hold = RunHold.objects.get()
    assert (hold.lines, hold.amount) == (1, Decimal("10.00"))
    assert LedgerLine.objects.unpaid().get().kind == "preparation"


# Cancellation fees and advances: paid and settled once.


def _short_notice_plan(w):
    from mentoring.models import PlannedSession
    from tests.test_permissions import _match

    rate_card(w, cancellation_fee=Decimal("20.00"), cancellation_notice_hours=24)
    return PlannedSession.objects.create(
        match=_match(w),
        planned_by=w.mentee,
        starts_at=timezone.now() + timedelta(hours=3),
        duration_minutes=60,
        meeting_mode="online",
    )


def test_it_pays_a_cancellation_fee_once_when_fifty_calls_arrive_at_once(world):
    plan = _short_notice_plan(world)

    results = at_once(
        50,
        lambda: services.cancellation_fee_add(
            programme=world.programme,
            mentor=world.mentor,
            day=timezone.localdate(),
            description="Priya cancelled at short notice",
            key=plan,
            starts_at=plan.starts_at,
            cancelled_at=timezone.now(),
            by=world.mentee,
        ),
    )

    assert len([line for line in results if isinstance(line, LedgerLine)]) == 1
    assert results.count(None) == 49
    fee = LedgerLine.objects.get(kind="cancellation")
    assert fee.amount == Decimal("20.00")
    assert LedgerLine.objects.filter(programme=world.programme).unpaid().count() == 1
    assert AuditEvent.objects.filter(action="cancellation_fee_added").count() == 1


def test_it_pays_one_fee_when_twenty_cancellations_arrive_at_once(world):
    from mentoring.models import PlannedSession

    plan = _short_notice_plan(world)

    cancelled = at_once(
        20,
        lambda: mentoring_services.plan_cancel(
            plan=PlannedSession.objects.get(pk=plan.pk), by=world.mentee
        ),
    )

    assert sorted(cancelled) == [False] * 19 + [True]
    assert LedgerLine.objects.filter(kind="cancellation").count() == 1


def test_it_settles_an_advance_once_when_twenty_settlements_arrive_at_once(world):
    from payments.models import Advance

    rate_card(world)
    advance = services.advance_ask(
        mentor=world.mentor,
        programme=world.programme,
        kind="fare",
        needed_on=timezone.localdate(),
        description="Train",
        amount=Decimal("25.00"),
    )
    services.advance_approve(advance=advance, by=world.coordinator)

    results = at_once(
        20,
        refused_or(
            lambda: services.advance_settle(
                advance=Advance.objects.get(pk=advance.pk),
                by=world.mentor,
                spent=Decimal("22.40"),
                spent_on=timezone.localdate(),
                receipt=None,
            )
        ),
    )

    settlements = [result for result in results if isinstance(result, LedgerLine)]
    assert len(settlements) == 1
    assert results.count("refused") == 19
    lines = LedgerLine.objects.filter(advance=advance)
    assert sorted((line.kind, line.amount) for line in lines) == [
        ("advance", Decimal("25.00")),
        ("settlement", Decimal("-2.60")),
    ]
    assert AuditEvent.objects.filter(action="advance_settled").count() == 1


def test_it_has_the_database_refuse_a_second_settlement_or_cancellation_fee(world):
    """Behind the services: the partial unique indexes themselves."""
    from django.db import IntegrityError

    plan = _short_notice_plan(world)
    services.cancellation_fee_add(
        programme=world.programme,
        mentor=world.mentor,
        day=timezone.localdate(),
        description="Cancelled",
        key=plan,
        starts_at=plan.starts_at,
        cancelled_at=timezone.now(),
        by=world.mentee,
    )
    fee = LedgerLine.objects.get(kind="cancellation")
    fee.pk = None
    fee._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():
        fee.save()

    advance = services.advance_ask(
        mentor=world.mentor,
        programme=world.programme,
        kind="fare",
        needed_on=timezone.localdate(),
        description="Train",
        amount=Decimal("25.00"),
    )
    services.advance_approve(advance=advance, by=world.coordinator)
    services.advance_settle(
        advance=advance,
        by=world.mentor,
        spent=Decimal("30.00"),
        spent_on=timezone.localdate(),
        receipt=None,
    )
    settlement = LedgerLine.objects.get(kind="settlement")
    settlement.pk = None
    settlement._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():
        settlement.save()
    assert LedgerLine.objects.filter(kind__in=["cancellation", "settlement"]).count() == 2


def test_it_pays_one_fee_when_twenty_coordinators_confirm_a_missed_session_at_once(world):
    from mentoring.models import PlannedSession

    plan = _short_notice_plan(world)
    PlannedSession.objects.filter(pk=plan.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), missed_reported_at=timezone.now()
    )

    results = at_once(
        20,
        lambda: mentoring_services.plan_missed_confirm(
            plan=PlannedSession.objects.get(pk=plan.pk), by=world.coordinator
        ),
    )

    assert sorted(results) == [False] * 19 + [True]
    assert LedgerLine.objects.get(kind="cancellation").amount == Decimal("20.00")


def test_it_makes_one_run_when_a_scheduled_run_is_started_many_times_at_once(world):
    """Beat firing twice, two workers taking the same task, a retry: a scheduled day makes
    one run, with every waiting line once, and the coordinator is told once."""
    from notifications.models import Kind, Notification
    from payments.selectors import programme_today

    rate_card(world)
    paid_by_bank(world.mentor)
    for _ in range(3):
        approved_session(world)
    today = programme_today(world.programme)
    services.payment_schedule_set(
        programme=world.programme, by=world.coordinator, frequency="weekly", first_run_on=today
    )

    results = at_once(20, lambda: len(services.scheduled_runs_prepare(today=today)))

    assert sorted(results) == [0] * 19 + [1]
    run = PaymentRun.objects.get()
    assert run.scheduled_for == today
    assert sorted(RunItem.objects.values_list("line_id", flat=True)) == sorted(
        LedgerLine.objects.values_list("pk", flat=True)
    )
    assert Notification.objects.filter(kind=Kind.PAYMENT_RUN_READY).count() == 1


def test_it_has_the_database_refuse_a_second_run_for_a_scheduled_day(world):
    """The backstop behind the programme lock: whatever code makes runs, the unique index
    on (programme, scheduled_for) keeps one per scheduled day."""
    from django.db import IntegrityError

    day = date(2026, 12, 1)
    PaymentRun.objects.create(
        programme=world.programme, number=1, created_by=None, scheduled_for=day
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRun.objects.create(
            programme=world.programme, number=2, created_by=None, scheduled_for=day
        )
    # Runs a coordinator starts have no scheduled day, and any number of them may be made.
    for number in (3, 4):
        PaymentRun.objects.create(programme=world.programme, number=number, created_by=None)
    assert PaymentRun.objects.filter(scheduled_for=day).count() == 1


# Paid activities


def _attended_place_waiting(world):
    """Sam's yes to a panel that happened yesterday, attendance not yet recorded."""
    from activities import services as activity_services
    from activities.models import Activity

    panel = activity_services.activity_create(
        programme=world.programme,
        by=world.coordinator,
        kind="interview_panel",
        title="Panel",
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=90,
        preparation_minutes=30,
        places=2,
        who="open",
        place="Civic Centre",
    )
    place = activity_services.place_answer(activity=panel, person=world.mentor, yes=True)
    Activity.objects.filter(pk=panel.pk).update(starts_at=timezone.now() - timedelta(days=1))
    return place


def test_it_pays_a_place_once_when_fifty_attendance_records_arrive_at_once(world):
    from activities import services as activity_services
    from activities.models import Place

    rate_card(world)
    place = _attended_place_waiting(world)

    results = at_once(
        50,
        lambda: activity_services.attendance_record(
            place=Place.objects.select_related("activity__programme").get(pk=place.pk),
            by=world.coordinator,
            attended=True,
        ),
    )

    assert sorted(results) == [False] * 49 + [True]
    lines = LedgerLine.objects.filter(activity_place=place)
    assert sorted(lines.values_list("kind", flat=True)) == ["activity", "activity_preparation"]
    assert sum(line.amount for line in lines) == Decimal("40.00")
    assert LedgerLine.objects.filter(activity_place=place).unpaid().count() == 2
    records = AuditEvent.objects.filter(action=AuditEvent.Action.ACTIVITY_ATTENDANCE)
    assert records.count() == 1


def test_it_pays_a_place_once_when_the_catch_up_task_runs_many_times_at_once(world):
    from activities import services as activity_services
    from activities.models import Place

    place = _attended_place_waiting(world)
    assert activity_services.attendance_record(
        place=Place.objects.select_related("activity__programme").get(pk=place.pk),
        by=world.coordinator,
        attended=True,
    )
    assert not LedgerLine.objects.exists()  # attended before there was a card
    RateCard.objects.create(
        programme=world.programme, effective_from=date(2020, 4, 6), hourly_rate=Decimal("20.00")
    )

    results = at_once(10, lambda: services.approved_sessions_pay(programme=world.programme))

    assert sum(results) == LedgerLine.objects.filter(activity_place=place).count() == 2


def test_it_has_the_database_refuse_a_second_line_of_a_kind_for_a_place(world):
    from django.db import IntegrityError

    from activities import services as activity_services
    from activities.models import Place

    rate_card(world)
    place = _attended_place_waiting(world)
    activity_services.attendance_record(
        place=Place.objects.select_related("activity__programme").get(pk=place.pk),
        by=world.coordinator,
        attended=True,
    )
    line = LedgerLine.objects.get(activity_place=place, kind="activity")

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.create(
            programme=line.programme,
            mentor=line.mentor,
            kind="activity",
            category="fee",
            activity_place=place,
            amount=line.amount,
            earned_on=line.earned_on,
            description="Paid again",
        )


def test_it_gives_no_more_yes_answers_than_places_when_twenty_answer_at_once(world):
    from activities import services as activity_services
    from activities.models import Activity, Place
    from tests.factories import MembershipFactory, UserFactory

    panel = _attended_place_waiting(world).activity
    Activity.objects.filter(pk=panel.pk).update(
        starts_at=timezone.now() + timedelta(days=2), places=3
    )
    people = []
    for index in range(20):
        person = UserFactory(display_name=f"Mentor {index}")
        MembershipFactory(programme=world.programme, person=person, role="mentor")
        people.append(person)
    queue = list(people)

    def answer():
        person = queue.pop()
        return activity_services.place_answer(
            activity=Activity.objects.get(pk=panel.pk), person=person, yes=True
        )

    results = at_once(20, refused_or(answer))

    # Sam already holds one of the three places: two more said yes, the rest were told.
    assert results.count("refused") == 18
    assert Place.objects.filter(activity=panel, answer="yes").count() == 3


def test_it_cancels_an_activity_once_and_pays_each_yes_once_when_twenty_cancel_at_once(world):
    from activities import services as activity_services
    from activities.models import Activity
    from tests.factories import MembershipFactory, UserFactory

    rate_card(world, cancellation_fee=Decimal("25.00"), cancellation_notice_hours=48)
    panel = activity_services.activity_create(
        programme=world.programme,
        by=world.coordinator,
        kind="interview_panel",
        title="Panel tomorrow",
        starts_at=timezone.now() + timedelta(hours=20),
        duration_minutes=90,
        places=3,
        who="open",
        place="Civic Centre",
    )
    dee = UserFactory(display_name="Dee")
    MembershipFactory(programme=world.programme, person=dee, role="mentor")
    for person in (world.mentor, dee):
        activity_services.place_answer(activity=panel, person=person, yes=True)

    results = at_once(
        20,
        lambda: activity_services.activity_cancel(
            activity=Activity.objects.select_related("programme").get(pk=panel.pk),
            by=world.coordinator,
            reason="The candidate withdrew",
        ),
    )

    assert sorted(results) == [False] * 19 + [True]
    fees = LedgerLine.objects.filter(kind="cancellation")
    assert sorted(fees.values_list("mentor__display_name", flat=True)) == sorted(
        ["Dee", world.mentor.display_name]
    )
    assert all(fee.amount == Decimal("25.00") for fee in fees)
    cancelled = AuditEvent.objects.filter(action=AuditEvent.Action.ACTIVITY_CANCELLED)
    assert cancelled.count() == 1
    assert AuditEvent.objects.filter(action="cancellation_fee_added").count() == 2
