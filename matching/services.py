"""Changes for matching: rounds, review, and the two answers that make a match."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from background.services import enqueue, enqueue_now
from core.bulk import rows_add
from core.choices import Role
from core.garbage import collector_paused
from core.locks import lock, lock_row
from matching import engine
from matching.models import (
    ApprovalBatch,
    ClosingSurvey,
    CompressedJSONField,
    Match,
    MatchingRound,
    PairExclusion,
    Proposal,
    RoundData,
    UnmatchedMentee,
    open_to,
)
from matching.selectors import (
    REVIEW_PAGE_SIZE,
    fit_filter,
    left_out_counts,
    mentee_choice_pool,
    mentor_records,
    round_facts,
    round_instance,
    unmatched_group_of,
)
from notifications import services as notifications
from notifications.models import Kind
from programmes import duties
from programmes.models import Programme

logger = logging.getLogger(__name__)


def _enqueue_round(matching_round: MatchingRound) -> None:
    from matching.tasks import run_round

    enqueue(run_round, matching_round.pk)


@transaction.atomic
def round_start(*, programme: Programme, by: User | None) -> MatchingRound:
    """Start a round, or return the one already waiting or running: two rounds solved from
    the same pool would propose the same people twice. Locking the programme row makes a
    double click, or a scheduled round meeting a manual one, take turns. The worker reads
    the profiles (round_run), so the click answers at once, whatever the programme's size."""
    lock_row(programme)
    # A round a dead worker left running, or one waiting too long, stops blocking here, even
    # before the sweep comes round.
    now = timezone.now()
    rounds_fail_overdue(now=now, programme=programme)
    in_progress = MatchingRound.objects.filter(
        programme=programme,
        kind=MatchingRound.Kind.ROUND,
        rerun_of__isnull=True,
        status__in=[MatchingRound.Status.QUEUED, MatchingRound.Status.RUNNING],
    ).first()
    if in_progress:
        if in_progress.status == MatchingRound.Status.QUEUED and _waited_too_long(in_progress, now):
            _enqueue_round(in_progress)  # its message was lost: asking again sends it again
        return in_progress
    matching_round = MatchingRound.objects.create(programme=programme, started_by=by)
    _enqueue_round(matching_round)
    return matching_round


SCHEDULE_DAYS = {Programme.Schedule.WEEKLY: 7, Programme.Schedule.MONTHLY: 30}


def rounds_start_scheduled(*, now=None) -> list[MatchingRound]:
    """Start the rounds that programmes' schedules say are due. Safe to run twice: the
    programme row is locked while deciding, and a round started within the period counts."""
    now = now or timezone.now()
    started = []
    for programme_id in Programme.objects.exclude(matching_schedule="").values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            programme = lock(Programme).get(pk=programme_id)
            days = SCHEDULE_DAYS.get(programme.matching_schedule)
            if days is None:
                continue
            recent = MatchingRound.objects.filter(
                programme=programme,
                kind=MatchingRound.Kind.ROUND,
                created_at__gt=now - timedelta(days=days) + timedelta(hours=1),
            )
            if not recent.exists():
                started.append(round_start(programme=programme, by=None))
    return started


@transaction.atomic
def round_rerun(*, matching_round: MatchingRound, by: User) -> MatchingRound:
    """Solve a round again from its stored snapshot: the answer is the same. Its proposals
    are kept for comparison only, so the re-run proposes nobody twice. The worker copies
    the snapshot (round_run), so the click answers at once."""
    rerun = MatchingRound.objects.create(
        programme=matching_round.programme,
        started_by=by,
        rerun_of=matching_round,
    )
    audit_record(
        action=AuditEvent.Action.ROUND_STARTED,
        actor=by,
        obj=rerun,
        programme=rerun.programme,
        new={"rerun_of": matching_round.pk},
    )
    _enqueue_round(rerun)
    return rerun


def _round_failed(round_id: int, error: str) -> None:
    # Only a running round: one the sweep failed already keeps the sweep's message.
    MatchingRound.objects.filter(pk=round_id, status=MatchingRound.Status.RUNNING).update(
        status=MatchingRound.Status.FAILED, error=error, finished_at=timezone.now()
    )


def _round_stage(round_id: int, stage: str, *, done: int | None = None, total: int | None = None):
    """Say where a running round is, for its page (selectors.round_progress). A short update
    of its own, never inside the transactions that read or store the round: the page reads
    it while they are still open."""
    MatchingRound.objects.filter(pk=round_id, status=MatchingRound.Status.RUNNING).update(
        stage=stage, stage_done=done, stage_total=total
    )


class _StageTold:
    """The engine's progress (engine.Progress), written to the round's row: finding pairs,
    with how many mentees are done, at most once a second; then solving."""

    EVERY_SECONDS = 1.0

    def __init__(self, round_id: int) -> None:
        self.round_id = round_id
        self.told_at: float | None = None

    def __call__(self, stage: str, done: int | None, total: int | None) -> None:
        if stage == engine.STAGE_SOLVE:
            _round_stage(self.round_id, MatchingRound.Stage.SOLVING)
            return
        now = time.monotonic()
        if self.told_at is not None and now - self.told_at < self.EVERY_SECONDS:
            return
        self.told_at = now
        _round_stage(self.round_id, MatchingRound.Stage.PAIRING, done=done, total=total)


