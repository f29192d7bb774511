"""The pages that say something is the reader's own (programmes/duties.py) pass the same
accessibility checks as every other page. The demo has no coordinator who is also a mentor,
so the crawl never meets these sentences: here the demo coordinator becomes one."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.choices import Role
from matching.models import MatchingRound, Proposal
from mentoring import services as mentoring
from payments import services as payments
from programmes import services as programmes_services
from programmes.models import Application, Membership
from tests.browser.crawler import CrawlReport, check_page, record_problems
from tests.browser.support import sign_in
from tests.factories import complete_mentor_profile, live_match


def test_it_has_no_accessibility_problems_where_something_is_yours(
    demo, page, problems, codes, live_server
):
    north = demo.north_star
    jo = User.objects.get(email=demo.coordinator)
    admin = User.objects.get(email=demo.admin)
    priya = User.objects.get(email=demo.mentee)
    programmes_services.membership_add(programme=north, person=jo, role=Role.MENTOR, by=admin)
    complete_mentor_profile(jo)
    match = live_match(north, jo, priya)
    session = mentoring.session_log(
        match=match,
        by=jo,
        starts_at=timezone.now() - timedelta(days=1),
        duration_minutes=60,
        meeting_mode="online",
    )
    mentoring.session_confirm(session=session, by=priya)
    payments.preference_set(
        mentor=jo, method="bank", account_name="Jo", sort_code="309457", account_number="12345678"
    )
    paid = payments.expense_claim(
        mentor=jo,
        programme=north,
        kind="fare",
        spent_on=timezone.localdate() - timedelta(days=2),
        description="Bus",
        amount=Decimal("4.00"),
    )
    payments.expense_approve(expense=paid, by=admin)
    run = payments.run_create(programme=north, by=admin)
    waiting = payments.expense_claim(
        mentor=jo,
        programme=north,
        kind="fare",
        spent_on=timezone.localdate() - timedelta(days=1),
        description="Bus back",
        amount=Decimal("4.00"),
    )
    other_mentee = (
        Membership.objects.current()
        .filter(programme=north, role=Role.MENTEE)
        .exclude(person=priya)
        .first()
        .person
    )
    matching_round = MatchingRound.objects.create(
        programme=north, status=MatchingRound.Status.FINISHED
    )
    Proposal.objects.create(round=matching_round, mentor=jo, mentee=other_mentee, score=1)
    application = Application.objects.create(programme=north, person=jo, role=Role.MENTEE)
    invitation = programmes_services.invitation_create(programme=north, role=Role.MENTEE, by=jo)
    fellow = User.objects.get(email=demo.coordinator_b)
    programmes_services.membership_add(
        programme=north, person=fellow, role=Role.COORDINATOR, by=admin
    )

    slug = north.slug
    paths = [
        reverse("mentoring:coordinator_sessions", args=[slug]),
        reverse("mentoring:coordinator_matches", args=[slug]),
        reverse("matching:coordinator_round_detail", args=[slug, matching_round.pk]),
        reverse("payments:coordinator_pay", args=[slug]),
        reverse("payments:coordinator_expense", args=[slug, waiting.pk]),
        reverse("payments:coordinator_run", args=[slug, run.pk]),
        reverse("programmes:coordinator_application_detail", args=[slug, application.pk]),
        reverse("programmes:coordinator_member_detail", args=[slug, fellow.pk]),
        reverse("programmes:invitation_accept", args=[invitation.token]),
        reverse("mentoring:concern_new", args=[match.pk]),
        reverse("payments:pay"),
    ]
    sign_in(page, demo.coordinator, codes=codes)
    report = CrawlReport(role="coordinator who mentors", origin=live_server.url)
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        report.visited.append(path)
        check_page(page, report, path)
        record_problems(problems, report, path)
    assert not report.findings, report.summary()
    # The sentences are there to be checked.
    page.goto(reverse("mentoring:coordinator_sessions", args=[slug]))
    assert "This session is yours" in page.content()
