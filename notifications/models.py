"""Reminders and notifications: what a person is asked to do, shown in the app and, unless
they said no, sent by email."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    """What a notification is about. The labels are what the email choices page shows."""

    PROPOSAL = "proposal", "A suggested match is waiting for your answer"
    SESSION_CONFIRM = "session_confirm", "A session is waiting for you to confirm it"
    FEEDBACK = "feedback", "Give feedback on a session"
    SESSION_LOG = "session_log", "Log last week's session"
    APPROVALS = "approvals", "Sessions are waiting for your approval (coordinators)"
    COPRODUCTION_CHECK = "coproduction_check", "The check every three months on working together"
    CPD = "cpd", "Record your CPD before 30 November (practitioners)"
    QUIET = "quiet", "A match has had no session for a while"
    QUIET_WARNING = "quiet_warning", "A match has had no session for a long time (coordinators)"
    SESSION_DISPUTED = "session_disputed", "Someone said a session you logged is wrong"
    MATCH_PAUSED = "match_paused", "Your match was paused or restarted"
    MATCH_ENDED = "match_ended", "Your match was ended"
    ACTIVITY = "activity", "A paid activity is open to you, or you are invited to one"
    PAYMENT = "payment", "A payment was sent to you, or did not go through"
    EARNINGS = "earnings", "Your earnings reached the amount you set, or £1,000 in a tax year"
    PAYMENT_DETAILS = "payment_details", "How you are paid was changed"
    PAYMENT_RUN_READY = (
        "payment_run_ready",
        "A scheduled pay day is ready to check (coordinators)",
    )
    APPLICATION_DECISION = "application_decision", "What was decided about your application"
    KIND_WORDS = "kind_words", "Your mentee wrote a few words about your mentoring"
    PLAN = "plan", "A session with you was planned, changed or cancelled"
    PLAN_REMINDER = "plan_reminder", "A reminder the day before a planned session"
    MESSAGE = "message", "A new message from the person you are matched with"
    CONCERN_RAISED = "concern_raised", "Someone raised a concern (coordinators)"
    TALK_REQUESTED = "talk_requested", "Someone asked for a chat (coordinators)"
    TALK_PICKED_UP = "talk_picked_up", "A coordinator picked up your request for a chat"
    CONCERN_UNREAD = (
        "concern_unread",
        "A concern needs someone to read it (the people who run Alongside)",
    )
    AGREEMENT = "agreement", "The other person filled in or changed your agreement"
    INDUCTION = "induction", "Your induction was recorded, so you can be matched (mentors)"
    FORMAT_REQUEST = (
        "format_request",
        "Someone asked for a page or document in another format (coordinators)",
    )
    PANEL_ROLE = "panel_role", "You joined or left a programme's panel"
    PANEL_PROPOSAL = "panel_proposal", "A panel member proposed a change (coordinators)"
    PANEL_DECISION = "panel_decision", "What was decided about a panel proposal (panel members)"
    YOU_SAID_WE_DID = "you_said_we_did", "A new 'You said, we did' entry in your programme"


# Sent by email whatever the person chose, with the line that tells them why. A change to
# how someone is paid is how they find out that another person changed where their money
# goes; an application's answer is the one they are waiting for; a concern must be read
# within one working day. The email choices page says so (notifications/email_choices.html).
ALWAYS_EMAILED: dict[str, str] = {
    Kind.PAYMENT_DETAILS: "We always send this email, for your safety.",
    Kind.APPLICATION_DECISION: "We always send this email: it is the answer to your application.",
    Kind.CONCERN_RAISED: "We always send this email, so that every concern is read in time.",
    Kind.CONCERN_UNREAD: "We always send this email, so that every concern is read in time.",
}


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one person is told about. The unique constraint on (person, kind,
    event_key) is what makes every reminder at most once per person per event: two scans
    running at once both try to insert, and the database keeps one row."""

    Kind = Kind

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Names the event, such as "session:42:v3": the same event never makes a second row.
    event_key = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=1000, blank=True)
    # A path inside Alongside, such as /sessions/42/. Emails put SITE_URL in front.
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Decided when the row is made: the person wanted this kind by email and was active.
    email_wanted = models.BooleanField(default=False)
    # The email task's lease: a task that claimed the email and died before sending lets
    # it go when this time passes, and the next reminder scan hands it to a new task.
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "event_key"], name="one_notification_per_event"
            ),
            models.CheckConstraint(
                condition=Q(emailed_at__isnull=True) | Q(email_wanted=True),
                name="notification_emailed_only_if_wanted",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="notification_newest"),
            # The navigation's "3 new" count runs on every page.
            models.Index(
                fields=["person"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            # The reminder scan looks for emails a dead worker left unsent.
            models.Index(
                fields=["created_at"],
                condition=Q(email_wanted=True, emailed_at__isnull=True),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (for {self.person})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class EmailOptOut(models.Model):
    """A kind of notification this person does not want by email. The dashboard and the
    notifications page still show it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_email_opt_out_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.person} does not want '{self.get_kind_display()}' by email"
