"""What people read about a programme before they join: its coordinators write it, and anyone
reads it in the list of programmes and on the page to apply. Plain text, never HTML."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditEvent
from programmes import services
from programmes.models import Programme
from tests.factories import sign_in

ABOUT = (
    "For social workers in their first years, <b>mentored</b> by adults who grew up in care. "
    "Mentors are paid for their time."
)
URL = reverse("programmes:coordinator_description", args=["north"])


def test_it_lets_a_coordinator_say_what_people_read_before_they_join(world, client):
    Programme.objects.filter(pk=world.programme.pk).update(open_for_applications=True)
    sign_in(client, world.coordinator)
    assert URL in client.get(reverse("portal:dashboard")).content.decode()
    response = client.post(URL, {"description": ABOUT + "\n\n  "}, follow=True)
    assert "Anyone looking for a programme to join now reads this" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.SETTINGS_CHANGED)
    assert (event.old_values, event.new_values) == (
        {"description": "A test programme."},
        {"description": ABOUT},
    )
    client.logout()
    for page in (
        client.get(reverse("programmes:programme_list")).content.decode(),
        sign_in(client, world.mentee)
        .get(reverse("programmes:programme_apply", args=["north"]))
        .content.decode(),
    ):
        assert "For social workers in their first years" in page
        # Plain text: nothing a coordinator types becomes HTML.
        assert "<b>mentored</b>" not in page and "&lt;b&gt;mentored&lt;/b&gt;" in page


def test_it_saves_nothing_when_nothing_changed(world):
    assert services.description_update(programme=world.programme, by=world.coordinator, text=ABOUT)
    assert not services.description_update(
        programme=world.programme, by=world.coordinator, text=ABOUT + " "
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_CHANGED).count() == 1


def test_it_lets_only_those_who_run_the_programme_change_it(world):
    for person in (world.mentor, world.mentee, world.panel, world.other_coordinator):
        with pytest.raises(PermissionDenied):
            services.description_update(programme=world.programme, by=person, text="Mine")
    assert Programme.objects.get(pk=world.programme.pk).description == "A test programme."


def test_it_explains_text_that_is_too_long_and_keeps_it(world, client):
    sign_in(client, world.coordinator)
    response = client.post(URL, {"description": "word " * 130})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Keep it to 600 characters or fewer." in page
    assert ("word " * 130).strip() in page
    assert Programme.objects.get(pk=world.programme.pk).description == "A test programme."


def test_it_says_a_programme_closed_to_applications_is_not_listed(world, client):
    Programme.objects.filter(pk=world.programme.pk).update(open_for_applications=False)
    sign_in(client, world.coordinator)
    page = client.get(URL).content.decode()
    assert "is not taking applications now, so the list does not show it" in page
    assert reverse("programmes:programme_apply", args=["north"]) not in page
