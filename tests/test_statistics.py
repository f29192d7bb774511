"""Partnership statistics: who sees which programmes, the same suppressed figures on the
page, in CSV and in JSON, the period chooser, and query counts that do not grow with data."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.choices import Role
from matching.models import Match
from mentoring.models import Session, SessionFeedback
from payments.models import LedgerLine, PaymentRun, RunItem, RunPayee
from reporting.figures import SECTIONS
from tests import hostile
from tests.factories import MembershipFactory, UserFactory, sign_in
from tests.pages import table_rows
from tests.test_permissions import _match

pytestmark = pytest.mark.django_db


def section_url(scope, section, **query):
    url = reverse("reporting:statistics_section", args=[scope, section])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def populate(world, count: int, *, programme=None) -> None:
    """`count` approved sessions with both sides' feedback and paid ledger lines, in bulk."""
    match = _match(world) if programme is None else _other_match(world)
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            match=match,
            logged_by=match.mentor,
            starts_at=now - timedelta(days=1 + number % 200),
            duration_minutes=60,
            meeting_mode="online",
            status=Session.Status.APPROVED,
            confirmed_at=now,
            approved_at=now,
        )
        for number in range(count)
    )
    SessionFeedback.objects.bulk_create(
        SessionFeedback(
            session=session,
            programme=match.programme,
            person=match.mentee,
            role=Role.MENTEE,
            useful=4,
            listened_to=5,
            plain_language=4,
        )
        for session in sessions
    )
    lines = LedgerLine.objects.bulk_create(
        LedgerLine(
            programme=match.programme,
            mentor=match.mentor,
            kind="session",
            category="fee",
            session=session,
            amount=Decimal("20.00"),
            earned_on=timezone.localtime(session.starts_at).date(),
            description="Session",
        )
        for session in sessions
    )
    run = PaymentRun.objects.create(
        programme=match.programme,
        number=PaymentRun.objects.filter(programme=match.programme).count() + 1,
        created_by=world.coordinator,
        status="paid",
        paid_on=timezone.localdate(),
    )
    payee = RunPayee.objects.create(
        run=run,
        mentor=match.mentor,
        method="bank",
        reference="R",
        payee_name="S",
        fees=Decimal(20 * count),
        expenses=0,
        total=Decimal(20 * count),
        status="paid",
    )
    RunItem.objects.bulk_create(
        RunItem(run=run, payee=payee, line=line, status="paid", days_to_payment=5) for line in lines
    )


def _other_match(world):
    from matching.models import MatchingRound, Proposal

    mentee = UserFactory(display_name="Other mentee")
    MembershipFactory(programme=world.other_programme, person=mentee, role=Role.MENTEE)
    matching_round = MatchingRound.objects.create(
        programme=world.other_programme, status="finished"
    )
    proposal = Proposal.objects.create(
        round=matching_round,
        mentor=world.other_mentor,
        mentee=mentee,
        score=1,
        status="accepted",
    )
    return Match.objects.create(
        programme=world.other_programme,
        proposal=proposal,
        mentor=world.other_mentor,
        mentee=mentee,
    )


@pytest.mark.parametrize("section", list(SECTIONS))
def test_it_shows_every_section_to_the_coordinator_with_a_chart_or_tables(world, login_as, section):
    populate(world, 20)
    response = login_as("coordinator").get(section_url(world.programme.slug, section))
    assert response.status_code == 200
    page = response.content.decode()
    assert "How figures are protected" in page
    assert "<table" in page


def test_it_draws_charts_that_name_themselves_and_use_no_inline_style(world, login_as):
    populate(world, 20)
    page = login_as("coordinator").get(section_url(world.programme.slug, "mentoring")).content
    page = page.decode()
    assert 'role="img"' in page and 'aria-labelledby="chart-sessions-title' in page
    assert "style=" not in page.split("<main", 1)[1]


