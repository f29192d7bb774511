"""Messages between the two people of a match: only the two of them read them, the other
person is told (never with the message in an email), a message attached to a concern reaches
its coordinators and no other message does, the conversation is read-only once the match
ends, messages are deleted a while after it ended unless attached to a concern, and they are
in "my data" and go with the account."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db.models import RestrictedError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from config.celery import app
from core.choices import Role
from matching.models import Match, MatchingRound, Proposal
from mentoring import services, tasks
from mentoring.models import MESSAGE_CHARACTERS, ConcernMessage, Message
from notifications.models import EmailOptOut, Kind, Notification
from portal.privacy import export
from portal.services import account_delete
from programmes.models import Membership
from programmes.services import membership_end
from tests.factories import MembershipFactory, UserFactory, sign_in
from tests.test_permissions import _match

pytestmark = pytest.mark.django_db

HELLO = "Hello Priya, shall we meet on Tuesday evening?"
WORRY = "I do not feel safe at home at the moment."


@pytest.fixture
def match(world) -> Match:
    return _match(world)


def messages_url(match) -> str:
    return reverse("mentoring:match_messages", args=[match.pk])


def another_pair(world, mentor: str = "Kim", mentee: str = "Lee") -> Match:
    """Kim mentors Lee in North Star: another match of the same programme."""
    kim = UserFactory(display_name=mentor, email=f"{mentor.lower()}@example.test")
    lee = UserFactory(display_name=mentee, email=f"{mentee.lower()}@example.test")
    MembershipFactory(programme=world.programme, person=kim, role=Role.MENTOR)
    MembershipFactory(programme=world.programme, person=lee, role=Role.MENTEE)
    matching_round = MatchingRound.objects.create(
        programme=world.programme, status=MatchingRound.Status.FINISHED
    )
    proposal = Proposal.objects.create(
        round=matching_round, mentor=kim, mentee=lee, score=1, status="accepted"
    )
    return Match.objects.create(
        programme=world.programme, proposal=proposal, mentor=kim, mentee=lee
    )


def close(match, *, days_ago: int = 0) -> None:
    Match.objects.filter(pk=match.pk).update(
        status=Match.Status.CLOSED, ended_at=timezone.now() - timedelta(days=days_ago)
    )
    match.refresh_from_db()


# Writing to each other


def test_it_lets_the_pair_write_to_each_other_and_shows_what_is_new(
    world, match, client, django_capture_on_commit_callbacks
):
    sign_in(client, world.mentor)
    page = client.get(messages_url(match)).content.decode()
    assert "No messages yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(messages_url(match), {"text": HELLO}, follow=True)
    assert response.redirect_chain[-1][0] == messages_url(match)
    assert "Your message was sent." in response.content.decode()
    message = Message.objects.get()
    assert (message.sender, message.text, message.read_at) == (world.mentor, HELLO, None)

    # Priya sees "1 new" in the navigation and on her match page, and a notification.
    sign_in(client, world.mentee)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Messages" in dashboard and "1 new" in dashboard
    match_page = client.get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    assert messages_url(match) in match_page and "1 new" in match_page
    told = Notification.objects.get(person=world.mentee, kind=Kind.MESSAGE)
    assert told.url == messages_url(match) and told.read_at is None

    # Opening the conversation reads the message and its notification.
    page = client.get(messages_url(match)).content.decode()
    assert HELLO.replace("'", "&#x27;") in page and "New" in page
    message.refresh_from_db()
    told.refresh_from_db()
    assert message.read_at is not None and told.read_at is not None
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "1 new" not in dashboard

    # Priya answers; Sam is told.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(messages_url(match), {"text": "Tuesday works. 6pm?"})
    assert Notification.objects.filter(person=world.mentor, kind=Kind.MESSAGE).count() == 1


def test_it_tells_the_other_person_once_until_they_read_what_came(world, match):
    for text in ("One", "Two", "Three"):
        services.message_send(match=match, by=world.mentor, text=text)
    assert Notification.objects.filter(person=world.mentee, kind=Kind.MESSAGE).count() == 1
    assert services.messages_read(match=match, by=world.mentee) == 3
    assert services.messages_read(match=match, by=world.mentee) == 0
    services.message_send(match=match, by=world.mentor, text="Four")
    assert Notification.objects.filter(person=world.mentee, kind=Kind.MESSAGE).count() == 2
    # Sam's own messages are never new to Sam.
    assert services.messages_read(match=match, by=world.mentor) == 0


def test_it_emails_that_a_message_came_without_the_message_or_any_address(
    world, match, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(match=match, by=world.mentor, text=HELLO)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.mentee.email]
    everything = email.subject + email.body + email.alternatives[0][0]
    assert "new message" in everything
    assert messages_url(match) in email.body
    assert "Tuesday" not in everything and HELLO not in everything
    assert world.mentor.email not in everything


def test_it_follows_the_email_choices_for_messages(
    world, match, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(person=world.mentee, kind=Kind.MESSAGE)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(match=match, by=world.mentor, text=HELLO)
    assert mail.outbox == []
    assert Notification.objects.filter(person=world.mentee, kind=Kind.MESSAGE).exists()


def test_it_never_shows_the_other_persons_email_address_on_the_messages_page(world, match, client):
    services.message_send(match=match, by=world.mentee, text=HELLO)
    sign_in(client, world.mentor)
    page = client.get(messages_url(match)).content.decode()
    assert world.mentee.email not in page
    assert "never gives Priya your email address or phone number" in page


def test_it_says_plainly_who_can_read_the_messages(world, match, client):
    sign_in(client, world.mentee)
    page = client.get(messages_url(match)).content.decode()
    assert "Only you and Sam can read these messages" in page
    assert "Coordinators of North Star do not read them" in page
    assert "attaches a message to a concern" in page
    assert "children's services or the police" in page
    assert "We keep messages for 365 days after a match ends" in page


def test_it_lists_a_persons_conversations_with_what_is_new(world, match, client):
    services.message_send(match=match, by=world.mentor, text=HELLO)
    sign_in(client, world.mentee)
    page = client.get(reverse("mentoring:message_inbox")).content.decode()
    assert "Messages with Sam" in page and "1 new" in page
    sign_in(client, world.coordinator)
    page = client.get(reverse("mentoring:message_inbox")).content.decode()
    assert "You have no matches yet" in page and "Sam" not in page


def test_it_counts_new_messages_in_the_query_the_navigation_makes_anyway(
    world, match, client, django_assert_num_queries
):
    from portal.selectors import navigation_for, roles_of

    services.message_send(match=match, by=world.mentor, text=HELLO)
    others = another_pair(world)
    services.message_send(match=others, by=others.mentor, text="Not Priya's")
    mentee = type(world.mentee).objects.get(pk=world.mentee.pk)
    roles_of(mentee)
    with django_assert_num_queries(1):  # only the mentee-choice check; no count query
        nav = navigation_for(mentee)
    item = next(item for item in nav["main"] if item["label"] == "Messages")
    assert item["badge"] == "1 new"
    # Staff who are no mentor or mentee have no messages item.
    coordinator = type(world.coordinator).objects.get(pk=world.coordinator.pk)
    assert "Messages" not in [item["label"] for item in navigation_for(coordinator)["main"]]


# Who may open them


def test_it_answers_404_to_coordinators_administrators_other_matches_and_programmes(
    world, match, client
):
    message = services.message_send(match=match, by=world.mentor, text=HELLO)
    others = another_pair(world)
    attach = reverse("mentoring:message_attach", args=[match.pk, message.pk])
    for person in (
        world.coordinator,
        world.administrator,
        world.other_coordinator,
        world.other_mentor,
        others.mentor,
        others.mentee,
    ):
        sign_in(client, person)
        assert client.get(messages_url(match)).status_code == 404, person
        assert client.post(messages_url(match), {"text": "Hi"}).status_code == 404, person
        assert client.get(attach).status_code == 404, person
    # A message of another match under this match's address is not found either.
    sign_in(client, others.mentor)
    other_message = services.message_send(match=others, by=others.mentor, text="Hi Lee")
    sign_in(client, world.mentor)
    wrong = reverse("mentoring:message_attach", args=[match.pk, other_message.pk])
    assert client.get(wrong).status_code == 404
    assert Message.objects.filter(match=match).count() == 1


def test_it_closes_the_messages_once_the_role_has_ended(world, match, client):
    services.message_send(match=match, by=world.mentee, text=HELLO)
    sign_in(client, world.mentor)
    assert client.get(messages_url(match)).status_code == 200
    membership_end(
        membership=Membership.objects.get(
            programme=world.programme, person=world.mentor, role=Role.MENTOR
        ),
        by=world.coordinator,
    )
    assert client.get(messages_url(match)).status_code == 404
    assert client.post(messages_url(match), {"text": "Still here?"}).status_code == 404
    # Nor does the navigation count what they can no longer open.
    assert Message.objects.unread_by(world.mentor).count() == 0


# Concerns


def test_it_shows_a_coordinator_only_the_message_attached_to_a_concern(
    world, match, client, django_capture_on_commit_callbacks
):
    services.message_send(match=match, by=world.mentor, text=HELLO)
    worry = services.message_send(match=match, by=world.mentee, text=WORRY)
    sign_in(client, world.mentee)
    form = client.get(
        reverse("mentoring:concern_new", args=[match.pk]) + f"?message={worry.pk}"
    ).content.decode()
    assert "Attach a message" in form and f'value="{worry.pk}" selected' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentoring:concern_new", args=[match.pk]),
            {
                "kind": "safeguarding",
                "what_happened": "Please read my message.",
                "message": worry.pk,
            },
            follow=True,
        )
    assert WORRY in response.content.decode()  # the concern page lists what she showed
    concern = match.concerns.get()
    assert list(concern.attachments.values_list("message", flat=True)) == [worry.pk]

    sign_in(client, world.coordinator)
    page = client.get(
        reverse("mentoring:coordinator_concern_detail", args=[world.programme.slug, concern.pk])
    ).content.decode()
    assert WORRY in page
    assert "Tuesday evening" not in page
    # And still never the conversation itself.
    assert client.get(messages_url(match)).status_code == 404
    # The audit log names the message, never its words.
    event = AuditEvent.objects.get(action=AuditEvent.Action.MESSAGE_ATTACHED)
    assert event.new_values == {"message": worry.pk} and event.actor == world.mentee


def test_it_attaches_a_message_to_a_concern_already_raised_and_tells_the_coordinators(
    world, match, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        concern = services.concern_raise(
            match=match, by=world.mentee, kind="wellbeing", what_happened="Feeling low."
        )
    worry = services.message_send(match=match, by=world.mentor, text=WORRY)
    url = reverse("mentoring:message_attach", args=[match.pk, worry.pk])
    sign_in(client, world.mentee)
    page = client.get(url).content.decode()
    assert "no other message between you and Sam" in page
    empty = client.post(url, {})
    assert "Choose the concern this message is about." in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"concern": concern.pk})
    assert response.status_code == 302
    assert ConcernMessage.objects.get().message == worry
    told = Notification.objects.filter(person=world.coordinator, kind=Kind.CONCERN_RAISED)
    assert told.count() == 2  # the concern, then the message added to it
    assert WORRY not in told.first().body
    # Attaching it again changes nothing and tells nobody again.
    assert not services.message_attach(message=worry, concern=concern, by=world.mentee)
    assert told.count() == 2


def test_it_lets_only_the_raiser_attach_and_only_a_message_of_the_same_match(world, match):
    from django.core.exceptions import PermissionDenied, ValidationError

    concern = services.concern_raise(
        match=match, by=world.mentee, kind="wellbeing", what_happened="Feeling low."
    )
    message = services.message_send(match=match, by=world.mentor, text=HELLO)
    with pytest.raises(PermissionDenied):
        services.message_attach(message=message, concern=concern, by=world.mentor)
    others = another_pair(world)
    elsewhere = services.message_send(match=others, by=others.mentor, text="Hi Lee")
    with pytest.raises(ValidationError):
        services.message_attach(message=elsewhere, concern=concern, by=world.mentee)
    assert not ConcernMessage.objects.exists()


def test_it_refuses_another_matchs_message_on_the_concern_form(world, match, client):
    services.message_send(match=match, by=world.mentor, text=HELLO)
    others = another_pair(world)
    elsewhere = services.message_send(match=others, by=others.mentor, text="Hi Lee")
    sign_in(client, world.mentee)
    response = client.post(
        reverse("mentoring:concern_new", args=[match.pk]),
        {"kind": "wellbeing", "what_happened": "Something.", "message": elsewhere.pk},
    )
    assert "Choose one of the messages in the list" in response.content.decode()
    assert not match.concerns.exists()


# After the match


def test_it_keeps_the_conversation_readable_but_closed_once_the_match_ends(world, match, client):
    from django.core.exceptions import ValidationError

    services.message_send(match=match, by=world.mentor, text=HELLO)
    close(match)
    sign_in(client, world.mentee)
    page = client.get(messages_url(match)).content.decode()
    assert "Tuesday evening" in page
    assert "cannot send new messages" in page and "Send message" not in page
    response = client.post(messages_url(match), {"text": "Are you there?"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your message was not sent" in page and "Are you there?" in page
    with pytest.raises(ValidationError):
        services.message_send(match=match, by=world.mentee, text="Are you there?")
    assert Message.objects.count() == 1


def test_a_message_sent_as_the_match_ends_is_shown_back_not_lost(world, match, client, monkeypatch):
    """Reported: a message typed just as the match ended was lost. The page read the match as
    live, then the match ended before the message was saved."""
    send = services.message_send

    def ended_meanwhile(**kwargs):
        close(match)
        return send(**kwargs)

    monkeypatch.setattr(services, "message_send", ended_meanwhile)
    sign_in(client, world.mentee)
    text = "Thank you for everything.\nI will miss our chats."
    response = client.post(messages_url(match), {"text": text})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your message was not sent" in page
    assert "Thank you for everything.<br>I will miss our chats." in page
    assert not Message.objects.exists()


# Limits and bad input


def test_it_slows_down_a_flood_of_messages_and_keeps_what_was_typed(world, match, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"message_send": "2/m/user"}
    sign_in(client, world.mentor)
    for text in ("One", "Two"):
        assert client.post(messages_url(match), {"text": text}).status_code == 302
    response = client.post(messages_url(match), {"text": "Three, typed with care"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "You have sent a lot of messages in a short time" in page
    assert "Three, typed with care</textarea>" in page
    assert Message.objects.count() == 2
    # Mistakes do not count towards the limit: the message is explained, not refused.
    assert "Write your message" in client.post(messages_url(match), {"text": " "}).content.decode()


def test_it_explains_an_empty_or_too_long_message_next_to_the_box(world, match, client):
    sign_in(client, world.mentor)
    page = client.post(messages_url(match), {"text": "   "}).content.decode()
    assert 'id="id_text_error"' in page and "Write your message before you send it." in page
    long = "a" * (MESSAGE_CHARACTERS + 5)
    page = client.post(messages_url(match), {"text": long}).content.decode()
    assert f"Your message is {MESSAGE_CHARACTERS + 5} characters long" in page
    assert long in page  # nothing typed is lost
    textarea = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'id="id_text"' in textarea and "maxlength" not in textarea
    assert not Message.objects.exists()


# Keeping and deleting


def test_it_deletes_messages_only_once_they_are_past_the_keeping_period(world, match, settings):
    settings.MESSAGES_KEPT_DAYS = 30
    services.message_send(match=match, by=world.mentor, text="Old match, plain")
    kept = services.message_send(match=match, by=world.mentee, text=WORRY)
    concern = services.concern_raise(
        match=match, by=world.mentee, kind="safeguarding", what_happened="See.", message=kept
    )
    close(match, days_ago=31)
    recent = another_pair(world)
    services.message_send(match=recent, by=recent.mentor, text="Recently ended")
    close(recent, days_ago=29)
    live = another_pair(world, "Ash", "Bo")
    services.message_send(match=live, by=live.mentor, text="Still going")

    assert tasks.messages_delete_old() == 1
    assert tasks.messages_delete_old() == 0  # safe to run twice
    assert set(Message.objects.values_list("text", flat=True)) == {
        WORRY,
        "Recently ended",
        "Still going",
    }
    assert concern.attachments.get().message == kept
    event = AuditEvent.objects.get(action=AuditEvent.Action.MESSAGES_DELETED)
    assert event.object_id == str(match.pk) and event.new_values["messages"] == 1
    assert live.messages.count() == 1


def test_it_never_lets_an_attached_message_be_deleted_on_its_own(world, match):
    message = services.message_send(match=match, by=world.mentee, text=WORRY)
    services.concern_raise(
        match=match, by=world.mentee, kind="safeguarding", what_happened="See.", message=message
    )
    with pytest.raises(RestrictedError):
        message.delete()


def test_it_runs_the_message_deletion_every_day():
    entry = django_settings.CELERY_BEAT_SCHEDULE["delete-old-messages"]
    assert entry == {"task": "mentoring.messages_delete_old", "schedule": 24 * 60 * 60}
    app.loader.import_default_modules()
    assert "mentoring.messages_delete_old" in app.tasks


# My data


def test_it_puts_both_sides_of_the_conversation_in_my_data(world, match, client):
    services.message_send(match=match, by=world.mentor, text=HELLO)
    services.message_send(match=match, by=world.mentee, text="Tuesday works.")
    data = export(world.mentee)
    assert [(m["from"], m["text"]) for m in data["messages"]] == [
        ("Sam", HELLO),
        ("you", "Tuesday works."),
    ]
    sign_in(client, world.mentee)
    download = client.get(reverse("portal:my_data_download"))
    assert HELLO in [m["text"] for m in json.loads(download.content)["messages"]]


def test_it_erases_a_persons_messages_but_keeps_one_attached_to_a_concern(world, match):
    services.message_send(match=match, by=world.mentee, text="Just chatting")
    worry = services.message_send(match=match, by=world.mentee, text=WORRY)
    services.message_send(match=match, by=world.mentor, text=HELLO)
    services.concern_raise(
        match=match, by=world.mentee, kind="safeguarding", what_happened="See.", message=worry
    )
    account_delete(user=world.mentee)
    assert not Message.objects.filter(text="Just chatting").exists()
    worry.refresh_from_db()
    assert worry.sender is None  # kept with the concern, without her name
    assert Message.objects.get(text=HELLO).sender == world.mentor


def test_it_keeps_messages_out_of_the_django_admin():
    """The people who run the service read no one's messages either."""
    from django.contrib import admin

    assert Message not in admin.site._registry
    assert ConcernMessage not in admin.site._registry


@pytest.mark.parametrize("count", [5, 500])
def test_it_shows_a_conversation_and_the_list_in_a_few_queries(
    count, world, match, client, django_assert_max_num_queries
):
    Message.objects.bulk_create(
        Message(match=match, sender=(world.mentor, world.mentee)[n % 2], text=f"Message {n}")
        for n in range(count)
    )
    sign_in(client, world.mentee)
    with django_assert_max_num_queries(16):
        page = client.get(messages_url(match))
    assert f"Message {count - 1}" in page.content.decode()
    with django_assert_max_num_queries(10):
        client.get(reverse("mentoring:message_inbox"))
