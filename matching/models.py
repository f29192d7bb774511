import json
import zlib

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from core.choices import Role

DEFAULT_WEIGHTS = {
    "goals": 3,
    "experience": 2,
    "availability": 1,
    "region": 1,
    "waiting": 1,
    "load_spread": 0.5,
}


class MatchingRound(models.Model):
    """One run of the matcher for a programme. Its input snapshot and output are kept, so it
    can be re-run with the same answer and exported, in a row of their own (RoundData): this
    row is what every page reads, so it holds only what they show."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        ROUND = "round", "Matching round"
        MENTEE_CHOICE = "mentee_choice", "A practitioner's own choice"

    class Stage(models.TextChoices):
        """Where a running round is, in the order it goes (matching.services.round_run)."""

        READING = "reading", "Reading profiles"
        PAIRING = "pairing", "Finding pairs"
        SOLVING = "solving", "Solving"
        SAVING = "saving", "Saving proposals"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="matching_rounds"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ROUND)
    # The engine's counts ("stats" in its output, docs/matching.md): {"mentors", "mentees"}
    # once the profiles are read, all of them once solved. Small, for the pages.
    stats = models.JSONField(default=dict, blank=True)
    # The words for the ids in reasons, as things were named when the round read them.
    labels = models.JSONField(default=dict, blank=True)
    # The weights it was solved with: the review queue's fit in words is a share of the most
    # a pair could score with them (matching.selectors.fit_of).
    weights = models.JSONField(default=dict, blank=True)
    # While it runs: the stage, and how far through it (done of total) where that is known.
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    stage_done = models.PositiveIntegerField(null=True, blank=True)
    stage_total = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Round {self.pk} of {self.programme}"

    def snapshot_read(self) -> dict:
        """The engine's input, as it was solved ({} until the round has read the profiles).
        One query, reading only the input: for the export and a re-run."""
        found = RoundData.objects.filter(round=self).values_list("snapshot", flat=True)
        return next(iter(found), None) or {}

    def result_read(self) -> dict | None:
        """The engine's output, None until solved: one query, reading only the output."""
        return next(
            iter(RoundData.objects.filter(round=self).values_list("result", flat=True)), None
        )


