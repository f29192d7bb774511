"""A record of contribution for experts by experience: sessions, hours and activities, and
the kind words a mentee wrote that the mentor chose to include, as a page and a PDF. The
mentee who wrote them is never named in it."""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from matching.models import Match
from mentoring import services
from mentoring.models import KindWords
from notifications.models import Kind, Notification
from portal import privacy
from portal.contribution import hours, record_for
from tests.factories import sign_in
from tests.payments_support import approved_session
from tests.test_activities import attended_panel
from tests.test_permissions import _match

pytestmark = pytest.mark.django_db

WORDS = "Sam helped me listen to young people before I wrote anything down."


def the_match(w) -> Match:
    """Sam and Priya's match (tests/test_permissions.py makes it, once)."""
    return _match(w)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_it_counts_approved_sessions_hours_and_attended_activities(world):
    approved_session(world, duration_minutes=90)
    approved_session(world, starts_at=timezone.now() - timedelta(days=9), duration_minutes=60)
    services.session_log(
        match=the_match(world),
        by=world.mentor,
        starts_at=timezone.now() - timedelta(days=1),
        duration_minutes=60,
        meeting_mode="online",
    )  # not confirmed, so not counted
    attended_panel(world)

    record = record_for(world.mentor)

    assert (record.sessions, record.session_minutes, record.mentees) == (2, 150, 1)
    assert record.session_hours == "2.5 hours"
    assert [(row.kind, row.title, row.minutes) for row in record.activities] == [
        ("Interview panel", "Interview panel for a team manager", 90)
    ]
    assert hours(60) == "1 hour" and hours(45) == "0.8 hours" and hours(180) == "3 hours"


def test_a_panel_member_who_never_mentored_has_a_record_of_their_work_and_their_pay(world, client):
    """Someone only ever on a lived-experience panel is an expert by experience too: their
    record lists the panels they were paid for, with no mentoring section to fill."""
    from activities import services as activity_services
    from tests.test_activities import _fresh, activity, happened

    panel = activity(world, title="Panel on the new leaving care offer")
    activity_services.activity_invite(activity=panel, people=[world.panel], by=world.coordinator)
    place = activity_services.place_answer(activity=panel, person=world.panel, yes=True)
    happened(panel)
    activity_services.attendance_record(place=_fresh(place), by=world.coordinator, attended=True)

    record = record_for(world.panel)
    assert not record.mentored and record.sessions == 0
    assert [name for name, _organisation, _since in record.programmes] == ["North Star"]
    assert [row.title for row in record.activities] == ["Panel on the new leaving care offer"]

    sign_in(client, world.panel)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Your pay" in dashboard and reverse("portal:contribution") in dashboard
    page = client.get(reverse("portal:contribution")).content.decode()
    assert "Panel on the new leaving care offer" in page
    assert "Mentoring" not in page and "What people said" not in page
    text = pdf_text(client.get(reverse("portal:contribution_download")).content)
    assert "co-production work such as panels" in text and "Mentoring" not in text


def test_a_mentor_on_the_panel_is_listed_once_for_the_programme(world):
    from tests.factories import MembershipFactory

    MembershipFactory(programme=world.programme, person=world.mentor, role="panel")
    assert [name for name, _organisation, _since in record_for(world.mentor).programmes] == [
        "North Star"
    ]
    assert record_for(world.mentor).mentored


def test_it_puts_kind_words_in_the_record_only_when_the_mentor_chooses_without_the_mentees_name(
    world, client
):
    approved_session(world)
    match = the_match(world)
    words = services.kind_words_write(match=match, by=world.mentee, words=WORDS)
    assert Notification.objects.filter(person=world.mentor, kind=Kind.KIND_WORDS).count() == 1

    sign_in(client, world.mentor)
    page = client.get(reverse("portal:contribution")).content.decode()
    assert WORDS in page and "Not in your record." in page
    assert WORDS not in pdf_text(client.get(reverse("portal:contribution_download")).content)

    client.post(reverse("portal:contribution_words", args=[words.pk]), {"in_record": "yes"})
    download = client.get(reverse("portal:contribution_download"))
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(download.content)
    assert "Record of contribution: Sam" in text
    assert "Sam mentored 1 practitioner in 1 session, 1 hour in all" in text
    assert "Sam helped me listen to young people" in text
    assert "A practitioner Sam mentored" in text
    assert world.mentee.display_name not in text

    # Changed words leave the record until the mentor reads and chooses them again.
    services.kind_words_write(match=match, by=world.mentee, words=WORDS + " Thank you.")
    words.refresh_from_db()
    assert not words.in_record
    assert Notification.objects.filter(person=world.mentor, kind=Kind.KIND_WORDS).count() == 2


def test_it_lets_only_the_mentee_write_and_only_the_mentor_choose(world, client):
    match = the_match(world)
    with pytest.raises(PermissionDenied):
        services.kind_words_write(match=match, by=world.mentor, words=WORDS)
    words = services.kind_words_write(match=match, by=world.mentee, words=WORDS)
    for someone in (world.mentee, world.coordinator):
        with pytest.raises(PermissionDenied):
            services.kind_words_choose(kind_words=words, by=someone, in_record=True)
    with pytest.raises(ValidationError):
        services.kind_words_write(match=match, by=world.mentee, words="   ")

    sign_in(client, world.mentee)
    url = reverse("portal:contribution_words", args=[words.pk])
    assert client.post(url, {"in_record": "yes"}).status_code == 404
    assert client.get(reverse("portal:contribution")).status_code == 404
    words.refresh_from_db()
    assert not words.in_record


def test_it_keeps_what_the_mentee_typed_when_it_is_too_long(world, client):
    sign_in(client, world.mentee)
    url = reverse("mentoring:kind_words_write", args=[the_match(world).pk])
    long = "x" * 601
    response = client.post(url, {"words": long})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Keep it to 600 characters or fewer. You have written 601." in page
    assert long in page
    assert not KindWords.objects.exists()
    assert client.post(url, {"words": WORDS}).status_code == 302
    assert KindWords.objects.get().words == WORDS


def test_it_exports_kind_words_to_both_and_erases_them_with_the_mentee(world):
    words = services.kind_words_write(match=the_match(world), by=world.mentee, words=WORDS)
    services.kind_words_choose(kind_words=words, by=world.mentor, in_record=True)
    written = json.dumps(privacy.export(world.mentee))
    received = json.dumps(privacy.export(world.mentor))
    assert WORDS in written and WORDS in received and '"in_your_record": true' in received

    privacy.erase(world.mentee)

    assert not KindWords.objects.exists()
    assert record_for(world.mentor).included_words == []