def round_run(*, round_id: int) -> MatchingRound | None:
    """Read the profiles of a queued round, solve it and store its proposals, saying on the
    round's row which stage it is at as it goes (reading profiles, finding pairs, solving,
    saving proposals). Safe to run twice: only the run that moves the round from queued to
    running does any work."""
    claimed = MatchingRound.objects.filter(pk=round_id, status=MatchingRound.Status.QUEUED).update(
        status=MatchingRound.Status.RUNNING,
        started_at=timezone.now(),
        stage=MatchingRound.Stage.READING,
    )
    if not claimed:
        return None
    matching_round = MatchingRound.objects.select_related("programme").get(pk=round_id)
    began = time.perf_counter()
    try:
        # A national round builds hundreds of thousands of small objects: see collector_paused.
        with collector_paused():
            given = _round_input_store(matching_round)
            if given is None:
                return None
            snapshot, packed = given
            _round_stage(round_id, MatchingRound.Stage.PAIRING)
            result = engine.solve(snapshot, progress=_StageTold(round_id))
            _round_stage(round_id, MatchingRound.Stage.SAVING, total=len(result["pairs"]))
            stored = _round_store(matching_round, snapshot, packed, result, began=began)
    except engine.InstanceError as error:
        _round_failed(round_id, str(error))
        return None
    except Exception:
        # Recorded on the round so it never sits at "Running" for ever (storing the answer
        # can fail too), then raised so the worker logs it in full.
        _round_failed(round_id, "Something went wrong while solving. Start a new round.")
        raise
    if not stored:
        return None
    matching_round.refresh_from_db()
    return matching_round


@transaction.atomic
def _round_input_store(matching_round: MatchingRound) -> tuple[dict, bytes] | None:
    """The round's input, stored with it: as it was given (RoundData made with the round),
    copied from the round it re-runs, or read from the profiles now; with its bytes as
    stored. None if the round is no longer running (the sweep failed it).

    The round row stays locked while the profiles are read and stored. person_scrub locks
    the rounds of the person's programmes before it changes them, so a person deleted, or
    withdrawing consent, at the same moment is either read as they are after it, or
    scrubbed from what is stored here once this commits."""
    current = lock(MatchingRound.objects.only("pk", "status")).get(pk=matching_round.pk)
    if current.status != MatchingRound.Status.RUNNING:
        return None
    packed = RoundData.snapshot_packed(matching_round.pk)
    if packed is not None:
        snapshot = CompressedJSONField.unpack(packed)
    else:
        if matching_round.rerun_of_id is not None:
            packed = RoundData.snapshot_packed(matching_round.rerun_of_id)
            snapshot = {} if packed is None else CompressedJSONField.unpack(packed)
        else:
            snapshot = round_instance(matching_round.programme)
        packed = packed or CompressedJSONField.pack(snapshot)
        RoundData.objects.create(round=matching_round, snapshot=packed)
    counts = {
        "mentors": len(snapshot.get("mentors") or []),
        "mentees": len(snapshot.get("mentees") or []),
        **left_out_counts(snapshot),
    }
    MatchingRound.objects.filter(pk=matching_round.pk).update(
        stats=counts,
        labels=snapshot.get("labels") or {},
        weights=snapshot.get("weights") or {},
    )
    if matching_round.rerun_of_id is None and matching_round.kind == MatchingRound.Kind.ROUND:
        # Written once the profiles are read, so it says how many people the round has.
        audit_record(
            action=AuditEvent.Action.ROUND_STARTED,
            actor=matching_round.started_by,
            obj=matching_round,
            programme=matching_round.programme,
            new=counts,
        )
    return snapshot, packed


@transaction.atomic
def _round_store(
    matching_round: MatchingRound, solved: dict, packed: bytes, result: dict, *, began: float
) -> bool:
    # The row is locked first. Finished only while still running: a round the sweep failed
    # past its deadline keeps its message, and its late answer proposes nobody. And whoever
    # was scrubbed from the snapshot while it was solved (person_scrub) is scrubbed from the
    # answer too, before anything is stored.
    current = lock(MatchingRound.objects.only("pk", "status")).get(pk=matching_round.pk)
    if current.status != MatchingRound.Status.RUNNING:
        return False
    # The same bytes mean nobody was scrubbed: the snapshot is only read again if not.
    now = RoundData.snapshot_packed(matching_round.pk)
    deleted, withdrawn = (
        (set(), set())
        if now == packed
        else _scrubbed_while_solving(solved, CompressedJSONField.unpack(now) if now else {})
    )
    for person_id in deleted | withdrawn:
        _scrub_result(result, person_id, care_experience_only=person_id not in deleted)
    RoundData.objects.filter(round=matching_round).update(result=result)
    MatchingRound.objects.filter(pk=matching_round.pk).update(
        status=MatchingRound.Status.FINISHED,
        stats=(result.get("stats") or {}) | left_out_counts(solved),
        stage="",
        stage_done=None,
        stage_total=None,
        finished_at=timezone.now(),
        duration_ms=round((time.perf_counter() - began) * 1000),
    )
    # A re-run is for checking the answer: its proposals are stored for comparison only
    # when it is not a re-run, so nobody is asked twice. Nobody who left meanwhile is asked.
    # All in one go (COPY on PostgreSQL), and nothing per row after it.
    if matching_round.rerun_of_id is None:
        rows_add(
            Proposal,
            (
                Proposal(
                    round_id=matching_round.pk,
                    mentor_id=int(pair["mentor"]),
                    mentee_id=int(pair["mentee"]),
                    score=pair["score"],
                    reasons=pair["reasons"],
                )
                for pair in result["pairs"]
                if not {pair["mentor"], pair["mentee"]} & deleted
            ),
            batch_size=PROPOSALS_PER_INSERT,
        )
    unmatched_store(matching_round.pk, result.get("unmatched") or [])
    return True


# Proposals written per INSERT where rows_add falls back to bulk_create (not PostgreSQL).
PROPOSALS_PER_INSERT = 2_000


def unmatched_store(round_id: int, entries: list) -> None:
    """The round's unmatched mentees, as its output lists them, one row each with the group
    its page shows them in (UnmatchedMentee): all in one go, like the proposals."""
    rows_add(
        UnmatchedMentee,
        (
            UnmatchedMentee(
                round_id=round_id,
                mentee=str(entry.get("mentee", "")),
                group=unmatched_group_of(entry.get("reasons")),
                reasons=entry.get("reasons") or [],
            )
            for entry in entries
            if isinstance(entry, dict)
        ),
        batch_size=PROPOSALS_PER_INSERT,
    )


