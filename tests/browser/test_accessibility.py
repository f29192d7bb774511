"""Every page each kind of person can reach passes axe's WCAG 2.2 AA rules, has the structure
a screen reader user relies on, and says what went wrong, accessibly, when a form fails.

The crawl follows links, so a new page is checked as soon as anything links to it."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.crawler import crawl, shape_of
from tests.browser.support import sign_in

# Who to be, and whether their account has two-factor authentication.
ROLES = {
    "anonymous": None,
    "mentor": ("mentor@example.org", False),
    "mentee": ("mentee@example.org", False),
    "coordinator": ("coordinator@example.org", True),
    "administrator": ("admin@example.org", True),
    # Runs the service: the Django admin's front page is checked too.
    "operator": ("operator@example.org", True),
    # Riverside lets practitioners choose, and its mentor has a request waiting.
    "mentor-b": ("mentor-b@example.org", False),
    "mentee-b": ("mentee-b@example.org", False),
    # A made-up mentor with a year of pay: payment runs, claims, a failed payment and a
    # correction (demo/payments.py).
    "paid-mentor": ("mentor-007@north-star.example.org", False),
}

# Pages each crawl must reach, by shape (ids blanked), so a page that drops out of reach
# fails here instead of quietly going unchecked.
MUST_REACH = {
    "mentor": {
        "/pay/",
        "/pay/how/",
        "/pay/alert/",
        "/pay/benefits/",
        "/pay/benefits/settings/",
        "/pay/hours/",
        "/pay/expenses/new/",
        "/pay/advances/new/",
        "/activities/",
        "/activities/<id>/",
        # From "Programme resources" in the navigation.
        "/programmes/north-star/resources/",
    },
    # On Universal Credit, with a cap that held a line back (demo/payments.py); with kind
    # words from two mentees, one in their record of contribution (demo/contribution.py);
    # with a conversation in their match (demo/messages.py): the list, the conversation
    # and its form (in its error state too), and the page to show a message to a coordinator.
    "paid-mentor": {
        "/pay/",
        "/pay/runs/<id>/",
        "/pay/expenses/<id>/",
        "/pay/hours/",
        "/my/contribution/",
        "/messages/",
        "/matches/<id>/messages/",
        "/matches/<id>/messages/<id>/concern/",
    },
    "coordinator": {
        "/coordinate/north-star/pay/",
        "/coordinate/north-star/pay/rates/",
        "/coordinate/north-star/pay/schedule/",
        "/coordinate/north-star/pay/mentors/<id>/status/",
        "/coordinate/north-star/pay/mentors/<id>/",
        "/coordinate/north-star/pay/expenses/<id>/",
        "/coordinate/north-star/pay/runs/<id>/",
        "/coordinate/north-star/pay/lines/<id>/correct/",
        "/coordinate/north-star/pay/payees/<id>/failed/",
        # An advance waiting for a decision, something bought for a mentor, and a session a
        # mentee did not come to (demo/payments.py).
        "/coordinate/north-star/pay/advances/<id>/",
        "/coordinate/north-star/pay/mentors/<id>/bought/",
        "/coordinate/north-star/planned/<id>/",
        # Requests to talk: a mentor's check-in and a mentee finding it hard (demo/support.py).
        "/coordinate/north-star/talk/",
        "/coordinate/north-star/talk/<id>/",
        "/coordinate/north-star/activities/",
        "/coordinate/north-star/activities/new/",
        "/coordinate/north-star/activities/<id>/",
        "/statistics/",
        "/statistics/north-star/people/",
        # "What people say", linked from the dashboard (the old voice page redirects here).
        "/statistics/north-star/voice/",
        # The demo round's mentees without a match, and its approval of a page of pairs.
        "/coordinate/north-star/matching/<id>/unmatched/",
        "/coordinate/north-star/matching/<id>/approvals/<id>/",
        # "Resources page" in the staff navigation.
        "/coordinate/north-star/resources/",
    },
    "administrator": {
        "/statistics/",
        "/statistics/all/people/",
        "/statistics/all/matching/",
        "/statistics/all/mentoring/",
        "/statistics/all/payments/",
        "/statistics/all/voice/",
    },
}


def become(page: Page, role: str, codes) -> None:
    if ROLES[role] is None:
        return
    email, two_factor = ROLES[role]
    sign_in(page, email, codes=codes if two_factor else None)


@pytest.mark.parametrize("role", list(ROLES))
def test_it_has_no_accessibility_problems_on_any_page(
    role, demo, page, problems, codes, live_server
):
    become(page, role, codes)
    signing_in = problems.take()
    report = crawl(
        page,
        problems=problems,
        role=role,
        origin=live_server.url,
        start=["/", "/dashboard/"] if ROLES[role] else ["/"],
    )
    for problem in signing_in:
        report.add("while signing in", "browser", problem)
    assert len(report.visited) >= 3, report.summary()
    assert not report.findings, report.summary()
    missed = MUST_REACH.get(role, set()) - {shape_of(path) for path in report.visited}
    assert not missed, f"The crawl did not reach {sorted(missed)}.\n{report.summary()}"


@pytest.mark.parametrize(
    ("role", "path"),
    [("anonymous", "/"), ("anonymous", "/account/login/"), ("mentor", "/dashboard/")],
)
def test_it_lets_keyboard_users_skip_to_the_content(role, path, demo, page, problems, codes):
    become(page, role, codes)
    page.goto(path)
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text(re.compile(r"skip", re.IGNORECASE))
    target = focused.get_attribute("href")
    assert target and target.startswith("#"), f"The first thing Tab reaches is {target!r}"
    expect(focused).to_be_in_viewport()
    box = focused.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10, f"The skip link is hidden: {box}"
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_have_attribute("id", target[1:])
    expect(page.get_by_role("main")).to_be_focused()
    assert not problems.take()


# Pages with one of each problem the crawl looks for, served as if they were ours.
BROKEN_PAGE = """<!DOCTYPE html>
<html><head><title>Broken</title></head>
<body>
  <h1>One heading</h1><h1>Another heading</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <script>document.title = "Inline script, which the CSP blocks";</script>
  <footer>
    <a href="/a-page-that-does-not-exist/">Broken link</a>
    <a href="/a-form/">A form</a>
  </footer>
