"""The lived-experience panel through the real pages (issue 16's Done-when line). Sam, on
North Star's panel, proposes a new feedback question; Jo, its coordinator, accepts it; it is
on the next feedback form Priya opens. Sam then publishes a "You said, we did" entry, and
Priya reads it from her dashboard. axe and the page checks on each page.

Only the session Priya gives feedback on is logged and confirmed behind the scenes (the
session journey follows those pages)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from mentoring import services as mentoring_services
from tests.browser.crawler import CrawlReport, check_page
from tests.browser.support import sam_and_priya, sign_in
from tests.browser.test_session_journey import heading, sign_out, status

STATEMENT = "My mentor gave me time to think before I answered"
SAID = "Mentees said they wanted time to think in sessions."
DID = "Mentees are now asked about it after each session."


def main(page: Page):
    return page.get_by_role("main")


def assert_accessible(page: Page, where: str) -> None:
    report = CrawlReport(role="journey", origin="")
    check_page(page, report, where)
    assert not report.findings, report.summary()


def test_a_panel_proposal_becomes_a_feedback_question_and_a_you_said_we_did_entry(
    demo, page, problems, codes
):
    # Sam proposes a new feedback question from the panel's page.
    sign_in(page, demo.mentor)
    main(page).get_by_role("link", name="Open the panel of North Star").click()
    expect(heading(page)).to_have_text("The panel of North Star")
    assert_accessible(page, "the panel's home")
    main(page).get_by_role("link", name="Propose a change").first.click()
    expect(heading(page)).to_have_text("Propose a change to North Star")

    # Sent without the statement: the page says what is missing and keeps what was typed.
    main(page).get_by_role("radio", name="A new question for feedback or the check").check()
    main(page).get_by_label("What should change").fill("Ask mentees if they had time to think.")
    main(page).get_by_label("Why", exact=True).fill("Some mentees told us they felt rushed.")
    main(page).get_by_role("button", name="Send the proposal").click()
    expect(main(page)).to_contain_text("Write the statement people will rate.")
    expect(main(page).get_by_label("Why", exact=True)).to_have_value(
        "Some mentees told us they felt rushed."
    )
    assert_accessible(page, "the propose form, with errors")

    main(page).get_by_label("The new statement").fill(STATEMENT)
    main(page).get_by_role("radio", name="Feedback after each session").check()
    main(page).get_by_role("radio", name="Mentees only").check()
    main(page).get_by_role("button", name="Send the proposal").click()
    expect(heading(page)).to_have_text("A proposal for North Star")
    expect(status(page)).to_contain_text("Your proposal is open for the panel's votes")
    main(page).get_by_role("radio", name="For").check()
    main(page).get_by_role("button", name="Save my vote").click()
    expect(main(page)).to_contain_text("1 for, 0 against")
    assert_accessible(page, "a proposal with its vote form")
    sign_out(page)

    # Jo finds it on the coordinator's panel page and accepts it.
    sign_in(page, demo.coordinator, codes=codes)
    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="The panel"
    ).first.click()
    expect(heading(page)).to_have_text("The panel of North Star")
    assert_accessible(page, "the coordinator's panel page")
    main(page).get_by_role("link", name="Ask mentees if they had time to think.").click()
    expect(heading(page)).to_have_text("A proposal from the panel")
    main(page).get_by_role("radio", name="Accept it").check()
    main(page).get_by_role("button", name="Save the decision").click()
    expect(main(page)).to_contain_text("Say what was done, or why not.")
    assert_accessible(page, "the decide form, with errors")
    main(page).get_by_label("What was done, or why not").fill(
        "Mentees are asked this after every session from now on."
    )
    main(page).get_by_role("button", name="Save the decision").click()
    expect(status(page)).to_contain_text("The proposal is accepted")
    sign_out(page)

    # Behind the scenes: Sam logs a session with Priya and she confirms it.
    match = sam_and_priya(demo)
    session = mentoring_services.session_log(
        match=match,
        by=match.mentor,
        starts_at=timezone.now() - timedelta(hours=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    mentoring_services.session_confirm(session=session, by=match.mentee)

    # Priya's next feedback form asks the panel's question.
    sign_in(page, demo.mentee)
    page.goto(reverse("mentoring:session_feedback", args=[session.pk]))
    expect(main(page).get_by_role("group", name=STATEMENT, exact=True)).to_be_visible()
    assert_accessible(page, "the feedback form with the panel's question")
    sign_out(page)

    # Sam publishes a "You said, we did" entry.
    sign_in(page, demo.mentor)
    main(page).get_by_role("link", name="Open the panel of North Star").click()
    main(page).get_by_role("link", name="You said, we did").click()
    main(page).get_by_role("link", name="Write a new entry").click()
    expect(heading(page)).to_have_text('Write in "You said, we did"')
    assert_accessible(page, "the publish form")
    main(page).get_by_label("What people said").fill(SAID)
    main(page).get_by_label("What was done").fill(DID)
    main(page).get_by_role("button", name="Publish it").click()
    expect(status(page)).to_contain_text("Your entry is published")
    sign_out(page)

    # Priya reads it from her dashboard, and was told of it.
    sign_in(page, demo.mentee)
    main(page).get_by_role("link", name="You said, we did in North Star").click()
    expect(heading(page)).to_have_text("You said, we did")
    expect(main(page)).to_contain_text(SAID)
    expect(main(page)).to_contain_text(DID)
    assert_accessible(page, "You said, we did")
    priya = User.objects.get(email=demo.mentee)
    assert priya.notifications.filter(kind="you_said_we_did").exists()

    assert not problems.take()
