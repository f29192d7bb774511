"""Messages sent at the same moment, on PostgreSQL, where the row lock is real: the other
person is told once, and a match ending meanwhile takes no message after it ended."""

import pytest

from matching import services as matching_services
from matching.models import Match
from mentoring import services
from mentoring.models import Message
from notifications.models import Kind, Notification
from tests.test_matching_app import at_once, postgres_only
from tests.test_permissions import _match

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_messages_sent_at_once_tell_the_other_person_once(world):
    match = _match(world)
    turn = iter(range(8))

    def send():
        return services.message_send(
            match=Match.objects.get(pk=match.pk), by=world.mentor, text=f"Hello {next(turn)}"
        )

    at_once(8, send)

    assert Message.objects.filter(match=match).count() == 8
    assert Notification.objects.filter(person=world.mentee, kind=Kind.MESSAGE).count() == 1


def test_no_message_lands_after_the_match_ended(world):
    from django.core.exceptions import ValidationError

    match = _match(world)
    jobs = iter(["close"] + ["send"] * 7)

    def act():
        fresh = Match.objects.get(pk=match.pk)
        if next(jobs) == "close":
            return matching_services.match_close(
                match=fresh, by=world.mentee, rating=4, recommend="yes", reason="personal"
            )
        try:
            return services.message_send(match=fresh, by=world.mentor, text="Still there?")
        except ValidationError:
            return None

    at_once(8, act)

    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    assert not Message.objects.filter(match=match, sent_at__gt=match.ended_at).exists()
