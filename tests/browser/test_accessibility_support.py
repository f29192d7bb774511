"""The accessibility crawl of the agreement, induction and support pages, as the people who
reach them. (test_accessibility.py crawls every page by role.)"""

import pytest

from tests.browser.crawler import crawl_nearby, shape_of
from tests.browser.support import sign_in


@pytest.mark.parametrize("who", ["mentee of a match with an agreement", "coordinator"])
def test_it_has_no_accessibility_problems_on_agreement_and_induction_pages(
    who, demo, page, problems, codes, live_server
):
    """As the mentee of the demo match whose agreement was changed (the agreement, its form
    in its error state, and its history), and as the coordinator on the page of the demo's
    mentor waiting for induction (the induction form, also in its error state)."""
    from demo.induction import WAITING_MENTOR
    from mentoring.models import AgreementVersion
    from programmes.models import Membership

    if who == "coordinator":
        waiting = Membership.objects.get(person__email=WAITING_MENTOR, role="mentor")
        sign_in(page, demo.coordinator, codes=codes)
        start = [f"/coordinate/north-star/members/{waiting.person_id}/"]
        wanted = {"/coordinate/north-star/memberships/<id>/induction/"}
    else:
        # Priya, the published mentee: her agreement with Sam was changed.
        changed = AgreementVersion.objects.select_related("match__mentee").get(
            number=2, match__mentee__email=demo.mentee
        )
        sign_in(page, changed.match.mentee.email)
        start = [f"/matches/{changed.match_id}/"]
        wanted = {"/matches/<id>/agreement/", "/matches/<id>/agreement/history/"}
    report = crawl_nearby(
        page,
        problems=problems,
        role=who,
        origin=live_server.url,
        start=start,
    )
    missed = wanted - {shape_of(path) for path in report.visited}
    assert not missed, f"The crawl did not reach {sorted(missed)}.\n{report.summary()}"
    assert not report.findings, report.summary()


@pytest.mark.parametrize("side", ["mentor after a session", "mentee of a match", "no match"])
def test_it_has_no_accessibility_problems_on_support_pages(side, demo, page, problems, live_server):
    """As a demo mentor whose latest session waits for their check-in (the form, and its
    error state), a demo mentee with a match ("I'm finding this hard", and the journal's
    prompt), and a demo mentor with no match (asking for a chat from the dashboard)."""
    from django.db.models import F, Q

    from accounts.models import User
    from matching.models import Match
    from mentoring.models import CheckIn, Session

    if side == "mentor after a session":
        session = (
            Session.objects.filter(match__programme=demo.north_star, match__status="active")
            .filter(Q(logged_by=F("match__mentor")) | Q(confirmed_by=F("match__mentor")))
            .exclude(pk__in=CheckIn.objects.values("session_id"))
            .select_related("match__mentor")
            .latest("starts_at")
        )
        person, start, wanted = (
            session.match.mentor,
            [f"/sessions/{session.pk}/"],
            ("/sessions/<id>/check-in/"),
        )
    elif side == "mentee of a match":
        match = Match.objects.filter(programme=demo.north_star, status="active").latest("pk")
        person, start, wanted = (
            match.mentee,
            [f"/matches/{match.pk}/", "/journal/"],
            ("/matches/<id>/hard/"),
        )
    else:
        live = Match.objects.live().values("mentor_id")
        person = (
            User.objects.filter(
                memberships__programme=demo.north_star,
                memberships__role="mentor",
                memberships__ended_at__isnull=True,
            )
            .exclude(pk__in=live)
            .order_by("email")
            .first()
        )
        start, wanted = ["/dashboard/"], "/talk/north-star/"
    sign_in(page, person.email)
    report = crawl_nearby(
        page,
        problems=problems,
        role=side,
        origin=live_server.url,
        start=start,
    )
    assert wanted in {shape_of(path) for path in report.visited}, report.summary()
    assert not report.findings, report.summary()
