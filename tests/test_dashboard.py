"""The dashboard's numbers, checked against counts made straight from the tables.

A dashboard count that is wrong is worse than none: a coordinator who reads "0 mentors"
stops looking. So every number the dashboard shows, for every role, is compared here with
a direct count, over several programmes and memberships: ended roles, two coordinators,
a coordinator who is also a mentee elsewhere, an administrator of the organisation."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from matching.models import Match, MatchingRound, Proposal
from mentoring import services as mentoring_services
from mentoring.models import Concern, TalkRequest
from payments import services as payments_services
from payments.models import LedgerLine
from payments.money import tax_year_bounds, tax_year_of
from programmes import services as programmes_services
from programmes.models import Application, Membership, Programme
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    give_two_factor,
    sign_in,
)
from tests.pages import table

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Builders


def _members(programme, role, count, *, ended=0):
    people = [MembershipFactory(programme=programme, role=role).person for _ in range(count)]
    for _ in range(ended):
        MembershipFactory(programme=programme, role=role, ended_at=timezone.now())
    return people


def _match(programme, mentor, mentee):
    matching_round = MatchingRound.objects.create(programme=programme, status="finished")
    proposal = Proposal.objects.create(
        round=matching_round, mentor=mentor, mentee=mentee, score=1, status="accepted"
    )
    return Match.objects.create(
        programme=programme, proposal=proposal, mentor=mentor, mentee=mentee
    )


def _concerns(match, **by_status):
    for status, count in by_status.items():
        for _ in range(count):
            Concern.objects.create(
                match=match,
                raised_by=match.mentee,
                kind=Concern.Kind.WELLBEING,
                what_happened="Hard week.",
                status=status,
            )


def _approved_sessions(match, coordinator, *days_ago):
    """Sessions held `days_ago`, confirmed and approved: each adds the mentor's lines."""
    for days in days_ago:
        session = mentoring_services.session_log(
            match=match,
            by=match.mentor,
            starts_at=timezone.now() - timedelta(days=days),
            duration_minutes=60,
            meeting_mode="online",
        )
        mentoring_services.session_confirm(session=session, by=match.mentee)
        assert mentoring_services.session_approve(session=session, by=coordinator)


def _rate_card(programme, coordinator):
    payments_services.rate_card_create(
        programme=programme,
        by=coordinator,
        effective_from=timezone.localdate() - timedelta(days=400),
        hourly_rate=Decimal("20.00"),
        preparation_minutes=30,
    )


@pytest.fixture
def programmes(world):
    """Four programmes of one organisation, and one of another, with known numbers.

    Jo runs North Star and Lakeside, is a mentee in Riverside, and used to run Old Mill.
    Bo runs North Star with Jo. Ade administers the organisation."""
    north, south = world.programme, world.other_programme
    lakeside = ProgrammeFactory(organisation=world.organisation, name="Lakeside", slug="lake")
    old_mill = ProgrammeFactory(organisation=world.organisation, name="Old Mill", slug="mill")
    elsewhere = ProgrammeFactory(
        organisation=OrganisationFactory(name="Far Council", slug="far"), name="Far Away"
    )
    jo = world.coordinator
    MembershipFactory(programme=lakeside, person=jo, role=Role.COORDINATOR)
    MembershipFactory(programme=south, person=jo, role=Role.MENTEE)
    MembershipFactory(programme=old_mill, person=jo, role=Role.COORDINATOR, ended_at=timezone.now())
    bo = give_two_factor(UserFactory(display_name="Bo"))
    MembershipFactory(programme=north, person=bo, role=Role.COORDINATOR)

    # Mentors and mentees: Sam and Priya are already in North Star; some roles have ended.
    north_mentors = [world.mentor, *_members(north, Role.MENTOR, 10, ended=2)]
    north_mentees = [world.mentee, *_members(north, Role.MENTEE, 13, ended=3)]
    # Someone who is both a mentor and a mentee in North Star counts once in each column.
    both = north_mentors[1]
    MembershipFactory(programme=north, person=both, role=Role.MENTEE)
    lake_mentors = _members(lakeside, Role.MENTOR, 3, ended=1)
    lake_mentees = _members(lakeside, Role.MENTEE, 5)
    _members(south, Role.MENTEE, 4, ended=1)
    _members(old_mill, Role.MENTOR, 6)
    _members(elsewhere, Role.MENTOR, 9)
    _members(elsewhere, Role.MENTEE, 9)

    # Applications: only those waiting for a decision count.
    for programme, waiting, decided in ((north, 3, 2), (lakeside, 2, 1), (south, 1, 0)):
        for _ in range(waiting):
            ApplicationFactory(programme=programme)
        for _ in range(decided):
            ApplicationFactory(programme=programme, status=Application.Status.DECLINED)

    # Concerns: only those not closed count.
    north_match = _match(north, world.mentor, world.mentee)
    other_north_match = _match(north, north_mentors[2], north_mentees[2])
    lake_match = _match(lakeside, lake_mentors[0], lake_mentees[0])
    south_match = _match(south, world.other_mentor, jo)
    _concerns(north_match, new=2, in_progress=1, closed=1)
    _concerns(other_north_match, new=1)
    _concerns(lake_match, closed=2)
    _concerns(south_match, new=1)

    # Requests to talk: only those nobody has recorded a chat for count.
    TalkRequest.objects.create(
        programme=north, person=world.mentee, reason="finding_it_hard", match=north_match
    )
    TalkRequest.objects.create(programme=north, person=north_mentors[3], reason="no_match")
    TalkRequest.objects.create(
        programme=north,
        person=north_mentors[4],
        reason="no_match",
        talked_on=timezone.localdate(),
        talked_by=bo,
    )
    TalkRequest.objects.create(programme=lakeside, person=lake_mentees[1], reason="no_match")

    # Payments: lines from sessions 20 days ago wait too long (the card allows 14 days).
    _rate_card(north, jo)
    _rate_card(lakeside, jo)
    _approved_sessions(north_match, bo, 20, 30, 2)
    _approved_sessions(other_north_match, jo, 25)
    _approved_sessions(lake_match, jo, 3)
    return {"north": north, "south": south, "lake": lakeside, "mill": old_mill}


