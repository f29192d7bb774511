from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.choices import MeetingMode, Role
from core.models import Topic
from programmes.duties import taking_part, yours
from programmes.models import Programme

# Sessions: what a mentor and mentee did together, confirmed by the other person and
# approved by a coordinator before anyone is paid for it.

SESSION_MINUTES = (15, 480)
PREPARATION_MINUTES = (0, 240)


class SessionQuerySet(models.QuerySet["Session"]):
    def marked_yours(self, person) -> "SessionQuerySet":
        """Each session with `yours`: True when `person` is its mentor or mentee, so is
        not theirs to approve (programmes.duties)."""
        return self.annotate(yours=yours(person, "match__mentor", "match__mentee"))

    def with_details(self) -> "SessionQuerySet":
        """Everything a list of sessions shows, in one query plus one for the topics."""
        return self.select_related(
            "match__programme", "match__mentor", "match__mentee", "logged_by", "confirmed_by"
        ).prefetch_related("topics")


class Session(models.Model):
    """A session one person of a match logged. The other person confirms it, then a
    coordinator approves it. Changing it after confirmation needs a new confirmation."""

    class Status(models.TextChoices):
        LOGGED = "logged", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed, waiting for approval"
        APPROVED = "approved", "Approved"
        DISPUTED = "disputed", "Said to be wrong"

    match = models.ForeignKey("matching.Match", on_delete=models.CASCADE, related_name="sessions")
    # Whoever last wrote the details: the other person of the match is the one who confirms.
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField("when it started")
    duration_minutes = models.PositiveSmallIntegerField("how long it lasted, in minutes")
    meeting_mode = models.CharField("how you met", max_length=20, choices=MeetingMode.choices)
    topics = models.ManyToManyField(Topic, blank=True, related_name="sessions")
    preparation_minutes = models.PositiveSmallIntegerField(
        "time the mentor spent preparing, in minutes", default=0
    )
    note = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LOGGED)
    # Goes up by one at every change of the details: a confirmation names the version it
    # saw, so an edit that lands while the other person reads the page is never confirmed.
    version = models.PositiveIntegerField(default=1, editable=False)
    dispute_reason = models.TextField(max_length=1000, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["status", "match"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=SESSION_MINUTES[0])
                & Q(duration_minutes__lte=SESSION_MINUTES[1]),
                name="session_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(preparation_minutes__lte=PREPARATION_MINUTES[1]),
                name="session_preparation_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["logged", "confirmed", "approved", "disputed"]),
                name="session_status_known",
            ),
            # Approved (and so payable) only once someone confirmed it and a coordinator
            # approved it: no code path can skip a step.
            models.CheckConstraint(
                condition=~Q(status__in=["confirmed", "approved"]) | Q(confirmed_at__isnull=False),
                name="session_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="session_approved_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(dispute_reason=""),
                name="session_disputed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Session of {self.match} on {self.starts_at:%Y-%m-%d}"

    @property
    def programme(self):
        return self.match.programme

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def other_person(self, user):
        """The person of the match who is not `user`."""
        return self.match.other_party(user)

    def can_be_confirmed_by(self, user) -> bool:
        return (
            self.status == self.Status.LOGGED
            and user.pk in (self.match.mentor_id, self.match.mentee_id)
            and user.pk != self.logged_by_id
        )

    def can_be_disputed_by(self, user) -> bool:
        return (
            self.status in (self.Status.LOGGED, self.Status.CONFIRMED)
            and user.pk in (self.match.mentor_id, self.match.mentee_id)
            and user.pk != self.logged_by_id
        )

    @property
    def can_be_changed(self) -> bool:
        return self.status != self.Status.APPROVED


# Safeguarding and wellbeing concerns: either person of a match tells the programme's
# coordinators, who record what they did. The other person of the match never sees them.


class ConcernQuerySet(models.QuerySet["Concern"]):
    def open(self) -> "ConcernQuerySet":
        return self.exclude(status=Concern.Status.CLOSED)

    def not_involving(self, person) -> "ConcernQuerySet":
        """Concerns a coordinator may see and handle: not about a match they are part of
        (programmes.duties). Use it for every queue, count and email of concerns."""
        return self.exclude(taking_part(person, "match__mentor", "match__mentee"))

    def for_queue(self) -> "ConcernQuerySet":
        """New ones first, then those in progress, then closed; oldest first within each."""
        order = models.Case(
            models.When(status="new", then=0),
            models.When(status="in_progress", then=1),
            default=2,
        )
        return self.select_related("match__mentor", "match__mentee", "raised_by").order_by(
            order, "created_at", "pk"
        )


class Concern(models.Model):
    class Kind(models.TextChoices):
        SAFEGUARDING = "safeguarding", "Safeguarding: someone may be at risk of harm"
        WELLBEING = "wellbeing", "Wellbeing: someone is struggling"

    class Status(models.TextChoices):
        NEW = "new", "New: not looked at yet"
        IN_PROGRESS = "in_progress", "A coordinator is dealing with it"
        CLOSED = "closed", "Closed"

    match = models.ForeignKey("matching.Match", on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField("what kind of concern", max_length=20, choices=Kind.choices)
    what_happened = models.TextField("what happened", max_length=4000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the coordinators are told (their notifications are made, and emailed from
    # there), so they are told at most once.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "match"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "in_progress", "closed"]),
                name="concern_status_known",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["safeguarding", "wellbeing"]), name="concern_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(what_happened=""), name="concern_says_what_happened"
            ),
        ]

    def __str__(self) -> str:
        return f"Concern {self.pk} about {self.match}"


class ConcernAction(models.Model):
    """What a coordinator did about a concern. Append-only: never changed once written."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField("what you did", max_length=4000)
    new_status = models.CharField(max_length=20, choices=Concern.Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="concern_action_has_note"),
        ]

    def __str__(self) -> str:
        return f"Action on concern {self.concern_id}"


# Feedback after each session and the co-production check: what each person says is shown
# to coordinators only as totals over several people, never to the other person.

AGREEMENT = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]


def _one_to_five(field: str, name: str, *, optional: bool = False) -> models.CheckConstraint:
    in_range = Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
    if optional:
        in_range |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=in_range, name=name)


class SessionFeedback(models.Model):
    """One person's short feedback on one session. Each side of a session answers once."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    # The session's programme, kept on the row so statistics add up feedback without
    # joining every session and match (see docs/statistics.md).
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", editable=False
    )
    # Kept, without the person, if they delete their account: the totals stay right.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    useful = models.PositiveSmallIntegerField("The session was useful to me", choices=AGREEMENT)
    listened_to = models.PositiveSmallIntegerField(
        "I felt listened to and respected", choices=AGREEMENT
    )
    plain_language = models.PositiveSmallIntegerField(
        "We used plain language, without jargon", choices=AGREEMENT
    )
    # Mentors only: the co-production questions.
    equal_partner = models.PositiveSmallIntegerField(
        "I felt an equal partner", choices=AGREEMENT, null=True, blank=True
    )
    expertise_valued = models.PositiveSmallIntegerField(
        "My expertise was valued", choices=AGREEMENT, null=True, blank=True
    )
    paid_fairly = models.PositiveSmallIntegerField(
        "I am paid fairly and on time", choices=AGREEMENT, null=True, blank=True
    )
    comments = models.TextField("Anything else you want to tell us?", max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    MENTOR_QUESTIONS = ("equal_partner", "expertise_valued", "paid_fairly")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["programme", "created_at"])]
        constraints = [
            # One answer per side of a session, whatever the double clicks.
            models.UniqueConstraint(fields=["session", "role"], name="one_feedback_per_side"),
            models.CheckConstraint(
                condition=Q(role__in=["mentor", "mentee"]), name="feedback_role_mentor_or_mentee"
            ),
            _one_to_five("useful", "feedback_useful_1_to_5"),
            _one_to_five("listened_to", "feedback_listened_1_to_5"),
            _one_to_five("plain_language", "feedback_plain_1_to_5"),
            _one_to_five("equal_partner", "feedback_equal_1_to_5", optional=True),
            _one_to_five("expertise_valued", "feedback_expertise_1_to_5", optional=True),
            _one_to_five("paid_fairly", "feedback_paid_1_to_5", optional=True),
            # Mentors answer the co-production questions; mentees are not asked them.
            models.CheckConstraint(
                condition=(
                    Q(role="mentor")
                    & Q(equal_partner__isnull=False)
                    & Q(expertise_valued__isnull=False)
                    & Q(paid_fairly__isnull=False)
                )
                | (
                    Q(role="mentee")
                    & Q(equal_partner__isnull=True)
                    & Q(expertise_valued__isnull=True)
                    & Q(paid_fairly__isnull=True)
                ),
                name="feedback_mentor_questions_for_mentors",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback from the {self.role} on session {self.session_id}"


class LadderRung(models.IntegerChoices):
    """The ladder of co-production, from the bottom rung to the top."""

    COERCION = 1, "Coercion: I was told what to do"
    EDUCATING = 2, "Educating: I was helped to understand what others decided"
    INFORMING = 3, "Informing: I was told what was happening"
    CONSULTATION = 4, "Consultation: I was asked what I think"
    ENGAGEMENT = 5, "Engagement: I had more say, but others still decided"
    CO_DESIGN = 6, "Co-design: we shaped things together"
    CO_PRODUCTION = 7, "Co-production: we were equal partners from start to finish"


class CoproductionCheck(models.Model):
    """Every three months of a match, and when it ends, each person says how equal it felt:
    SCIE's four principles as statements, and a rung of the ladder of co-production."""

    class Occasion(models.TextChoices):
        QUARTERLY = "quarterly", "Every three months"
        CLOSING = "closing", "When the match ended"

    match = models.ForeignKey(
        "matching.Match", on_delete=models.CASCADE, related_name="coproduction_checks"
    )
    # The match's programme, for statistics without a join (as on SessionFeedback).
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", editable=False
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    occasion = models.CharField(max_length=20, choices=Occasion.choices)
    # Which three months of the match: 1 for the first quarter, 2 for the second; 0 at closing.
    quarter = models.PositiveSmallIntegerField(default=0)
    equality = models.PositiveSmallIntegerField(
        "Equality: my knowledge and experience counted as much as theirs", choices=AGREEMENT
    )
    diversity = models.PositiveSmallIntegerField(
        "Diversity: who I am and where I come from were welcome", choices=AGREEMENT
    )
    accessibility = models.PositiveSmallIntegerField(
        "Accessibility: I could take part fully, the times and ways of meeting worked for me",
        choices=AGREEMENT,
    )
    reciprocity = models.PositiveSmallIntegerField(
        "Reciprocity: I got something back for what I put in", choices=AGREEMENT
    )
    rung = models.PositiveSmallIntegerField(
        "Which of these did it feel like?", choices=LadderRung.choices
    )
    comments = models.TextField("Anything else you want to tell us?", max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["programme", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "role", "occasion", "quarter"], name="one_check_per_side_and_time"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["mentor", "mentee"]), name="check_role_mentor_or_mentee"
            ),
            models.CheckConstraint(
                condition=(Q(occasion="quarterly") & Q(quarter__gte=1))
                | (Q(occasion="closing") & Q(quarter=0)),
                name="check_quarter_fits_occasion",
            ),
            _one_to_five("equality", "check_equality_1_to_5"),
            _one_to_five("diversity", "check_diversity_1_to_5"),
            _one_to_five("accessibility", "check_accessibility_1_to_5"),
            _one_to_five("reciprocity", "check_reciprocity_1_to_5"),
            models.CheckConstraint(
                condition=Q(rung__gte=1, rung__lte=7), name="check_rung_on_the_ladder"
            ),
        ]

    def __str__(self) -> str:
        return f"Co-production check from the {self.role} on {self.match_id}"