def test_it_shows_small_counts_as_c_everywhere_and_hides_the_change_that_would_tell(
    world, login_as
):
    # Two mentors joined this tax year: "c" on the page, in the CSV and in the JSON, and
    # the total and the change that would give it away are hidden too.
    for _ in range(2):
        MembershipFactory(programme=world.programme, person=UserFactory(), role=Role.MENTOR)
    client = login_as("coordinator")
    page = client.get(section_url(world.programme.slug, "people")).content.decode()
    rows = table_rows(page, "Who joined")
    assert rows["Mentors"][0] == "c" and rows["Mentors"][2] == "c"
    assert "c" in rows["Everyone"][0] or rows["Mentees"][0] == "c"

    csv_text = client.get(
        reverse("reporting:statistics_csv", args=[world.programme.slug, "people", "joined"])
    ).content.decode("utf-8-sig")
    csv_rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(csv_text))}
    assert csv_rows["Mentors"] == rows["Mentors"]

    data = client.get(
        reverse("reporting:statistics_json", args=[world.programme.slug, "people"])
    ).json()
    joined = next(t for t in data["tables"] if t["key"] == "joined")
    assert joined["rows"][0]["values"] == rows["Mentors"]
    assert 'show as "c"' in data["suppression"]


def test_it_shows_averages_only_over_eight_people_or_more(world, login_as):
    populate(world, 30)  # thirty answers, but all from one mentee
    page = login_as("coordinator").get(section_url(world.programme.slug, "voice")).content
    rows = table_rows(page.decode(), "Feedback after sessions: average ratings out of 5")
    assert rows["The session was useful"][2] == "c"


def test_it_shows_payments_per_month_and_days_to_payment_only_for_enough_mentors(world, login_as):
    populate(world, 30)  # one mentor paid: the amount would be his pay, so it is hidden
    page = login_as("coordinator").get(section_url(world.programme.slug, "payments")).content
    rows = table_rows(page.decode(), "Paid to experts by experience")
    assert rows["Fees paid to experts by experience"][0] == "c"
    assert rows["Mentors paid"][0] == "c"


def test_it_keeps_other_programmes_out_of_a_coordinators_figures(world, login_as):
    populate(world, 12)
    populate(world, 40, programme="other")
    page = login_as("coordinator").get(section_url("all", "mentoring")).content.decode()
    rows = table_rows(page, "Sessions and hours each month")
    assert rows["The whole period"][0] == "12"
    admin = login_as("administrator").get(section_url("all", "mentoring")).content.decode()
    assert table_rows(admin, "Sessions and hours each month")["The whole period"][0] == "52"