# ---------------------------------------------------------------------------------------------
# Reading the page


CAPTION = "Programmes you run, with what needs doing"
COLUMNS = [
    "Programme",
    "Applications waiting",
    "Concerns to look at",
    "Requests to talk",
    "Feedback",
    "Payments",
    "Mentors",
    "Mentees",
]


def dashboard_rows(client) -> dict[str, dict[str, int]]:
    """Each programme's numbers on the dashboard, as the coordinator reads them."""
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    heading, *body = table(response.content.decode(), CAPTION)
    assert heading == COLUMNS, "the dashboard's columns changed: check every number here"
    rows = {}
    for name, applications, concerns, talk, _feedback, payments, mentors, mentees in body:
        rows[name] = {
            "applications": _number(applications, none_means_zero=True),
            "concerns": _number(concerns),
            "talk": _number(talk),
            "slow_payments": _number(payments, none_means_zero=True),
            "mentors": _number(mentors),
            "mentees": _number(mentees),
        }
    return rows


def _number(text: str, *, none_means_zero: bool = False) -> int:
    found = re.search(r"\d+", text)
    if found is None:
        assert none_means_zero, f"no number in {text!r}"
        return 0
    return int(found.group())


def direct_counts(programme: Programme, viewer=None) -> dict[str, int]:
    """The same numbers, counted straight from the tables, one plain query each. The
    viewer's own application, and concerns and requests to talk about them or a match they
    are part of, are someone else's to handle, so not theirs."""
    cutoff = timezone.localdate() - timedelta(days=14)
    current = Membership.objects.filter(programme=programme, ended_at__isnull=True)
    concerns = Concern.objects.filter(match__programme=programme).exclude(
        status=Concern.Status.CLOSED
    )
    if viewer is not None:
        concerns = concerns.exclude(match__mentor=viewer).exclude(match__mentee=viewer)
    applications = Application.objects.filter(
        programme=programme, status=Application.Status.PENDING
    )
    if viewer is not None:
        applications = applications.exclude(person=viewer)
    talk = TalkRequest.objects.filter(programme=programme, talked_on__isnull=True)
    if viewer is not None:
        talk = talk.exclude(person=viewer)
        talk = talk.exclude(match__mentor=viewer).exclude(match__mentee=viewer)
    return {
        "applications": applications.count(),
        "concerns": concerns.count(),
        "talk": talk.count(),
        "slow_payments": LedgerLine.objects.filter(
            programme=programme, earned_on__lt=cutoff, amount__gt=0, waiting__isnull=False
        ).count(),
        "mentors": current.filter(role=Role.MENTOR).count(),
        "mentees": current.filter(role=Role.MENTEE).count(),
    }


# ---------------------------------------------------------------------------------------------
# Coordinators and administrators


def test_it_counts_what_the_test_programmes_hold(world, programmes):
    """The ground truth itself is not empty: every column has numbers to get wrong."""
    north = direct_counts(programmes["north"])
    assert north == {
        "applications": 3,
        "concerns": 4,
        "talk": 2,
        "slow_payments": north["slow_payments"],
        "mentors": 11,
        "mentees": 15,
    }
    assert north["slow_payments"] >= 3
    assert direct_counts(programmes["lake"])["slow_payments"] == 0


def test_it_shows_a_coordinator_the_true_counts_of_each_programme_they_run(
    world, programmes, client
):
    sign_in(client, world.coordinator)
    rows = dashboard_rows(client)
    assert set(rows) == {"North Star", "Lakeside"}  # not Riverside, where Jo is a mentee
    for name, programme in (("North Star", programmes["north"]), ("Lakeside", programmes["lake"])):
        assert rows[name] == direct_counts(programme, world.coordinator), name