class PlannedSessionQuerySet(models.QuerySet["PlannedSession"]):
    def open(self) -> "PlannedSessionQuerySet":
        """Neither cancelled nor logged yet, nor said to be missed."""
        return self.filter(
            cancelled_at__isnull=True, session__isnull=True, missed_reported_at__isnull=True
        )

    def missed_to_confirm(self) -> "PlannedSessionQuerySet":
        """Sessions the mentor said the mentee did not come to, waiting for a coordinator."""
        return self.filter(missed_reported_at__isnull=False, missed_confirmed_at__isnull=True)


class PlannedSession(models.Model):
    """A session the two people of a match have arranged. It is not a session yet: once it
    has happened, either person logs it (the form starts from the plan) and the other
    confirms it as usual. Nobody is paid for a plan."""

    match = models.ForeignKey("matching.Match", on_delete=models.CASCADE, related_name="plans")
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField("when it starts")
    duration_minutes = models.PositiveSmallIntegerField("how long it should last, in minutes")
    meeting_mode = models.CharField("how you will meet", max_length=20, choices=MeetingMode.choices)
    # Where they meet, as suits the meeting mode: a place in person, a checked https link
    # online (mentoring.meeting.check_where), nothing by phone.
    place = models.CharField("where you will meet", max_length=200, blank=True)
    meeting_link = models.CharField("the meeting link", max_length=500, blank=True)
    note = models.TextField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # For calendars: SEQUENCE goes up with each change and the cancellation, and DTSTAMP is
    # the moment of the latest, so a calendar replaces its copy of the event (same UID).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The session logged from this plan, once it happened: a plan is logged once.
    session = models.OneToOneField(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan"
    )
    # The mentee did not come: the mentor says so, and a coordinator (never one of the
    # pair) confirms it, as a session is logged by one person and approved by another.
    # The confirmation pays the mentor the programme's cancellation fee (payments).
    missed_reported_at = models.DateTimeField(null=True, blank=True)
    missed_confirmed_at = models.DateTimeField(null=True, blank=True)
    missed_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PlannedSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=SESSION_MINUTES[0])
                & Q(duration_minutes__lte=SESSION_MINUTES[1]),
                name="planned_session_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(session__isnull=True),
                name="planned_session_cancelled_or_logged_not_both",
            ),
            models.CheckConstraint(
                condition=Q(missed_reported_at__isnull=True)
                | Q(cancelled_at__isnull=True, session__isnull=True),
                name="planned_session_missed_only_if_open",
            ),
            models.CheckConstraint(
                condition=Q(missed_confirmed_at__isnull=True) | Q(missed_reported_at__isnull=False),
                name="planned_session_missed_confirmed_after_report",
            ),
            # A link is only ever an https address of an online session: never http, never
            # javascript: or any other scheme a page would follow.
            models.CheckConstraint(
                condition=Q(meeting_link="")
                | Q(meeting_mode="online", meeting_link__startswith="https://"),
                name="planned_session_link_https_and_online",
            ),
        ]

    def __str__(self) -> str:
        return f"Planned session of {self.match} on {self.starts_at:%Y-%m-%d}"

    @property
    def programme(self):
        return self.match.programme

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return (
            self.cancelled_at is None
            and self.session_id is None
            and self.missed_reported_at is None
        )


