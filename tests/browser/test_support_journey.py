"""Support through the real pages: after a session Sam says privately how it was and asks for
a chat; Priya says she is finding it hard; the coordinator finds both on the programme's
requests to talk, with who asked, when and what they said, records the chat with Sam, and Sam
is told. Priya never sees Sam's check-in, and Sam never sees that Priya asked.

The named demo people are matched live, so their match is made behind the scenes first."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from mentoring import services
from mentoring.models import CheckIn, TalkRequest
from notifications.models import Kind, Notification
from tests.browser.support import sam_and_priya, sign_in

SAM = "Sam Okafor"
PRIYA = "Priya Shah"
SAM_SAYS = "Talking about family time brought a lot back for me."
PRIYA_SAYS = "I keep doubting my own decisions since we started."


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def status(page: Page):
    return page.get_by_role("status")


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


def sam_and_priyas_session(demo):
    """Sam and Priya's match (the demo's) and a session Sam logged."""
    match = sam_and_priya(demo)
    session = services.session_log(
        match=match,
        by=match.mentor,
        starts_at=timezone.now() - timedelta(hours=20),
        duration_minutes=60,
        meeting_mode="online",
    )
    return match, session


def test_a_check_in_and_finding_it_hard_reach_the_coordinator(demo, page, problems, codes):
    match, session = sam_and_priyas_session(demo)

    # Sam says how the session was for him, from its page, and asks for a chat.
    sign_in(page, demo.mentor)
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("link", name=re.compile("^How was that for you?")).click()
    expect(heading(page)).to_have_text("How was that for you?")
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{PRIYA} never sees it.")
    main.get_by_role("radio", name="Some of it was hard").check()
    main.get_by_label("Anything you want to add? (optional)").fill(SAM_SAYS)
    main.get_by_label("I'd like a chat with the coordinator").check()
    main.get_by_role("button", name="Send").click()
    expect(status(page)).to_contain_text("A coordinator will get in touch for a chat soon")
    expect(page.get_by_role("main")).to_contain_text("You asked for a chat.")
    # Answered once: the form is gone, and the dashboard no longer offers it.
    expect(page.get_by_role("main").get_by_role("button", name="Send")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your dashboard").click()
    expect(page.locator(f'a[href="/sessions/{session.pk}/check-in/"]')).to_have_count(0)
    sign_out(page)

    # Priya says she is finding it hard, from the match page; she never sees Sam's check-in.
    sign_in(page, demo.mentee)
    page.goto(f"/sessions/{session.pk}/")
    expect(page.get_by_role("main")).not_to_contain_text(SAM_SAYS)
    expect(page.get_by_role("link", name=re.compile("^How was that for you?"))).to_have_count(0)
    page.goto(f"/matches/{match.pk}/")
    page.get_by_role("link", name="Tell your coordinator privately and ask for a chat").click()
    expect(heading(page)).to_have_text("I'm finding this hard")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="raise a concern")).to_be_visible()
    main.get_by_label(re.compile("^Anything you want to tell the coordinator")).fill(PRIYA_SAYS)
    main.get_by_role("button", name="Ask for a chat").click()
    expect(status(page)).to_contain_text("We have told your coordinators")
    sign_out(page)

    # The coordinator finds both on North Star's requests to talk, and records the chat.
    sign_in(page, demo.coordinator, codes=codes)
    page.get_by_role("link", name=re.compile(r"^Waiting for a chat: \d+ in North Star")).click()
    expect(heading(page)).to_have_text("Requests to talk in North Star")
    rows = page.get_by_role("main").get_by_role("row")
    sams = rows.filter(has_text=SAM).filter(has_text="Asked in their check-in after a session")
    priyas = rows.filter(has_text=PRIYA).filter(has_text="Said they are finding it hard")
    expect(sams).to_have_count(1)
    expect(sams).to_contain_text(SAM_SAYS)
    expect(priyas).to_have_count(1)
    expect(priyas).to_contain_text(PRIYA_SAYS)
    sams.get_by_role("link").click()
    expect(heading(page)).to_have_text(f"{SAM} would like a chat")
    main = page.get_by_role("main")
    expect(main.get_by_label("When did you talk?")).to_have_value(timezone.localdate().isoformat())
    main.get_by_role("button", name="Record that we talked").click()
    expect(status(page)).to_contain_text(f"We have told {SAM} you talked")
    expect(heading(page)).to_have_text("Requests to talk in North Star")
    rows = page.get_by_role("main").get_by_role("row")
    expect(rows.filter(has_text=SAM_SAYS)).to_have_count(0)
    expect(rows.filter(has_text=PRIYA_SAYS)).to_have_count(1)

    sam = User.objects.get(email=demo.mentor)
    talk = CheckIn.objects.get(session=session).talk_request
    assert talk.talked_on == timezone.localdate()
    assert talk.talked_by.email == demo.coordinator
    assert Notification.objects.filter(person=sam, kind=Kind.TALK_PICKED_UP).count() == 1
    # Sam is never told that Priya asked for a chat.
    priyas_request = TalkRequest.objects.get(person__email=demo.mentee, match=match)
    assert not Notification.objects.filter(
        person=sam, event_key__startswith=f"talk:{priyas_request.pk}"
    ).exists()
    assert not problems.take()
