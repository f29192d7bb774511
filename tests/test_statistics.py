"""Partnership statistics: who sees which programmes, the same suppressed figures on the
page, in CSV and in JSON, the period chooser, and query counts that do not grow with data."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.models import Match
from mentoring.choices import Role
from mentoring.models import Session, SessionFeedback
from mentoring.statistics.figures import SECTIONS
from payments.models import LedgerLine, PaymentRun, RunItem, RunPayee
from tests import hostile
from tests.factories import MembershipFactory, UserFactory, sign_in
from tests.test_permissions import _match

pytestmark = pytest.mark.django_db


def section_url(scope, section, **query):
    url = reverse("statistics_section", args=[scope, section])
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
        programme=world.other_programme, snapshot={}, status="finished"
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


def table_rows(content: str, title: str) -> dict[str, list[str]]:
    """The rows of the table captioned `title`, from the page, label -> cell texts."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.cell, self.in_caption = [], None, False

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables.append({"caption": "", "rows": []})
            elif tag == "caption":
                self.in_caption = True
            elif tag == "tr" and self.tables:
                self.tables[-1]["rows"].append([])
            elif tag in ("td", "th") and self.tables and self.tables[-1]["rows"]:
                self.cell = ""

        def handle_endtag(self, tag):
            if tag == "caption":
                self.in_caption = False
            elif tag in ("td", "th") and self.cell is not None:
                self.tables[-1]["rows"][-1].append(self.cell.strip())
                self.cell = None

        def handle_data(self, data):
            if self.in_caption:
                self.tables[-1]["caption"] += data
            elif self.cell is not None:
                self.cell += data

    parser = Rows()
    parser.feed(content)
    table = next(t for t in parser.tables if t["caption"].strip() == title)
    return {row[0]: row[1:] for row in table["rows"][1:]}


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
        reverse("statistics_csv", args=[world.programme.slug, "people", "joined"])
    ).content.decode("utf-8-sig")
    csv_rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(csv_text))}
    assert csv_rows["Mentors"] == rows["Mentors"]

    data = client.get(reverse("statistics_json", args=[world.programme.slug, "people"])).json()
    joined = next(t for t in data["tables"] if t["key"] == "joined")
    assert joined["rows"][0]["values"] == rows["Mentors"]
    assert 'show as "c"' in data["suppression"]


def test_it_shows_averages_only_over_eight_people_or_more(world, login_as):
    populate(world, 30)  # thirty answers, but all from one mentee
    page = login_as("coordinator").get(section_url(world.programme.slug, "voice")).content
    rows = table_rows(page.decode(), "Feedback after sessions: average scores out of 5")
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
        ("statistics_section", [world.programme.slug, "people"]),
        ("statistics_csv", [world.programme.slug, "people", "joined"]),
        ("statistics_json", [world.programme.slug, "people"]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    coordinator = login_as("coordinator")
    assert coordinator.get(section_url(world.programme.slug, "nonsense")).status_code == 404
    assert (
        coordinator.get(
            reverse("statistics_csv", args=[world.programme.slug, "people", "nonsense"])
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "custom"}, "Enter the first day."),
        ({"period": "custom", "start": "2026-05-01", "end": "2026-04-01"}, "on or after"),
        ({"period": "custom", "start": "2001-01-01", "end": "2026-04-01"}, "five years or less"),
        ({"period": "custom", "start": "yesterday", "end": "2026-04-01"}, "Enter a real date"),
        ({"period": "forever"}, "Choose a period from the list."),
        ({"period": "custom", "start": "9999-12-31", "end": "9999-12-31"}, "from the year 2000"),
        ({"period": "custom", "start": "0001-01-01", "end": "0001-01-02"}, "from the year 2000"),
    ],
)
def test_it_explains_a_bad_period_and_shows_the_tax_year_meanwhile(world, login_as, query, message):
    response = login_as("coordinator").get(section_url(world.programme.slug, "people", **query))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "error-summary" in page
    assert "the tax year" in page


def test_it_covers_custom_dates_and_compares_with_as_many_days_before(world, login_as):
    populate(world, 10)
    today = timezone.localdate()
    start = today - timedelta(days=29)
    page = (
        login_as("coordinator")
        .get(
            section_url(
                world.programme.slug,
                "mentoring",
                period="custom",
                start=start.isoformat(),
                end=today.isoformat(),
            )
        )
        .content.decode()
    )
    assert f"{start.day} {start:%B %Y} to {today.day} {today:%B %Y}" in page


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
    page = login_as("administrator").get(reverse("statistics")).content.decode()
    assert "All programmes you run" in page and "North Star" in page and "Riverside" in page
    page = login_as("coordinator").get(reverse("statistics")).content.decode()
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
    period=st.sampled_from(["custom", "month", "quarter", "tax_year", "", "x"]),
    start=st.one_of(st.dates().map(str), st.sampled_from(hostile.TEXT + hostile.NUMBERS)),
    end=st.one_of(st.dates().map(str), st.sampled_from(hostile.TEXT + hostile.NUMBERS)),
)
def test_it_never_fails_on_odd_period_values(world, client, period, start, end):
    """Whatever dates arrive in the address, the page answers with the figures or a message."""
    sign_in(client, world.coordinator)
    response = client.get(
        reverse("statistics_section", args=[world.programme.slug, "mentoring"]),
        {"period": period, "start": start, "end": end},
    )
    assert response.status_code == 200
