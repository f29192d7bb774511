"""Real people through real pages: signing up with an invitation, filling in a profile,
deciding an application, running the admin, and staff meeting two-factor authentication.

Each step finds things the way a person would, by their role, label or words on the page."""

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from core.choices import Role
from programmes.services import invitation_create
from tests.browser.support import TOTP_PERIOD, sign_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory

NEW_PASSWORD = "three random words 2026"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/account/confirm-email/[^\s]+/)")


def open_invitation(page: Page, demo, *, role: str, email: str = "") -> None:
    coordinator = User.objects.get(email=demo.coordinator)
    invitation = invitation_create(
        programme=demo.north_star,
        role=role,
        email=email,
        note="From a browser test",
        by=coordinator,
    )
    page.goto(f"/join/{invitation.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join North Star")


def sign_up_and_confirm(page: Page, *, name: str, email: str) -> None:
    """Fill in the sign-up form, then open the link in the email we send, as a person would."""
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Create an account")
    main.get_by_label(re.compile(r"^your name", re.IGNORECASE)).fill(name)
    main.get_by_label(re.compile(r"^email", re.IGNORECASE)).fill(email)
    main.get_by_label(re.compile(r"^(create a |new )?password", re.IGNORECASE)).fill(NEW_PASSWORD)
    main.get_by_label(re.compile(r"password again|confirm", re.IGNORECASE)).fill(NEW_PASSWORD)
    main.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    messages = [message for message in mail.outbox if email in message.to]
    assert messages, f"No email to {email}; sent: {[m.to for m in mail.outbox]}"
    link = CONFIRM_LINK.search(messages[-1].body)
    assert link, f"No confirmation link in:\n{messages[-1].body}"
    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    page.get_by_role("main").get_by_role("button", name=re.compile(r"^confirm", re.I)).click()


