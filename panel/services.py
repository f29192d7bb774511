"""The only code that changes the panel: who sits on it, proposals, votes, decisions and
"You said, we did" entries. Each service runs in one transaction, writes its audit row and
tells people through notify()."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from background.services import enqueue
from core.choices import Role
from core.locks import lock_row
from mentoring.models import ProgrammeQuestion
from mentoring.questions import programme_question_add, programme_question_retire
from notifications.models import Kind
from notifications.services import notify
from panel.models import Entry, Proposal, Vote
from programmes import duties
from programmes.access import panel_of, panel_programmes
from programmes.models import Membership, Programme
from programmes.services import check_coordinates, membership_add

# The sentence a coordinator reads on their own proposal (programmes.duties).
OWN_PROPOSAL = ("You made this proposal", "decides it")


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(80)


def can_join_panel(programme: Programme, person: User) -> bool:
    """An expert by experience of this programme: someone who is or was its mentor."""
    return Membership.objects.filter(programme=programme, person=person, role=Role.MENTOR).exists()


def panel_members(programme: Programme):
    """Who sits on the panel now (programmes.access.panel_of) and can be told, by name."""
    return panel_of(programme).filter(is_active=True).order_by("display_name", "pk")


def check_on_panel(person: User, programme: Programme) -> None:
    if not panel_programmes(person).filter(pk=programme.pk).exists():
        raise PermissionDenied("Not on this programme's panel")


@transaction.atomic
def panel_member_add(*, programme: Programme, person: User, by: User) -> Membership:
    """A coordinator asks an expert by experience of the programme to sit on its panel.
    The person is told. Ending the role goes through programmes.services.membership_end."""
    check_coordinates(by, programme)
    if not can_join_panel(programme, person):
        raise ValidationError(
            "Only an expert by experience (mentor) of this programme, now or before, can "
            "sit on its panel.",
            code="not_a_mentor",
        )
    already = (
        Membership.objects.current()
        .filter(programme=programme, person=person, role=Role.PANEL)
        .exists()
    )
    membership = membership_add(programme=programme, person=person, role=Role.PANEL, by=by)
    if not already:
        notify(
            person=person,
            kind=Kind.PANEL_ROLE,
            event_key=f"panel-role:{membership.pk}:added",
            title=f"You now sit on the panel of {programme.name}",
            body=(
                "You can propose changes to how the programme runs, vote on them and publish "
                "'You said, we did'. Open the panel's page to start."
            ),
            url=reverse("panel:panel_home", args=[programme.slug]),
        )
    return membership


def panel_role_ended(*, membership: Membership) -> None:
    """Tell a person their seat on the panel ended (programmes.signals.role_ended)."""
    notify(
        person=membership.person,
        kind=Kind.PANEL_ROLE,
        event_key=f"panel-role:{membership.pk}:ended",
        title=f"You no longer sit on the panel of {membership.programme.name}",
        body=(
            "A coordinator ended your place on the panel. Thank you for the time you gave. "
            "Ask them if you want to know more."
        ),
        url=reverse("portal:dashboard"),
    )


def _check_proposal_fields(*, programme, about, question_text, asks_in, who, question):
    if about not in Proposal.About.values:
        raise ValidationError({"about": "Choose what your proposal is about."})
    if about == Proposal.About.QUESTION_NEW:
        errors = {}
        if asks_in not in ProgrammeQuestion.AsksIn.values:
            errors["asks_in"] = "Choose where the question is asked."
        if who not in ProgrammeQuestion.Who.values:
            errors["who"] = "Choose who is asked."
        if not " ".join((question_text or "").split()):
            errors["question_text"] = "Write the statement people will rate."
        if errors:
            raise ValidationError(errors)
    if about == Proposal.About.QUESTION_STOP and (
        question is None or question.programme_id != programme.pk or question.retired_at is not None
    ):
        raise ValidationError({"question": "Choose a question the programme asks now."})


@transaction.atomic
def proposal_make(
    *,
    programme: Programme,
    by: User,
    about: str,
    change: str,
    why: str,
    question_text: str = "",
    asks_in: str = "",
    who: str = "",
    question: ProgrammeQuestion | None = None,
) -> Proposal:
    """A panel member proposes a change. The programme's coordinators are told."""
    check_on_panel(by, programme)
    _check_proposal_fields(
        programme=programme,
        about=about,
        question_text=question_text,
        asks_in=asks_in,
        who=who,
        question=question,
    )
    new_question = about == Proposal.About.QUESTION_NEW
    proposal = Proposal.objects.create(
        programme=programme,
        proposed_by=by,
        about=about,
        change=change.strip(),
        why=why.strip(),
        question_text=" ".join(question_text.split()) if new_question else "",
        asks_in=asks_in if new_question else "",
        who=who if new_question else "",
        question=question if about == Proposal.About.QUESTION_STOP else None,
    )
    audit_record(
        action=AuditEvent.Action.PANEL_PROPOSED,
        actor=by,
        obj=proposal,
        programme=programme,
        new={"about": about},
    )
    for person in duties.told_of(programme, by):
        notify(
            person=person,
            kind=Kind.PANEL_PROPOSAL,
            event_key=f"panel-proposal:{proposal.pk}",
            title=f"The panel of {programme.name} proposed a change",
            body=(
                f"{by.display_name} proposed: {_short(proposal.change)}. The panel is voting "
                "on it. Accept it or explain why not."
            ),
            url=reverse("panel:coordinator_proposal", args=[programme.slug, proposal.pk]),
        )
    return proposal