def _scrubbed_while_solving(solved: dict, stored: dict) -> tuple[set[str], set[str]]:
    """Ids of people whose account was deleted, and of mentors whose care experience was
    taken out, between reading the snapshot to solve it and storing the answer."""
    now = {
        entry.get("id"): entry
        for side in ("mentors", "mentees")
        for entry in stored.get(side) or []
        if isinstance(entry, dict)
    }
    deleted, withdrawn = set(), set()
    for side in ("mentors", "mentees"):
        for entry in solved.get(side) or []:
            later = now.get(entry.get("id"), {})
            if later.get("name") == DELETED_NAME and entry.get("name") != DELETED_NAME:
                deleted.add(entry["id"])
            elif any(entry.get(field) and not later.get(field) for field in CARE_FIELDS):
                withdrawn.add(entry["id"])
    return deleted, withdrawn


# A waiting round has lost its message after this long (the broker was down, or came back
# empty): the sweep sends it again. Sending it twice is safe: round_run claims it once.
ROUND_RESEND_AFTER = timedelta(minutes=5)
# A round still waiting after a day is given up: the people waiting have changed since.
ROUND_WAIT_GIVE_UP = timedelta(days=1)
ROUND_OVERDUE_ERROR = (
    "It stopped before it finished. It was still running after {minutes} minutes, so the "
    "computer solving it had probably stopped working. Nobody was proposed."
)
ROUND_WAITED_ERROR = (
    "It waited more than a day to start, so it was stopped. The people waiting may have "
    "changed since. Nobody was proposed."
)


def _waited_too_long(matching_round: MatchingRound, now) -> bool:
    return matching_round.created_at < now - ROUND_RESEND_AFTER


def rounds_fail_overdue(*, now=None, programme: Programme | None = None) -> int:
    """Fail rounds still running past the deadline (a worker died, or the round takes too
    long) and rounds waiting more than a day, so they no longer block a new round. Each
    update is conditional on the status, so a round that finishes at the same moment stays
    finished. Returns how many were failed."""
    now = now or timezone.now()
    minutes = settings.MATCHING_ROUND_DEADLINE_MINUTES
    rounds = MatchingRound.objects.all()
    if programme is not None:
        rounds = rounds.filter(programme=programme)
    overdue = rounds.filter(
        status=MatchingRound.Status.RUNNING, started_at__lt=now - timedelta(minutes=minutes)
    ).update(
        status=MatchingRound.Status.FAILED,
        error=ROUND_OVERDUE_ERROR.format(minutes=minutes),
        finished_at=now,
    )
    waited = rounds.filter(
        status=MatchingRound.Status.QUEUED, created_at__lt=now - ROUND_WAIT_GIVE_UP
    ).update(status=MatchingRound.Status.FAILED, error=ROUND_WAITED_ERROR, finished_at=now)
    if overdue or waited:
        logger.warning("Failed %s rounds past their deadline, %s waiting too long", overdue, waited)
    return overdue + waited


def rounds_resend_waiting(*, now=None) -> int:
    """Send again every round waiting long enough that its message must have been lost."""
    from matching.tasks import run_round

    now = now or timezone.now()
    waiting = MatchingRound.objects.filter(
        status=MatchingRound.Status.QUEUED, created_at__lt=now - ROUND_RESEND_AFTER
    ).values_list("pk", flat=True)
    round_ids = list(waiting)
    for round_id in round_ids:
        enqueue_now(run_round, round_id)
    return len(round_ids)


def _check_not_own(proposal: Proposal, by: User, *also) -> None:
    duties.check_not_own(
        by,
        proposal.mentor_id,
        proposal.mentee_id,
        *also,
        message=duties.refusal(duties.PROPOSAL),
    )


def _review(proposal: Proposal, *, by: User, status: str, reason: str = "") -> bool:
    # A proposal of the reviewer's own goes to someone else (programmes.duties).
    _check_not_own(proposal, by)
    # Only a proposal waiting for review can be reviewed, once: double clicks change nothing.
    return bool(
        Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.PROPOSED).update(
            status=status, reviewed_by=by, reviewed_at=timezone.now(), rejection_reason=reason
        )
    )


def _exclude_pair(proposal: Proposal, reason: str) -> None:
    PairExclusion.objects.get_or_create(
        programme=proposal.round.programme,
        mentor_id=proposal.mentor_id,
        mentee_id=proposal.mentee_id,
        defaults={"reason": reason},
    )


@transaction.atomic
def proposal_approve(*, proposal: Proposal, by: User) -> bool:
    if not _review(proposal, by=by, status=Proposal.Status.APPROVED):
        return False
    audit_record(
        action=AuditEvent.Action.PROPOSAL_APPROVED,
        actor=by,
        obj=proposal,
        programme=proposal.round.programme,
    )
    from matching.tasks import ask_for_answers

    enqueue(ask_for_answers, proposal.pk)
    return True


@transaction.atomic
def proposals_approve(*, proposals, by: User) -> int:
    return sum(proposal_approve(proposal=proposal, by=by) for proposal in proposals)


# How many pairs an approval batch approves in one transaction: progress shows after each.
APPROVAL_CHUNK = 25
# A batch not moved on for this long lost its worker or its message: the sweep sends it again.
APPROVAL_RESEND_AFTER = timedelta(minutes=10)


def _enqueue_approvals(batch: ApprovalBatch) -> None:
    from matching.tasks import approve_batch

    enqueue(approve_batch, batch.pk)