def test_it_answers_404_for_another_programmes_statistics(world, login_as):
    client = login_as("other_coordinator")
    for name, args in [
        ("reporting:statistics_section", [world.programme.slug, "people"]),
        ("reporting:statistics_csv", [world.programme.slug, "people", "joined"]),
        ("reporting:statistics_json", [world.programme.slug, "people"]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    coordinator = login_as("coordinator")
    assert coordinator.get(section_url(world.programme.slug, "nonsense")).status_code == 404
    assert (
        coordinator.get(
            reverse("reporting:statistics_csv", args=[world.programme.slug, "people", "nonsense"])
        ).status_code
        == 404
    )


WHOLE_MONTHS = "Statistics now cover whole months"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "custom"}, "Enter the first month."),
        ({"period": "custom", "start_month": "2026-04"}, "Enter the last month."),
        (
            {"period": "custom", "start_month": "2026-05", "end_month": "2026-04"},
            "The last month must be the first month or a later one.",
        ),
        (
            {"period": "custom", "start_month": "2001-01", "end_month": "2026-04"},
            "five years or less",
        ),
        ({"period": "custom", "start_month": "yesterday", "end_month": "2026-04"}, "like 2026-04"),
        ({"period": "custom", "start_month": "2026-13", "end_month": "2026-04"}, "like 2026-04"),
        ({"period": "forever"}, "Choose a period from the list."),
        ({"period": "tax_year"}, "Choose a period from the list."),
        (
            {"period": "custom", "start_month": "9999-12", "end_month": "9999-12"},
            "from the year 2000",
        ),
        # Addresses from before whole months: days are never taken, whatever else is sent.
        ({"period": "custom", "start": "2026-04-01", "end": "2026-04-30"}, WHOLE_MONTHS),
        (
            {"period": "custom", "start_month": "2026-04", "end_month": "2026-04", "end": "1"},
            WHOLE_MONTHS,
        ),
        ({"period": "month", "start": "2026-04-06"}, WHOLE_MONTHS),
    ],
)
def test_it_explains_a_bad_period_and_shows_this_year_meanwhile(world, login_as, query, message):
    client = login_as("coordinator")
    response = client.get(reverse("reporting:statistics_section", args=["north", "voice"]), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "error-summary" in page
    year = 2026 if timezone.localdate().month >= 4 else 2025
    assert f"This period: <strong>April {year} to March {year + 1}</strong>" in page
    # Files and JSON have nowhere to show a message beside figures: the message alone.
    answer = client.get(reverse("reporting:statistics_json", args=["north", "voice"]), query)
    assert answer.status_code == 400 and message in " ".join(answer.json()["errors"])
    file = client.get(
        reverse("reporting:statistics_csv", args=["north", "voice", "feedback"]), query
    )
    assert file.status_code == 400 and message in file.content.decode()


def test_it_covers_the_months_chosen_and_compares_with_as_many_months_before(world, login_as):
    populate(world, 10)
    page = (
        login_as("coordinator")
        .get(
            section_url(
                world.programme.slug,
                "mentoring",
                period="custom",
                start_month="2026-09",
                end_month="November 2026",
            )
        )
        .content.decode()
    )
    assert "This period: <strong>September to November 2026</strong>" in page
    assert "The period before: June to August 2026." in page
    assert 'type="month"' in page and 'value="2026-09"' in page


@pytest.mark.parametrize(
    ("key", "today", "this", "before"),
    [
        ("month", date(2026, 1, 31), ("2026-01-01", "2026-01-31"), ("2025-12-01", "2025-12-31")),
        ("month", date(2028, 3, 1), ("2028-03-01", "2028-03-31"), ("2028-02-01", "2028-02-29")),
        ("quarter", date(2026, 2, 14), ("2026-01-01", "2026-03-31"), ("2025-10-01", "2025-12-31")),
        ("year", date(2026, 4, 1), ("2026-04-01", "2027-03-31"), ("2025-04-01", "2026-03-31")),
        ("year", date(2026, 3, 31), ("2025-04-01", "2026-03-31"), ("2024-04-01", "2025-03-31")),
        ("", date(2026, 12, 5), ("2026-04-01", "2027-03-31"), ("2025-04-01", "2026-03-31")),
    ],
)
def test_it_finds_each_fixed_period_and_the_one_before(key, today, this, before):
    from reporting.periods import period_for

    period, previous = period_for(key, today)
    assert (period.start.isoformat(), period.end.isoformat()) == this
    assert (previous.start.isoformat(), previous.end.isoformat()) == before


@pytest.mark.parametrize("section", list(SECTIONS))
def test_it_asks_as_many_queries_for_500_rows_as_for_5(world, login_as, section, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = login_as("coordinator")
    url = section_url(world.programme.slug, section)
    populate(world, 5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    populate(world, 495)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 30


def test_it_serves_a_section_from_the_cache_when_asked_again(world, login_as):
    client = login_as("coordinator")
    url = section_url(world.programme.slug, "voice")
    client.get(url)
    with CaptureQueriesContext(connection) as again:
        client.get(url)
    figures = [q for q in again.captured_queries if "mentoring_sessionfeedback" in q["sql"]]
    assert figures == []


def test_it_lists_the_statistics_of_each_programme_a_person_runs(world, login_as):
    page = login_as("administrator").get(reverse("reporting:statistics")).content.decode()
    assert "All programmes you run" in page and "North Star" in page and "Riverside" in page
    page = login_as("coordinator").get(reverse("reporting:statistics")).content.decode()
    assert "Riverside" not in page


def test_it_counts_profiles_completed_in_the_period(world, login_as):
    from accounts.models import MentorProfile

    assert MentorProfile.objects.get(user=world.mentor).completed_at is not None
    page = login_as("coordinator").get(section_url(world.programme.slug, "people")).content
    rows = table_rows(page.decode(), "Profiles completed")
    assert rows["Mentors"][0] == "c"  # one: Sam


def test_it_shows_a_months_score_once_eight_different_people_answered(world, login_as):
    """Month by month, "people" means different people, counted in the database."""
    match = _match(world)
    session = Session.objects.create(
        match=match,
        logged_by=match.mentor,
        starts_at=timezone.now() - timedelta(hours=3),
        duration_minutes=60,
        meeting_mode="online",
    )
    people = [UserFactory() for _ in range(8)]
    SessionFeedback.objects.bulk_create(
        SessionFeedback(
            session=Session.objects.create(
                match=match,
                logged_by=match.mentor,
                starts_at=session.starts_at - timedelta(minutes=number),
                duration_minutes=60,
                meeting_mode="online",
            ),
            programme=match.programme,
            person=person,
            role=Role.MENTEE,
            useful=4,
            listened_to=4,
            plain_language=4,
        )
        for number, person in enumerate(people)
    )
    client = login_as("coordinator")
    url = section_url(world.programme.slug, "voice", period="month")
    rows = table_rows(client.get(url).content.decode(), "“The session was useful”, month by month")
    this_month = f"{timezone.localdate():%B %Y}"
    assert rows[this_month] == ["none", "4.0"]
    SessionFeedback.objects.filter(person=people[0]).delete()
    from django.core.cache import cache

    cache.clear()
    rows = table_rows(client.get(url).content.decode(), "“The session was useful”, month by month")
    assert rows[this_month] == ["none", "c"]


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    period=st.sampled_from(["custom", "month", "quarter", "year", "tax_year", "", "x"]),
    start=st.one_of(
        st.dates().map(lambda d: f"{d:%Y-%m}"),
        st.dates().map(str),
        st.sampled_from(hostile.TEXT + hostile.NUMBERS),
    ),
    end=st.one_of(
        st.dates().map(lambda d: f"{d:%B %Y}"),
        st.sampled_from(hostile.TEXT + hostile.NUMBERS),
    ),
    old_style=st.booleans(),
)
def test_it_never_fails_on_odd_period_values(world, client, period, start, end, old_style):
    """Whatever months (or days) arrive in the address, the page answers with the figures
    or a message, and the JSON with the figures or the message alone."""
    sign_in(client, world.coordinator)
    query = {"period": period, "start_month": start, "end_month": end}
    if old_style:
        query |= {"start": start, "end": end}
    response = client.get(
        reverse("reporting:statistics_section", args=[world.programme.slug, "mentoring"]), query
    )
    assert response.status_code == 200
    response = client.get(
        reverse("reporting:statistics_json", args=[world.programme.slug, "voice"]), query
    )
    assert response.status_code in (200, 400)


# Small numbers: people, not answers; whole months, not days


def _feedback_on(world, day, person, useful: int) -> None:
    """One mentee answer about a session of Sam and Priya's match, given on `day`."""
    from datetime import datetime, time

    match = _match(world)
    given = timezone.make_aware(datetime.combine(day, time(12)))
    session = Session.objects.create(
        match=match,
        logged_by=match.mentor,
        starts_at=given - timedelta(hours=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    answer = SessionFeedback.objects.create(
        session=session,
        programme=match.programme,
        person=person,
        role=Role.MENTEE,
        useful=useful,
        listened_to=4,
        plain_language=4,
    )
    SessionFeedback.objects.filter(pk=answer.pk).update(created_at=given)


def _useful_for_mentees(client, kind: str, url_args: list, query: dict):
    """What the page, the CSV file or the JSON says mentees scored "the session was
    useful" in the period, or None when the answer has no figures (an error)."""
    if kind == "page":
        response = client.get(reverse("reporting:statistics_section", args=url_args), query)
        rows = table_rows(
            response.content.decode(), "Feedback after sessions: average ratings out of 5"
        )
        return rows["The session was useful"][2]
    if kind == "csv":
        response = client.get(
            reverse("reporting:statistics_csv", args=[*url_args, "feedback"]), query
        )
        if response.status_code != 200:
            return None
        rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(response.content.decode()))}
        return rows["The session was useful"][2]
    response = client.get(reverse("reporting:statistics_json", args=url_args), query)
    if response.status_code != 200:
        return None
    table = next(t for t in response.json()["tables"] if t["key"] == "feedback")
    return next(r for r in table["rows"] if r["label"] == "The session was useful")["values"][2]


@pytest.mark.parametrize("kind", ["page", "csv", "json"])
def test_it_never_gives_away_one_answer_between_two_periods_a_day_apart(world, login_as, kind):
    """Nine mentees answered 4 by the 10th of last month; a tenth answered 1 on the 11th.
    Two periods that differ by that one day would give the tenth answer away: (10 x the
    second average) - (9 x the first). No two periods the statistics answer for may differ
    by a day, on the page, in the CSV file or in the JSON."""
    day = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=10)
    for number in range(9):
        _feedback_on(world, day - timedelta(days=number % 3), UserFactory(), useful=4)
    _feedback_on(world, day + timedelta(days=1), UserFactory(), useful=1)
    client = login_as("coordinator")
    args = [world.programme.slug, "voice"]
    start = (day - timedelta(days=5)).isoformat()
    first = {"period": "custom", "start": start, "end": day.isoformat()}
    second = first | {"end": (day + timedelta(days=1)).isoformat()}

    shown = [_useful_for_mentees(client, kind, args, query) for query in (first, second)]

    assert None in shown or shown[0] == shown[1], f"{shown}: the tenth answer is given away"


def test_it_counts_ladder_answers_only_when_eight_people_gave_them(world, login_as):
    """Ten co-production checks, all from Sam: ten answers, but one person's."""
    from mentoring.models import CoproductionCheck, LadderRung

    match = _match(world)
    CoproductionCheck.objects.bulk_create(
        CoproductionCheck(
            match=match,
            programme=match.programme,
            person=world.mentor,
            role=Role.MENTOR,
            occasion="quarterly",
            quarter=quarter,
            equality=3,
            diversity=3,
            accessibility=3,
            reciprocity=3,
            rung=LadderRung.CO_PRODUCTION,
        )
        for quarter in range(1, 11)
    )
    client = login_as("coordinator")
    args = [world.programme.slug, "voice"]
    page = client.get(reverse("reporting:statistics_section", args=args)).content.decode()
    shown = [cell for cells in table_rows(page, LADDER).values() for cell in cells]
    csv_text = client.get(
        reverse("reporting:statistics_csv", args=[*args, "ladder"])
    ).content.decode()
    shown += [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row[1:]]
    data = client.get(reverse("reporting:statistics_json", args=args)).json()
    ladder = next(t for t in data["tables"] if t["key"] == "ladder")
    shown += [value for row in ladder["rows"] for value in row["values"]]
    assert shown and "10" not in shown and "+10" not in shown


LADDER = "The ladder of co-production: how it felt"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    period=st.sampled_from(["custom", "month", "quarter", "year", "tax_year", ""]),
    start=st.dates(min_value=date(1999, 1, 1), max_value=date(2101, 12, 31)),
    end=st.dates(min_value=date(1999, 1, 1), max_value=date(2101, 12, 31)),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    as_days=st.booleans(),
)
def test_it_covers_only_whole_months(period, start, end, today, as_days):
    """Every period a statistics page can cover, and the one it is compared with, starts on
    the first of a month and ends on the last day of one: two of them never differ by less
    than a month, so no single day's answers can be worked out by subtraction."""
    from reporting.periods import PeriodForm

    fmt = "%Y-%m-%d" if as_days else "%Y-%m"
    data = {"period": period, "start_month": f"{start:{fmt}}", "end_month": f"{end:{fmt}}"}
    if as_days:
        data |= {"start": start.isoformat(), "end": end.isoformat()}
    for covered in PeriodForm(data).periods(today):
        assert covered.start.day == 1, covered
        assert (covered.end + timedelta(days=1)).day == 1, covered
