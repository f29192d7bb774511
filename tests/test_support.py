"""Support: requests to talk (a mentor's check-in, someone with no match, a mentee finding it
hard) and mentors' private check-ins after sessions (mentoring/support.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from mentoring import services, support
from mentoring.models import CheckIn, TalkRequest
from notifications.models import Kind, Notification
from portal.privacy import erase, export
from programmes.services import membership_add
from tests.factories import live_match, sign_in


@pytest.fixture
def match(world):
    return live_match(world.programme, world.mentor, world.mentee)


def _session(match, *, by, confirm_by=None, days_ago=1):
    session = services.session_log(
        match=match,
        by=by,
        starts_at=timezone.now() - timedelta(days=days_ago),
        duration_minutes=60,
        meeting_mode="online",
    )
    if confirm_by is not None:
        services.session_confirm(session=session, by=confirm_by)
    return session


def _told(person, kind):
    return list(Notification.objects.filter(person=person, kind=kind))


# Check-ins


def test_it_keeps_a_check_in_without_a_chat_to_the_mentor_alone(world, match):
    session = _session(match, by=world.mentor)
    check_in = support.check_in_give(
        session=session, by=world.mentor, feeling="hard", note="Tough topic for me."
    )
    assert check_in.talk_request is None
    assert not TalkRequest.objects.exists()
    assert not Notification.objects.filter(kind=Kind.TALK_REQUESTED).exists()


def test_it_sends_a_check_in_that_asks_for_a_chat_to_the_coordinators(world, match):
    session = _session(match, by=world.mentee, confirm_by=world.mentor)
    check_in = support.check_in_give(
        session=session, by=world.mentor, feeling="mixed", note="Could we talk?", wants_chat=True
    )
    talk = check_in.talk_request
    assert talk.reason == TalkRequest.Reason.CHECK_IN
    assert (talk.person, talk.match, talk.note) == (world.mentor, match, "Could we talk?")
    [told] = _told(world.coordinator, Kind.TALK_REQUESTED)
    # Who asked and what they said stay behind sign-in.
    assert "Sam" not in told.body and "Could we talk" not in told.body
    assert not _told(world.mentee, Kind.TALK_REQUESTED)
    assert not _told(world.other_coordinator, Kind.TALK_REQUESTED)


def test_it_takes_one_check_in_a_session(world, match):
    session = _session(match, by=world.mentor)
    support.check_in_give(session=session, by=world.mentor, feeling="good", wants_chat=True)
    with pytest.raises(ValidationError):
        support.check_in_give(session=session, by=world.mentor, feeling="hard", wants_chat=True)
    assert CheckIn.objects.count() == 1
    assert TalkRequest.objects.count() == 1


def test_it_has_the_database_refuse_a_second_check_in(world, match):
    session = _session(match, by=world.mentor)
    CheckIn.objects.create(session=session, mentor=world.mentor, feeling="good")
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(session=session, mentor=world.mentor, feeling="ok")


def test_it_lets_only_the_mentor_check_in_once_they_logged_or_confirmed_it(world, match):
    logged_by_mentee = _session(match, by=world.mentee)
    with pytest.raises(PermissionDenied):
        support.check_in_give(session=logged_by_mentee, by=world.mentor, feeling="good")
    with pytest.raises(PermissionDenied):
        support.check_in_give(session=logged_by_mentee, by=world.mentee, feeling="good")
    with pytest.raises(ValidationError):
        support.check_in_give(
            session=_session(match, by=world.mentor), by=world.mentor, feeling="awful"
        )


def test_it_offers_one_check_in_on_the_dashboard_for_a_week(world, match):
    assert support.check_in_offered(world.mentor) is None
    _session(match, by=world.mentor, days_ago=3)
    latest = _session(match, by=world.mentor, days_ago=1)
    _session(match, by=world.mentor, days_ago=9)
    assert support.check_in_offered(world.mentor) == latest
    support.check_in_give(session=latest, by=world.mentor, feeling="good")
    # Only the one before it is left; the one from nine days ago is never offered.
    offered = support.check_in_offered(world.mentor)
    assert offered is not None and offered != latest
    assert support.check_in_offered(world.mentee) is None


def test_it_shows_the_check_in_on_the_dashboard_and_the_session_page(client, world, match):
    session = _session(match, by=world.mentor)
    url = reverse("mentoring:session_check_in", args=[session.pk])
    sign_in(client, world.mentor)
    assert url in client.get(reverse("portal:dashboard")).content.decode()
    assert (
        url in client.get(reverse("mentoring:session_detail", args=[session.pk])).content.decode()
    )
    response = client.post(url, {"feeling": "hard", "note": "Heavy.", "wants_chat": "on"})
    assert response.status_code == 302
    assert url not in client.get(reverse("portal:dashboard")).content.decode()
    page = client.get(url).content.decode()
    assert "You asked for a chat" in page


# Requests to talk without a match, and "I'm finding this hard"


def test_it_lets_someone_with_no_match_ask_for_a_chat_once_while_open(world):
    assert support.programmes_without_match(world.mentor) == [world.programme]
    first = support.talk_request_ask(programme=world.programme, by=world.mentor, note="Hi")
    again = support.talk_request_ask(programme=world.programme, by=world.mentor)
    assert first is not None and again is None
    assert TalkRequest.objects.count() == 1
    assert len(_told(world.coordinator, Kind.TALK_REQUESTED)) == 1


def test_it_refuses_a_no_match_chat_to_someone_with_a_match_or_no_role(world, match):
    with pytest.raises(PermissionDenied):
        support.talk_request_ask(programme=world.programme, by=world.mentor)
    with pytest.raises(PermissionDenied):
        support.talk_request_ask(programme=world.other_programme, by=world.mentee)


def test_it_sends_finding_it_hard_to_the_coordinators_never_the_mentor(world, match):
    talk = support.talk_request_ask(
        programme=world.programme, by=world.mentee, match=match, note="I feel out of my depth."
    )
    assert talk.reason == TalkRequest.Reason.FINDING_IT_HARD
    assert _told(world.coordinator, Kind.TALK_REQUESTED)
    assert not Notification.objects.filter(person=world.mentor).exists()
    with pytest.raises(PermissionDenied):
        support.talk_request_ask(programme=world.programme, by=world.mentor, match=match)


def test_it_has_the_database_keep_one_open_request_per_route(world, match):
    TalkRequest.objects.create(
        programme=world.programme, person=world.mentee, reason="finding_it_hard", match=match
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TalkRequest.objects.create(
            programme=world.programme, person=world.mentee, reason="finding_it_hard", match=match
        )
    TalkRequest.objects.create(programme=world.programme, person=world.mentor, reason="no_match")
    with pytest.raises(IntegrityError), transaction.atomic():
        TalkRequest.objects.create(
            programme=world.programme, person=world.mentor, reason="no_match"
        )
    # A no-match request always has no match, the others always one.
    with pytest.raises(IntegrityError), transaction.atomic():
        TalkRequest.objects.create(
            programme=world.programme, person=world.mentee, reason="no_match", match=match
        )


# Coordinators


def test_it_records_a_chat_once_and_tells_the_person(world):
    talk = support.talk_request_ask(programme=world.programme, by=world.mentor)
    today = timezone.localdate()
    assert support.talk_record(request=talk, by=world.coordinator, talked_on=today)
    assert not support.talk_record(request=talk, by=world.administrator, talked_on=today)
    talk.refresh_from_db()
    assert (talk.talked_on, talk.talked_by) == (today, world.coordinator)
    assert len(_told(world.mentor, Kind.TALK_PICKED_UP)) == 1
    # Once picked up, they may ask again.
    assert support.talk_request_ask(programme=world.programme, by=world.mentor) is not None


def test_it_refuses_a_chat_day_in_the_future(world):
    talk = support.talk_request_ask(programme=world.programme, by=world.mentor)
    with pytest.raises(ValidationError):
        support.talk_record(
            request=talk, by=world.coordinator, talked_on=timezone.localdate() + timedelta(days=1)
        )


def test_it_never_lets_a_coordinator_pick_up_a_request_about_their_own_match(world):
    membership_add(programme=world.programme, person=world.coordinator, role=Role.MENTOR, by=None)
    jos_match = live_match(world.programme, world.coordinator, world.mentee)
    talk = support.talk_request_ask(programme=world.programme, by=world.mentee, match=jos_match)
    assert not _told(world.coordinator, Kind.TALK_REQUESTED)
    assert _told(world.administrator, Kind.TALK_REQUESTED)
    assert talk not in support.talk_requests_open(world.programme, world.coordinator)
    with pytest.raises(PermissionDenied):
        support.talk_record(request=talk, by=world.coordinator, talked_on=timezone.localdate())
    assert support.talk_record(request=talk, by=world.administrator, talked_on=timezone.localdate())


def test_it_never_lets_another_programme_record_a_chat(world):
    talk = support.talk_request_ask(programme=world.programme, by=world.mentor)
    with pytest.raises(PermissionDenied):
        support.talk_record(
            request=talk, by=world.other_coordinator, talked_on=timezone.localdate()
        )


def test_it_lists_open_requests_with_who_when_and_the_note(client, world, match):
    session = _session(match, by=world.mentor)
    support.check_in_give(session=session, by=world.mentor, feeling="hard", note="Rough one.")
    support.talk_request_ask(programme=world.programme, by=world.mentee, match=match, note="Hard")
    sign_in(client, world.coordinator)
    page = client.get(reverse("mentoring:coordinator_talk", args=["north"])).content.decode()
    assert "Priya" in page and "Hard" in page
    # A check-in that did not ask for a chat is never shown, nor counted.
    assert "Rough one" not in page
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Waiting for a chat: 1" in dashboard


def test_it_ends_a_chat_request_page_for_a_removed_mentee(client, world, match):
    from programmes.models import Membership
    from programmes.services import membership_end

    url = reverse("mentoring:finding_it_hard", args=[match.pk])
    sign_in(client, world.mentee)
    assert client.get(url).status_code == 200
    membership_add(programme=world.other_programme, person=world.mentee, role="mentee", by=None)
    membership_end(
        membership=Membership.objects.get(
            programme=world.programme, person=world.mentee, role=Role.MENTEE
        ),
        by=world.coordinator,
    )
    assert client.get(url).status_code == 404
    assert client.get(reverse("mentoring:talk_ask", args=["north"])).status_code == 404


# A person's data


def test_it_exports_and_erases_check_ins_and_requests_to_talk(world, match):
    session = _session(match, by=world.mentor)
    support.check_in_give(
        session=session, by=world.mentor, feeling="ok", note="Fine.", wants_chat=True
    )
    data = export(world.mentor)
    assert data["check_ins"][0]["note"] == "Fine."
    assert data["requests_to_talk"][0]["note"] == "Fine."
    # The mentee's download holds nothing of the mentor's check-in.
    assert export(world.mentee)["check_ins"] == []
    assert export(world.mentee)["requests_to_talk"] == []
    erase(world.mentor)
    assert not CheckIn.objects.exists() and not TalkRequest.objects.exists()


def test_it_answers_404_for_a_chat_in_a_programme_the_person_is_not_in(client, world):
    sign_in(client, world.mentor)
    assert client.get(reverse("mentoring:talk_ask", args=["south"])).status_code == 404
    assert client.get(reverse("mentoring:talk_ask", args=["north"])).status_code == 200


@pytest.mark.django_db
def test_it_seeds_requests_to_talk_for_the_demo_coordinators():
    from tests.demo_copy import demo_seed

    demo_seed()  # only reads the demo: the per-process copy (tests/demo_copy.py)
    reasons = set(
        TalkRequest.objects.open()
        .filter(programme__slug="north-star")
        .values_list("reason", flat=True)
    )
    assert reasons == {TalkRequest.Reason.CHECK_IN, TalkRequest.Reason.FINDING_IT_HARD}
    assert CheckIn.objects.filter(talk_request__isnull=False).count() == 1


def test_it_tells_someone_who_now_has_a_match_where_to_ask_instead(client, world, match):
    sign_in(client, world.mentor)
    url = reverse("mentoring:talk_ask", args=["north"])
    page = client.get(url).content.decode()
    assert "You have a match in North Star now" in page and '<form method="post"' not in page
    assert client.post(url, {"note": "Hello"}).status_code == 200
    assert not TalkRequest.objects.exists()


def test_it_closes_the_requests_to_talk_to_a_coordinator_whose_role_ended(client, world):
    from programmes.models import Membership
    from programmes.services import membership_end

    talk = support.talk_request_ask(programme=world.programme, by=world.mentor)
    urls = [
        reverse("mentoring:coordinator_talk", args=["north"]),
        reverse("mentoring:coordinator_talk_detail", args=["north", talk.pk]),
    ]
    sign_in(client, world.coordinator)
    assert [client.get(url).status_code for url in urls] == [200, 200]
    membership_end(
        membership=Membership.objects.get(person=world.coordinator, role=Role.COORDINATOR),
        by=world.administrator,
    )
    assert [client.get(url).status_code for url in urls] == [404, 404]
    with pytest.raises(PermissionDenied):
        support.talk_record(request=talk, by=world.coordinator, talked_on=timezone.localdate())