@transaction.atomic
def approval_batch_start(
    *,
    matching_round: MatchingRound,
    by: User,
    scope: str,
    proposal_ids: list[int] | None = None,
) -> ApprovalBatch | None:
    """Approve many waiting pairs of a round in the background: those of `proposal_ids` (the
    waiting pairs on one page of the queue, at most a page's worth), or every one with a strong
    fit (selectors.FITS). The pairs are fixed now: waiting for review, and not `by`'s own,
    which someone else reviews (programmes.duties). None when there are none. Asking again
    while the same batch is under way returns that batch: a double click starts nothing twice,
    since the round's row is locked while deciding."""
    if scope not in ApprovalBatch.Scope.values:
        raise ValidationError("Choose which pairs to approve.")
    # The round's row, not its stored input and output: tens of megabytes at national scale.
    lock(MatchingRound.objects.filter(pk=matching_round.pk).only("pk")).get()
    waiting = matching_round.proposals.filter(status=Proposal.Status.PROPOSED).exclude(
        duties.taking_part(by, "mentor", "mentee")
    )
    if scope == ApprovalBatch.Scope.PAGE:
        waiting = waiting.filter(pk__in=list(proposal_ids or [])[:REVIEW_PAGE_SIZE])
    else:
        best = round_facts(matching_round)["best_score"]
        waiting = waiting.filter(fit_filter("strong", best))
    ids = sorted(waiting.values_list("pk", flat=True))
    if not ids:
        return None
    same = matching_round.approval_batches.filter(
        by=by, scope=scope, proposal_ids=ids, finished_at__isnull=True
    ).first()
    if same:
        return same
    batch = ApprovalBatch.objects.create(
        round=matching_round, by=by, scope=scope, proposal_ids=ids, total=len(ids)
    )
    _enqueue_approvals(batch)
    return batch


def approval_batch_run(*, batch_id: int) -> ApprovalBatch | None:
    """Approve a batch's pairs, APPROVAL_CHUNK at a time, each chunk in its own transaction
    with the batch's row locked: so progress shows as it goes, and two runs at once (a task
    sent twice, or by the sweep) take turns and carry on from the same place rather than
    going through anything twice. Each pair goes through proposal_approve, which approves
    only a pair still waiting and refuses one of the approver's own; pairs decided in the
    meantime are counted as checked, not approved. It stops early if the coordinator no
    longer runs the programme. Returns the batch as it ended."""
    while True:
        with transaction.atomic():
            batch = lock(ApprovalBatch.objects.filter(pk=batch_id)).first()
            if batch is None or batch.is_finished:
                return batch
            chunk = batch.proposal_ids[batch.checked : batch.checked + APPROVAL_CHUNK]
            if not chunk or not _still_runs(batch):
                batch.status = ApprovalBatch.Status.FINISHED
                batch.finished_at = timezone.now()
                batch.save(update_fields=["status", "finished_at", "updated_at"])
                return batch
            proposals = (
                Proposal.objects.filter(
                    pk__in=chunk, round_id=batch.round_id, status=Proposal.Status.PROPOSED
                )
                .exclude(duties.taking_part(batch.by, "mentor", "mentee"))
                .select_related("round__programme")
                .order_by("pk")
            )
            approved = sum(proposal_approve(proposal=p, by=batch.by) for p in proposals)
            batch.checked += len(chunk)
            batch.approved += approved
            batch.status = ApprovalBatch.Status.RUNNING
            batch.save(update_fields=["checked", "approved", "status", "updated_at"])


def _still_runs(batch: ApprovalBatch) -> bool:
    # Someone who stopped running the programme since asking approves nothing more.
    return (
        batch.by_id is not None
        and Programme.objects.coordinated_by(batch.by)
        .filter(matching_rounds=batch.round_id)
        .exists()
    )


def approval_batches_resend(*, now=None) -> int:
    """Send again every batch left unfinished and untouched for a while."""
    now = now or timezone.now()
    stuck = list(
        ApprovalBatch.objects.filter(
            finished_at__isnull=True, updated_at__lt=now - APPROVAL_RESEND_AFTER
        ).values_list("pk", flat=True)
    )
    from matching.tasks import approve_batch

    for batch_id in stuck:
        enqueue_now(approve_batch, batch_id)
    return len(stuck)


@transaction.atomic
def proposal_answers_ask(*, proposal_id: int) -> int:
    """Ask the mentor and the mentee of an approved proposal for their answer, at most
    once: the first run marks the proposal as asked, and a second run finds it marked.
    Only people who have not answered are asked (a mentee who chose a mentor has), and only
    while their account is open. Returns how many were asked."""
    # The mark and the notifications commit together: if either fails, neither is kept.
    claimed = Proposal.objects.filter(
        pk=proposal_id, status=Proposal.Status.APPROVED, asked_at__isnull=True
    ).update(asked_at=timezone.now())
    if not claimed:
        return 0
    proposal = Proposal.objects.select_related("mentor", "mentee", "round__programme").get(
        pk=proposal_id
    )
    programme = proposal.round.programme.name
    # A practitioner's own choice is their request, not a coordinator's suggestion.
    chosen = proposal.round.kind == MatchingRound.Kind.MENTEE_CHOICE
    asked = 0
    for person, other, answer in (
        (proposal.mentor, proposal.mentee, proposal.mentor_answer),
        (proposal.mentee, proposal.mentor, proposal.mentee_answer),
    ):
        if answer != Proposal.Answer.WAITING or not person.is_active:
            continue
        if chosen:
            opening = (
                f"{other.display_name} asked for you as their mentor in {programme}. They "
                "chose you from the mentors suggested to them. Nothing starts unless you say "
                "yes."
            )
        else:
            opening = (
                f"Your coordinator in {programme} thinks you and {other.display_name} could "
                "work well together. Nothing starts unless you both say yes."
            )
        notifications.notify(
            person=person,
            kind=Kind.PROPOSAL,
            # The reminder two days later is its own event, "proposal:<id>" (reminders.py).
            event_key=f"proposal:{proposal.pk}:asked",
            title=f"A possible match in {programme}: please answer",
            body=(
                f"{opening}\n\n"
                f"If you say no, you do not need to give a reason, and {other.display_name} "
                "will not be told why."
            ),
            url=reverse("matching:proposal_answer", args=[proposal.pk]),
        )
        asked += 1
    return asked


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by: User, reason: str = "") -> bool:
    if not _review(proposal, by=by, status=Proposal.Status.REJECTED, reason=reason):
        return False
    _exclude_pair(proposal, "rejected")
    audit_record(
        action=AuditEvent.Action.PROPOSAL_REJECTED,
        actor=by,
        obj=proposal,
        programme=proposal.round.programme,
        new={"reason": reason},
    )
    return True