def join_programme(page: Page) -> None:
    """Back at the invitation after confirming the email address: accept it."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Join North Star")
    page.get_by_role("main").get_by_role("button", name="Join North Star").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("status")).to_contain_text("Welcome to North Star")


def group(page: Page, name: str):
    """A fieldset of checkboxes, found by its legend."""
    return page.get_by_role("main").get_by_role("group", name=re.compile(rf"^{re.escape(name)}"))


def test_a_new_mentor_joins_with_an_invitation_and_completes_their_profile(demo, page, problems):
    open_invitation(page, demo, role=Role.MENTOR)

    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    sign_up_and_confirm(page, name="Jade", email="jade.new-mentor@example.org")
    join_programme(page)

    # Care experience: consent first, then what they choose to share.
    main = page.get_by_role("main")
    main.get_by_role("link", name="Choose whether to share your care experience").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sharing your care experience")
    page.get_by_label(re.compile(r"^I agree that Alongside may keep")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your care experience")
    expect(page.get_by_role("status")).to_contain_text("You can now add your care experience")
    group(page, "Your experience of care").get_by_label("Foster care").check()
    group(page, "Councils you were in care with").get_by_label("Manchester City Council").check()
    page.get_by_label(re.compile(r"what your mentee may know", re.I)).fill(
        "I grew up in foster care in Manchester and now work in a youth club."
    )
    page.get_by_role("main").get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.get_by_role("main")).to_contain_text("Foster care")

    # The mentor profile itself.
    page.get_by_role("link", name="Change your mentor profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your mentor profile")
    group(page, "Topics you would like to mentor on").get_by_label("Language that cares").check()
    group(page, "Topics you would like to mentor on").get_by_label("Moving to adulthood").check()
    group(page, "Languages you can mentor in").get_by_label("English").check()
    page.get_by_label("Your region").select_option(label="North West")
    group(page, "How you can meet").get_by_label("Online (video call)").check()
    page.get_by_label("Tuesday evening").check()
    page.get_by_label("Thursday afternoon").check()
    page.get_by_role("button", name="Save your profile").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved and complete")
    mentor_card = (
        page.get_by_role("main")
        .locator("section")
        .filter(has=page.get_by_role("heading", name="As an expert by experience (mentor)"))
    )
    expect(mentor_card.get_by_text("Complete", exact=True)).to_be_visible()
    expect(mentor_card).to_contain_text("Foster care")
    # How a mentor is paid is chosen on the pay pages; the profile says so and links there.
    expect(mentor_card).to_contain_text("We cannot pay you until you choose")
    expect(mentor_card.get_by_role("link", name="Choose how you are paid")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Jade")
    dashboard_card = (
        page.get_by_role("main")
        .locator("section")
        .filter(has=page.get_by_role("heading", name="Your mentor profile"))
    )
    expect(dashboard_card.get_by_text("Complete", exact=True)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("North Star: expert by experience (mentor)")
    assert not problems.take()


def test_a_new_mentee_joins_with_an_invitation_for_their_email(demo, page, problems):
    email = "leah.new-mentee@example.org"
    open_invitation(page, demo, role=Role.MENTEE, email=email)
    expect(page.get_by_role("main")).to_contain_text("in this role: practitioner (mentee)")
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    sign_up_and_confirm(page, name="Leah", email=email)
    join_programme(page)

    page.get_by_role("link", name="Change your mentee profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your mentee profile")
    page.get_by_label("Your role").select_option(label="Social worker")
    page.get_by_label("Who you work for").select_option(label="Salford City Council")
    page.get_by_label(re.compile(r"^your team", re.I)).fill("Fostering team")
    group(page, "Your practice area").get_by_label("Fostering").check()
    page.get_by_label(re.compile(r"^years in practice", re.I)).fill("3")
    group(page, "What you would like to learn").get_by_label("Bias in decisions").check()
    group(page, "What you would like to learn").get_by_label("Life-story work").check()
    group(page, "Languages you can mentor in").get_by_label("English").check()
    page.get_by_label("Your region").select_option(label="North West")
    group(page, "How you can meet").get_by_label("Phone").check()
    page.get_by_label("Monday morning").check()
    page.get_by_role("button", name="Save your profile").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved and complete")
    expect(page.get_by_role("main").get_by_text("Complete", exact=True)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Salford City Council, Fostering team")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Leah")
    dashboard_card = (
        page.get_by_role("main")
        .locator("section")
        .filter(has=page.get_by_role("heading", name="Your mentee profile"))
    )
    expect(dashboard_card.get_by_text("Complete", exact=True)).to_be_visible()
    assert not problems.take()


def test_a_coordinator_admits_an_application(demo, page, problems, codes):
    sign_in(page, demo.coordinator, codes=codes)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Jo Whitfield")

    staff_nav = page.get_by_role("navigation", name="Programmes you run")
    expect(staff_nav).to_contain_text("North Star")
    staff_nav.get_by_role("link", name="Applications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications to North Star")
    waiting = page.get_by_role("table", name="Applications waiting for a decision")
    waiting.get_by_role("link", name="Tomasz Wójcik").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Application from Tomasz Wójcik")
    expect(page.get_by_role("main")).to_contain_text("I was in foster care in Bolton")
    page.get_by_role("button", name="Admit Tomasz Wójcik").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Applications to North Star")
    expect(page.get_by_role("status")).to_contain_text("Tomasz Wójcik has joined North Star")
    expect(page.get_by_role("status")).to_contain_text("We have emailed them")
    expect(waiting.get_by_role("link", name="Tomasz Wójcik")).to_have_count(0)
    expect(page.get_by_role("table", name="Recent decisions")).to_contain_text("Tomasz Wójcik")

    staff_nav.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members of North Star")
    page.get_by_label("Show").select_option(label="Expert by experience (mentor)")
    page.get_by_role("main").get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="Members of North Star")).to_contain_text("Tomasz Wójcik")
    assert not problems.take()


def test_an_operator_of_the_service_finds_a_user_and_adds_a_topic(demo, page, problems, codes):
    sign_in(page, demo.operator, codes=codes)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Site administration")

    page.get_by_role("link", name="Users", exact=True).click()
    search = page.get_by_role("main").get_by_role("search")
    search.get_by_role("textbox", name="Search").fill("mentor@example.org")
    search.get_by_role("button", name="Search").click()
    results = page.locator("#result_list")
    expect(results.get_by_role("link", name="mentor@example.org", exact=True)).to_be_visible()
    expect(results).to_contain_text("Sam Okafor")
    expect(results).not_to_contain_text("mentor-b@example.org")

    page.get_by_role("link", name="Home", exact=True).first.click()
    page.get_by_role("link", name="Topics", exact=True).click()
    page.get_by_role("link", name=re.compile(r"^Add topic")).click()
    page.get_by_label("Name").fill("Being a care-experienced parent")
    page.get_by_label("Slug").fill("care-experienced-parent")
    page.get_by_label("Description").fill("What helps when a parent grew up in care.")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(
        page.locator("#result_list").get_by_role("link", name="Being a care-experienced parent")
    ).to_be_visible()
    assert not problems.take()


def test_staff_without_two_factor_are_sent_to_set_it_up(demo, page, problems):
    person = UserFactory(email="new.coordinator@example.org", display_name="Ola Kowalska")
    MembershipFactory(programme=demo.north_star, person=person, role=Role.COORDINATOR)

    sign_in(page, person.email, PASSWORD)
    expect(page.get_by_role("main")).to_contain_text("Set up two-factor authentication")
    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="Members"
    ).click()

    # allauth asks for the password again before any change to two-factor settings.
    expect(page.get_by_role("status")).to_contain_text("you need to set up two-factor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_role("main").get_by_label(re.compile(r"password", re.I)).fill(PASSWORD)
    page.get_by_role("main").get_by_role(
        "button", name=re.compile(r"^(confirm|continue)", re.I)
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page).to_have_url(re.compile(r"/account/2fa/totp/activate/"))

    # They add the key to their app and type the code it shows.
    secret = page.locator("#authenticator-key").inner_text().strip()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))
    page.get_by_label("Code from your app").fill(code)
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_role("main")).to_contain_text("Two-factor authentication is now on")

    page.get_by_role("navigation", name="Programmes you run").get_by_role(
        "link", name="Members"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members of North Star")
    assert not problems.take()