class CompressedJSONField(models.BinaryField):
    """JSON kept as zlib-compressed UTF-8 bytes: a national round's input is tens of
    megabytes of JSON and compresses about tenfold, and nothing queries inside it."""

    # Level 1: most of the saving for a fraction of the time of the default.
    LEVEL = 1

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    @classmethod
    def pack(cls, value) -> bytes:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return zlib.compress(text.encode("utf-8"), cls.LEVEL)

    @staticmethod
    def unpack(packed: bytes):
        return json.loads(zlib.decompress(packed))

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, bytes | memoryview):
            return bytes(value)  # packed already (RoundData.snapshot_packed)
        return self.pack(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else self.unpack(bytes(value))

    def to_python(self, value):
        # Serialised (value_to_string) as JSON text.
        return json.loads(value) if isinstance(value, str) else value

    def value_to_string(self, obj) -> str:
        return json.dumps(self.value_from_object(obj))


class RoundData(models.Model):
    """A round's input snapshot and output, compressed, beside the round's own row. Read
    only to export a round, re-run it, and take a person out of it
    (matching.services.person_scrub); never to list or show rounds."""

    round = models.OneToOneField(
        MatchingRound, on_delete=models.CASCADE, primary_key=True, related_name="data"
    )
    snapshot = CompressedJSONField(help_text="The engine's input, exactly as it was solved.")
    result = CompressedJSONField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "round data"

    def __str__(self) -> str:
        return f"Input and output of round {self.round_id}"

    @classmethod
    def snapshot_packed(cls, round_id: int) -> bytes | None:
        """A round's stored snapshot as its compressed bytes, without reading the JSON in
        them: to copy it, or to see whether it changed (two packings of the same JSON are
        the same bytes)."""
        raw = models.ExpressionWrapper(models.F("snapshot"), output_field=models.BinaryField())
        found = cls.objects.filter(round_id=round_id).values_list(raw, flat=True).first()
        return None if found is None else bytes(found)


class TwoPeople:
    """A mentor and a mentee: a proposal, or the match it made. The one definition of "the
    other person", for every page, message and reminder that names them."""

    def other_party(self, person):
        """The other person, for its mentor or its mentee. ValueError for anyone else."""
        if person.pk == self.mentor_id:
            return self.mentee
        if person.pk == self.mentee_id:
            return self.mentor
        raise ValueError(f"Not part of this {self._meta.verbose_name}")


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def open(self) -> "ProposalQuerySet":
        """Proposals still in play: waiting for review or for the two answers."""
        return self.filter(status__in=[Proposal.Status.PROPOSED, Proposal.Status.APPROVED])


class Proposal(TwoPeople, models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for review"
        APPROVED = "approved", "Approved, waiting for answers"
        REJECTED = "rejected", "Rejected by a coordinator"
        DECLINED = "declined", "Declined"
        ACCEPTED = "accepted", "Accepted by both"

    class Answer(models.TextChoices):
        WAITING = "waiting", "Not answered yet"
        ACCEPTED = "accepted", "Yes"
        DECLINED = "declined", "No"

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="proposals")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals_as_mentor"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals_as_mentee"
    )
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(max_length=1000, blank=True)
    mentor_answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.WAITING)
    mentee_answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.WAITING)
    # Why someone said no: seen by coordinators only, never by the other person.
    decline_reason = models.TextField(max_length=1000, blank=True)
    # Set once the two people have been asked, so the request goes out at most once.
    asked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "mentee_id"]
        constraints = [
            # A mentee has at most one proposal in play in a round, whatever the swaps.
            models.UniqueConstraint(
                fields=["round", "mentee"],
                condition=Q(status__in=["proposed", "approved", "accepted"]),
                name="one_open_proposal_per_mentee_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} with {self.mentee}"

    @property
    def programme(self):
        return self.round.programme


class UnmatchedMentee(models.Model):
    """A mentee a round left without a suggested pair: the engine's id for them and its
    reasons, as in the round's output, and the group of the round's unmatched page they fall
    in (matching.selectors.UNMATCHED_GROUPS). Written with the round's answer, so that page
    reads a count per group and a page of rows, never the whole output (tens of megabytes at
    national scale). `mentee` is the engine's id, not a key: like the output, it outlives
    the person (their name then shows as "Deleted person")."""

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="unmatched")
    mentee = models.CharField(max_length=40)
    group = models.CharField(max_length=40)
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["round", "group", "id"], name="unmatched_by_group")]

    def __str__(self) -> str:
        return f"Mentee {self.mentee} in round {self.round_id}"


class ApprovalBatch(models.Model):
    """A coordinator's "approve every waiting pair on this page" or "... with a strong fit":
    the pairs it covers, fixed when asked, and how far the background task has got through
    them. The task approves each pair through proposal_approve, so nobody approves their own
    and both people are asked as usual; it works through `proposal_ids` in order and keeps its
    place in `checked`, so running it twice, or again after a worker died, approves nothing
    twice (matching.services.approval_batch_run)."""

    class Scope(models.TextChoices):
        PAGE = "page", "Every waiting pair on one page"
        STRONG = "strong", "Every waiting pair with a strong fit"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Approving"
        FINISHED = "finished", "Finished"

    round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="approval_batches"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices)
    # The pairs asked for: waiting for review, not the coordinator's own, in id order.
    proposal_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    # How many of them the task has been through, and how many of those it approved (the
    # rest had been decided by then, or changed hands).
    checked = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved__lte=models.F("checked"), checked__lte=models.F("total")),
                name="approval_batch_counts_add_up",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} in {self.round}"

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED

    @property
    def skipped(self) -> int:
        """Pairs checked but not approved: decided by someone else in the meantime."""
        return self.checked - self.approved