def _ranked(data: dict, mentee_id: str, limit: int | None) -> list[dict]:
    """The engine's ranking of mentors for one mentee of `data`, with the mentors' names."""
    names = {m["id"]: m.get("name", m["id"]) for m in data["mentors"]}
    return [
        {
            "mentor_id": int(candidate["mentor"]),
            "name": names[candidate["mentor"]],
            "score": candidate["score"],
            "reasons": candidate["reasons"],
        }
        for candidate in engine.rank_for(engine.parse_instance(data), mentee_id, limit=limit)
    ]


def swap_candidates(*, proposal: Proposal, limit: int = 5) -> list[dict]:
    """The next best mentors for this proposal's mentee, among mentors with room now: ranked
    from today's profiles as the mentee-choice suggestions are, with the round's weights, and
    never the proposal's own mentor or a pair excluded before. The round's stored input is
    not read: at national scale it is tens of megabytes."""
    return _suggestions(proposal.round.programme, proposal.mentee, limit, replacing=proposal)[1]


@transaction.atomic
def proposal_swap(*, proposal: Proposal, mentor_id: int, by: User) -> Proposal:
    # Nor may a coordinator swap themself in as the mentor.
    _check_not_own(proposal, by, mentor_id)
    choice = next(
        (c for c in swap_candidates(proposal=proposal) if c["mentor_id"] == mentor_id), None
    )
    if choice is None:
        raise ValidationError(
            "That mentor is not one of the suggestions. Choose one from the list."
        )
    if not _review(
        proposal, by=by, status=Proposal.Status.REJECTED, reason="Swapped for another mentor"
    ):
        raise ValidationError("This proposal has already been reviewed.")
    replacement = Proposal.objects.create(
        round=proposal.round,
        mentor_id=mentor_id,
        mentee_id=proposal.mentee_id,
        score=choice["score"],
        reasons=choice["reasons"],
    )
    audit_record(
        action=AuditEvent.Action.PROPOSAL_SWAPPED,
        actor=by,
        obj=replacement,
        programme=proposal.round.programme,
        old={"mentor": proposal.mentor_id},
        new={"mentor": mentor_id},
    )
    return replacement


@transaction.atomic
def proposal_answer(
    *, proposal: Proposal, person: User, accept: bool, reason: str = ""
) -> Proposal:
    """One person's yes or no. Both yeses make a match; one no ends the proposal for ever.
    The row lock makes two answers arriving together take turns, so the second sees the
    first and exactly one match is made."""
    proposal = lock(Proposal.objects.select_related("round__programme")).get(pk=proposal.pk)
    if person.pk == proposal.mentor_id:
        side = "mentor_answer"
    elif person.pk == proposal.mentee_id:
        side = "mentee_answer"
    else:
        raise PermissionDenied("Not your proposal")
    if not _proposal_open_to(proposal, person):
        raise PermissionDenied("Your role in this programme has ended.")
    if proposal.status != Proposal.Status.APPROVED or getattr(proposal, side) != "waiting":
        return proposal
    programme = proposal.round.programme
    setattr(proposal, side, Proposal.Answer.ACCEPTED if accept else Proposal.Answer.DECLINED)
    if not accept:
        proposal.status = Proposal.Status.DECLINED
        proposal.decline_reason = reason
        _exclude_pair(proposal, "declined")
        audit_record(
            action=AuditEvent.Action.PROPOSAL_DECLINED,
            actor=person,
            obj=proposal,
            programme=programme,
        )
    else:
        audit_record(
            action=AuditEvent.Action.PROPOSAL_ACCEPTED,
            actor=person,
            obj=proposal,
            programme=programme,
        )
        if proposal.mentor_answer == proposal.mentee_answer == Proposal.Answer.ACCEPTED:
            proposal.status = Proposal.Status.ACCEPTED
    proposal.save(update_fields=["mentor_answer", "mentee_answer", "status", "decline_reason"])
    if proposal.status == Proposal.Status.ACCEPTED:
        try:
            with transaction.atomic():
                match = Match.objects.create(
                    programme=programme,
                    proposal=proposal,
                    mentor_id=proposal.mentor_id,
                    mentee_id=proposal.mentee_id,
                )
        except IntegrityError:
            match = None  # already made: the constraint kept it to one
        if match is not None:
            audit_record(
                action=AuditEvent.Action.MATCH_CREATED, actor=person, obj=match, programme=programme
            )
    return proposal


def _proposal_open_to(proposal: Proposal, person: User) -> bool:
    """The rule of open_to, for a proposal: its mentor or mentee while they hold that role
    in the proposal's programme."""
    return (
        Proposal.objects.filter(pk=proposal.pk)
        .filter(open_to(person, programme="round__programme"))
        .exists()
    )


# Mentee-choice mode: a practitioner sees their best few suggestions and asks one mentor.


SUGGESTIONS = 5


def mentee_suggestions(
    *, programme: Programme, mentee: User, limit: int = SUGGESTIONS
) -> list[dict]:
    """The mentee's best few mentors with room now, with scores and reasons: the mentors a
    round started now would rank first for them."""
    return _suggestions(programme, mentee, limit)[1]