class KindWords(models.Model):
    """A few words a mentee writes about what their mentor did for them, apart from their
    feedback (which the mentor never sees). The mentor reads them and chooses whether they
    go in their record of contribution (portal/contribution.py), for a CV or a reference,
    where the mentee's name is never shown. One per match; changing the words takes them
    out of the record until the mentor chooses again."""

    match = models.OneToOneField(
        "matching.Match", on_delete=models.CASCADE, related_name="kind_words"
    )
    words = models.TextField(max_length=600)
    in_record = models.BooleanField(default=False)
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"Kind words on {self.match}"


# Messages: the two people of a match write to each other in the app, in plain text. Nobody
# else reads them, coordinators included, except a message one of the two attaches to a
# concern (ConcernMessage): that one goes to the coordinators who handle the concern.

MESSAGE_CHARACTERS = 2000


class MessageQuerySet(models.QuerySet["Message"]):
    def unread_by(self, person) -> "MessageQuerySet":
        """Messages the other person sent `person` that they have not opened yet, in matches
        they may still open (matching.models.open_to)."""
        from matching.models import open_to

        return self.filter(open_to(person, prefix="match__"), read_at__isnull=True).exclude(
            sender=person
        )

    def attached(self) -> "MessageQuerySet":
        """Messages attached to a concern: a safeguarding record, so never deleted with the
        rest of the conversation."""
        return self.filter(Exists(ConcernMessage.objects.filter(message=OuterRef("pk"))))

    def past_keeping(self, *, now) -> "MessageQuerySet":
        """Messages of matches that ended more than MESSAGES_KEPT_DAYS ago, except those
        attached to a concern."""
        cutoff = now - timedelta(days=settings.MESSAGES_KEPT_DAYS)
        return self.filter(match__status="closed", match__ended_at__lt=cutoff).exclude(
            Exists(ConcernMessage.objects.filter(message=OuterRef("pk")))
        )


