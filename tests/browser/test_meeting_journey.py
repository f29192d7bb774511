"""Meeting, through the real pages: Sam plans a session with Priya with a meeting link (an
http link is refused first, next to the field, keeping what he typed); Priya is told in the
app, changes the time, and Sam is told; the day before, both are reminded once, however
often the reminder scan runs.

The named demo people are matched live, so their match is made first, behind the scenes,
through the matching services (test_matching_journey.py does it by hand)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from mentoring.models import PlannedSession
from mentoring.templatetags.session_tags import plain_when
from notifications.models import Notification
from notifications.services import reminders_scan
from tests.browser.support import sam_and_priya, sign_in

SAM = "Sam Okafor"
PRIYA = "Priya Shah"
LONDON = ZoneInfo("Europe/London")
LINK = "https://meet.example.org/sam-and-priya"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


def open_notifications(page: Page) -> None:
    """Through the navigation, which says there is something new."""
    nav = page.get_by_role("navigation", name="Main")
    link = nav.get_by_role("link", name=re.compile("^Notifications"))
    expect(link).to_contain_text(re.compile(r"\d+ new"))
    link.click()
    expect(heading(page)).to_have_text("Notifications")


def to_the_match(page: Page, link_name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your dashboard").click()
    page.get_by_role("main").get_by_role("link", name=link_name).click()


def test_the_pair_plan_a_session_with_a_link_change_it_and_are_reminded_once(demo, page, problems):
    match = sam_and_priya(demo)
    # The demo planned their next session already; this one comes before it.
    demo_plans = set(PlannedSession.objects.filter(match=match).values_list("pk", flat=True))
    in_three_days = (datetime.now(LONDON) + timedelta(days=3)).date()

    # Sam plans a session online. He pastes an http link first: refused, kept, explained.
    sign_in(page, demo.mentor)
    to_the_match(page, f"You are mentoring {PRIYA} in North Star")
    page.get_by_role("link", name="Plan a session").click()
    expect(heading(page)).to_have_text("Plan a session")
    main = page.get_by_role("main")
    main.get_by_label("Date of the session").fill(in_three_days.isoformat())
    main.get_by_label("Start time").fill("18:00")
    main.get_by_label("How long it should last, in minutes").fill("60")
    main.get_by_role("radio", name="Online (video call)").check()
    link_box = main.get_by_label("Meeting link (for an online session)")
    link_box.fill("http://meet.example.org/sam-and-priya")
    main.get_by_role("button", name="Plan the session").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator("#id_meeting_link_error")).to_contain_text("which is not secure")
    expect(link_box).to_have_value("http://meet.example.org/sam-and-priya")
    expect(main.get_by_label("Start time")).to_have_value("18:00")
    assert set(PlannedSession.objects.filter(match=match).values_list("pk", flat=True)) == (
        demo_plans
    )
    link_box.fill(LINK)
    main.get_by_role("button", name="Plan the session").click()
    expect(page.get_by_role("status")).to_contain_text(f"Session planned. We have told {PRIYA}")
    # Their next session, which the demo planned, has a link of its own.
    join = main.get_by_role("link", name=re.compile("^join the call"))
    expect(join.and_(main.locator(f'a[href="{LINK}"]'))).to_have_count(1)
    sign_out(page)

    # Priya is told in the app, with when and where, and moves it an hour later.
    sign_in(page, demo.mentee)
    open_notifications(page)
    planned = (
        page.get_by_role("main")
        .get_by_role("listitem")
        .filter(has_text=f"{SAM} planned a session with you")
        .filter(has_text=LINK)
    )
    expect(planned).to_contain_text("6pm")
    expect(planned).to_contain_text(LINK)
    planned.get_by_role("button").click()
    expect(heading(page)).to_have_text(f"Your sessions with {SAM}")
    plan = PlannedSession.objects.filter(match=match).exclude(pk__in=demo_plans).get()
    when = plain_when(plan.starts_at, demo.north_star.time_zone)
    page.get_by_role("link", name=f"Change the session of {when}").click()
    expect(heading(page)).to_have_text("Change a planned session")
    main = page.get_by_role("main")
    expect(main.get_by_label("Meeting link (for an online session)")).to_have_value(LINK)
    main.get_by_label("Start time").fill("19:00")
    main.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("status")).to_contain_text(f"Session changed. We have told {SAM}")
    sign_out(page)

    # Sam is told of the change.
    sign_in(page, demo.mentor)
    open_notifications(page)
    changed = (
        page.get_by_role("main")
        .get_by_role("listitem")
        .filter(has_text=f"{PRIYA} changed your planned session")
    )
    expect(changed).to_contain_text("7pm")
    expect(changed).to_contain_text("It was ")

    # The day before, the hourly reminder scan runs again and again: one reminder each.
    plan.refresh_from_db()
    day_before = plan.starts_at.astimezone(LONDON).date() - timedelta(days=1)
    morning = datetime(day_before.year, day_before.month, day_before.day, 9, tzinfo=LONDON)
    for hours in (0, 1, 2):
        reminders_scan(now=morning + timedelta(hours=hours))
    page.reload()
    reminder = page.get_by_role("main").get_by_role(
        "button", name=f"Your session with {PRIYA} is tomorrow"
    )
    expect(reminder).to_have_count(1)
    for email in (demo.mentor, demo.mentee):
        assert Notification.objects.filter(person__email=email, kind="plan_reminder").count() == 1
    assert not problems.take()