def open_to(person, *, prefix: str = "", programme: str | None = None) -> Q:
    """The rule for who may act in a match: its mentor while they hold the mentor role in
    the match's programme, its mentee while they hold the mentee role there. Ending a role
    ends that person's access to every match, session, plan, proposal and shared entry of
    it at once. `prefix` leads from the rows filtered to the match-like object (e.g.
    "match__" from a session); `programme` is the path to its programme when it is not
    `<prefix>programme` (a proposal's is "round__programme")."""
    from programmes.models import Membership

    if not getattr(person, "is_authenticated", False):
        return Q(pk__in=[])
    programme = programme or f"{prefix}programme"
    roles = Membership.objects.current().filter(person=person, programme=OuterRef(programme))
    return Q(Exists(roles.filter(role=Role.MENTOR)), **{f"{prefix}mentor": person}) | Q(
        Exists(roles.filter(role=Role.MENTEE)), **{f"{prefix}mentee": person}
    )


class MatchQuerySet(models.QuerySet["Match"]):
    def open_to(self, person) -> "MatchQuerySet":
        """Matches `person` may open and act in (see open_to)."""
        return self.filter(open_to(person))

    def live(self) -> "MatchQuerySet":
        """Matches still going (Match.LIVE): active or paused, not ended."""
        return self.filter(status__in=Match.LIVE)


class Match(TwoPeople, models.Model):
    """A mentor and a mentee working together: made only when both said yes."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    # The one definition of a live match: still going, whether active or paused. Use
    # Match.objects.live(), match.is_live, or `<path>__status__in=Match.LIVE` across a relation.
    LIVE = (Status.ACTIVE, Status.PAUSED)

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="matches"
    )
    # One match per proposal, enforced by the database: approving or accepting twice,
    # even at the same moment, cannot make two.
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="match")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matches_as_mentor"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matches_as_mentee"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(auto_now_add=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Why a coordinator paused it: seen by coordinators only, never by the two people.
    pause_reason = models.TextField(max_length=1000, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "matches"
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=~Q(status="closed"),
                name="one_live_match_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentoring {self.mentee}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    def role_of(self, person) -> str | None:
        """ "mentor" or "mentee": the side `person` is on, or None."""
        if person.pk == self.mentor_id:
            return Role.MENTOR
        if person.pk == self.mentee_id:
            return Role.MENTEE
        return None

    def is_open_to(self, person) -> bool:
        """Whether `person` may act in this match now (see open_to): one query."""
        return Match.objects.filter(pk=self.pk).open_to(person).exists()


class ClosingSurvey(models.Model):
    """What one person said when a match ended. Shown to coordinators only."""

    class Recommend(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    class Reason(models.TextChoices):
        GOALS_REACHED = "goals_reached", "We reached our goals"
        NOT_A_GOOD_FIT = "not_a_good_fit", "It was not a good fit"
        NOT_ENOUGH_TIME = "not_enough_time", "Not enough time"
        PERSONAL = "personal", "Personal reasons"
        OTHER = "other", "Other"

    RATINGS = [
        (1, "1 - Not well at all"),
        (2, "2 - Not very well"),
        (3, "3 - Okay"),
        (4, "4 - Well"),
        (5, "5 - Very well"),
    ]

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="closing_surveys")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="closing_surveys"
    )
    rating = models.PositiveSmallIntegerField("How did it go?", choices=RATINGS)
    recommend = models.CharField(
        "Would you recommend mentoring to someone like you?",
        max_length=10,
        choices=Recommend.choices,
    )
    # Blank when the person chose not to say: ending a match never needs a reason.
    reason = models.CharField("Why did it end?", max_length=20, choices=Reason.choices, blank=True)
    comments = models.TextField("Anything else you want to tell us?", max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One survey per person per match: a double click cannot answer twice.
            models.UniqueConstraint(fields=["match", "person"], name="one_closing_survey_each"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="closing_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.match}"


class PairExclusion(models.Model):
    """A pair never to be proposed again: declined, rejected or closed before."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE)
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "mentor", "mentee"], name="one_exclusion_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} and {self.mentee} are not to be proposed again"