def _suggestions(
    programme: Programme,
    mentee: User,
    limit: int | None,
    *,
    labels: bool = False,
    replacing: Proposal | None = None,
) -> tuple[dict | None, list[dict]]:
    """(the engine's input the suggestions were ranked from, the suggestions). Mentors are
    read and ranked a group at a time, those offering most of the mentee's goals first; once
    the last suggestion scores more than anyone in the next group could
    (engine.best_possible), the other groups cannot change the answer and are never read."""
    pool = mentee_choice_pool(programme, mentee, labels=labels, replacing=replacing)
    if pool is None:
        return None, []
    data, mentee_id = pool["input"], str(mentee.pk)
    alone = engine.parse_instance(data)
    ranked: list[dict] = []
    for goals_offered, group in pool["groups"]:
        if (
            limit is not None
            and len(ranked) >= limit
            and ranked[limit - 1]["score"]
            > engine.best_possible(alone, mentee_id, goals_offered=goals_offered)
        ):
            break
        mentors = mentor_records(group, pool["loads"])
        data = {**data, "mentors": data["mentors"] + mentors}
        ranked = sorted(
            # A group's own best `limit` are all it can add to the best `limit` overall.
            ranked + _ranked({**pool["input"], "mentors": mentors}, mentee_id, limit),
            # The engine's order: best score, then the smaller mentor id (a text).
            key=lambda candidate: (-candidate["score"], str(candidate["mentor_id"])),
        )[:limit]
    return data, ranked


def _round_of_one(*, programme: Programme, by: User, kind: str, data: dict) -> MatchingRound:
    """A finished round holding one pair: the input it was ranked from is kept, as a
    round's is, so its reasons can be read and exported the same way."""
    matching_round = MatchingRound.objects.create(
        programme=programme,
        started_by=by,
        kind=kind,
        stats={"mentors": len(data["mentors"]), "mentees": len(data["mentees"])},
        labels=data.get("labels") or {},
        weights=data.get("weights") or {},
        status=MatchingRound.Status.FINISHED,
        finished_at=timezone.now(),
    )
    RoundData.objects.create(round=matching_round, snapshot=data)
    return matching_round


@transaction.atomic
def pair_propose(*, programme: Programme, mentee: User, mentor_id: int, by: User) -> Proposal:
    """A coordinator proposes one pair outside a round. The engine scores and explains it
    as a round would, among the mentors with room who could meet the mentee, and the pair
    waits for review like any other: approving it asks both people. Refused when the engine
    would never suggest that mentor for the mentee now."""
    duties.check_not_own(by, mentor_id, mentee.pk, message=duties.refusal(duties.PROPOSAL))
    data, suggestions = _suggestions(programme, mentee, None, labels=True)
    choice = next((c for c in suggestions if c["mentor_id"] == mentor_id), None)
    if data is None or choice is None:
        raise ValidationError(
            "This mentor cannot be suggested for this mentee now. Start a round to find who can."
        )
    matching_round = _round_of_one(
        programme=programme, by=by, kind=MatchingRound.Kind.ROUND, data=data
    )
    return Proposal.objects.create(
        round=matching_round,
        mentor_id=mentor_id,
        mentee=mentee,
        score=choice["score"],
        reasons=choice["reasons"],
    )


@transaction.atomic
def mentee_request(*, programme: Programme, mentee: User, mentor_id: int) -> Proposal:
    """A mentee asks one mentor. The request holds one of the mentor's places until they
    answer. Locking the mentor's profile row makes requests for the same mentor take
    turns, so a mentor with one place left is never asked twice at once."""
    from accounts.models import MentorProfile

    if programme.matching_mode != Programme.MatchingMode.MENTEE_CHOICE:
        raise ValidationError("In this programme, your coordinator suggests matches.")
    profile = lock(MentorProfile).filter(user_id=mentor_id).first()
    # Read after the lock, so the mentor's places are counted as they are now. The input the
    # suggestions were ranked from is kept as the request's round.
    data, suggestions = _suggestions(programme, mentee, SUGGESTIONS, labels=True)
    choice = next((c for c in suggestions if c["mentor_id"] == mentor_id), None)
    if profile is None or choice is None:
        raise ValidationError(
            "This mentor is no longer free to take a new mentee. Choose another suggestion."
        )
    request_round = _round_of_one(
        programme=programme, by=mentee, kind=MatchingRound.Kind.MENTEE_CHOICE, data=data
    )
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                round=request_round,
                mentor_id=mentor_id,
                mentee=mentee,
                score=choice["score"],
                reasons=choice["reasons"],
                status=Proposal.Status.APPROVED,
                mentee_answer=Proposal.Answer.ACCEPTED,
                reviewed_at=timezone.now(),
            )
    except IntegrityError as error:
        raise ValidationError("You have already asked a mentor. Wait for their answer.") from error
    audit_record(
        action=AuditEvent.Action.PROPOSAL_ACCEPTED,
        actor=mentee,
        obj=proposal,
        programme=programme,
        new={"asked_mentor": mentor_id},
    )
    from matching.tasks import ask_for_answers

    enqueue(ask_for_answers, proposal.pk)
    return proposal


# The match lifecycle: pause, restart, end. Views decide who may open a page; these
# services check again, so no other caller can skip the rule.


def _coordinates(user: User, match: Match) -> bool:
    """Whether `user` may act on the match as one who runs its programme: never on a match
    they are part of themselves (programmes.duties); there they act as its mentor or mentee."""
    return not duties.takes_part(user, match.mentor_id, match.mentee_id) and (
        Programme.objects.coordinated_by(user).filter(pk=match.programme_id).exists()
    )


def _may_pause(user: User, match: Match) -> bool:
    # The mentor or the programme's coordinator; the mentee asks them, or ends the match.
    if user.pk == match.mentor_id:
        return match.is_open_to(user)
    return _coordinates(user, match)


def _may_close(user: User, match: Match) -> bool:
    if match.role_of(user) is not None:
        return match.is_open_to(user)
    return _coordinates(user, match)