def test_it_shows_a_second_coordinator_the_same_counts(world, programmes, client):
    bo = Membership.objects.get(
        programme=programmes["north"], role=Role.COORDINATOR, person__display_name="Bo"
    ).person
    sign_in(client, bo)
    assert dashboard_rows(client) == {"North Star": direct_counts(programmes["north"], bo)}


def test_it_shows_an_administrator_the_true_counts_of_every_programme(world, programmes, client):
    sign_in(client, world.administrator)
    rows = dashboard_rows(client)
    assert set(rows) == {"North Star", "Riverside", "Lakeside", "Old Mill"}
    for name, key in (
        ("North Star", "north"),
        ("Riverside", "south"),
        ("Lakeside", "lake"),
        ("Old Mill", "mill"),
    ):
        assert rows[name] == direct_counts(programmes[key], world.administrator), name


def test_it_counts_the_same_for_a_coordinator_who_also_administers(world, programmes, client):
    """Both roles at once: the two paths to a programme must not double anything."""
    programmes_services.administrator_add(
        organisation=world.organisation, person=world.coordinator, by=None
    )
    sign_in(client, world.coordinator)
    rows = dashboard_rows(client)
    assert rows["North Star"] == direct_counts(programmes["north"], world.coordinator)
    assert rows["Riverside"] == direct_counts(programmes["south"], world.coordinator)


def test_it_stops_counting_a_slow_line_once_it_is_corrected(world, programmes, client):
    sign_in(client, world.coordinator)
    before = dashboard_rows(client)["North Star"]["slow_payments"]
    cutoff = timezone.localdate() - timedelta(days=14)
    line = LedgerLine.objects.filter(
        programme=programmes["north"], earned_on__lt=cutoff, amount__gt=0
    ).first()

    payments_services.line_reverse(line=line, by=world.coordinator, reason="Counted twice.")

    assert dashboard_rows(client)["North Star"]["slow_payments"] == before - 1


@pytest.mark.parametrize("persona", ["coordinator", "administrator"])
def test_it_keeps_the_dashboard_counts_in_a_flat_number_of_queries(
    world, programmes, client, persona
):
    sign_in(client, getattr(world, persona))
    dashboard_rows(client)  # the first visit makes Jo's empty mentee profile: not counted
    with CaptureQueriesContext(connection) as few:
        dashboard_rows(client)
    _members(programmes["north"], Role.MENTOR, 30)
    for _ in range(30):
        ApplicationFactory(programme=programmes["lake"])
    _concerns(Match.objects.filter(programme=programmes["north"]).first(), new=10)
    with CaptureQueriesContext(connection) as many:
        rows = dashboard_rows(client)
    assert rows["North Star"]["mentors"] == 41
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("persona", ["coordinator", "administrator"])
def test_it_reads_as_many_queries_however_large_other_organisations_programmes_grow(
    world, programmes, client, persona
):
    sign_in(client, getattr(world, persona))
    before = dashboard_rows(client)
    with CaptureQueriesContext(connection) as few:
        dashboard_rows(client)
    far = Programme.objects.get(name="Far Away")
    mentors = _members(far, Role.MENTOR, 40)
    mentees = _members(far, Role.MENTEE, 40)
    for _ in range(20):
        ApplicationFactory(programme=far)
    _concerns(_match(far, mentors[0], mentees[0]), new=10)
    with CaptureQueriesContext(connection) as many:
        after = dashboard_rows(client)
    assert after == before and "Far Away" not in after
    assert len(many.captured_queries) == len(few.captured_queries)


# ---------------------------------------------------------------------------------------------
# Mentors: the pay card


def test_it_shows_a_mentor_this_tax_years_fees_and_what_is_still_to_come(world, programmes, client):
    sam = world.mentor
    sign_in(client, sam)
    page = client.get(reverse("portal:dashboard")).content.decode()
    found = re.search(
        r"Fees this tax year: £([\d,.]+)\. Still to be paid to you: £([\d,.]+)\.", page
    )
    assert found, "the pay card is missing"
    start, end = tax_year_bounds(tax_year_of(timezone.localdate()))
    lines = LedgerLine.objects.filter(mentor=sam)
    fees = sum(
        line.amount
        for line in lines.filter(category=LedgerLine.Category.FEE, earned_on__range=(start, end))
    )
    waiting = sum(line.amount for line in lines.filter(waiting__isnull=False))
    assert fees > 0 and waiting > 0
    assert Decimal(found.group(1).replace(",", "")) == fees
    assert Decimal(found.group(2).replace(",", "")) == waiting


def test_it_leaves_a_coordinators_own_application_out_of_what_they_have_to_decide(world, client):
    """Jo may apply to be a mentor in North Star, but someone else decides it: it is not one
    of Jo's applications waiting."""
    programmes_services.application_create(
        programme=world.programme, person=world.coordinator, role=Role.MENTOR
    )
    ApplicationFactory(programme=world.programme)
    sign_in(client, world.coordinator)
    assert dashboard_rows(client)["North Star"]["applications"] == 1
    assert direct_counts(world.programme, world.coordinator)["applications"] == 1
    sign_in(client, world.administrator)
    assert dashboard_rows(client)["North Star"]["applications"] == 2
