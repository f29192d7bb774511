"""The programme resources page: coordinators of the programme write it, every member of the
programme reads it; plain text whose addresses become links, never HTML."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditEvent
from programmes import services
from programmes.models import Programme
from tests.factories import sign_in

TEXT = (
    "Who to call\n"
    "Jo: 0161 496 0000, weekdays.\n\n"
    "Language that cares: https://example.org/language <script>alert(1)</script>"
)


def test_it_lets_a_coordinator_write_the_page_that_every_member_reads(world, client):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_resources", args=["north"])
    assert client.post(url, {"resources": TEXT}).status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.resources == TEXT
    assert world.programme.resources_changed_by == world.coordinator
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RESOURCES_CHANGED).count() == 1
    for person in (world.mentor, world.mentee):
        sign_in(client, person)
        page = client.get(reverse("programmes:resources", args=["north"])).content.decode()
        assert "Jo: 0161 496 0000, weekdays." in page
        assert '<a href="https://example.org/language"' in page
        # Plain text: nothing a coordinator types becomes HTML.
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;" in page


def test_it_saves_nothing_when_nothing_changed(world):
    assert services.resources_update(programme=world.programme, by=world.coordinator, text=TEXT)
    assert not services.resources_update(programme=world.programme, by=world.coordinator, text=TEXT)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RESOURCES_CHANGED).count() == 1


def test_it_lets_only_those_who_run_the_programme_change_it(world):
    for person in (world.mentor, world.mentee, world.other_coordinator):
        with pytest.raises(PermissionDenied):
            services.resources_update(programme=world.programme, by=person, text="Mine")
    assert Programme.objects.get(pk=world.programme.pk).resources == ""


def test_it_hides_another_programmes_resources(world, client):
    services.resources_update(
        programme=world.other_programme, by=world.other_coordinator, text="Riverside only"
    )
    for person in (world.mentor, world.mentee, world.coordinator):
        sign_in(client, person)
        response = client.get(reverse("programmes:resources", args=["south"]))
        assert response.status_code == 404
    sign_in(client, world.coordinator)
    assert (
        client.get(reverse("programmes:coordinator_resources", args=["south"])).status_code == 404
    )


def test_it_links_members_to_their_programmes_resources(world, client):
    sign_in(client, world.mentee)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("programmes:my_resources") in page
    response = client.get(reverse("programmes:my_resources"))
    assert response["Location"] == reverse("programmes:resources", args=["north"])


def test_it_lists_each_programme_for_a_member_of_several(world, client):
    from programmes.services import membership_add

    membership_add(programme=world.other_programme, person=world.mentor, role="mentor", by=None)
    sign_in(client, world.mentor)
    page = client.get(reverse("programmes:my_resources")).content.decode()
    assert reverse("programmes:resources", args=["north"]) in page
    assert reverse("programmes:resources", args=["south"]) in page


def test_it_explains_text_that_is_too_long_and_keeps_it(world, client):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_resources", args=["north"])
    page = client.post(url, {"resources": "a" * 10001}).content.decode()
    assert "Keep the resources to 10,000 characters or fewer." in page
    assert "a" * 10001 in page
