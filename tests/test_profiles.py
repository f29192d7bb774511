"""Profiles: drafts, what is missing, care-experience consent, and pausing."""

import pytest
from django.urls import reverse

from accounts.forms import MentorProfileForm
from accounts.models import AuditEvent, MentorProfile
from core.choices import Role
from core.models import Language, LivedExperienceArea, LocalAuthority, Topic
from payments.models import PaymentPreference
from payments.services import preference_set
from tests.factories import MembershipFactory, UserFactory, complete_mentor_profile, sign_in


@pytest.fixture
def new_mentor(db, client):
    person = UserFactory(display_name="Lee")
    MembershipFactory(person=person, role=Role.MENTOR)
    sign_in(client, person)
    return person


def test_it_saves_an_empty_profile_as_a_draft_and_says_what_is_missing(new_mentor, client):
    response = client.post(reverse("portal:mentor_profile_edit"), {"capacity": "1"}, follow=True)
    page = response.content.decode()
    assert "saved as a draft" in page
    assert "the languages you speak" in page
    assert "when you are free" in page
    assert not MentorProfile.objects.get(user=new_mentor).is_complete


def test_it_marks_a_filled_profile_complete(new_mentor, client):
    response = client.post(
        reverse("portal:mentor_profile_edit"),
        {
            "topics_offered": [Topic.objects.get(slug="bias").pk],
            "capacity": "2",
            "languages": [Language.objects.get(slug="en").pk],
            "meeting_modes": ["online", "phone"],
            "availability": ["tue-eve", "sat-am"],
        },
        follow=True,
    )
    assert "saved and complete" in response.content.decode()
    profile = MentorProfile.objects.get(user=new_mentor)
    assert profile.is_complete
    assert profile.availability == ["tue-eve", "sat-am"]


def test_it_needs_a_region_only_for_meeting_in_person(new_mentor, client):
    client.post(
        reverse("portal:mentor_profile_edit"),
        {
            "topics_offered": [Topic.objects.first().pk],
            "capacity": "1",
            "languages": [Language.objects.get(slug="en").pk],
            "meeting_modes": ["in_person"],
            "availability": ["mon-am"],
        },
    )
    profile = MentorProfile.objects.get(user=new_mentor)
    assert profile.missing_fields() == ["your region, for meeting in person"]


def test_it_no_longer_asks_how_you_are_paid_on_the_profile(new_mentor, client):
    page = client.get(reverse("portal:mentor_profile_edit")).content.decode()

    assert "payment_preference" not in MentorProfileForm.base_fields
    assert 'name="payment_preference"' not in page
    assert "How you would like to be paid" not in page


def test_it_counts_a_profile_complete_without_a_payment_choice(new_mentor):
    # How a mentor is paid lives in the pay pages' log; the profile does not wait for it.
    profile = complete_mentor_profile(new_mentor)

    assert not PaymentPreference.objects.filter(mentor=new_mentor).exists()
    assert profile.missing_fields() == []
    assert profile.is_complete
    assert profile.completed_at is not None


def test_it_shows_how_you_are_paid_from_the_pay_pages_log(new_mentor, client):
    complete_mentor_profile(new_mentor)
    choose = reverse("payments:payment_preference")

    page = client.get(reverse("portal:profile")).content.decode()
    assert "How you are paid" in page
    assert "We cannot pay you until you choose." in page
    assert f'<a href="{choose}">Choose how you are paid</a>' in page

    preference_set(mentor=new_mentor, method="voucher")
    page = client.get(reverse("portal:profile")).content.decode()
    assert "You are paid by: shopping vouchers." in page
    assert f'<a href="{choose}">Change how you are paid</a>' in page


def test_it_refuses_a_topic_both_offered_and_off_limits(new_mentor, client):
    topic = Topic.objects.get(slug="family-time")
    response = client.post(
        reverse("portal:mentor_profile_edit"),
        {"topics_offered": [topic.pk], "topics_off_limits": [topic.pk], "capacity": "1"},
    )
    assert response.status_code == 200
    assert "cannot be both offered and off limits" in response.content.decode()


def test_it_refuses_an_availability_slot_that_does_not_exist(new_mentor, client):
    response = client.post(
        reverse("portal:mentor_profile_edit"), {"availability": ["funday-eve"], "capacity": "1"}
    )
    assert response.status_code == 200
    assert 'id="id_availability_error"' in response.content.decode()


def test_it_asks_for_consent_before_storing_care_experience(new_mentor, client):
    response = client.get(reverse("portal:mentor_experience_edit"))
    assert response["Location"] == reverse("portal:mentor_consent")
    refused = client.post(reverse("portal:mentor_consent"), {})
    assert "Tick the box" in refused.content.decode()
    client.post(reverse("portal:mentor_consent"), {"agree": "on"})
    profile = MentorProfile.objects.get(user=new_mentor)
    assert profile.has_consented
    client.post(
        reverse("portal:mentor_experience_edit"),
        {
            "lived_experience": [LivedExperienceArea.objects.get(slug="foster-care").pk],
            "looked_after_by": [LocalAuthority.objects.get(slug="salford").pk],
            "shared_with_mentee": "I lived with two foster families.",
        },
    )
    assert profile.lived_experience.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT_GIVEN).count() == 1


def test_it_deletes_care_experience_when_consent_is_withdrawn(new_mentor, client):
    client.post(reverse("portal:mentor_consent"), {"agree": "on"})
    client.post(
        reverse("portal:mentor_experience_edit"),
        {
            "lived_experience": [LivedExperienceArea.objects.first().pk],
            "shared_with_mentee": "Something personal.",
        },
    )
    client.post(reverse("portal:mentor_consent_withdraw"))
    profile = MentorProfile.objects.get(user=new_mentor)
    assert not profile.has_consented
    assert profile.lived_experience.count() == 0
    assert profile.shared_with_mentee == ""


def test_it_lets_a_mentor_pause_and_come_back_without_a_reason(new_mentor, client):
    client.post(reverse("portal:mentor_pause"))
    assert MentorProfile.objects.get(user=new_mentor).is_paused
    client.post(reverse("portal:mentor_pause"))
    assert not MentorProfile.objects.get(user=new_mentor).is_paused
    actions = list(AuditEvent.objects.filter(actor=new_mentor).values_list("action", flat=True))
    assert AuditEvent.Action.PAUSED in actions and AuditEvent.Action.UNPAUSED in actions


def test_it_checks_mentee_goals_and_years(db, client):
    person = UserFactory()
    MembershipFactory(person=person, role=Role.MENTEE)
    sign_in(client, person)
    response = client.post(
        reverse("portal:mentee_profile_edit"),
        {
            "learning_goals": list(Topic.objects.values_list("pk", flat=True)[:6]),
            "years_in_practice": "-3",
        },
    )
    page = response.content.decode()
    assert "no more than five goals" in page
    assert 'id="id_years_in_practice_error"' in page
