"""A programme's lived-experience panel: what its members propose, how they vote, what the
programme's coordinators decided, and the "You said, we did" entries they publish. Who sits
on the panel is a programme role (Role.PANEL, programmes.access.panel_programmes)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from mentoring.models import ProgrammeQuestion
from programmes.models import Programme


class ProposalQuerySet(models.QuerySet):
    def open(self) -> "ProposalQuerySet":
        return self.filter(status=Proposal.Status.OPEN)

    def decided(self) -> "ProposalQuerySet":
        return self.exclude(status=Proposal.Status.OPEN)

    def with_votes(self) -> "ProposalQuerySet":
        """Each proposal with its counts for and against (never who voted)."""
        return self.annotate(
            votes_for=models.Count("votes", filter=Q(votes__in_favour=True)),
            votes_against=models.Count("votes", filter=Q(votes__in_favour=False)),
        )


class Proposal(models.Model):
    """A change a panel member asks for, with why. Open while the panel votes; a
    coordinator of the programme then accepts it (saying what was done) or declines it
    (saying why)."""

    class About(models.TextChoices):
        TOPICS = "topics", "The topics people choose on their profiles"
        QUESTION_NEW = "question_new", "A new question for feedback or the check"
        QUESTION_STOP = "question_stop", "Stop asking one of our own questions"
        RESOURCES = "resources", "The programme's resources page"
        OTHER = "other", "Something else about how the programme runs"

    class Status(models.TextChoices):
        OPEN = "open", "Open for votes"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    TEXT_MAX_LENGTH = 2000

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="panel_proposals"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    about = models.CharField("what it is about", max_length=20, choices=About.choices)
    change = models.TextField("what should change", max_length=TEXT_MAX_LENGTH)
    why = models.TextField("why", max_length=TEXT_MAX_LENGTH)
    # A new question: its words, where it is asked and who is asked.
    question_text = models.CharField(
        "the new statement", max_length=ProgrammeQuestion.TEXT_MAX_LENGTH, blank=True
    )
    asks_in = models.CharField(max_length=20, choices=ProgrammeQuestion.AsksIn.choices, blank=True)
    who = models.CharField(max_length=20, choices=ProgrammeQuestion.Who.choices, blank=True)
    # Stop asking a question: which one (a new question, once accepted: the one added).
    question = models.ForeignKey(
        ProgrammeQuestion, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Accepted: what was done. Declined: why not.
    decision = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            # Decided once, with when and the words that explain it.
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True)
                | (~Q(status="open") & Q(decided_at__isnull=False) & ~Q(decision="")),
                name="panel_proposal_decided_with_words",
            ),
            models.CheckConstraint(
                condition=~Q(about="question_new") | (~Q(question_text="") & ~Q(asks_in="")),
                name="panel_proposal_new_question_has_words",
            ),
            models.CheckConstraint(
                condition=~Q(about="question_stop") | Q(question__isnull=False),
                name="panel_proposal_stop_names_a_question",
            ),
        ]

    def __str__(self) -> str:
        return self.change[:60]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Vote(models.Model):
    """One panel member's vote on a proposal: changeable while it is open, one each."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    in_favour = models.BooleanField()
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One vote each, even when the form is sent twice at once.
            models.UniqueConstraint(fields=["proposal", "person"], name="panel_one_vote_each")
        ]

    def __str__(self) -> str:
        return "for" if self.in_favour else "against"


class Entry(models.Model):
    """A "You said, we did" entry: what people said, and what the programme did about it.
    Every current member of the programme reads them."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="panel_entries")
    said = models.TextField("what people said", max_length=Proposal.TEXT_MAX_LENGTH)
    did = models.TextField("what was done", max_length=Proposal.TEXT_MAX_LENGTH)
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.said[:60]