@transaction.atomic
def vote_cast(*, proposal: Proposal, by: User, in_favour: bool) -> Vote:
    """A panel member votes for or against an open proposal; a second vote changes the
    first. One row each (panel_one_vote_each): two sends at once both try to insert, and
    the loser updates the winner's row instead of adding a second vote."""
    check_on_panel(by, proposal.programme)
    if not Proposal.objects.open().filter(pk=proposal.pk).exists():
        raise ValidationError("This proposal is decided, so votes can no longer change.")
    try:
        with transaction.atomic():
            vote, created = Vote.objects.get_or_create(
                proposal=proposal, person=by, defaults={"in_favour": in_favour}
            )
    except IntegrityError:
        vote, created = Vote.objects.get(proposal=proposal, person=by), False
    if not created and vote.in_favour != in_favour:
        Vote.objects.filter(pk=vote.pk).update(in_favour=in_favour, voted_at=timezone.now())
        vote.in_favour = in_favour
    return vote


@transaction.atomic
def proposal_decide(
    *,
    proposal: Proposal,
    by: User,
    accept: bool,
    decision: str,
    question_text: str | None = None,
) -> bool:
    """A coordinator accepts a proposal (saying what was done) or declines it (saying why).
    Accepting a new question adds it to the programme's forms; accepting "stop asking"
    retires it (`question_text`: the coordinator's better words for a new question, if
    any). Never the proposer's own. Once only: the row is locked, and a second
    decision (a second click, or another coordinator at the same moment) returns False.
    A refused question raises ValidationError({"question_text": ...}) and nothing is kept."""
    programme = proposal.programme
    check_coordinates(by, programme)
    duties.check_not_own(by, proposal.proposed_by, message=duties.refusal(OWN_PROPOSAL))
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError(
            {
                "decision": "Say what was done."
                if accept
                else "Explain why the proposal is declined. The panel will read it."
            }
        )
    # Two coordinators deciding at once: the lock makes the second wait, then see it decided.
    given, proposal = proposal, lock_row(proposal)
    if not proposal.is_open:
        given.refresh_from_db()
        return False
    if accept and proposal.about == Proposal.About.QUESTION_NEW:
        try:
            proposal.question = programme_question_add(
                programme=programme,
                asks_in=proposal.asks_in,
                who=proposal.who,
                text=question_text or proposal.question_text,
                by=by,
            )
        except ValidationError as error:
            raise ValidationError({"question_text": error.messages}) from None
    if accept and proposal.about == Proposal.About.QUESTION_STOP and proposal.question:
        programme_question_retire(question=proposal.question, by=by)
    proposal.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.DECLINED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision = decision
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision", "question"])
    audit_record(
        action=AuditEvent.Action.PANEL_DECIDED,
        actor=by,
        obj=proposal,
        programme=programme,
        old={"status": Proposal.Status.OPEN},
        new={"status": proposal.status},
    )
    word = "accepted" if accept else "declined"
    for person in panel_members(programme):
        notify(
            person=person,
            kind=Kind.PANEL_DECISION,
            event_key=f"panel-proposal:{proposal.pk}:decided",
            title=f"A panel proposal was {word}",
            body=f"{_short(proposal.change)}: {word}. {decision}",
            url=reverse("panel:proposal_detail", args=[programme.slug, proposal.pk]),
        )
    # The proposer is told even when they have left the panel since.
    if proposal.proposed_by and proposal.proposed_by.is_active:
        notify(
            person=proposal.proposed_by,
            kind=Kind.PANEL_DECISION,
            event_key=f"panel-proposal:{proposal.pk}:decided",
            title=f"Your proposal was {word}",
            body=f"{_short(proposal.change)}: {word}. {decision}",
            url=reverse("panel:proposal_detail", args=[programme.slug, proposal.pk]),
        )
    given.refresh_from_db()
    return True


