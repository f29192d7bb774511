"""A session followed through the real pages: Sam logs it, Priya confirms it, both say how
it went (Priya by keyboard alone), and the coordinator finds it waiting for approval and the
feedback added to the programme's totals, without anyone's own answers. North Star asks one
question of its own after the fixed ones (demo/mentoring.py): both answer it, Priya by
keyboard, and it has its own row in the totals.

The named demo people are matched live, so their match is made first, behind the scenes,
through the matching services (the journey in test_matching_journey.py does it by hand)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import Page, expect

from demo.mentoring import OWN_QUESTION
from demo.panel import PANEL_QUESTION
from mentoring.models import ProgrammeAnswer, Session, SessionFeedback
from mentoring.templatetags.session_tags import plain_when
from tests.browser.support import sam_and_priya, sign_in

SAM = "Sam Okafor"
PRIYA = "Priya Shah"
PRIYA_SAYS = "Sam explained the leaving care grant in words I can use with young people."
SAM_SAYS = "Priya asked good questions and listened."
USEFUL = "The session was useful to me"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def status(page: Page):
    return page.get_by_role("status")


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


def card(page: Page, title: str):
    return (
        page.get_by_role("main")
        .locator("section")
        .filter(has=page.get_by_role("heading", name=title, exact=True))
    )


def question(page: Page, legend: str):
    return page.get_by_role("main").get_by_role("group", name=legend, exact=True)


def answer_by_keyboard(page: Page, choices: list[int], comment: str) -> None:
    """From the top of the page: the skip link, then into the form. In each group of radio
    buttons, Space picks the first answer and each Down arrow the next one; Tab moves on."""
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text(re.compile("skip", re.IGNORECASE))
    page.keyboard.press("Enter")
    for choice in choices:
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_attribute("type", "radio")
        page.keyboard.press("Space")
        for _ in range(choice - 1):
            page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("name", "comments")
    page.keyboard.type(comment)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text(re.compile("^Send your feedback"))
    page.keyboard.press("Enter")


def answers(programme, role: str) -> int:
    return SessionFeedback.objects.filter(programme=programme, role=role).count()


def test_a_session_is_logged_confirmed_given_feedback_and_counted(demo, page, problems, codes):
    match = sam_and_priya(demo)
    before = {role: answers(demo.north_star, role) for role in ("mentor", "mentee")}
    yesterday = (timezone.now().astimezone(ZoneInfo("Europe/London")) - timedelta(days=1)).date()

    # Sam logs the session from his match page.
    sign_in(page, demo.mentor)
    card(page, "Your matches").get_by_role(
        "link", name=f"You are mentoring {PRIYA} in North Star"
    ).click()
    expect(heading(page)).to_have_text(f"Your sessions with {PRIYA}")
    page.get_by_role("link", name="Log a session").click()
    main = page.get_by_role("main")
    main.get_by_label("Date of the session").fill(yesterday.isoformat())
    main.get_by_label("Start time").fill("18:00")
    main.get_by_label("How long it lasted, in minutes").fill("60")
    main.get_by_role("radio", name="Online (video call)").check()
    main.get_by_role("button", name="Log the session").click()
    expect(status(page)).to_contain_text(f"We have asked {PRIYA} to confirm it")
    # Their year of sessions is on the page too: this one is named by its time.
    session = Session.objects.filter(match=match).latest("created_at")
    when = plain_when(session.starts_at, demo.north_star.time_zone)

    # He gives his feedback straight away: six questions as a mentor, then North Star's own.
    page.get_by_role("link", name="Give feedback on this session").click()
    expect(heading(page)).to_have_text(f"How was your session with {PRIYA}?")
    expect(page.get_by_role("main")).to_contain_text(when)
    expect(page.get_by_role("main")).to_contain_text(f"{PRIYA} never sees what you say.")
    expect(page.get_by_role("main").get_by_role("group")).to_have_count(7)
    for legend, answer in [
        (USEFUL, "Strongly agree"),
        ("I felt listened to and respected", "Agree"),
        ("We used plain language, without jargon", "Agree"),
        ("I felt an equal partner", "Strongly agree"),
        ("My expertise was valued", "Agree"),
        ("I am paid fairly and on time", "Neither agree nor disagree"),
        (OWN_QUESTION, "Agree"),
    ]:
        question(page, legend).get_by_role("radio", name=answer, exact=True).check()
    page.get_by_label("Anything else you want to tell us?").fill(SAM_SAYS)
    page.get_by_role("button", name="Send your feedback").click()
    expect(heading(page)).to_have_text(f"Your sessions with {PRIYA}")
    expect(status(page)).to_contain_text("Thank you for your feedback")
    expect(page.get_by_role("link", name=re.compile("^Give feedback"))).to_have_count(0)
    sign_out(page)

    # Priya confirms it, then gives hers by keyboard alone, and never sees Sam's.
    sign_in(page, demo.mentee)
    expect(page.get_by_role("main")).not_to_contain_text(SAM_SAYS)
    card(page, "Sessions waiting for you to confirm").get_by_role("link").first.click()
    page.get_by_role("button", name="Yes, this is right").click()
    expect(heading(page)).to_have_text(f"Your sessions with {SAM}")
    expect(status(page)).to_contain_text("The session is confirmed")
    expect(page.get_by_role("main")).not_to_contain_text(SAM_SAYS)
    page.get_by_role("link", name=f"Give feedback on this session on {when}").click()
    expect(heading(page)).to_have_text(f"How was your session with {SAM}?")
    # Three fixed questions, North Star's own, then the one its panel proposed for mentees
    # (demo/panel.py).
    expect(page.get_by_role("main").get_by_role("group")).to_have_count(5)
    expect(page.get_by_role("main").get_by_role("group").nth(3)).to_have_accessible_name(
        OWN_QUESTION
    )
    expect(page.get_by_role("main").get_by_role("group").last).to_have_accessible_name(
        PANEL_QUESTION
    )

    answer_by_keyboard(page, [5, 4, 3, 2, 4], PRIYA_SAYS)

    expect(heading(page)).to_have_text(f"Your sessions with {SAM}")
    expect(status(page)).to_contain_text("Thank you for your feedback")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your dashboard").click()
    expect(card(page, "Feedback to give")).to_have_count(0)
    sign_out(page)

    # The coordinator finds the session waiting for approval, and the feedback in the totals.
    sign_in(page, demo.coordinator, codes=codes)
    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="Sessions to approve"
    ).click()
    expect(heading(page)).to_have_text("Sessions to approve")
    expect(
        page.get_by_role("main").get_by_role(
            "button", name=f"Approve the session of {SAM} and {PRIYA} on {when}"
        )
    ).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your dashboard").click()
    page.get_by_role("link", name="What people say about North Star").click()
    expect(heading(page)).to_have_text("What people say: North Star")
    table = page.get_by_role("table", name="Feedback after sessions: average ratings out of 5")
    useful = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="The session was useful", exact=True)
    )
    cells = useful.get_by_role("cell")
    # Mentors this period, then before; mentees this period, then before. A score when 8 or
    # more people answered, else "c": never a count of answers, never one person's score.
    for role, column in (("mentor", 0), ("mentee", 2)):
        assert answers(demo.north_star, role) == before[role] + 1
        expect(cells.nth(column)).to_have_text(re.compile(r"^(\d\.\d|c)$"))
    own = (
        page.get_by_role("table", name="The programme's own questions: average ratings out of 5")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=f"{OWN_QUESTION} (feedback)", exact=True))
    )
    for column in (0, 2):
        expect(own.get_by_role("cell").nth(column)).to_have_text(re.compile(r"^(\d\.\d|c)$"))
    given = ProgrammeAnswer.objects.filter(feedback__session=session, question__text=OWN_QUESTION)
    assert sorted(given.values_list("feedback__role", "value")) == [("mentee", 2), ("mentor", 4)]
    # Priya answered the panel's question too (demo/panel.py); Sam, a mentor, was not asked it.
    panels = ProgrammeAnswer.objects.filter(
        feedback__session=session, question__text=PANEL_QUESTION
    )
    assert sorted(panels.values_list("feedback__role", "value")) == [("mentee", 4)]
    main = page.get_by_role("main")
    for said in (SAM_SAYS, PRIYA_SAYS):
        expect(main).not_to_contain_text(said)
    assert not problems.take()
