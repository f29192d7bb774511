"""Matching, followed through the real pages: a coordinator runs a round and approves a pair,
then the mentor and the mentee each answer. The seeded demo already holds one finished round
in North Star, and a year-old match of the published pair (Sam and Priya). The second published
pair, Marcia Campbell (mentor) and Tom Hargreaves (mentee), joined since, so the round started
here is the first to suggest them to each other."""

import re

from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from matching import services
from matching.models import MatchingRound, Proposal
from tests.browser.support import sign_in

MARCIA = "Marcia Campbell"
TOM = "Tom Hargreaves"
EXPERIENCE = "residential care (children's homes) and time with the youth justice system"
DECLINE_REASON = "I have just changed teams and need a few months to settle in."


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
    """A dashboard card, found by its heading."""
    return (
        page.get_by_role("main")
        .locator("section")
        .filter(has=page.get_by_role("heading", name=title, exact=True))
    )


def suggested_pairs(page: Page):
    return page.get_by_role("table", name=re.compile(r"^Suggested pairs"))


def row_for_mentee(page: Page, name: str):
    return (
        suggested_pairs(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=name, exact=True))
    )


def open_matching(page: Page) -> None:
    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="Matching"
    ).click()
    expect(heading(page)).to_have_text("Matching in North Star")


def start_round(page: Page) -> None:
    open_matching(page)
    page.get_by_role("button", name="Start a new matching round").click()
    expect(heading(page)).to_have_text(re.compile(r"^Matching round \d+$"))
    expect(status(page)).to_contain_text("The matching round has started")
    # Without a broker the round is solved before the page comes back.
    expect(page.get_by_role("main")).to_contain_text("Finished")


def answer_from_the_dashboard(page: Page, *, other: str):
    waiting = card(page, "Your answer is needed")
    expect(waiting).to_be_visible()
    waiting.get_by_role("link", name=f"A possible match with {other}").click()
    expect(heading(page)).to_have_text(f"A possible match with {other}")


def test_a_coordinator_proposes_a_pair_and_both_say_yes(demo, page, problems, codes):
    sign_in(page, demo.coordinator, codes=codes)
    start_round(page)
    row = row_for_mentee(page, TOM)
    expect(row).to_contain_text(MARCIA)
    # Written for the coordinator, in the third person.
    expect(row).to_contain_text(f"{MARCIA} can help with all of {TOM}'s learning goals")
    expect(row).to_contain_text(f"{MARCIA} has lived experience of {EXPERIENCE}")
    expect(row).to_contain_text("Waiting for review")
    row.get_by_role("button", name=f"Approve {MARCIA} with {TOM}").click()
    expect(status(page)).to_contain_text(f"Approved. We have asked {MARCIA} and {TOM}")
    expect(row_for_mentee(page, TOM)).to_contain_text("Approved, waiting for answers")
    sign_out(page)

    asked = sorted(address for message in mail.outbox for address in message.to)
    assert asked == [demo.new_mentee, demo.new_mentor], asked

    sign_in(page, demo.new_mentor)
    expect(heading(page)).to_have_text(f"Hello, {MARCIA}")
    answer_from_the_dashboard(page, other=TOM)
    expect(page.get_by_role("main")).to_contain_text(
        f"You can help with all of {TOM}'s learning goals"
    )
    expect(page.get_by_role("main")).to_contain_text(f"You have lived experience of {EXPERIENCE}")
    page.get_by_role("button", name=f"Yes, I would like to work with {TOM}").click()
    expect(heading(page)).to_have_text(f"Hello, {MARCIA}")
    expect(status(page)).to_contain_text(f"We will let you know when {TOM} has answered")
    expect(card(page, "Your answer is needed")).to_have_count(0)
    expect(card(page, "Your matches")).to_have_count(0)
    sign_out(page)

    sign_in(page, demo.new_mentee)
    answer_from_the_dashboard(page, other=MARCIA)
    expect(page.get_by_role("main")).to_contain_text("I grew up in two children's homes")
    expect(page.get_by_role("main")).to_contain_text(f"{MARCIA} can help with all your learning")
    # Marcia's care experience is hers to tell: Tom reads only her own words.
    expect(page.get_by_role("main")).not_to_contain_text("lived experience of")
    page.get_by_role("button", name=f"Yes, I would like to work with {MARCIA}").click()
    expect(heading(page)).to_have_text(f"Hello, {TOM}")
    expect(status(page)).to_contain_text("You both said yes. Your match has started.")
    expect(card(page, "Your matches")).to_contain_text(f"{MARCIA} is mentoring you in North Star")
    expect(card(page, "Your answer is needed")).to_have_count(0)
    sign_out(page)

    sign_in(page, demo.new_mentor)
    expect(card(page, "Your matches")).to_contain_text(f"You are mentoring {TOM} in North Star")
    assert not problems.take()


def test_a_mentee_says_no_and_the_pair_is_never_proposed_again(demo, page, problems, codes):
    # The coordinator's part of the story is the journey above; here it happens behind the
    # scenes, through the same services.
    coordinator = User.objects.get(email=demo.coordinator)
    first = services.round_start(programme=demo.north_star, by=coordinator)
    proposal = Proposal.objects.select_related("mentor").get(
        round=first, mentee__email=demo.new_mentee
    )
    assert proposal.mentor.email == demo.new_mentor
    services.proposal_approve(proposal=proposal, by=coordinator)

    sign_in(page, demo.new_mentee)
    answer_from_the_dashboard(page, other=MARCIA)
    page.get_by_label("Reason (optional)").fill(DECLINE_REASON)
    page.get_by_role("button", name="No, not this time").click()
    expect(heading(page)).to_have_text(f"Hello, {TOM}")
    expect(status(page)).to_contain_text("Thank you for letting us know")
    expect(card(page, "Your answer is needed")).to_have_count(0)
    sign_out(page)

    # Marcia is not asked any more, and never learns why.
    sign_in(page, demo.new_mentor)
    expect(card(page, "Your answer is needed")).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text(DECLINE_REASON)
    page.goto(f"/proposals/{proposal.pk}/")
    expect(page.get_by_role("main")).to_contain_text("This match will not go ahead")
    expect(page.get_by_role("main")).not_to_contain_text(DECLINE_REASON)
    sign_out(page)

    sign_in(page, demo.coordinator, codes=codes)
    open_matching(page)
    page.get_by_role("table", name="Matching rounds").get_by_role(
        "link", name=f"Round {first.pk}", exact=True
    ).click()
    expect(heading(page)).to_have_text(f"Matching round {first.pk}")
    expect(row_for_mentee(page, TOM)).to_contain_text(MARCIA)
    expect(row_for_mentee(page, TOM)).to_contain_text("Declined")

    # Both are back in the pool, but never suggested to each other again.
    start_round(page)
    expect(heading(page)).not_to_have_text(f"Matching round {first.pk}")
    again = MatchingRound.objects.exclude(pk=first.pk).latest("created_at").snapshot_read()
    assert str(proposal.mentor_id) in {mentor["id"] for mentor in again["mentors"]}
    assert str(proposal.mentee_id) in {mentee["id"] for mentee in again["mentees"]}
    rows = suggested_pairs(page).get_by_role("row")
    expect(rows.filter(has_text=MARCIA).filter(has_text=TOM)).to_have_count(0)
    assert not problems.take()
