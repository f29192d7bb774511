"""Every page each kind of person can reach passes axe's WCAG 2.2 AA rules, has the structure
a screen reader user relies on, and says what went wrong, accessibly, when a form fails.

The crawl follows links, so a new page is checked as soon as anything links to it."""

import re
from statistics import median

import pytest
from playwright.sync_api import Page, expect

from core.readability import MAX_READING_AGE, MEDIAN_READING_AGE
from tests.browser.crawler import crawl, crawl_after_sign_in, shape_of
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
    # The statements and the words we use, from the footer of every page.
    "anonymous": {"/accessibility/", "/privacy/", "/glossary/"},
    "mentee": {
        "/accessibility/",
        "/privacy/",
        "/glossary/",
        "/another-format/",
        # From the dashboard: what changed because members spoke up (demo/panel.py).
        "/panel/north-star/you-said-we-did/",
    },
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
        # Sam sits on North Star's panel (demo/panel.py): its home, a proposal with its
        # vote form, the propose form, "You said, we did" and its publish form.
        "/panel/north-star/",
        "/panel/north-star/propose/",
        "/panel/north-star/proposals/<id>/",
        "/panel/north-star/you-said-we-did/",
        "/panel/north-star/you-said-we-did/new/",
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
        # From "Feedback questions" in the navigation; North Star asks one (demo/mentoring.py).
        "/coordinate/north-star/questions/",
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
        # "About the programme" in the staff navigation: what people read before joining.
        "/coordinate/north-star/about/",
        # "Requests for another format" in the staff navigation, and the statements.
        "/coordinate/north-star/another-format/",
        "/accessibility/",
        "/privacy/",
        "/glossary/",
        # From the resources page: the organisation's own words to avoid.
        "/coordinate/north-star/language/",
        # "The panel" in the staff navigation, and a proposal to decide (demo/panel.py).
        "/coordinate/north-star/panel/",
        "/coordinate/north-star/panel/proposals/<id>/",
    },
    "administrator": {
        # Riverside's staff pages: North Star's are the coordinator's crawl (AVOID below).
        "/coordinate/riverside/members/",
        "/coordinate/riverside/matching/settings/",
        "/coordinate/riverside/pay/rates/",
        "/statistics/",
        "/statistics/all/people/",
        "/statistics/all/matching/",
        "/statistics/all/mentoring/",
        "/statistics/all/payments/",
        "/statistics/all/voice/",
    },
}


# An administrator runs every programme of the organisation: their crawl leaves North Star's
# staff pages to the coordinator's crawl, which must reach them all, and covers Riverside's
# and the organisation's.
AVOID = {"administrator": ("/coordinate/north-star/",)}


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
    report = crawl_after_sign_in(
        page,
        problems=problems,
        role=role,
        origin=live_server.url,
        start=["/", "/dashboard/"] if ROLES[role] else ["/"],
        avoid=AVOID.get(role, ()),
    )
    assert len(report.visited) >= 3, report.summary()
    assert not report.findings, report.summary()
    # Every page's reading age is at most 12 (a finding above); half are at most 9.
    ages = sorted(report.reading_ages.items(), key=lambda item: item[1])
    assert median(age for _, age in ages) <= MEDIAN_READING_AGE, ages
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
    <a href="/hard-to-read/">Hard to read</a>
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


HARD_TO_READ = """<!DOCTYPE html>
<html lang="en"><head><title>Hard to read</title></head>
<body>
  <a href="#main">Skip to main content</a>
  <main id="main">
    <h1>Your obligations</h1>
    <p>Notwithstanding the aforementioned considerations, practitioners participating in the
    programme are expected to demonstrate continuous professional development through
    documented reflective engagement, utilising the organisational frameworks provided
    prior to the commencement of each subsequent developmental activity.</p>
    <p>Please read this page carefully and contact your coordinator if anything is unclear
    to you at all.</p>
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
    page.route(f"{origin}/hard-to-read/", serve(HARD_TO_READ))

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
    # One long sentence of long words is too hard, however plain the rest of the page.
    assert ("/hard-to-read/", "reading age") in found, report.summary()
    assert report.reading_ages["/hard-to-read/"] > MAX_READING_AGE
