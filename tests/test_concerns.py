"""Safeguarding and wellbeing concerns: raised by either person of a match, emailed once to
the programme's coordinators, dealt with from their queue, hidden from everyone else."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from matching.models import Match
from mentoring import services
from mentoring.models import Concern, ConcernAction
from mentoring.tasks import send_concern_to_coordinators
from tests.factories import sign_in
from tests.test_permissions import _match

WHAT_HAPPENED = "Priya said she has not been sleeping and feels she cannot cope at work."


@pytest.fixture
def match(world) -> Match:
    return _match(world)


def raise_concern(match, by, **fields) -> Concern:
    values = {"kind": "wellbeing", "what_happened": WHAT_HAPPENED} | fields
    return services.concern_raise(match=match, by=by, **values)


def audits(action):
    return AuditEvent.objects.filter(action=action)


def test_it_takes_a_concern_from_raising_to_closing(
    world, match, client, django_capture_on_commit_callbacks
):
    sign_in(client, world.mentor)
    form = client.get(reverse("mentoring:concern_new", args=[match.pk])).content.decode()
    assert "within one working day" in form
    assert "999" in form
    assert "children's services" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentoring:concern_new", args=[match.pk]),
            {"kind": "wellbeing", "what_happened": WHAT_HAPPENED},
            follow=True,
        )
    concern = Concern.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "mentoring:concern_detail", args=[match.pk, concern.pk]
    )
    page = response.content.decode()
    assert "within one working day" in page and "999" in page
    assert (concern.raised_by, concern.kind, concern.status) == (world.mentor, "wellbeing", "new")
    assert audits(AuditEvent.Action.CONCERN_RAISED).get().actor == world.mentor
    assert WHAT_HAPPENED not in str(audits(AuditEvent.Action.CONCERN_RAISED).get().new_values)

    # Emailed to the programme's coordinators once, saying nothing of what happened.
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.coordinator.email]
    assert "Priya" not in email.subject and "wellbeing" not in email.subject.lower()
    assert WHAT_HAPPENED not in email.body
    assert email.alternatives[0].mimetype == "text/html"
    send_concern_to_coordinators(concern.pk)
    send_concern_to_coordinators.delay(concern.pk)
    assert len(mail.outbox) == 1

    # In the queue; the dashboard counts it.
    sign_in(client, world.coordinator)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Concerns to look at: 1" in dashboard
    queue = client.get(reverse("mentoring:coordinator_concerns", args=["north"])).content.decode()
    detail_url = reverse("mentoring:coordinator_concern_detail", args=["north", concern.pk])
    assert detail_url in queue

    detail = client.get(detail_url).content.decode()
    assert WHAT_HAPPENED in detail
    assert audits(AuditEvent.Action.CONCERN_VIEWED).filter(actor=world.coordinator).count() == 1

    response = client.post(
        detail_url,
        {"note": "Called Priya; agreed she talks to her manager.", "new_status": "in_progress"},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.IN_PROGRESS
    client.post(detail_url, {"note": "Priya is getting support now.", "new_status": "closed"})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert list(concern.actions.values_list("new_status", flat=True)) == ["in_progress", "closed"]
    updates = audits(AuditEvent.Action.CONCERN_UPDATED).order_by("pk")
    assert [u.new_values["status"] for u in updates] == ["in_progress", "closed"]
    assert updates[0].old_values == {"status": "new"}
    assert "Concerns to look at: 0" in client.get(reverse("portal:dashboard")).content.decode()


def test_it_keeps_a_concern_from_the_other_person_of_the_match(world, match, client):
    concern = raise_concern(match, world.mentor)
    sign_in(client, world.mentee)
    url = reverse("mentoring:concern_detail", args=[match.pk, concern.pk])
    assert client.get(url).status_code == 404
    page = client.get(reverse("mentoring:concern_new", args=[match.pk])).content.decode()
    assert WHAT_HAPPENED not in page
    assert url not in page
    assert client.get(reverse("mentoring:coordinator_concerns", args=["north"])).status_code == 404


def test_it_answers_404_to_another_programmes_coordinator(world, match, client):
    concern = raise_concern(match, world.mentee, kind="safeguarding")
    sign_in(client, world.other_coordinator)
    assert (
        client.get(
            reverse("mentoring:coordinator_concern_detail", args=["north", concern.pk])
        ).status_code
        == 404
    )
    # Their own programme's address does not open it either.
    assert (
        client.get(
            reverse("mentoring:coordinator_concern_detail", args=["south", concern.pk])
        ).status_code
        == 404
    )
    assert (
        WHAT_HAPPENED
        not in client.get(
            reverse("mentoring:coordinator_concerns", args=["south"])
        ).content.decode()
    )
    assert not audits(AuditEvent.Action.CONCERN_VIEWED).exists()


def test_it_shows_the_raiser_the_status_but_not_the_coordinators_notes(world, match, client):
    concern = raise_concern(match, world.mentee)
    note = "Spoke to her team manager about her caseload."
    services.concern_record_action(
        concern=concern, by=world.coordinator, note=note, new_status="in_progress"
    )
    sign_in(client, world.mentee)
    match_page = client.get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    assert reverse("mentoring:concern_new", args=[match.pk]) in match_page
    concern_page = client.get(reverse("mentoring:concern_new", args=[match.pk])).content.decode()
    assert reverse("mentoring:concern_detail", args=[match.pk, concern.pk]) in concern_page
    page = client.get(
        reverse("mentoring:concern_detail", args=[match.pk, concern.pk])
    ).content.decode()
    assert Concern.Status.IN_PROGRESS.label in page
    assert note not in page


def test_it_lets_only_the_programmes_coordinators_record_actions(world, match):
    from django.core.exceptions import PermissionDenied, ValidationError

    concern = raise_concern(match, world.mentor)
    with pytest.raises(PermissionDenied):
        services.concern_record_action(
            concern=concern, by=world.other_coordinator, note="x", new_status="closed"
        )
    with pytest.raises(ValidationError):
        services.concern_record_action(
            concern=concern, by=world.coordinator, note="  ", new_status="closed"
        )
    with pytest.raises(PermissionDenied):
        raise_concern(match, world.other_mentor)
    assert not ConcernAction.objects.exists()
    assert Concern.objects.get().status == "new"


def test_it_lets_people_raise_a_concern_after_the_match_ended(world, match, client):
    Match.objects.filter(pk=match.pk).update(status=Match.Status.CLOSED)
    sign_in(client, world.mentee)
    response = client.post(
        reverse("mentoring:concern_new", args=[match.pk]),
        {"kind": "safeguarding", "what_happened": WHAT_HAPPENED},
    )
    assert response.status_code == 302
    assert Concern.objects.get().kind == "safeguarding"


def test_it_explains_what_is_missing_from_a_concern(world, match, client):
    sign_in(client, world.mentor)
    response = client.post(
        reverse("mentoring:concern_new", args=[match.pk]), {"what_happened": "  "}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose what kind of concern this is." in page
    assert "Say what happened, so a coordinator can help." in page
    assert not Concern.objects.exists()


@pytest.mark.parametrize("count", [5, 200])
def test_it_shows_the_queue_in_the_same_few_queries(
    world, match, client, django_assert_max_num_queries, count
):
    Concern.objects.bulk_create(
        Concern(
            match=match,
            raised_by=world.mentor if n % 2 else world.mentee,
            kind="wellbeing",
            what_happened=f"Concern {n}",
            status=["new", "in_progress", "closed"][n % 3],
        )
        for n in range(count)
    )
    sign_in(client, world.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("mentoring:coordinator_concerns", args=["north"]))
    assert response.status_code == 200
    rows = response.content.decode().count("/coordinate/north/concerns/")
    assert rows == min(count, 100)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("portal:dashboard")).status_code == 200


def test_it_lists_new_concerns_before_ones_in_progress_and_closed(world, match):
    closed = raise_concern(match, world.mentor)
    in_progress = raise_concern(match, world.mentor)
    new = raise_concern(match, world.mentee)
    Concern.objects.filter(pk=closed.pk).update(status="closed")
    Concern.objects.filter(pk=in_progress.pk).update(status="in_progress")
    assert list(Concern.objects.for_queue()) == [new, in_progress, closed]
