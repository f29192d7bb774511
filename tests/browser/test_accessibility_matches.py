"""The accessibility crawl inside a match: sessions, planned sessions, advances and a missed
session, as each person of a demo match. (test_accessibility.py crawls every page by role;
the crawls are in three files so parallel workers share them.)"""

import pytest

from tests.browser.crawler import crawl_nearby, shape_of
from tests.browser.support import sign_in


@pytest.mark.parametrize("side", ["logged_by", "confirmer"])
def test_it_has_no_accessibility_problems_on_session_pages(side, demo, page, problems, live_server):
    """The named demo people have no match yet, so this crawls as the two people of the
    seeded match whose latest session waits for confirmation: the match page, sessions,
    the confirm-or-dispute form and the session form, each in its error state too."""
    from mentoring.models import Session

    session = Session.objects.select_related("match__mentor", "match__mentee").get(
        status=Session.Status.LOGGED
    )
    match = session.match
    person = session.logged_by if side == "logged_by" else session.other_person(session.logged_by)
    assert person in (match.mentor, match.mentee)
    sign_in(page, person.email)
    report = crawl_nearby(
        page,
        problems=problems,
        role=f"{side} of a demo match",
        origin=live_server.url,
        start=["/dashboard/", f"/matches/{match.pk}/"],
    )
    assert any(path.startswith("/sessions/") for path in report.visited), report.summary()
    if person == match.mentee:
        assert f"/matches/{match.pk}/kind-words/" in report.visited, report.summary()
    assert not report.findings, report.summary()


@pytest.mark.parametrize("side", ["mentor", "mentee of the missed session"])
def test_it_has_no_accessibility_problems_on_advance_and_missed_session_pages(
    side, demo, page, problems, live_server
):
    """As the demo mentor with advances (one settled by its receipt, one to settle, whose
    page holds the settle form, also put in its error state), and as the mentee whose mentor
    said they did not come (the match page says so)."""
    from mentoring.models import PlannedSession
    from payments.models import Advance

    if side == "mentor":
        person = Advance.objects.get(status=Advance.Status.SETTLED).mentor
        start = ["/pay/"]
        wanted = "/pay/advances/<id>/"
    else:
        missed = PlannedSession.objects.missed_to_confirm().select_related("match__mentee").get()
        person = missed.match.mentee
        start = [f"/matches/{missed.match_id}/"]
        wanted = "/matches/<id>/"
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


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_it_has_no_accessibility_problems_on_planned_session_pages(
    side, demo, page, problems, live_server
):
    """As each person of a demo match with a session planned online (demo/mentoring.py):
    the match page with its link to the call, and the page that changes the plan, also in
    its error state."""
    from mentoring.models import PlannedSession

    plan = (
        PlannedSession.objects.open()
        .filter(meeting_mode="online")
        .exclude(meeting_link="")
        .select_related("match__mentor", "match__mentee")
        .first()
    )
    person = getattr(plan.match, side)
    sign_in(page, person.email)
    report = crawl_nearby(
        page,
        problems=problems,
        role=side,
        origin=live_server.url,
        start=[f"/matches/{plan.match_id}/"],
    )
    reached = {shape_of(path) for path in report.visited}
    assert "/planned/<id>/change/" in reached, report.summary()
    assert "/planned/<id>/change/" in {shape_of(path) for path in report.error_states}, (
        report.summary()
    )
