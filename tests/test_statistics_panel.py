"""The lived-experience panel sees its programme's statistics (reporting.access): the same
suppressed figures as its coordinators, for that programme only, without two-factor."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from programmes.models import Membership
from tests.factories import MembershipFactory, UserFactory, give_two_factor, sign_in

pytestmark = pytest.mark.django_db

PAGES = [
    ("reporting:statistics_section", ["voice"]),
    ("reporting:statistics_csv", ["people", "joined"]),
    ("reporting:statistics_json", ["people"]),
]


def test_it_lists_the_programme_whose_panel_they_sit_on(world, login_as):
    page = login_as("panel").get(reverse("reporting:statistics")).content.decode()
    assert "North Star" in page
    assert "Riverside" not in page
    assert "All programmes you run" not in page
    # What the figures are, and that small numbers are hidden to protect people.
    assert "You sit on the lived-experience panel" in page
    assert "never what one person said" in page
    assert "shows as <strong>c</strong>, so that nobody can be picked out" in page


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_it_shows_the_panel_its_programmes_figures_without_two_factor(world, client, name, args):
    assert not world.panel.authenticator_set.exists()
    sign_in(client, world.panel)
    assert client.get(reverse(name, args=["north", *args])).status_code == 200


def test_it_tells_a_panel_member_what_the_figures_are(world, login_as):
    page = login_as("panel").get(reverse("reporting:statistics_section", args=["north", "voice"]))
    text = page.content.decode()
    assert "As a member of the lived-experience panel" in text
    assert "Small numbers show as <strong>c</strong> to protect people." in text
    coordinator = login_as("coordinator").get(
        reverse("reporting:statistics_section", args=["north", "voice"])
    )
    assert "As a member of the lived-experience panel" not in coordinator.content.decode()


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize("scope", ["all", "south"])
def test_it_answers_404_for_all_programmes_and_another_programme(
    world, login_as, name, args, scope
):
    client = login_as("panel")
    assert client.get(reverse(name, args=[scope, *args])).status_code == 404


@pytest.mark.parametrize(("name", "args"), [("reporting:statistics", []), *PAGES])
def test_it_closes_the_statistics_once_the_panel_role_ends(world, login_as, name, args):
    client = login_as("panel")
    Membership.objects.filter(person=world.panel, role=Role.PANEL).update(ended_at=timezone.now())
    url = reverse(name, args=["north", *args] if args else [])
    assert client.get(url).status_code == 404


def test_it_keeps_the_two_factor_rule_for_staff_who_also_sit_on_a_panel(world, client):
    """Alex runs Riverside and sits on North Star's panel: staff keep their rule."""
    MembershipFactory(programme=world.programme, person=world.other_coordinator, role=Role.PANEL)
    sign_in(client, world.other_coordinator, with_code=False)
    url = reverse("reporting:statistics_section", args=["north", "people"])
    assert client.get(url).status_code == 302
    sign_in(client, world.other_coordinator)
    assert client.get(url).status_code == 200
    page = client.get(reverse("reporting:statistics")).content.decode()
    assert "North Star" in page and "Riverside" in page
    # "All programmes you run" is the programmes they run: Riverside only.
    assert "All programmes you run" not in page


def test_it_gives_panel_members_a_statistics_link(world, login_as):
    page = login_as("panel").get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("reporting:statistics")}"' in page


def test_it_gives_no_statistics_link_to_a_mentor(world, login_as):
    page = login_as("mentor").get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("reporting:statistics")}"' not in page


def test_it_shows_a_panel_member_the_figures_coordinators_see(world, login_as):
    url = reverse("reporting:statistics_json", args=["north", "mentoring"])
    seen_by_panel = login_as("panel").get(url).json()
    assert seen_by_panel == login_as("coordinator").get(url).json()


def test_it_shows_nothing_to_someone_who_sits_on_no_panel(world, client):
    person = UserFactory()
    give_two_factor(person)
    sign_in(client, person)
    assert client.get(reverse("reporting:statistics")).status_code == 404
