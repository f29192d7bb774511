"""Our agreement: the two people of a match fill it in and change it, every version kept;
coordinators never read it; read-only once the match ends; in "my data", deleted with the
account."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditEvent
from matching import services as matching_services
from matching.models import Match
from mentoring.agreements import (
    AgreementChanged,
    agreement_current,
    agreement_history,
    agreement_save,
)
from mentoring.models import AgreementVersion
from notifications.models import Kind, Notification
from tests.factories import MembershipFactory, UserFactory, live_match, sign_in
from tests.test_permissions import _match

FIRST = {
    "how_we_meet": "Online every other Tuesday at 6pm, for an hour.",
    "off_limits": "Sam would rather not talk about his birth family.",
    "between_us": "What Priya says about her team stays between us.",
    "when_to_tell": "If either of us is worried about a child.",
}


@pytest.fixture
def match(world) -> Match:
    return _match(world)


def test_it_keeps_every_version_and_says_who_changed_what(world, match):
    first = agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    second = agreement_save(
        match=match,
        by=world.mentee,
        based_on=1,
        **(FIRST | {"how_we_meet": "Online every Tuesday at 6pm, for an hour."}),
    )
    assert (first.number, second.number) == (1, 2)
    assert agreement_current(match) == second
    history = agreement_history(match)
    assert [entry["version"].written_by for entry in history] == [world.mentee, world.mentor]
    assert history[0]["changed"] == ["How and how often we meet"]
    assert len(history[1]["changed"]) == 4
    # The first version is still there, word for word.
    assert AgreementVersion.objects.get(match=match, number=1).how_we_meet == FIRST["how_we_meet"]
    # The audit row says what changed, never the words.
    event = AuditEvent.objects.filter(action=AuditEvent.Action.AGREEMENT_CHANGED).latest("pk")
    assert event.new_values == {"version": 2, "changed": ["How and how often we meet"]}
    assert "Tuesday" not in str(event.new_values)


def test_it_tells_the_other_person_once_per_change(world, match):
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    told = Notification.objects.filter(kind=Kind.AGREEMENT)
    assert list(told.values_list("person", flat=True)) == [world.mentee.pk]
    assert told.get().title == "Sam filled in your agreement"
    agreement_save(match=match, by=world.mentee, based_on=1, **(FIRST | {"off_limits": ""}))
    assert told.filter(person=world.mentor).get().title == "Priya changed your agreement"


def test_it_never_overwrites_a_version_the_person_did_not_see(world, match):
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    agreement_save(match=match, by=world.mentee, based_on=1, **(FIRST | {"between_us": "All"}))
    with pytest.raises(AgreementChanged) as changed:
        agreement_save(match=match, by=world.mentor, based_on=1, **(FIRST | {"off_limits": "x"}))
    assert changed.value.latest.number == 2
    assert AgreementVersion.objects.filter(match=match).count() == 2


def test_it_lets_the_database_refuse_two_versions_with_one_number(world, match):
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementVersion.objects.create(match=match, number=1, written_by=world.mentee, **FIRST)


def test_it_saves_nothing_when_nothing_changed(world, match):
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    assert agreement_save(match=match, by=world.mentee, based_on=1, **FIRST) is None
    assert AgreementVersion.objects.filter(match=match).count() == 1


def test_it_needs_how_we_meet(world, match):
    with pytest.raises(ValidationError):
        agreement_save(match=match, by=world.mentor, based_on=0, **(FIRST | {"how_we_meet": " "}))


def test_it_refuses_anyone_but_the_two_people(world, match):
    for person in (world.coordinator, world.administrator, world.other_mentor):
        with pytest.raises(PermissionDenied):
            agreement_save(match=match, by=person, based_on=0, **FIRST)


def test_it_is_read_only_once_the_match_ends(world, match, client):
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    matching_services.match_close(
        match=match, by=world.mentor, rating=4, recommend="yes", reason="goals_reached"
    )
    match.refresh_from_db()
    with pytest.raises(ValidationError):
        agreement_save(match=match, by=world.mentee, based_on=1, **(FIRST | {"off_limits": ""}))
    sign_in(client, world.mentee)
    page = client.get(reverse("mentoring:agreement", args=[match.pk])).content.decode()
    assert FIRST["how_we_meet"] in page
    assert "can no longer change" in page
    assert '<form method="post" novalidate>' not in page
    response = client.post(
        reverse("mentoring:agreement", args=[match.pk]), FIRST | {"based_on": "1"}
    )
    assert response.status_code == 200
    assert AgreementVersion.objects.filter(match=match).count() == 1


def test_it_fills_and_changes_the_agreement_from_the_page(world, match, client):
    sign_in(client, world.mentor)
    url = reverse("mentoring:agreement", args=[match.pk])
    response = client.post(url, FIRST | {"based_on": "0"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Your agreement is saved. Priya can read it now" in page
    assert "Sam would rather not talk about his birth family." in page
    sign_in(client, world.mentee)
    client.post(url, FIRST | {"between_us": "Nothing in particular.", "based_on": "1"})
    history = client.get(reverse("mentoring:agreement_history", args=[match.pk]))
    text = history.content.decode()
    assert "Version 2: you" in text and "Version 1: Sam" in text
    assert "Changed: what stays between us." in text


def test_it_keeps_what_was_typed_when_the_other_person_saved_first(world, match, client):
    agreement_save(match=match, by=world.mentee, based_on=0, **FIRST)
    agreement_save(match=match, by=world.mentee, based_on=1, **(FIRST | {"off_limits": "Work"}))
    sign_in(client, world.mentor)
    url = reverse("mentoring:agreement", args=[match.pk])
    mine = FIRST | {"how_we_meet": "Phone on Thursdays.", "based_on": "1"}
    response = client.post(url, mine)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Priya saved a newer version while you were writing" in page
    assert "Phone on Thursdays." in page  # what Sam typed is still in the form
    assert 'name="based_on" value="2"' in page
    assert AgreementVersion.objects.filter(match=match).count() == 2
    # Having seen it, Sam saves again and it goes through.
    assert client.post(url, mine | {"based_on": "2"}).status_code == 302
    assert agreement_current(match).how_we_meet == "Phone on Thursdays."


def test_it_tells_people_that_coordinators_do_not_read_it_but_safeguarding_is_shared(
    world, match, client
):
    sign_in(client, world.mentee)
    page = client.get(reverse("mentoring:agreement", args=[match.pk])).content.decode()
    assert "Only you and Sam can read it. Coordinators do not read your agreement." in page
    # "Safeguarding" links to its entry in the words we use.
    assert 'class="glossary-link">Safeguarding</a> is always shared.' in page
    assert reverse("mentoring:concern_new", args=[match.pk]) in page


def test_it_hides_the_agreement_from_coordinators_and_everyone_outside_the_match(
    world, match, client
):
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    # Another match of the same programme: its people cannot open this one.
    other_mentor = UserFactory(display_name="Lou")
    MembershipFactory(programme=world.programme, person=other_mentor, role="mentor")
    other_mentee = UserFactory(display_name="Max")
    MembershipFactory(programme=world.programme, person=other_mentee, role="mentee")
    live_match(world.programme, other_mentor, other_mentee)
    for person in (
        world.coordinator,
        world.administrator,
        world.other_coordinator,
        other_mentor,
        other_mentee,
    ):
        sign_in(client, person)
        for name in ("mentoring:agreement", "mentoring:agreement_history"):
            response = client.get(reverse(name, args=[match.pk]))
            assert response.status_code == 404, (person, name)
            assert FIRST["off_limits"] not in response.content.decode()


def test_it_says_on_the_match_page_whether_the_agreement_is_filled(world, match, client):
    sign_in(client, world.mentee)
    url = reverse("mentoring:match_detail", args=[match.pk])
    assert "Not filled in yet." in client.get(url).content.decode()
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    page = client.get(url).content.decode()
    assert "Filled in. Last changed by Sam" in page
    assert reverse("mentoring:agreement", args=[match.pk]) in page


@pytest.mark.parametrize("name", ["mentoring:session_new", "mentoring:session_plan"])
def test_it_links_the_first_session_forms_to_the_agreement(world, match, client, name):
    sign_in(client, world.mentor)
    page = client.get(reverse(name, args=[match.pk])).content.decode()
    assert "You have not filled in" in page
    assert reverse("mentoring:agreement", args=[match.pk]) in page
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    page = client.get(reverse(name, args=[match.pk])).content.decode()
    assert "you may want to read" in page


def test_it_puts_the_agreement_in_my_data_and_deletes_it_with_the_account(world, match):
    from portal.privacy import erase, export

    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    agreement_save(match=match, by=world.mentee, based_on=1, **(FIRST | {"off_limits": ""}))
    mine = export(world.mentee)["agreements"]
    assert [(row["version"], row["written_by"]) for row in mine] == [(1, "Sam"), (2, "you")]
    assert mine[0]["What is off limits"] == FIRST["off_limits"]
    with transaction.atomic():
        erase(world.mentee)
    assert not AgreementVersion.objects.filter(match=match).exists()


def test_the_delete_page_says_the_agreement_goes_for_both_people(world, client):
    sign_in(client, world.mentee)
    page = client.get(reverse("portal:account_delete")).content.decode()
    assert (
        "the agreements you made with the people you were matched with are deleted, for them too"
        in page
    )


def test_it_asks_both_people_on_their_dashboard_until_the_agreement_is_filled(world, match, client):
    for person in (world.mentor, world.mentee):
        sign_in(client, person)
        page = client.get(reverse("portal:dashboard")).content.decode()
        assert "You have not filled in" in page
        assert reverse("mentoring:agreement", args=[match.pk]) in page
    agreement_save(match=match, by=world.mentor, based_on=0, **FIRST)
    assert "You have not filled in" not in client.get(reverse("portal:dashboard")).content.decode()


def test_it_says_the_page_was_out_of_date_when_it_names_a_version_never_saved(world, match, client):
    sign_in(client, world.mentor)
    url = reverse("mentoring:agreement", args=[match.pk])
    for version in ("7", "not a number"):
        page = client.post(url, FIRST | {"based_on": version}).content.decode()
        assert "This page was out of date." in page
        assert FIRST["off_limits"] in page
    assert not AgreementVersion.objects.filter(match=match).exists()
    # Saved again from the page as it came back, it goes through.
    assert client.post(url, FIRST | {"based_on": "0"}).status_code == 302