class Message(models.Model):
    """One message from one person of a match to the other. Plain text."""

    match = models.ForeignKey("matching.Match", on_delete=models.CASCADE, related_name="messages")
    # None once the sender deleted their account: only a message attached to a concern is
    # kept then (mentoring.privacy.erase), without their name.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("your message", max_length=MESSAGE_CHARACTERS)
    sent_at = models.DateTimeField(default=timezone.now)
    # When the other person first opened the conversation after it arrived.
    read_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(fields=["match", "sent_at"], name="message_conversation"),
            # The navigation's "2 new" count runs on every page.
            models.Index(
                fields=["match"], condition=Q(read_at__isnull=True), name="message_unread"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="message_has_text"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.match_id}"


class ConcernMessage(models.Model):
    """A message one of the pair attached to a concern they raised: the coordinators who
    handle the concern read this message, and no other."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="attachments")
    # RESTRICT: deleting the message alone is refused while it is attached (the retention
    # task can never take it), yet a match deleted whole takes both with it.
    message = models.ForeignKey(Message, on_delete=models.RESTRICT, related_name="attachments")
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["message__sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "message"], name="message_attached_once"),
        ]

    def __str__(self) -> str:
        return f"Message {self.message_id} attached to concern {self.concern_id}"


# Our agreement: at the start of a match the two people write down together how they will
# work. Both read it and both change it; each change is a new version, so nothing is ever
# overwritten and the history says who changed what, when. Coordinators never read it.


class AgreementVersionQuerySet(models.QuerySet["AgreementVersion"]):
    def of(self, match) -> "AgreementVersionQuerySet":
        """A match's versions, newest first."""
        return self.filter(match=match).select_related("written_by").order_by("-number")


