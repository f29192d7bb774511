"""Paid activities: a coordinator makes one, experts by experience say yes or no, the
coordinator records who attended, and each attended place is paid on the ledger, once, at
the rate card's rate for its kind, in the same runs and statements as sessions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from activities import services
from activities.models import Activity, Place
from core.choices import Role
from payments import services as payments
from payments.models import ActivityRate, Expense, LedgerLine, RunItem
from payments.money import HALF_DAY_MINUTES, half_day_fee_for, half_days_in
from programmes.models import Membership
from programmes.services import membership_add, membership_end
from tests.factories import MembershipFactory, UserFactory, sign_in
from tests.payments_support import paid_by_bank, rate_card

pytestmark = pytest.mark.django_db


def another_mentor(w, name="Dee"):
    person = UserFactory(display_name=name, email=f"{name.lower()}@example.test")
    MembershipFactory(programme=w.programme, person=person, role=Role.MENTOR)
    return person


def activity(w, **details) -> Activity:
    terms = {
        "programme": w.programme,
        "by": w.coordinator,
        "kind": "interview_panel",
        "title": "Interview panel for a team manager",
        "starts_at": timezone.now() + timedelta(days=3),
        "duration_minutes": 90,
        "preparation_minutes": 30,
        "places": 2,
        "who": "invited",
        "place": "Civic Centre",
        **details,
    }
    return services.activity_create(**terms)


def happened(panel: Activity, days: int = 1) -> Activity:
    """Answers close when an activity starts: tests answer first, then move it back."""
    Activity.objects.filter(pk=panel.pk).update(starts_at=timezone.now() - timedelta(days=days))
    panel.refresh_from_db()
    return panel


def attended_panel(w, **details) -> Place:
    """Sam invited, says yes, the panel happens and Jo records that he attended."""
    panel = activity(w, **details)
    services.activity_invite(activity=panel, people=[w.mentor], by=w.coordinator)
    place = services.place_answer(activity=panel, person=w.mentor, yes=True)
    happened(panel)
    assert services.attendance_record(place=_fresh(place), by=w.coordinator, attended=True)
    return _fresh(place)


def _fresh(place: Place) -> Place:
    return Place.objects.select_related("activity__programme", "person").get(pk=place.pk)


def amounts(place: Place) -> dict[str, Decimal]:
    return dict(LedgerLine.objects.filter(activity_place=place).values_list("kind", "amount"))


# Pay


def test_it_pays_an_attended_place_by_the_hour_with_its_preparation(world):
    rate_card(world)  # £20 an hour
    place = attended_panel(world, duration_minutes=90, preparation_minutes=30)

    assert amounts(place) == {
        "activity": Decimal("30.00"),
        "activity_preparation": Decimal("10.00"),
    }
    line = LedgerLine.objects.get(activity_place=place, kind="activity")
    assert line.mentor == world.mentor
    assert line.category == "fee"
    assert line.minutes == 90 and line.rate == Decimal("20.00")
    assert line.earned_on == timezone.localdate() - timedelta(days=1)
    assert "Interview panel for a team manager" in line.description
    assert LedgerLine.objects.filter(activity_place=place).unpaid().count() == 2


def test_it_pays_the_kinds_own_rate_for_each_started_half_day(world):
    rate_card(
        world,
        activity_rates={
            "interview_panel": ("half_day", Decimal("80.00")),
            "teaching": ("hourly", Decimal("30.00")),
        },
    )
    # 250 minutes is two half days; preparation is paid by the card's hourly rate.
    panel = attended_panel(world, duration_minutes=250, preparation_minutes=60)
    assert amounts(panel) == {
        "activity": Decimal("160.00"),
        "activity_preparation": Decimal("20.00"),
    }
    teaching = attended_panel(world, kind="teaching", duration_minutes=45, preparation_minutes=0)
    assert amounts(teaching) == {"activity": Decimal("22.50")}


def test_it_pays_a_kind_without_a_rate_of_its_own_at_the_hourly_rate(world):
    rate_card(world, activity_rates={"teaching": ("half_day", Decimal("99.00"))})
    place = attended_panel(world, kind="other", kind_name="Podcast recording", duration_minutes=60)
    assert amounts(place)["activity"] == Decimal("20.00")
    assert (
        "Podcast recording"
        in LedgerLine.objects.get(activity_place=place, kind="activity").description
    )


def test_it_takes_a_reduced_fee_as_the_person_asked(world):
    rate_card(world)
    paid_by_bank(world.mentor, method="reduced", reduced_percent=50)
    place = attended_panel(world, duration_minutes=60, preparation_minutes=0)
    assert amounts(place) == {"activity": Decimal("10.00")}


def test_it_pays_a_place_once_however_often_attendance_is_recorded(world):
    rate_card(world)
    place = attended_panel(world)

    assert not services.attendance_record(place=place, by=world.coordinator, attended=True)
    assert not services.attendance_record(place=place, by=world.administrator, attended=False)
    assert payments.activity_lines_create(place=place, by=world.coordinator) == 0
    assert LedgerLine.objects.filter(activity_place=place).count() == 2
    assert _fresh(place).attendance == "attended"


def test_it_pays_nothing_to_someone_who_did_not_attend(world):
    rate_card(world)
    panel = activity(world)
    services.activity_invite(activity=panel, people=[world.mentor], by=world.coordinator)
    place = services.place_answer(activity=panel, person=world.mentor, yes=True)
    happened(panel)

    assert services.attendance_record(place=_fresh(place), by=world.coordinator, attended=False)
    assert not LedgerLine.objects.filter(activity_place=place).exists()
    assert _fresh(place).attendance == "absent"


def test_it_pays_what_was_attended_before_the_programme_had_rates(
    world, django_capture_on_commit_callbacks
):
    place = attended_panel(world, duration_minutes=60, preparation_minutes=0)
    assert not LedgerLine.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        rate_card(world, effective_from=date(2020, 4, 6))

    assert amounts(place) == {"activity": Decimal("20.00")}


def test_it_pays_attended_places_in_the_same_run_and_statement_as_sessions(world, client):
    rate_card(world)
    paid_by_bank(world.mentor)
    place = attended_panel(world, duration_minutes=60, preparation_minutes=30)

    run = payments.run_create(programme=world.programme, by=world.coordinator)

    payee = run.payees.get()
    assert payee.fees == Decimal("30.00")
    lines = set(RunItem.objects.filter(run=run).values_list("line__activity_place", flat=True))
    assert lines == {place.pk}
    payments.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    sign_in(client, world.mentor)
    statement = client.get(reverse("payments:pay_run_statement", args=[run.pk])).content.decode()
    assert "Interview panel for a team manager" in statement
    assert reverse("activities:activity_detail", args=[place.activity_id]) in statement


def test_it_corrects_an_activity_line_with_a_reversing_line_for_the_same_place(world):
    rate_card(world)
    place = attended_panel(world)
    line = LedgerLine.objects.get(activity_place=place, kind="activity")

    reversal = payments.line_reverse(line=line, by=world.coordinator, reason="Left at the break")

    assert reversal.activity_place == place
    assert reversal.amount == -line.amount


# Answers and places


def test_it_gives_no_more_yes_answers_than_there_are_places(world):
    panel = activity(world, places=1, who="open")
    dee = another_mentor(world)
    services.place_answer(activity=panel, person=world.mentor, yes=True)

    with pytest.raises(ValidationError, match="All 1 places are taken"):
        services.place_answer(activity=panel, person=dee, yes=True)
    # Saying no frees the place.
    services.place_answer(activity=panel, person=world.mentor, yes=False)
    services.place_answer(activity=panel, person=dee, yes=True)
    assert list(panel.places_taken.taken().values_list("person", flat=True)) == [dee.pk]


def test_it_lets_only_those_invited_answer_an_invitation(world, client):
    panel = activity(world)
    dee = another_mentor(world)
    with pytest.raises(PermissionDenied):
        services.place_answer(activity=panel, person=dee, yes=True)
    with pytest.raises(PermissionDenied):
        services.place_answer(activity=panel, person=world.other_mentor, yes=True)
    sign_in(client, dee)
    assert client.get(reverse("activities:activity_detail", args=[panel.pk])).status_code == 404
    assert client.get(reverse("activities:activities")).status_code == 200


def test_it_invites_only_experts_by_experience_of_the_programme(world):
    panel = activity(world)
    for stranger in (world.other_mentor, world.mentee):
        with pytest.raises(ValidationError):
            services.activity_invite(activity=panel, people=[stranger], by=world.coordinator)
    assert services.activity_invite(activity=panel, people=[world.mentor], by=world.coordinator)
    assert not services.activity_invite(activity=panel, people=[world.mentor], by=world.coordinator)
    assert world.mentor.notifications.filter(kind="activity").count() == 1


def test_it_closes_answers_when_the_activity_starts(world):
    panel = activity(world, who="open")
    happened(panel)
    with pytest.raises(ValidationError, match="has started"):
        services.place_answer(activity=panel, person=world.mentor, yes=True)


def test_it_records_attendance_only_once_the_activity_has_started(world):
    panel = activity(world, who="open")
    place = services.place_answer(activity=panel, person=world.mentor, yes=True)
    with pytest.raises(ValidationError, match="once the activity has started"):
        services.attendance_record(place=_fresh(place), by=world.coordinator, attended=True)


def test_it_never_lets_someone_record_attendance_for_an_activity_they_take_part_in(world):
    rate_card(world)
    membership_add(programme=world.programme, person=world.coordinator, role="mentor", by=None)
    panel = activity(world, who="open")
    mine = services.place_answer(activity=panel, person=world.coordinator, yes=True)
    sams = services.place_answer(activity=panel, person=world.mentor, yes=True)
    happened(panel)

    for place in (mine, sams):
        with pytest.raises(PermissionDenied):
            services.attendance_record(place=_fresh(place), by=world.coordinator, attended=True)
    assert not LedgerLine.objects.exists()
    # The administrator records it instead.
    assert services.attendance_record(place=_fresh(mine), by=world.administrator, attended=True)
    assert LedgerLine.objects.filter(mentor=world.coordinator).exists()


def test_it_gives_up_places_still_to_come_when_a_role_ends(world, client):
    rate_card(world)
    past = attended_panel(world)
    coming = activity(world, who="open", title="Co-design day")
    services.place_answer(activity=coming, person=world.mentor, yes=True)

    membership = Membership.objects.get(
        programme=world.programme, person=world.mentor, role="mentor"
    )
    membership_end(membership=membership, by=world.coordinator)

    assert coming.places_taken.get(person=world.mentor).answer == "role_ended"
    assert _fresh(past).answer == "yes"  # what was attended, and its pay, stay
    assert LedgerLine.objects.filter(activity_place=past).count() == 2
    sign_in(client, world.mentor)
    for name in ("activities:activity_detail", "activities:activity_calendar"):
        assert client.get(reverse(name, args=[coming.pk])).status_code == 404


# Pages


def test_it_answers_404_for_another_programmes_activity(world, client):
    panel = activity(world, who="open")
    sign_in(client, world.other_coordinator)
    for name in ("activities:coordinator_activity", "activities:coordinator_attendance"):
        url = reverse(name, kwargs={"slug": "south", "activity_id": panel.pk})
        answer = client.post(url) if name.endswith("attendance") else client.get(url)
        assert answer.status_code == 404
    sign_in(client, world.other_mentor)
    assert client.get(reverse("activities:activity_detail", args=[panel.pk])).status_code == 404
    assert b"Interview panel" not in client.get(reverse("activities:activities")).content


def test_it_gives_a_calendar_file_for_an_activity(world, client):
    panel = activity(world, who="open", online=True, place="")
    sign_in(client, world.mentor)
    response = client.get(reverse("activities:activity_calendar", args=[panel.pk]))
    assert response["Content-Type"] == "text/calendar"
    assert f"activity-{panel.pk}.ics" in response["Content-Disposition"]
    body = response.content.decode()
    assert f"UID:activity-{panel.pk}@alongside" in body
    assert "SUMMARY:Interview panel for a team manager (Interview panel)" in body
    assert "LOCATION:Online" in body
    assert "BEGIN:VTIMEZONE" in body


def test_it_shows_a_mentor_what_is_coming_up_and_what_they_took_part_in(world, client):
    rate_card(world)
    attended_panel(world, title="Panel in the past")
    invited = activity(world, title="Teaching next week", kind="teaching")
    services.activity_invite(activity=invited, people=[world.mentor], by=world.coordinator)
    activity(world, title="Open call", who="open")
    activity(world, title="Not for Sam")  # invited only, and Sam is not

    sign_in(client, world.mentor)
    page = client.get(reverse("activities:activities")).content.decode()
    assert "Teaching next week" in page and "You are invited" in page
    assert "Open call" in page
    assert "Not for Sam" not in page
    assert "Panel in the past" in page and "Attended" in page


def test_it_follows_a_panel_from_the_form_to_the_payment_run(world, client):
    """The coordinator makes a panel and invites two experts by experience; both say yes;
    it happens; the coordinator records both attended; a run pays them."""
    rate_card(world, activity_rates={"interview_panel": ("half_day", Decimal("80.00"))})
    dee = another_mentor(world)
    paid_by_bank(world.mentor)
    paid_by_bank(dee)
    sign_in(client, world.coordinator)
    day = timezone.localdate() + timedelta(days=5)
    response = client.post(
        reverse("activities:coordinator_activity_new", args=["north"]),
        {
            "kind": "interview_panel",
            "title": "Panel for a principal social worker",
            "date": day.isoformat(),
            "time": "10:00",
            "duration_minutes": "180",
            "preparation_minutes": "60",
            "how": "in_person",
            "place": "Civic Centre",
            "places": "2",
            "who": "invited",
            "people": [world.mentor.pk, dee.pk],
        },
    )
    panel = Activity.objects.get(title="Panel for a principal social worker")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "activities:coordinator_activity", args=["north", panel.pk]
    )
    for person in (world.mentor, dee):
        sign_in(client, person)
        url = reverse("activities:activity_detail", args=[panel.pk])
        assert client.post(url, {"answer": "yes"}).status_code == 302
    happened(panel)
    sign_in(client, world.coordinator)
    page = client.get(reverse("activities:coordinator_activity", args=["north", panel.pk]))
    assert b"Attended" in page.content
    for place in panel.places_taken.all():
        client.post(
            reverse("activities:coordinator_attendance", args=["north", panel.pk]),
            {"place": place.pk, "attended": "yes"},
        )
    assert panel.places_taken.filter(attendance="attended").count() == 2

    run = payments.run_create(programme=world.programme, by=world.administrator)
    fees = dict(run.payees.values_list("mentor__display_name", "fees"))
    # One half day at £80, and an hour's preparation at £20.
    assert fees == {"Sam": Decimal("100.00"), "Dee": Decimal("100.00")}


def test_it_explains_a_full_activity_next_to_the_answer(world, client):
    panel = activity(world, places=1, who="open")
    services.place_answer(activity=panel, person=another_mentor(world), yes=True)
    sign_in(client, world.mentor)
    response = client.post(
        reverse("activities:activity_detail", args=[panel.pk]), {"answer": "yes"}
    )
    assert response.status_code == 200
    assert b"All 1 places are taken" in response.content
    assert b'id="id_answer_error"' in response.content


def test_it_saves_a_rate_for_each_kind_of_activity_on_the_rate_card(world, client):
    sign_in(client, world.coordinator)
    url = reverse("payments:coordinator_rates", args=["north"])
    form = {
        "effective_from": "2026-04-06",
        "hourly_rate": "20.00",
        "preparation_minutes": "30",
        "online_allowance": "0.00",
        "mileage_rate": "0.45",
        "expense_kinds": ["fare"],
        "receipt_needed_over": "10.00",
        "currency": "GBP",
        "slow_payment_days": "14",
        "cancellation_fee": "0.00",
        "cancellation_notice_hours": "24",
        "activity_interview_panel_rate": "80.00",
        "activity_interview_panel_basis": "half_day",
        "activity_teaching_rate": "25.00",
        "activity_teaching_basis": "hourly",
    }
    assert client.post(url, form).status_code == 302
    rates = {r.kind: (r.basis, r.amount) for r in ActivityRate.objects.all()}
    assert rates == {
        "interview_panel": ("half_day", Decimal("80.00")),
        "teaching": ("hourly", Decimal("25.00")),
    }
    page = client.get(url).content.decode()
    assert "Rates for paid activities" in page
    # A new card starts from the one in force, activity rates included.
    assert 'value="80.00"' in page


def test_it_claims_an_expense_against_an_activity(world, client):
    rate_card(world)
    place = attended_panel(world)
    sign_in(client, world.mentor)
    page = client.get(reverse("payments:expense_new")).content.decode()
    assert "Interview panel for a team manager" in page
    response = client.post(
        reverse("payments:expense_new"),
        {
            "programme": world.programme.pk,
            "kind": "mileage",
            "spent_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "description": "Drove to the Civic Centre",
            "miles": "10",
            "activity_place": place.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    expense = Expense.objects.get()
    assert expense.activity_place == place
    # Nobody claims against someone else's place.
    dee = another_mentor(world)
    with pytest.raises(PermissionDenied):
        payments.expense_claim(
            mentor=dee,
            programme=world.programme,
            kind="mileage",
            spent_on=timezone.localdate(),
            description="Not mine",
            miles=Decimal("3"),
            activity_place=place,
        )


def test_it_shows_statistics_of_activities_only_for_eight_people_or_more(world, client):
    rate_card(world)
    panel = activity(world, who="open", places=20, duration_minutes=60, preparation_minutes=0)
    people = [world.mentor] + [another_mentor(world, f"Mentor{i}") for i in range(8)]
    for person in people[:3]:
        services.place_answer(activity=panel, person=person, yes=True)
    sign_in(client, world.coordinator)
    happened(panel)
    for place in panel.places_taken.all():
        services.attendance_record(place=_fresh(place), by=world.coordinator, attended=True)
    url = reverse("reporting:statistics_section", args=["north", "payments"])
    from tests.pages import table_rows

    rows = table_rows(client.get(url).content.decode(), "Paid activities beyond mentoring")
    assert rows["Interview panel"] == ["c", "c", "c", "c"]
    assert rows["All paid activities"] == ["c", "c", "c", "c"]

    more = activity(world, who="open", places=20, duration_minutes=60, preparation_minutes=0)
    for person in people:
        services.place_answer(activity=more, person=person, yes=True)
    happened(more, days=2)
    for place in more.places_taken.all():
        services.attendance_record(place=_fresh(place), by=world.coordinator, attended=True)
    from django.core.cache import cache

    cache.clear()
    rows = table_rows(client.get(url).content.decode(), "Paid activities beyond mentoring")
    assert rows["Interview panel"] == ["12", "12", "£240.00", "9"]


# Money


@given(st.integers(min_value=1, max_value=2000))
def test_half_days_cover_the_activity_and_no_more_than_one_half_day_over(minutes):
    halves = half_days_in(minutes)
    assert halves * HALF_DAY_MINUTES >= minutes
    assert (halves - 1) * HALF_DAY_MINUTES < minutes


@given(
    st.integers(min_value=15, max_value=720),
    st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False, allow_infinity=False),
)
def test_a_half_day_fee_is_whole_half_days_in_pence(minutes, rate):
    fee = half_day_fee_for(minutes=minutes, half_day_rate=rate)
    assert fee == rate * half_days_in(minutes)
    assert fee.as_tuple().exponent == -2


@pytest.mark.parametrize("count", [5, 200])
def test_it_lists_activities_in_the_same_few_queries(
    world, client, django_assert_max_num_queries, count
):
    now = timezone.now()
    made = Activity.objects.bulk_create(
        Activity(
            programme=world.programme,
            kind="reference_group",
            title=f"Reference group {n}",
            starts_at=now + timedelta(days=n % 40 - 20, hours=1),
            duration_minutes=90,
            online=True,
            places=8,
            who="open" if n % 2 else "invited",
            created_by=world.coordinator,
        )
        for n in range(count)
    )
    Place.objects.bulk_create(
        Place(activity=a, person=world.mentor, answer="yes" if n % 3 else "waiting")
        for n, a in enumerate(made)
    )
    sign_in(client, world.coordinator)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("activities:coordinator_activities", args=["north"]))
    assert page.content.decode().count("Reference group ") >= count
    sign_in(client, world.mentor)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("activities:activities"))
    assert page.status_code == 200
    assert "Reference group" in page.content.decode()


def test_it_counts_an_attended_activity_in_the_hours_of_its_week(world, client):
    """The weekly hours page, for limits counted in hours, counts activities as well as
    sessions: the time attended, and the paid preparation with the sessions' preparation."""
    from payments.periods import week_of
    from tests.factories import sign_in
    from tests.pages import table

    rate_card(world)
    place = attended_panel(world, duration_minutes=90, preparation_minutes=30)
    day = LedgerLine.objects.get(activity_place=place, kind="activity").earned_on

    page = sign_in(client, world.mentor).get(reverse("payments:pay_hours")).content.decode()

    rows = table(page, "Paid hours in each of the last 26 weeks, newest first")
    assert rows[0][1:] == ["Sessions", "Activities", "Preparation", "Together"]
    start, end = week_of(day)
    (week,) = [row for row in rows if row[0] == f"{start:%-d %b} to {end:%-d %b %Y}"]
    assert week[1:] == ["0 hours", "1 hour 30 minutes", "30 minutes", "2 hours"]
