import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.choices import PractitionerRole, Region


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is needed")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is how they sign in; the display name is what others see."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        "your name",
        max_length=80,
        help_text="The name other people in Alongside will see. A first name is fine.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class AuditEvent(models.Model):
    """One sensitive action: who did what to which object, when. Never holds secrets."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        MEMBERSHIP_ADDED = "membership_added", "Role given"
        MEMBERSHIP_ENDED = "membership_ended", "Role taken away"
        ADMINISTRATOR_ADDED = "administrator_added", "Administrator added"
        INVITATION_CREATED = "invitation_created", "Invitation created"
        INVITATION_REVOKED = "invitation_revoked", "Invitation cancelled"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        APPLICATION_MADE = "application_made", "Applied to a programme"
        APPLICATION_ADMITTED = "application_admitted", "Application admitted"
        APPLICATION_DECLINED = "application_declined", "Application declined"
        PROFILE_VIEWED = "profile_viewed", "Profile viewed by a coordinator"
        PROFILE_UPDATED = "profile_updated", "Profile updated"
        CONSENT_GIVEN = "consent_given", "Consent given"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        PAUSED = "paused", "Paused"
        UNPAUSED = "unpaused", "Available again"
        DATA_EXPORTED = "data_exported", "Data downloaded"
        ROUND_STARTED = "round_started", "Matching round started"
        ROUND_EXPORTED = "round_exported", "Matching round exported"
        PROPOSAL_APPROVED = "proposal_approved", "Proposal approved"
        PROPOSAL_REJECTED = "proposal_rejected", "Proposal rejected"
        PROPOSAL_SWAPPED = "proposal_swapped", "Proposal swapped to another mentor"
        PROPOSAL_ACCEPTED = "proposal_accepted", "Proposal accepted"
        PROPOSAL_DECLINED = "proposal_declined", "Proposal declined"
        MATCH_CREATED = "match_created", "Match started"
        SETTINGS_CHANGED = "settings_changed", "Programme settings changed"
        MATCH_PAUSED = "match_paused", "Match paused"
        MATCH_RESUMED = "match_resumed", "Match restarted"
        MATCH_CLOSED = "match_closed", "Match ended"
        CONCERN_RAISED = "concern_raised", "Concern raised"
        CONCERN_UPDATED = "concern_updated", "Concern updated by a coordinator"
        CONCERN_VIEWED = "concern_viewed", "Concern viewed by a coordinator"
        ACCOUNT_DELETED = "account_deleted", "Account deleted"
        SESSION_LOGGED = "session_logged", "Session logged"
        SESSION_UPDATED = "session_updated", "Session changed"
        SESSION_CONFIRMED = "session_confirmed", "Session confirmed"
        SESSION_DISPUTED = "session_disputed", "Session said to be wrong"
        SESSION_APPROVED = "session_approved", "Session approved"
        RATE_CARD_ADDED = "rate_card_added", "Rate card added"
        LEDGER_LINE_REVERSED = "ledger_line_reversed", "Payment line corrected"
        EXPENSE_CLAIMED = "expense_claimed", "Expense claimed"
        EXPENSE_APPROVED = "expense_approved", "Expense approved"
        EXPENSE_REJECTED = "expense_rejected", "Expense not approved"
        EXPENSE_WITHDRAWN = "expense_withdrawn", "Expense withdrawn"
        RECEIPT_OPENED = "receipt_opened", "Receipt opened"
        PAYMENT_PREFERENCE_CHANGED = "payment_preference_changed", "Payment choice changed"
        PAYMENT_RUN_CREATED = "payment_run_created", "Payment run made"
        PAYMENT_RUN_EXPORTED = "payment_run_exported", "Payment run exported for finance"
        PAYMENT_RUN_PAID = "payment_run_paid", "Payment run marked paid"
        PAYMENT_FAILED = "payment_failed", "Payment marked as failed"
        PAYMENT_REMOVED = "payment_removed", "Payment taken out of a payment run"
        BANK_DETAILS_DROPPED = "bank_details_dropped", "Bank details taken out of a paid run"
        PAYMENT_RECORDS_ANONYMISED = (
            "payment_records_anonymised",
            "Payment records anonymised after the retention period",
        )
        PROPOSAL_WITHDRAWN = "proposal_withdrawn", "Proposal withdrawn: a role ended"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.SET_NULL
    )
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class Profile(models.Model):
    """What both kinds of profile share. Saved as a draft until complete."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    languages = models.ManyToManyField(
        "core.Language",
        blank=True,
        help_text="Languages you are happy to have mentoring conversations in.",
    )
    region = models.CharField(
        max_length=20,
        choices=Region.choices,
        blank=True,
        help_text="Where you live or work. Used only to suggest in-person meetings nearby.",
    )
    meeting_modes = models.JSONField(default=list, blank=True)
    availability = models.JSONField(default=list, blank=True)
    accessibility_needs = models.TextField(
        max_length=1000,
        blank=True,
        help_text="Anything that helps you take part, like captions, step-free access or "
        "extra time. Optional.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the profile was last found complete (None while it is a draft): statistics count
    # complete profiles and the days from a complete profile to a match in the database.
    completed_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    # Checks read related rows with .all() so a prefetched list page costs no extra queries.
    def missing_common(self) -> list[str]:
        missing = []
        if not self.pk or not self.languages.all():
            missing.append("the languages you speak")
        if not self.meeting_modes:
            missing.append("how you can meet")
        if "in_person" in self.meeting_modes and not self.region:
            missing.append("your region, for meeting in person")
        if not self.availability:
            missing.append("when you are free")
        return missing

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields()


class MentorProfile(Profile):
    """An expert by experience's profile."""

    consent_given_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When this person agreed we may store their care experience.",
    )
    lived_experience = models.ManyToManyField("core.LivedExperienceArea", blank=True)
    looked_after_by = models.ManyToManyField("core.LocalAuthority", blank=True, related_name="+")
    happy_to_mentor_own_council = models.BooleanField(
        default=False,
        help_text="Tick if you are happy to mentor people who work for a council that looked "
        "after you.",
    )
    shared_with_mentee = models.TextField(
        "what your mentee may know about you",
        max_length=1000,
        blank=True,
        help_text="Optional. Write only what you are happy for your mentee to read. "
        "You never have to tell your story.",
    )
    topics_offered = models.ManyToManyField("core.Topic", blank=True, related_name="offered_by")
    topics_off_limits = models.ManyToManyField(
        "core.Topic", blank=True, related_name="off_limits_for"
    )
    capacity = models.PositiveSmallIntegerField(
        "how many mentees at once",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    paused_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Mentor profile of {self.user}"

    @property
    def has_consented(self) -> bool:
        return self.consent_given_at is not None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def missing_fields(self) -> list[str]:
        missing = self.missing_common()
        if not self.pk or not self.topics_offered.all():
            missing.append("the topics you offer")
        return missing


class MenteeProfile(Profile):
    """A practitioner's profile."""

    practitioner_role = models.CharField(
        "your role", max_length=20, choices=PractitionerRole.choices, blank=True
    )
    employer = models.ForeignKey(
        "core.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The council or organisation you work for.",
    )
    team = models.CharField(
        "your team", max_length=120, blank=True, help_text="For example: fostering team."
    )
    practice_areas = models.ManyToManyField("core.PracticeArea", blank=True)
    years_in_practice = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    learning_goals = models.ManyToManyField("core.Topic", blank=True)

    def __str__(self) -> str:
        return f"Mentee profile of {self.user}"

    def missing_fields(self) -> list[str]:
        missing = []
        if not self.practitioner_role:
            missing.append("your role")
        if not self.employer_id:
            missing.append("who you work for")
        if not self.pk or not self.practice_areas.all():
            missing.append("your practice area")
        if not self.pk or not self.learning_goals.all():
            missing.append("what you want to learn")
        return missing + self.missing_common()


def new_token() -> str:
    return uuid.uuid4().hex