@transaction.atomic
def match_pause(*, match: Match, by: User, reason: str = "") -> bool:
    """Pause an active match. The conditional update means a double click, or the mentor
    and the coordinator pausing at once, pauses it once and writes one audit row."""
    if not _may_pause(by, match):
        raise PermissionDenied("Only the mentor or a coordinator can pause a match")
    if reason and not _coordinates(by, match):
        # The reason is for coordinators only: one is given by a coordinator, not the mentor.
        raise PermissionDenied(duties.refusal(duties.MATCH))
    paused = Match.objects.filter(pk=match.pk, status=Match.Status.ACTIVE).update(
        status=Match.Status.PAUSED, paused_at=timezone.now(), pause_reason=reason
    )
    if not paused:
        return False
    # The reason stays on the match for coordinators; the audit row only says one was given.
    audit_record(
        action=AuditEvent.Action.MATCH_PAUSED,
        actor=by,
        obj=match,
        programme=match.programme,
        old={"status": Match.Status.ACTIVE},
        new={"status": Match.Status.PAUSED, "reason_given": bool(reason)},
    )
    notifications.notify_match_paused(match=match, by=by)
    return True


@transaction.atomic
def match_resume(*, match: Match, by: User) -> bool:
    """Restart a paused match; only a paused one, once."""
    if not _may_pause(by, match):
        raise PermissionDenied("Only the mentor or a coordinator can restart a match")
    resumed = Match.objects.filter(pk=match.pk, status=Match.Status.PAUSED).update(
        status=Match.Status.ACTIVE, paused_at=None, pause_reason=""
    )
    if not resumed:
        return False
    audit_record(
        action=AuditEvent.Action.MATCH_RESUMED,
        actor=by,
        obj=match,
        programme=match.programme,
        old={"status": Match.Status.PAUSED},
        new={"status": Match.Status.ACTIVE},
    )
    notifications.notify_match_paused(match=match, by=by, restarted=True)
    return True


def closing_survey_give(
    *, match: Match, person: User, rating: int, recommend: str, reason: str, comments: str = ""
) -> bool:
    """One person's closing survey, once: a second answer changes nothing (the unique
    constraint holds even when two arrive together)."""
    if not _may_close(person, match):
        raise PermissionDenied("Not your match")
    if not Match.objects.filter(pk=match.pk, status=Match.Status.CLOSED).exists():
        raise ValidationError("This match has not ended.")
    try:
        with transaction.atomic():
            _, created = ClosingSurvey.objects.get_or_create(
                match=match,
                person=person,
                defaults={
                    "rating": rating,
                    "recommend": recommend,
                    "reason": reason,
                    "comments": comments,
                },
            )
    except IntegrityError:
        return False
    return created


LEFT = {"role_ended", "account_deleted"}


def _check_left(match: Match, by: User, leaving: User, why: str) -> None:
    """A match ended because `leaving` left: they are its mentor or mentee and no longer
    hold that role in its programme; `by` is them or one who runs the programme."""
    if why not in LEFT:
        raise ValueError(f"Unknown reason for leaving: {why}")
    if match.role_of(leaving) is None or match.is_open_to(leaving):
        raise PermissionDenied("They still hold their role in this programme.")
    if by.pk != leaving.pk and not (
        Programme.objects.coordinated_by(by).filter(pk=match.programme_id).exists()
    ):
        raise PermissionDenied("Not your programme")


@transaction.atomic
def match_close(
    *,
    match: Match,
    by: User,
    rating: int | None = None,
    recommend: str = "",
    reason: str = "",
    comments: str = "",
    leaving: User | None = None,
    why: str = "",
) -> bool:
    """End a match with the closer's survey. The pair is excluded so it is never proposed
    again; the mentee has no live match any more, so the next round considers them again.
    The conditional update makes a second close (or two at once) change nothing.

    A match also ends because one of its people left (`leaving`, with `why`: their role in
    the programme ended, or they deleted their account): then nobody gives a survey, and
    only the other person is told. See matching_leave."""
    if leaving is not None:
        _check_left(match, by, leaving, why)
    elif not _may_close(by, match):
        raise PermissionDenied("Not your match")
    elif rating is None:
        raise ValidationError("Say how it went: the closing survey comes with ending a match.")
    # The row is locked before the end time is read: a message or plan being written to the
    # match at this moment holds it, and the end time must come after what it wrote.
    lock_row(match)
    closed = Match.objects.filter(pk=match.pk, status__in=Match.LIVE).update(
        status=Match.Status.CLOSED, ended_at=timezone.now(), paused_at=None
    )
    if not closed:
        return False
    match.refresh_from_db()
    PairExclusion.objects.get_or_create(
        programme_id=match.programme_id,
        mentor_id=match.mentor_id,
        mentee_id=match.mentee_id,
        defaults={"reason": "closed"},
    )
    audit_record(
        action=AuditEvent.Action.MATCH_CLOSED,
        actor=by,
        obj=match,
        programme=match.programme,
        new={"status": Match.Status.CLOSED, "reason": why if leaving else reason},
    )
    notifications.notify_match_ended(match=match, by=by, leaving=leaving)
    if leaving is not None:
        return True
    closing_survey_give(
        match=match,
        person=by,
        rating=rating,
        recommend=recommend,
        reason=reason,
        comments=comments,
    )
    return True


# Erasure: rounds keep their snapshot, result and reasons for review, re-runs and export,
# so a person who leaves, or withdraws consent to share care experience, is taken out here.

DELETED_NAME = "Deleted person"
# Care experience in a round's snapshot: the mentor's lived experience and the councils that
# looked after them.
CARE_FIELDS = ("experience", "looked_after_by")


