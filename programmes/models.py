"""Organisations, the programmes they run, and who holds which role in them.

These models began in `mentoring`, so their tables keep the `mentoring_` names
(docs/ARCHITECTURE.md, "Moving a model").
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.choices import EXPERT_ROLES, Role

RESOURCES_MAX_LENGTH = 10000
# What people read about a programme before they join: a short paragraph.
DESCRIPTION_MAX_LENGTH = 600


class Organisation(models.Model):
    """A local authority or charity that runs programmes."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(unique=True)

    class Meta:
        db_table = "mentoring_organisation"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    # Both filters go through subqueries (`pk__in`), never a join on memberships: a count
    # annotated later (mentors, mentees) would reuse that join and count only the rows
    # that matched the filter, the person's own membership, so a programme with 40 mentors
    # showed 0. A subquery also needs no DISTINCT.
    def visible_to(self, user) -> "ProgrammeQuerySet":
        """Programmes a person may see: their own, or every one their organisation runs."""
        if not user.is_authenticated:
            return self.none()
        member = Membership.objects.current().filter(person=user).values("programme")
        return self.filter(Q(pk__in=member) | Q(organisation__in=_administered_by(user)))

    def coordinated_by(self, user) -> "ProgrammeQuerySet":
        """Programmes a person runs: as their coordinator, or as an administrator."""
        if not user.is_authenticated:
            return self.none()
        runs = (
            Membership.objects.current()
            .filter(person=user, role=Role.COORDINATOR)
            .values("programme")
        )
        return self.filter(Q(pk__in=runs) | Q(organisation__in=_administered_by(user)))


def _administered_by(user):
    return Administrator.objects.filter(person=user).values("organisation")


class Programme(models.Model):
    class MatchingMode(models.TextChoices):
        ROUNDS = "rounds", "Coordinators run matching rounds"
        MENTEE_CHOICE = "mentee_choice", "Practitioners choose from suggestions"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    open_for_applications = models.BooleanField(
        default=True, help_text="People can ask to join from the list of programmes."
    )
    matching_mode = models.CharField(
        max_length=20, choices=MatchingMode.choices, default=MatchingMode.ROUNDS
    )
    matching_weights = models.JSONField(
        default=dict,
        blank=True,
        help_text="How much each thing counts when the matcher weighs up a pair. Empty means the "
        "defaults.",
    )

    class Schedule(models.TextChoices):
        NONE = "", "Only when a coordinator starts one"
        WEEKLY = "weekly", "Every week"
        MONTHLY = "monthly", "Every month"

    matching_schedule = models.CharField(
        "automatic matching rounds",
        max_length=10,
        choices=Schedule.choices,
        default=Schedule.NONE,
        blank=True,
        help_text="Rounds started automatically still wait for a coordinator to review them.",
    )
    max_candidates_per_mentee = models.PositiveSmallIntegerField(
        default=50, help_text="How many possible mentors the matcher keeps for each mentee."
    )
    quiet_weeks = models.PositiveSmallIntegerField(
        "weeks without a session before we check in",
        default=4,
        help_text="After this many weeks with no session, both people and the coordinators are "
        "asked how things are. After twice as long, a coordinator may end the match.",
    )
    time_zone = models.CharField(max_length=60, default="Europe/London")
    currency = models.CharField(max_length=3, default="GBP")
    created_at = models.DateTimeField(auto_now_add=True)
    # The programme's resources page: induction material, who to call, useful links. Plain
    # text that coordinators write; addresses in it become links, nothing else is HTML.
    resources = models.TextField(
        "resources for members",
        max_length=RESOURCES_MAX_LENGTH,
        blank=True,
        help_text="Induction material, who to call and when, and useful links. Plain text: "
        "start a line with https:// and it becomes a link. Leave a blank line between parts.",
    )
    resources_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    resources_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        db_table = "mentoring_programme"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_weeks__gte=1, quiet_weeks__lte=52),
                name="programme_quiet_weeks_1_to_52",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationTerm(models.Model):
    """A word an organisation's coordinators would rather nobody used, added to the
    care-language list (core/language/terms.toml) for text written in its programmes."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="terms")
    word = models.CharField(
        "word or phrase",
        max_length=80,
        help_text="The word people should avoid. For example: key worker.",
    )
    alternative = models.CharField(
        "kinder or plainer word",
        max_length=120,
        help_text="What to say instead. For example: the person who looks out for you.",
    )
    why = models.CharField(
        "why",
        max_length=200,
        help_text="One short sentence that says why. Coordinators see it next to the word.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("word"), "organisation", name="organisation_term_once"
            )
        ]

    def __str__(self) -> str:
        return self.word


class Administrator(models.Model):
    """Organisation-wide administrator: sees every programme the organisation runs."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="administrators"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="administrator_of"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "mentoring_administrator"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="one_admin_row")
        ]

    def __str__(self) -> str:
        return f"{self.person} administers {self.organisation}"


