"""Messages followed through the real pages: Sam writes to Priya, who sees "1 new" in the
navigation and a notification, reads it and answers; Sam's next message worries her, so she
shows that one message to a coordinator with a concern. The coordinator reads it on the
concern, and no other message of theirs, and cannot open the conversation.

The named demo people are matched live, so their match is made first, behind the scenes,
through the matching services (test_matching_journey.py does it by hand)."""

import re

from playwright.sync_api import Page, expect

from tests.browser.support import sam_and_priya, sign_in

SAM = "Sam Okafor"
PRIYA = "Priya Shah"
HELLO = "Hello Priya. Shall we meet online next Tuesday at 6pm?"
REPLY = "Tuesday at 6pm works for me. See you then."
WORRY = "Sorry if I seem distracted. Things at home are hard and I am not coping well."


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def status(page: Page):
    return page.get_by_role("status")


def nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(nav(page).get_by_role("link", name="Sign in")).to_be_visible()


def send(page: Page, text: str) -> None:
    page.get_by_role("main").get_by_label("Your message").fill(text)
    page.get_by_role("main").get_by_role("button", name="Send message").click()
    expect(status(page)).to_contain_text("Your message was sent.")


def test_the_pair_write_to_each_other_and_one_message_reaches_a_coordinator(
    demo, page, problems, codes
):
    match = sam_and_priya(demo)

    # Sam opens the conversation from his match page and writes.
    sign_in(page, demo.mentor)
    page.goto(f"/matches/{match.pk}/")
    page.get_by_role("link", name=f"Messages with {PRIYA}").click()
    expect(heading(page)).to_have_text(f"Messages with {PRIYA}")
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"Only you and {PRIYA} can read these messages.")
    expect(main).to_contain_text("Coordinators of North Star do not read them.")
    expect(main).to_contain_text("children's services or the police")
    # An empty message is explained next to the box, and nothing is sent.
    main.get_by_role("button", name="Send message").click()
    expect(page.locator("#id_text-group")).to_contain_text("Write your message before you send it.")
    send(page, HELLO)
    expect(main).to_contain_text(HELLO)
    sign_out(page)

    # Priya sees "2 new" in the navigation (she had not read Sam's last message of the demo
    # yet) and a notification, and reads them.
    sign_in(page, demo.mentee)
    messages_link = nav(page).get_by_role("link", name=re.compile("^Messages"))
    expect(messages_link).to_contain_text("2 new")
    nav(page).get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.get_by_role("main")).to_contain_text("You have a new message in Alongside")
    expect(page.get_by_role("main")).not_to_contain_text(HELLO)
    nav(page).get_by_role("link", name=re.compile("^Messages")).click()
    expect(heading(page)).to_have_text("Your messages")
    page.get_by_role("main").get_by_role("link", name=f"Messages with {SAM}").click()
    conversation = page.get_by_role("main").get_by_role("listitem").filter(has_text=HELLO)
    expect(conversation).to_contain_text("New")
    expect(nav(page).get_by_role("link", name=re.compile("^Messages"))).not_to_contain_text("new")
    send(page, REPLY)
    sign_out(page)

    # Sam is told, reads her answer, and writes again.
    sign_in(page, demo.mentor)
    expect(nav(page).get_by_role("link", name=re.compile("^Messages"))).to_contain_text("1 new")
    page.goto(f"/matches/{match.pk}/messages/")
    expect(page.get_by_role("main")).to_contain_text(REPLY)
    send(page, WORRY)
    sign_out(page)

    # The message worries Priya: she shows that one to a coordinator with a concern.
    sign_in(page, demo.mentee)
    page.goto(f"/matches/{match.pk}/messages/")
    worrying = page.get_by_role("main").get_by_role("listitem").filter(has_text=WORRY)
    worrying.get_by_role("link", name=re.compile("^Show this message to a coordinator")).click()
    expect(heading(page)).to_have_text("Show a message to a coordinator")
    expect(page.get_by_role("main")).to_contain_text("and no other message between you and")
    page.get_by_role("link", name="Raise a new concern with this message").click()
    expect(heading(page)).to_have_text("Raise a concern")
    main = page.get_by_role("main")
    expect(main.get_by_label(re.compile("^Attach a message"))).to_have_value(
        str(match.messages.get(text=WORRY).pk)
    )
    main.get_by_role("radio", name=re.compile("^Wellbeing")).check()
    main.get_by_label("What happened?").fill("Sam told me he is not coping. I am worried.")
    main.get_by_role("button", name="Send to the coordinators").click()
    expect(heading(page)).to_have_text("Your concern")
    expect(page.get_by_role("main")).to_contain_text(WORRY)
    sign_out(page)

    # The coordinator reads that message on the concern, and no other.
    sign_in(page, demo.coordinator, codes=codes)
    page.goto(f"/coordinate/{demo.north_star.slug}/concerns/")
    row = page.get_by_role("main").get_by_role("row").filter(has_text=f"{SAM} and {PRIYA}")
    row.get_by_role("link").first.click()
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Messages attached to this concern")).to_be_visible()
    expect(main).to_contain_text(WORRY)
    expect(main).not_to_contain_text(HELLO)
    expect(main).not_to_contain_text(REPLY)
    # The conversation itself stays closed to coordinators.
    response = page.goto(f"/matches/{match.pk}/messages/")
    assert response is not None and response.status == 404
    # 404 is the expected answer above, not a problem of the page.
    assert not [p for p in problems.take() if "404" not in p]
