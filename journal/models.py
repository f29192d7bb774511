"""A mentee's private reflective journal and their learning goals.

Journal entries follow Gibbs' reflective cycle. They are private to the mentee who wrote
them until the mentee shares one with their mentor; coordinators never see them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import PCFDomain, Topic
from mentoring.models import Session

TEXT_LIMIT = 4000

# The journal's questions: (field, label, prompt). The order is Gibbs' reflective cycle,
# then the prompts on assumptions, bias and power (in the work and in the mentoring itself),
# then the impact the CPD record asks for. The prompts make it safe to say "I struggled" or
# "I got it wrong": the journal is private, and the CPD record takes only chosen answers.
REFLECTION_QUESTIONS = [
    (
        "description",
        "What happened?",
        "Describe the session or event: who was there, what you did and what was said.",
    ),
    (
        "feelings",
        "What were you thinking and feeling?",
        "At the time, and now as you look back.",
    ),
    (
        "evaluation",
        "What was good and what was bad?",
        'What went well, and what did not? It is fine to write "I struggled" or "I got it '
        'wrong". Only you see this unless you share it.',
    ),
    (
        "analysis",
        "What sense can you make of it?",
        "Why did things go the way they did? What helped, and what got in the way?",
    ),
    (
        "conclusion",
        "What did you learn?",
        "What else could you have done? What do you know now that you did not know before?",
    ),
    (
        "action_plan",
        "What would you do next time?",
        "If it happened again, what would you do? What will you try first?",
    ),
    (
        "assumptions",
        "What did I assume, and was I right?",
        "About the child, the family, your mentor or yourself. Where did the idea come from?",
    ),
    (
        "bias",
        "Did I look for strengths as hard as for risks?",
        "Think about what you noticed first, and what you might have missed.",
    ),
    (
        "power",
        "Who held the power, and how did that feel for the family?",
        "Think about who spoke most, who decided, and who had to wait.",
    ),
    (
        "mentoring_power",
        "How did power work between me and my mentor?",
        "You are the professional. Your mentor is paid to share their own life. Who led? "
        "Could either of you say no, or say you disagreed?",
    ),
    (
        "differently",
        "What would I do differently?",
        "One or two small, real changes are enough.",
    ),
    (
        "impact",
        "Impact on my practice and on the people I work with",
        "How will this change what you do? What difference could it make to children, young "
        "people and families?",
    ),
]
QUESTION_LABELS = {name: label for name, label, _ in REFLECTION_QUESTIONS}


class JournalEntryQuerySet(models.QuerySet["JournalEntry"]):
    def written_by(self, mentee) -> "JournalEntryQuerySet":
        return self.filter(mentee=mentee)

    def shared_with(self, mentor) -> "JournalEntryQuerySet":
        """Entries shared with this mentor: shared in a match they are the mentor of
        (`shared_in`, recorded when the mentee shared it), while they hold the mentor role
        in its programme (matching.models.open_to). An entry about a session stays readable
        once that match has ended; a free-standing one only while the match is live. Never
        by a later mentor of the same mentee: they were not who it was shared with."""
        from matching.models import Match, open_to

        if not mentor.is_authenticated:
            return self.none()
        return (
            self.filter(
                open_to(mentor, prefix="shared_in__")
                & (Q(session__isnull=False) | Q(shared_in__status__in=Match.LIVE)),
                shared_at__isnull=False,
            )
            .exclude(mentee=mentor)
            .distinct()
        )

    def with_details(self) -> "JournalEntryQuerySet":
        return self.select_related(
            "mentee", "session__match__mentor", "session__match__programme"
        ).prefetch_related("pcf_domains")


class JournalEntry(models.Model):
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries"
    )
    session = models.ForeignKey(
        Session,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journal_entries",
        verbose_name="session it is about",
    )
    activity_date = models.DateField("date of the activity")
    description = models.TextField(QUESTION_LABELS["description"], max_length=TEXT_LIMIT)
    feelings = models.TextField(QUESTION_LABELS["feelings"], max_length=TEXT_LIMIT, blank=True)
    evaluation = models.TextField(QUESTION_LABELS["evaluation"], max_length=TEXT_LIMIT, blank=True)
    analysis = models.TextField(QUESTION_LABELS["analysis"], max_length=TEXT_LIMIT, blank=True)
    conclusion = models.TextField(QUESTION_LABELS["conclusion"], max_length=TEXT_LIMIT, blank=True)
    action_plan = models.TextField(
        QUESTION_LABELS["action_plan"], max_length=TEXT_LIMIT, blank=True
    )
    assumptions = models.TextField(
        QUESTION_LABELS["assumptions"], max_length=TEXT_LIMIT, blank=True
    )
    bias = models.TextField(QUESTION_LABELS["bias"], max_length=TEXT_LIMIT, blank=True)
    power = models.TextField(QUESTION_LABELS["power"], max_length=TEXT_LIMIT, blank=True)
    mentoring_power = models.TextField(
        QUESTION_LABELS["mentoring_power"], max_length=TEXT_LIMIT, blank=True
    )
    differently = models.TextField(
        QUESTION_LABELS["differently"], max_length=TEXT_LIMIT, blank=True
    )
    impact = models.TextField(QUESTION_LABELS["impact"], max_length=TEXT_LIMIT, blank=True)
    pcf_domains = models.ManyToManyField(
        PCFDomain, blank=True, related_name="journal_entries", verbose_name="PCF domains"
    )
    # Set while the entry is shared with the mentor; empty means private.
    shared_at = models.DateTimeField(null=True, blank=True)
    # The matches it was shared in, recorded when it was shared: their mentors, and nobody
    # who mentors the same person later, may read it. Emptied when it is made private.
    shared_in = models.ManyToManyField(
        "matching.Match", blank=True, related_name="shared_journal_entries", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-activity_date", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["mentee", "activity_date"])]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="journal_entry_described"),
        ]

    def __str__(self) -> str:
        return f"Journal entry of {self.mentee} on {self.activity_date:%Y-%m-%d}"

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None

    @property
    def activity_type(self) -> str:
        """The type of activity, in the words a CPD record uses."""
        if self.session_id:
            return "Mentoring session with an expert by experience"
        return "Reflection"

    @property
    def short_description(self) -> str:
        text = " ".join(self.description.split())
        return text if len(text) <= 80 else f"{text[:77].rstrip()}..."


class Goal(models.Model):
    """Something a mentee wants to learn: from their profile's learning goals, or their own."""

    class Status(models.TextChoices):
        WORKING = "working", "Working on it"
        ACHIEVED = "achieved", "Achieved"

    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    title = models.CharField("your goal", max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WORKING)
    created_at = models.DateTimeField(auto_now_add=True)
    achieved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "created_at", "id"]
        constraints = [
            # A profile topic becomes a goal once, however often the page is sent.
            models.UniqueConstraint(
                fields=["mentee", "topic"],
                condition=Q(topic__isnull=False),
                name="one_goal_per_topic",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["working", "achieved"]), name="goal_status_known"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="goal_has_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_achieved(self) -> bool:
        return self.status == self.Status.ACHIEVED


class GoalNote(models.Model):
    """A note on progress towards a goal, by the mentee or their mentor. Append-only."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("note", max_length=2000)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="goal_notes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="goal_note_has_text")]

    def __str__(self) -> str:
        return f"Note on {self.goal}"
