import time

import factory
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile, User
from accounts.services import profile_completion_note
from core.choices import Role
from core.models import Language, LocalAuthority, PracticeArea, Topic
from programmes.models import Application, Invitation, Membership, Organisation, Programme

PASSWORD = "a-long-test-password-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        # People can only sign in once their email is checked, so factories check it.
        if create and extracted is not False:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def give_two_factor(user: User) -> User:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, settings.DEMO_TOTP_SECRET)
    return user


def service_operator(email: str = "operator@example.test") -> User:
    """Someone who runs the service itself: the only kind of person the Django admin is for."""
    return give_two_factor(UserFactory(email=email, is_staff=True, is_superuser=True))


def sign_in(client, user: User, *, with_code: bool = True):
    """Sign the test client in as a real sign-in would: the password, then (when the person
    has an authenticator and `with_code` is true) the code from their app. allauth records
    each step in the session, and staff pages ask whether this sign-in used the code, so
    `with_code=False` is a staff member who got in without it."""
    client.force_login(user)
    session = client.session
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if with_code and totp is not None:
        records.append({"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    description = "A test programme."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    programme = factory.SubFactory(ProgrammeFactory)
    person = factory.SubFactory(UserFactory)
    role = Role.MENTOR
    # Mentors made here have had their induction, so they can be matched; pass
    # inducted_on=None for one who is still waiting.
    inducted_on = factory.LazyAttribute(
        lambda m: timezone.localdate() if m.role == Role.MENTOR else None
    )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    programme = factory.SubFactory(ProgrammeFactory)
    role = Role.MENTEE


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    programme = factory.SubFactory(ProgrammeFactory)
    person = factory.SubFactory(UserFactory)
    role = Role.MENTOR
    message = "I would like to help."


def complete_mentor_profile(user: User) -> MentorProfile:
    profile, _ = MentorProfile.objects.get_or_create(user=user)
    profile.region = "north-west"
    profile.meeting_modes = ["online"]
    profile.availability = ["tue-eve", "thu-pm"]
    profile.save()
    profile.languages.set([Language.objects.get(slug="en")])
    profile.topics_offered.set(Topic.objects.filter(slug__in=["bias", "family-time"]))
    profile_completion_note(profile)
    return profile


def complete_mentee_profile(user: User) -> MenteeProfile:
    profile, _ = MenteeProfile.objects.get_or_create(user=user)
    profile.practitioner_role = "social_worker"
    profile.employer = LocalAuthority.objects.get(slug="salford")
    profile.region = "north-west"
    profile.meeting_modes = ["online"]
    profile.availability = ["tue-eve"]
    profile.save()
    profile.languages.set([Language.objects.get(slug="en")])
    profile.practice_areas.set([PracticeArea.objects.get(slug="fostering")])
    profile.learning_goals.set(Topic.objects.filter(slug__in=["bias"]))
    profile_completion_note(profile)
    return profile


def receipt_upload(name: str = "receipt.png", colour: str = "white"):
    """A real, tiny PNG photo of a receipt, as a browser would upload it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def give_care_experience(user: User, *, areas=("foster-care",), looked_after_by=()):
    """A mentor who has consented to share care experience, and shared it."""
    from django.utils import timezone

    from core.models import LivedExperienceArea

    profile = MentorProfile.objects.get(user=user)
    profile.consent_given_at = timezone.now()
    profile.save(update_fields=["consent_given_at"])
    profile.lived_experience.set(LivedExperienceArea.objects.filter(slug__in=areas))
    profile.looked_after_by.set(LocalAuthority.objects.filter(slug__in=looked_after_by))
    return profile


def round_with_data(programme, *, snapshot: dict, result: dict | None = None, **fields):
    """A round made directly with its stored input (and output), as round_run or a re-run
    leaves it: the round's row, its RoundData beside it, and the mentees its output left
    without a pair."""
    from matching.models import MatchingRound, RoundData
    from matching.services import unmatched_store

    matching_round = MatchingRound.objects.create(programme=programme, **fields)
    RoundData.objects.create(round=matching_round, snapshot=snapshot, result=result)
    unmatched_store(matching_round.pk, (result or {}).get("unmatched") or [])
    return matching_round


def live_match(programme, mentor: User, mentee: User):
    """A live match of `mentor` and `mentee` in `programme`, as the matching services leave
    it once both said yes: its own finished round and accepted proposal. For people the
    matcher would not pair by itself (a coordinator who is also a mentor, a later mentor)."""
    from matching.models import Match, MatchingRound, Proposal

    matching_round = MatchingRound.objects.create(
        programme=programme, status=MatchingRound.Status.FINISHED
    )
    proposal = Proposal.objects.create(
        round=matching_round,
        mentor=mentor,
        mentee=mentee,
        score=1,
        status=Proposal.Status.ACCEPTED,
        mentor_answer=Proposal.Answer.ACCEPTED,
        mentee_answer=Proposal.Answer.ACCEPTED,
    )
    return Match.objects.create(
        programme=programme, proposal=proposal, mentor=mentor, mentee=mentee
    )
