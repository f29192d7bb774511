"""Our agreement and induction, through the real pages. One person of a seeded match fills
in the agreement, the other reads it and changes it, and its history shows both. A
coordinator records the induction of the demo's mentor who is waiting for it, and the next
matching round includes them."""

import re

from playwright.sync_api import Page, expect

from demo.induction import WAITING_MENTOR
from matching.models import Match, MatchingRound
from tests.browser.support import sign_in

HOW_WE_MEET = "Online every other Thursday at 6pm, for an hour."
OFF_LIMITS = "My brother. I will say if anything else comes up."
CHANGED = "Online every Thursday at 6pm for the first month, then every other week."


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def status(page: Page):
    return page.get_by_role("status")


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


def a_match_without_an_agreement(north_star) -> Match:
    return (
        Match.objects.filter(
            programme=north_star, status=Match.Status.ACTIVE, agreement_versions__isnull=True
        )
        .select_related("mentor", "mentee")
        .order_by("mentee__email")
        .first()
    )


def test_one_fills_the_agreement_and_the_other_changes_it(demo, page, problems):
    match = a_match_without_an_agreement(demo.north_star)
    mentor, mentee = match.mentor.display_name, match.mentee.display_name

    sign_in(page, match.mentor.email)
    page.goto(f"/matches/{match.pk}/")
    agreement_card = page.get_by_role("region", name="Our agreement")
    expect(agreement_card).to_contain_text("Not filled in yet.")
    agreement_card.get_by_role("link", name="Fill in your agreement").click()
    expect(heading(page)).to_have_text(f"Our agreement with {mentee}")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Coordinators do not read your agreement.")
    expect(main).to_contain_text("Safeguarding is always shared.")
    # By keyboard: type into the first box, then the next, and save with Enter.
    page.get_by_label("How and how often we meet").focus()
    page.keyboard.type(HOW_WE_MEET)
    page.keyboard.press("Tab")
    page.keyboard.type(OFF_LIMITS)
    page.get_by_role("button", name="Save the agreement").focus()
    page.keyboard.press("Enter")
    expect(status(page)).to_contain_text(f"Your agreement is saved. {mentee} can read it now")
    expect(main).to_contain_text(HOW_WE_MEET)
    sign_out(page)

    sign_in(page, match.mentee.email)
    page.goto(f"/matches/{match.pk}/")
    agreement_card = page.get_by_role("region", name="Our agreement")
    expect(agreement_card).to_contain_text(f"Filled in. Last changed by {mentor}")
    agreement_card.get_by_role("link", name=re.compile("Read or change your agreement")).click()
    expect(main).to_contain_text(OFF_LIMITS)
    page.get_by_label("How and how often we meet").fill(CHANGED)
    page.get_by_role("button", name="Save the agreement").click()
    expect(status(page)).to_contain_text(f"Your agreement is saved. {mentor} can read it now")
    page.get_by_role("link", name="See every change").click()
    expect(heading(page)).to_have_text(f"Changes to your agreement with {mentor}")
    expect(main).to_contain_text("Version 2: you")
    expect(main).to_contain_text("Changed: how and how often we meet.")
    expect(main).to_contain_text(f"Version 1: {mentor}")
    expect(main).to_contain_text("Filled in the agreement.")
    # The first version is kept word for word.
    page.get_by_text("Read version 1").click()
    expect(main).to_contain_text(HOW_WE_MEET)
    sign_out(page)

    sign_in(page, match.mentor.email)
    page.goto(f"/matches/{match.pk}/agreement/")
    expect(main).to_contain_text(CHANGED)
    expect(main).to_contain_text(f"Last changed by {mentee}")
    assert not problems.take()


def test_a_coordinator_records_an_induction_and_the_next_round_includes_the_mentor(
    demo, page, problems, codes
):
    sign_in(page, demo.coordinator, codes=codes)
    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="Matching"
    ).click()
    page.get_by_role("button", name="Start a new matching round").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Finished")
    expect(main).to_contain_text("1 mentor waiting for induction")
    first = MatchingRound.objects.filter(programme=demo.north_star).latest("pk")

    # The round says where to record it: the programme's mentors.
    main.get_by_role("link", name="Members").click()
    page.get_by_role("link", name="Reece Holt").click()
    expect(main).to_contain_text("Waiting for induction.")
    page.get_by_role("link", name="Record their induction").click()
    expect(heading(page)).to_have_text("Induction of Reece Holt")
    page.get_by_role("button", name="Record the induction").click()
    expect(status(page)).to_contain_text("Reece Holt's induction is recorded.")
    expect(main).to_contain_text("Induction on")

    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="Matching"
    ).click()
    page.get_by_role("button", name="Start a new matching round").click()
    expect(main).to_contain_text("Finished")
    expect(main).not_to_contain_text("waiting for induction")
    second = MatchingRound.objects.filter(programme=demo.north_star).latest("pk")
    assert second.pk != first.pk
    reece = str(
        demo.north_star.memberships.get(person__email=WAITING_MENTOR, role="mentor").person_id
    )
    assert reece not in {m["id"] for m in first.snapshot_read()["mentors"]}
    assert reece in {m["id"] for m in second.snapshot_read()["mentors"]}
    assert not problems.take()