# Induction: a mentor is ready to be matched only once a coordinator of the programme has
# recorded their induction. The rule is written once, here, and read both ways:
# Membership.is_inducted in Python (the member's page, the mentor's dashboard),
# MembershipQuerySet.inducted() in SQL (the matching round, suggestions). Mentees and
# coordinators have no induction to wait for. tests/test_induction.py checks the two agree.
INDUCTED = Q(role=Role.MENTOR, inducted_on__isnull=False) | ~Q(role=Role.MENTOR)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> "MembershipQuerySet":
        return self.filter(ended_at__isnull=True)

    def experts(self) -> "MembershipQuerySet":
        """Roles of experts by experience (core.choices.EXPERT_ROLES): mentors and panel
        members. With current(), who is an expert by experience of a programme now."""
        return self.filter(role__in=EXPERT_ROLES)

    def inducted(self) -> "MembershipQuerySet":
        """Roles ready for matching as far as induction goes (see INDUCTED)."""
        return self.filter(INDUCTED)

    def waiting_for_induction(self) -> "MembershipQuerySet":
        """Mentor roles whose induction nobody has recorded yet: the opposite of inducted()."""
        return self.exclude(INDUCTED)


class Membership(models.Model):
    """A person's role in a programme. One person may hold several roles."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # A mentor's induction, as a coordinator of the programme recorded it: the day it
    # happened and who recorded it (None for mentors who were here before induction was
    # recorded, and once the coordinator's account is deleted).
    inducted_on = models.DateField("day of the induction", null=True, blank=True)
    induction_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    induction_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        db_table = "mentoring_membership"
        ordering = ["programme", "role", "person"]
        indexes = [
            # Who is in a programme now, in each role: counted on every staff dashboard, and
            # read by matching, without reading the programme's ended roles.
            models.Index(
                fields=["programme", "role"],
                condition=Q(ended_at__isnull=True),
                name="current_members_by_role",
            )
        ]
        constraints = [
            # A person holds a role in a programme once at a time; an ended row may stay.
            models.UniqueConstraint(
                fields=["programme", "person", "role"],
                condition=Q(ended_at__isnull=True),
                name="one_current_membership_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} in {self.programme}"

    @property
    def is_inducted(self) -> bool:
        """INDUCTED, in Python: a mentor once their induction is recorded; anyone else."""
        return self.role != Role.MENTOR or self.inducted_on is not None


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


def _invitation_expiry():
    return timezone.now() + timedelta(days=30)


class Invitation(models.Model):
    """A link a coordinator shares so someone can join a programme in a given role."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitations")
    # Coordinators are invited by an administrator of the organisation, by email only.
    role = models.CharField(max_length=20, choices=Role.choices)
    email = models.EmailField(
        blank=True,
        help_text="If you fill this in, only the person with this email address can use the link.",
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="A note for you, such as who it is for."
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "mentoring_invitation"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.programme} as {self.get_role_display()}"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "cancelled"
        if self.accepted_at:
            return "used"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

    @property
    def is_usable(self) -> bool:
        return self.status == "open"


class Application(models.Model):
    """Someone asking to join a programme; a coordinator admits or declines them."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ADMITTED = "admitted", "Admitted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="applications")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    role = models.CharField(
        "join as",
        max_length=20,
        choices=[(Role.MENTOR.value, Role.MENTOR.label), (Role.MENTEE.value, Role.MENTEE.label)],
    )
    message = models.TextField(
        "why you would like to join",
        max_length=2000,
        blank=True,
        help_text="A few words for the coordinator.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(max_length=1000, blank=True)
    # When the applicant was told the decision (their notification was made, and it is
    # emailed from there), so they are told at most once.
    decision_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "mentoring_application"
        ordering = ["created_at"]
        constraints = [
            # One open application per person, programme and role: double clicks make one.
            models.UniqueConstraint(
                fields=["programme", "person", "role"],
                condition=Q(status="pending"),
                name="one_pending_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} applied to {self.programme}"


class FormatRequestQuerySet(models.QuerySet["FormatRequest"]):
    def waiting(self) -> "FormatRequestQuerySet":
        return self.filter(handled_at__isnull=True)

    def handled(self) -> "FormatRequestQuerySet":
        return self.filter(handled_at__isnull=False)


class FormatRequest(models.Model):
    """Someone asking for a page or document in another format (large print, easy read,
    Braille...). One row for each programme they belong to, so each programme's coordinators
    see and handle their own (programmes.services.format_request_make)."""

    class Need(models.TextChoices):
        LARGE_PRINT = "large_print", "Large print"
        EASY_READ = "easy_read", "Easy read"
        AUDIO = "audio", "Audio (a recording to listen to)"
        BRAILLE = "braille", "Braille"
        BSL = "bsl", "A British Sign Language (BSL) video"
        LANGUAGE = "language", "Another language"
        OTHER = "other", "Something else"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="format_requests"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="format_requests"
    )
    need = models.CharField("what you need", max_length=20, choices=Need.choices)
    need_details = models.CharField(
        "which language, or what else you need",
        max_length=200,
        blank=True,
        help_text="Only if you chose another language or something else.",
    )
    about = models.CharField(
        "which page or document",
        max_length=300,
        help_text="For example: the privacy notice, or my pay statement for May.",
    )
    contact = models.CharField(
        "how we should reach you",
        max_length=300,
        blank=True,
        help_text="For example: a phone number and a good time to call. "
        "If you leave this empty, we will email you.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FormatRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.person} asked {self.programme} for {self.get_need_display().lower()}"

    @property
    def is_handled(self) -> bool:
        return self.handled_at is not None
