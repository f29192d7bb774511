"""Money when many people (or retries) act at the same moment, on PostgreSQL, where the row
locks, conditional updates, unique indexes and the append-only trigger are real."""

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
from payments.models import Expense, LedgerLine, PaymentRun, RateCard, RunItem
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