class AgreementVersion(models.Model):
    """One version of a match's agreement. Append-only: a change writes the next version.
    The agreement is its newest version; a match has none until one of the two fills it."""

    FIELDS = ("how_we_meet", "off_limits", "between_us", "when_to_tell")
    MAX_LENGTH = 2000

    match = models.ForeignKey(
        "matching.Match", on_delete=models.CASCADE, related_name="agreement_versions"
    )
    # 1 for the first version, then one more at each change. Unique per match: two people
    # saving at the same moment from the same version cannot both become the next one.
    number = models.PositiveIntegerField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    how_we_meet = models.TextField("How and how often we meet", max_length=MAX_LENGTH)
    off_limits = models.TextField("What is off limits", max_length=MAX_LENGTH, blank=True)
    between_us = models.TextField("What stays between us", max_length=MAX_LENGTH, blank=True)
    when_to_tell = models.TextField(
        "When a coordinator must be told", max_length=MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["match", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["match", "number"], name="one_agreement_version_each"),
            models.CheckConstraint(condition=Q(number__gte=1), name="agreement_version_from_1"),
            models.CheckConstraint(condition=~Q(how_we_meet=""), name="agreement_says_how_we_meet"),
        ]

    def __str__(self) -> str:
        return f"Agreement of {self.match}, version {self.number}"

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.FIELDS}

    def changed_since(self, before: "AgreementVersion | None") -> list[str]:
        """The labels of the parts this version changed from `before` (all, for the first)."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.FIELDS
            if before is None or getattr(before, name) != getattr(self, name)
        ]


# Support: a request to talk is a person asking a coordinator for a chat, with no concern
# needed. It is not a concern: concerns are for safeguarding and wellbeing and stay as they
# are. Three routes lead here: a mentor's check-in after a session, a mentor or mentee with
# no match, and a mentee saying "I'm finding this hard". Coordinators see open requests
# (never one about a match they are part of, programmes.duties) and record that they talked.


class TalkRequestQuerySet(models.QuerySet["TalkRequest"]):
    def open(self) -> "TalkRequestQuerySet":
        """Nobody has recorded talking to the person yet."""
        return self.filter(talked_on__isnull=True)

    def not_involving(self, person) -> "TalkRequestQuerySet":
        """Requests a coordinator may see and pick up: not their own, nor about a match they
        are part of (programmes.duties). Use it for every list, count and notification."""
        return self.exclude(taking_part(person, "person", "match__mentor", "match__mentee"))


class TalkRequest(models.Model):
    class Reason(models.TextChoices):
        CHECK_IN = "check_in", "Asked in their check-in after a session"
        NO_MATCH = "no_match", "Has no match and would like a chat"
        FINDING_IT_HARD = "finding_it_hard", "Said they are finding it hard"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talk_requests"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # The match it comes from: none for someone who has no match.
    match = models.ForeignKey(
        "matching.Match",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="talk_requests",
    )
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A coordinator records the day they talked, and who they are.
    talked_on = models.DateField(null=True, blank=True)
    talked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TalkRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["programme", "talked_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["check_in", "no_match", "finding_it_hard"]),
                name="talk_request_reason_known",
            ),
            models.CheckConstraint(
                condition=(Q(reason="no_match") & Q(match__isnull=True))
                | (~Q(reason="no_match") & Q(match__isnull=False)),
                name="talk_request_match_fits_reason",
            ),
            # Asking twice (a double click, a second tab) while the first request is still
            # open makes one request: the second insert is refused.
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(reason="no_match", talked_on__isnull=True),
                name="one_open_no_match_request",
            ),
            models.UniqueConstraint(
                fields=["person", "match"],
                condition=Q(reason="finding_it_hard", talked_on__isnull=True),
                name="one_open_finding_it_hard_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Request to talk {self.pk} from {self.person}"


class CheckIn(models.Model):
    """A mentor's private answer to "How was that for you?" after a session. Nobody else
    reads it: when the mentor asks for a chat, the chat request (with the note) goes to the
    coordinators; otherwise it stays the mentor's own, and is not counted anywhere."""

    class Feeling(models.TextChoices):
        GOOD = "good", "It went well"
        OK = "ok", "It was all right"
        MIXED = "mixed", "Some of it was hard"
        HARD = "hard", "It was hard for me"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="check_ins")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    feeling = models.CharField("How was that for you?", max_length=10, choices=Feeling.choices)
    note = models.TextField(max_length=2000, blank=True)
    talk_request = models.OneToOneField(
        TalkRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="check_in"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One check-in per session for its mentor, whatever the double clicks.
            models.UniqueConstraint(fields=["session", "mentor"], name="one_check_in_per_session"),
            models.CheckConstraint(
                condition=Q(feeling__in=["good", "ok", "mixed", "hard"]),
                name="check_in_feeling_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in on session {self.session_id}"


class ProgrammeQuestionQuerySet(models.QuerySet["ProgrammeQuestion"]):
    def current(self) -> "ProgrammeQuestionQuerySet":
        return self.filter(retired_at__isnull=True)

    def asked_of(self, programme, asks_in: str, role: str) -> "ProgrammeQuestionQuerySet":
        """The questions a form of this kind asks this role in this programme now."""
        return self.current().filter(
            programme=programme, asks_in=asks_in, who__in=[ProgrammeQuestion.Who.BOTH, role]
        )


class ProgrammeQuestion(models.Model):
    """A statement a programme adds to its session feedback or its co-production check, rated
    on the same five points as the rest (most come from its lived-experience panel). Once
    anyone has answered it, it is retired, never deleted, so the answers keep their meaning."""

    class AsksIn(models.TextChoices):
        FEEDBACK = "feedback", "Feedback after each session"
        CHECK = "check", "The co-production check every three months"

    class Who(models.TextChoices):
        BOTH = "both", "Mentors and mentees"
        MENTOR = "mentor", "Mentors only"
        MENTEE = "mentee", "Mentees only"

    TEXT_MAX_LENGTH = 200

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="own_questions")
    asks_in = models.CharField("where it is asked", max_length=20, choices=AsksIn.choices)
    who = models.CharField("who is asked", max_length=20, choices=Who.choices)
    text = models.CharField(
        "the statement people rate",
        max_length=TEXT_MAX_LENGTH,
        help_text="One short sentence people can agree or disagree with, such as "
        '"My mentor explained things in a way I understood".',
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ProgrammeQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            # The same statement is asked once at a time in a form of a programme.
            models.UniqueConstraint(
                Lower("text"),
                "programme",
                "asks_in",
                condition=Q(retired_at__isnull=True),
                name="programme_question_once_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class ProgrammeAnswer(models.Model):
    """One person's rating of one of the programme's own questions, given with their session
    feedback or their co-production check (exactly one of the two)."""

    # An answered question is retired, never deleted on its own; deleting a whole programme
    # takes its questions and the feedback they were answered with together (RESTRICT).
    question = models.ForeignKey(
        ProgrammeQuestion, on_delete=models.RESTRICT, related_name="answers"
    )
    feedback = models.ForeignKey(
        SessionFeedback,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_answers",
    )
    coproduction_check = models.ForeignKey(
        CoproductionCheck,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_answers",
    )
    value = models.PositiveSmallIntegerField(choices=AGREEMENT)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(feedback__isnull=False, coproduction_check__isnull=True)
                | Q(feedback__isnull=True, coproduction_check__isnull=False),
                name="programme_answer_to_feedback_or_check",
            ),
            models.UniqueConstraint(
                fields=["question", "feedback"], name="programme_answer_once_per_feedback"
            ),
            models.UniqueConstraint(
                fields=["question", "coproduction_check"],
                name="programme_answer_once_per_check",
            ),
            _one_to_five("value", "programme_answer_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"Answer {self.value} to question {self.question_id}"