def _scrub_snapshot(snapshot: dict, person_id: str, *, care_experience_only: bool) -> bool:
    changed = False
    for side in ("mentors", "mentees"):
        for entry in snapshot.get(side) or []:
            if not isinstance(entry, dict) or entry.get("id") != person_id:
                continue
            for field in CARE_FIELDS:
                if entry.get(field):
                    entry[field] = []
                    changed = True
            if not care_experience_only and entry.get("name", person_id) != DELETED_NAME:
                entry["name"] = DELETED_NAME
                changed = True
    return changed


def _scrub_reasons(reasons: list, *, care_experience_only: bool) -> list:
    """A mentor's reasons without their care experience. Reasons stored as sentences by
    older versions name the mentor in most of them, so a deleted mentor keeps none, and
    consent withdrawn drops the one sentence about their experience."""
    kept = []
    for reason in reasons:
        if isinstance(reason, str):
            if care_experience_only and "lived experience" not in reason:
                kept.append(reason)
        elif not (isinstance(reason, dict) and reason.get("code") == "experience"):
            kept.append(reason)
    return kept


def _scrub_result(result: dict, person_id: str, *, care_experience_only: bool) -> bool:
    changed = False
    for pair in result.get("pairs") or []:
        if pair.get("mentor") != person_id:
            continue
        kept = _scrub_reasons(pair.get("reasons", []), care_experience_only=care_experience_only)
        if kept != pair.get("reasons", []):
            pair["reasons"] = kept
            changed = True
    return changed


@transaction.atomic
def person_scrub(*, user: User, care_experience_only: bool = False) -> int:
    """Take a person out of every stored round of every programme: in the snapshots their
    name becomes "Deleted person" and their care experience goes; in results and proposals
    the reasons about their experience go (reasons hold ids, never names). With
    `care_experience_only` (consent withdrawn) only the care experience goes. Returns how
    many rounds changed.

    Rounds are locked while they change, so two people deleted at once never write back
    each other's old copy of the same snapshot. A round still being solved keeps what it
    read; the answer it stores leaves out what was scrubbed meanwhile (_round_store). A
    scrubbed round re-run may differ from its first answer (docs/matching.md)."""
    from programmes.models import Membership

    person_id = str(user.pk)
    # Only programmes the person has been in can have them in a round.
    programmes = set(Membership.objects.filter(person=user).values_list("programme_id", flat=True))
    programmes |= set(
        Proposal.objects.filter(Q(mentor=user) | Q(mentee=user)).values_list(
            "round__programme_id", flat=True
        )
    )
    changed = 0
    rounds = lock(
        MatchingRound.objects.filter(programme_id__in=programmes).only("pk").order_by("pk")
    )
    # Each round's data is read once its row is locked, one round at a time: a national
    # round's snapshot is tens of megabytes.
    for round_id in [matching_round.pk for matching_round in rounds]:
        data = RoundData.objects.filter(round_id=round_id).first()
        if data is None:
            continue  # not read yet: it reads the profiles as they are after this
        fields = []
        if _scrub_snapshot(data.snapshot, person_id, care_experience_only=care_experience_only):
            fields.append("snapshot")
        if data.result and _scrub_result(
            data.result, person_id, care_experience_only=care_experience_only
        ):
            fields.append("result")
        if fields:
            data.save(update_fields=fields)
            changed += 1
    for proposal in lock(Proposal.objects.filter(mentor=user).only("pk", "reasons")):
        kept = _scrub_reasons(proposal.reasons, care_experience_only=care_experience_only)
        if kept != proposal.reasons:
            proposal.reasons = kept
            proposal.save(update_fields=["reasons"])
    return changed


# Someone leaves: their role in a programme ended, or they deleted their account.


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, by: User, leaving: User) -> bool:
    """Withdraw a proposal still in play because `leaving`, its mentor or mentee, no longer
    holds that role in the programme. It shows as declined, with the reason for coordinators
    only. The pair is not excluded: nobody said no. Once only, whatever the clicks."""
    if leaving.pk == proposal.mentor_id:
        role = Role.MENTOR
    elif leaving.pk == proposal.mentee_id:
        role = Role.MENTEE
    else:
        raise PermissionDenied("Not their proposal")
    if _proposal_open_to(proposal, leaving):
        raise PermissionDenied("They still hold their role in this programme.")
    label = Role(role).label
    reason = f"The {label[0].lower()}{label[1:]} no longer has this role."
    withdrawn = (
        Proposal.objects.open()
        .filter(pk=proposal.pk)
        .update(status=Proposal.Status.DECLINED, decline_reason=reason)
    )
    if not withdrawn:
        return False
    proposal.refresh_from_db()
    audit_record(
        action=AuditEvent.Action.PROPOSAL_WITHDRAWN,
        actor=by,
        obj=proposal,
        programme=proposal.round.programme,
        new={"status": Proposal.Status.DECLINED, "left": role},
    )
    return True


@transaction.atomic
def matching_leave(
    *, person: User, by: User, why: str, programme: Programme | None = None, role: str = ""
) -> None:
    """`person` no longer holds a role: in one programme (`programme` and `role`: their role
    there ended) or anywhere (they deleted their account). Their live matches in it end
    through match_close (the pair excluded, an audit row, the other person told) and their
    open proposals are withdrawn. Call it once the role has ended (programmes.signals.role_ended
    calls it through matching/receivers.py)."""
    sides = [role] if role else [Role.MENTOR, Role.MENTEE]
    theirs = Q(pk__in=[])
    for side in sides:
        theirs |= Q(**{side: person})
    matches = Match.objects.live().filter(theirs)
    proposals = Proposal.objects.open().filter(theirs)
    if programme is not None:
        matches = matches.filter(programme=programme)
        proposals = proposals.filter(round__programme=programme)
    for match in matches.select_related("programme", "mentor", "mentee").order_by("pk"):
        match_close(match=match, by=by, leaving=person, why=why)
    for proposal in proposals.select_related("round__programme").order_by("pk"):
        proposal_withdraw(proposal=proposal, by=by, leaving=person)