def entry_readers(programme: Programme):
    """Who reads "You said, we did": every current member of the programme (mentors,
    mentees, panel, coordinators) and its organisation's administrators."""
    members = Membership.objects.current().filter(programme=programme).values("person_id")
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=members) | Q(administrator_of__organisation_id=programme.organisation_id))
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def entry_publish(
    *, programme: Programme, by: User, said: str, did: str, proposal: Proposal | None = None
) -> Entry:
    """A panel member publishes a "You said, we did" entry. Every member is told by a
    background task once it is saved (entry_readers_tell): a programme can have thousands."""
    from panel.tasks import tell_entry_readers

    check_on_panel(by, programme)
    said, did = (said or "").strip(), (did or "").strip()
    errors = {}
    if not said:
        errors["said"] = "Write what people said."
    if not did:
        errors["did"] = "Write what was done."
    if proposal is not None and (proposal.programme_id != programme.pk or proposal.is_open):
        errors["proposal"] = "Choose a decided proposal of this programme, or none."
    if errors:
        raise ValidationError(errors)
    entry = Entry.objects.create(
        programme=programme, said=said, did=did, proposal=proposal, published_by=by
    )
    audit_record(action=AuditEvent.Action.PANEL_PUBLISHED, actor=by, obj=entry, programme=programme)
    enqueue(tell_entry_readers, entry.pk)
    return entry


def entry_readers_tell(*, entry_id: int) -> int:
    """Tell every reader of the programme, but the person who published it, of a new entry.
    Each notification is its own transaction, and notify() makes one per person and entry,
    so a second run, or a run after a worker died halfway, tells only those not yet told.
    Returns how many were told now."""
    entry = Entry.objects.select_related("programme").filter(pk=entry_id).first()
    if entry is None:
        return 0  # gone since: nothing to tell
    programme = entry.programme
    told = 0
    for person in entry_readers(programme).exclude(pk=entry.published_by_id).iterator():
        _, new = notify(
            person=person,
            kind=Kind.YOU_SAID_WE_DID,
            event_key=f"you-said-we-did:{entry.pk}",
            title=f"You said, we did: news from {programme.name}",
            body=f"You said: {_short(entry.said)} We did: {_short(entry.did)}",
            url=reverse("panel:you_said_we_did", args=[programme.slug]),
        )
        told += new
    return told
