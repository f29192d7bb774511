"""Demo messages: a short conversation in a few of the demo's live matches, the paid mentor's
among them (demo/payments.py), so the messages pages have something to show. Sent through
the messages service, then dated over the last weeks; all read but the latest, which waits
for its reader. Nothing is emailed: demo addresses are made up, and the demo's
notifications step (run last) stops every email made while seeding. Running it again adds
nothing: a match that has messages is left alone."""

from datetime import timedelta

from django.db.models import Case, IntegerField, When
from django.utils import timezone

from demo.payments import UNIVERSAL_CREDIT_MENTOR
from demo.people import MENTEE, MENTOR
from matching.models import Match
from mentoring.models import Message
from mentoring.services import message_send

# Who writes (the mentor or the mentee), what, and how many days ago.
CONVERSATION = (
    (
        "mentor",
        "Hello! Thank you for saying yes. How would you like to meet: online or by phone?",
        20,
    ),
    ("mentee", "Online suits me best. Tuesday evenings are usually free.", 19),
    ("mentor", "Tuesday at 6pm then. Bring a situation you are stuck on, if you like.", 19),
    (
        "mentee",
        "Thank you for last night. I have been thinking about what you said about reviews.",
        2,
    ),
)
# How many live demo matches get a conversation, the paid mentor's first.
MATCHES = 4


def seed_messages(stdout=None) -> int:
    """Returns how many messages were added."""
    matches = (
        Match.objects.live()
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .filter(programme__slug="north-star")
        .annotate(
            paid=Case(
                When(mentor__email=UNIVERSAL_CREDIT_MENTOR, then=0),
                default=1,
                output_field=IntegerField(),
            )
        )
        .select_related("mentor", "mentee", "programme")
        .order_by("paid", "mentee__email")[:MATCHES]
    )
    now = timezone.now()
    added = 0
    for match in matches:
        if not Message.objects.filter(match=match).exists():
            added += conversation_send(match, CONVERSATION, now=now)
    if stdout is not None and added:
        stdout.write(f"Messages: {added} added.")
    return added


def conversation_send(match, conversation, *, now) -> int:
    """Send `conversation` ((side, text, days ago), oldest first) in `match` through the
    messages service, then date each message back then. All are read a couple of hours after
    they were sent, but the latest, which waits for its reader. Returns how many were sent."""
    for number, (side, text, days) in enumerate(conversation):
        message = message_send(match=match, by=getattr(match, side), text=text)
        sent_at = now - timedelta(days=days, minutes=10 * (len(conversation) - number))
        latest = number == len(conversation) - 1
        Message.objects.filter(pk=message.pk).update(
            sent_at=sent_at, read_at=None if latest else sent_at + timedelta(hours=2)
        )
    return len(conversation)