</body></html>"""
# A tidy form whose error page loses a label and leaves focus where it was.
FORM_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>A form</title></head>
<body>
  <a href="#main">Skip to main content</a>
  <main id="main">
    <h1>A form</h1>
    <form method="post">{error}<label for="name">Name</label><input id="name" name="name"
      value="Sam">{unlabelled}<button>Send</button></form>
  </main>
</body></html>"""


def test_it_notices_problems_when_there_are_some(transactional_db, page, problems, live_server):
    """The crawl's own check: it must fail on pages that break its rules."""

    def serve(body, status=200, **headers):
        return lambda route: route.fulfill(
            status=status, content_type="text/html", headers=headers, body=body
        )

    def form(route):
        if route.request.method == "POST":
            error = '<div class="error-summary"><h2>There is a problem</h2></div>'
            serve(FORM_PAGE.format(error=error, unlabelled='<input name="age">'))(route)
        else:
            serve(FORM_PAGE.format(error="", unlabelled=""))(route)

    origin = live_server.url
    page.route(
        f"{origin}/broken/", serve(BROKEN_PAGE, **{"Content-Security-Policy": "script-src 'self'"})
    )
    page.route(f"{origin}/a-page-that-does-not-exist/", serve("Not found", status=404))
    page.route(f"{origin}/a-form/", form)

    report = crawl(page, problems=problems, role="tester", origin=origin, start=["/broken/"])

    found = {(finding.page, finding.kind) for finding in report.findings}
    details = " ".join(finding.detail for finding in report.findings)
    assert ("/broken/", "axe image-alt") in found, report.summary()
    assert ("/broken/", "axe html-has-lang") in found, report.summary()
    assert ("/a-page-that-does-not-exist/", "link") in found, report.summary()
    for problem in ("2 h1 elements", "0 main landmarks", "no lang", "no skip link", "Content"):
        assert problem in details, report.summary()
    assert report.error_states == ["/a-form/"], report.summary()
    assert ("/a-form/", "axe label") not in found, report.summary()
    assert ("/a-form/ (form sent with empty boxes)", "axe label") in found, report.summary()
    assert ("/a-form/ (form sent with empty boxes)", "focus") in found, report.summary()


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
    signing_in = problems.take()
    report = crawl(
        page,
        problems=problems,
        role=f"{side} of a demo match",
        origin=live_server.url,
        start=["/dashboard/", f"/matches/{match.pk}/"],
    )
    for problem in signing_in:
        report.add("while signing in", "browser", problem)
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
    signing_in = problems.take()
    report = crawl(page, problems=problems, role=side, origin=live_server.url, start=start)
    for problem in signing_in:
        report.add("while signing in", "browser", problem)
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
    signing_in = problems.take()
    report = crawl(
        page,
        problems=problems,
        role=side,
        origin=live_server.url,
        start=[f"/matches/{plan.match_id}/"],
    )
    for problem in signing_in:
        report.add("while signing in", "browser", problem)
    reached = {shape_of(path) for path in report.visited}
    assert "/planned/<id>/change/" in reached, report.summary()
    assert "/planned/<id>/change/" in {shape_of(path) for path in report.error_states}, (
        report.summary()
    )


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
        changed = AgreementVersion.objects.select_related("match__mentee").get(number=2)
        sign_in(page, changed.match.mentee.email)
        start = [f"/matches/{changed.match_id}/"]
        wanted = {"/matches/<id>/agreement/", "/matches/<id>/agreement/history/"}
    signing_in = problems.take()
    report = crawl(page, problems=problems, role=who, origin=live_server.url, start=start)
    for problem in signing_in:
        report.add("while signing in", "browser", problem)
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
    signing_in = problems.take()
    report = crawl(page, problems=problems, role=side, origin=live_server.url, start=start)
    for problem in signing_in:
        report.add("while signing in", "browser", problem)
    assert wanted in {shape_of(path) for path in report.visited}, report.summary()
    assert not report.findings, report.summary()
