import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.choices import MeetingMode, PractitionerRole, Region


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
        MESSAGE_ATTACHED = "message_attached", "Message attached to a concern"
        MESSAGES_DELETED = "messages_deleted", "Messages deleted after the retention period"
        TALK_REQUESTED = "talk_requested", "Asked a coordinator for a chat"
        TALK_RECORDED = "talk_recorded", "Coordinator recorded a chat"
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
        CANCELLATION_FEE_ADDED = "cancellation_fee_added", "Cancellation fee added"
        PLAN_MISSED_REPORTED = "plan_missed_reported", "Mentor said the mentee did not come"
        PLAN_MISSED_CONFIRMED = "plan_missed_confirmed", "Missed session confirmed"
        PLAN_MISSED_TURNED_DOWN = "plan_missed_turned_down", "Missed session not confirmed"
        ADVANCE_ASKED = "advance_asked", "Advance asked for"
        ADVANCE_APPROVED = "advance_approved", "Advance approved"
        ADVANCE_REJECTED = "advance_rejected", "Advance not approved"
        ADVANCE_SETTLED = "advance_settled", "Advance settled"
        PURCHASE_RECORDED = "purchase_recorded", "Bought for a mentor"
        PAYMENT_PREFERENCE_CHANGED = "payment_preference_changed", "Payment choice changed"
        PAYMENT_RUN_CREATED = "payment_run_created", "Pay day made"
        PAYMENT_RUN_EXPORTED = "payment_run_exported", "Pay day exported for finance"
        PAYMENT_RUN_PAID = "payment_run_paid", "Pay day marked paid"
        PAYMENT_FAILED = "payment_failed", "Payment marked as failed"
        PAYMENT_REMOVED = "payment_removed", "Payment taken out of a pay day"
        BANK_DETAILS_DROPPED = "bank_details_dropped", "Bank details taken out of a paid run"
        PAYMENT_RECORDS_ANONYMISED = (
            "payment_records_anonymised",
            "Payment records anonymised after the retention period",
        )
        PROPOSAL_WITHDRAWN = "proposal_withdrawn", "Proposal withdrawn: a role ended"
        EMPLOYMENT_STATUS_RECORDED = (
            "employment_status_recorded",
            "Decision on how a mentor is paid recorded",
        )
        PAYMENT_SCHEDULE_CHANGED = "payment_schedule_changed", "Pay day schedule changed"
        ACTIVITY_CREATED = "activity_created", "Activity made"
        ACTIVITY_INVITED = "activity_invited", "Invited to an activity"
        ACTIVITY_ANSWERED = "activity_answered", "Answered an activity"
        ACTIVITY_ATTENDANCE = "activity_attendance", "Attendance at an activity recorded"
        ACTIVITY_CANCELLED = "activity_cancelled", "Activity cancelled"
        AGREEMENT_CHANGED = "agreement_changed", "Agreement of a match filled in or changed"
        INDUCTION_RECORDED = "induction_recorded", "Mentor's induction recorded"
        RESOURCES_CHANGED = "resources_changed", "Programme resources changed"
        FORMAT_REQUESTED = "format_requested", "Asked for something in another format"
        FORMAT_REQUEST_HANDLED = "format_request_handled", "Request for another format handled"
        TERM_ADDED = "term_added", "Word to avoid added for the organisation"
        TERM_REMOVED = "term_removed", "Word to avoid removed for the organisation"
        PANEL_PROPOSED = "panel_proposed", "Change proposed by a panel member"
        PANEL_DECIDED = "panel_decided", "Panel proposal accepted or declined"
        PANEL_PUBLISHED = "panel_published", "You said, we did entry published"

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


class Needs:
    """One thing a complete profile has: a field with a value (a text, a list of meeting
    modes or times, a related council), at least one related row (languages, topics), or a
    region when the person can meet in person. Each need is written once and read both
    ways: met_by() checks a profile in Python (the profile page, a prefetched list page),
    q() says the same in SQL (ProfileQuerySet.complete(): the matching round reads tens of
    thousands of profiles without making one of them). tests/test_profiles.py checks the
    two agree."""

    def __init__(self, missing: str, field: str, *, if_in_person: bool = False) -> None:
        self.missing = missing  # what the profile page says is missing, to its owner
        self.field = field
        self.if_in_person = if_in_person

    def _model_field(self, model) -> models.Field:
        return model._meta.get_field(self.field)

    def met_by(self, profile) -> bool:
        field = self._model_field(type(profile))
        if self.if_in_person and MeetingMode.IN_PERSON not in (profile.meeting_modes or []):
            return True
        if field.many_to_many:
            # .all() so a list page that prefetched the rows costs no extra queries.
            return bool(profile.pk) and bool(getattr(profile, self.field).all())
        return bool(getattr(profile, field.attname))

    def q(self, model) -> models.Q:
        field = self._model_field(model)
        if field.many_to_many:
            through = field.remote_field.through
            rows = through.objects.filter(**{field.m2m_field_name(): models.OuterRef("pk")})
            met = models.Q(models.Exists(rows))
        elif field.is_relation:
            met = models.Q(**{f"{field.attname}__isnull": False})
        elif isinstance(field, models.JSONField):
            met = models.Q(**{f"{self.field}__isnull": False}) & ~models.Q(**{self.field: []})
        else:
            met = ~models.Q(**{self.field: ""})
        if self.if_in_person:
            # The text of the JSON list holds "in_person", quotes and all, exactly when the
            # list has it: a test that reads the same on SQLite and PostgreSQL.
            met |= ~models.Q(meeting_modes__icontains=f'"{MeetingMode.IN_PERSON.value}"')
        return met


COMMON_NEEDS = (
    Needs("the languages you speak", "languages"),
    Needs("how you can meet", "meeting_modes"),
    Needs("your region, for meeting in person", "region", if_in_person=True),
    Needs("when you are free", "availability"),
)


class ProfileQuerySet(models.QuerySet):
    def complete(self) -> "ProfileQuerySet":
        """Profiles with everything their NEEDS ask for: is_complete, in one query."""
        met = models.Q()
        for need in self.model.NEEDS:
            met &= need.q(self.model)
        return self.filter(met)


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
        "extra time.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the profile was last found complete (None while it is a draft): statistics count
    # complete profiles and the days from a complete profile to a match in the database.
    completed_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    # What a complete profile has, in the order the profile page lists what is missing
    # (Needs below). Subclasses put their own needs before or after these.
    NEEDS: tuple["Needs", ...] = ()

    def missing_fields(self) -> list[str]:
        return [need.missing for need in self.NEEDS if not need.met_by(self)]

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
        help_text="Tick if you are happy to mentor people who work for a council that was "
        "responsible for your care.",
    )
    shared_with_mentee = models.TextField(
        "what your mentee may know about you",
        max_length=1000,
        blank=True,
        help_text="Write only what you are happy for your mentee to read. "
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

    NEEDS = (*COMMON_NEEDS, Needs("the topics you offer", "topics_offered"))

    objects = ProfileQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Mentor profile of {self.user}"

    @property
    def has_consented(self) -> bool:
        return self.consent_given_at is not None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


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

    NEEDS = (
        Needs("your role", "practitioner_role"),
        Needs("who you work for", "employer"),
        Needs("your practice area", "practice_areas"),
        Needs("what you want to learn", "learning_goals"),
        *COMMON_NEEDS,
    )

    objects = ProfileQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Mentee profile of {self.user}"


def new_token() -> str:
    return uuid.uuid4().hex
