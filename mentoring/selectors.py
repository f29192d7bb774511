"""Reads about what happens inside matches: sessions waiting for someone, how long a
match has gone without one, and who is told of a concern."""

from datetime import datetime

from django.db.models import Count, Exists, F, Func, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.access import service_operators
from accounts.models import User
from core.choices import Role
from matching.models import Match
from mentoring.models import Concern, Message, PlannedSession, Session
from programmes import duties
from programmes.duties import yours
from programmes.models import Membership, Programme


def sessions_waiting_for(user) -> list[Session]:
    """Sessions the other person of a live match logged, waiting for this person to confirm."""
    if not user.is_authenticated:
        return []
    return list(
        Session.objects.with_details()
        .filter(
            Q(match__mentor=user) | Q(match__mentee=user),
            status=Session.Status.LOGGED,
            match__status__in=["active", "paused"],
        )
        .exclude(logged_by=user)
        .order_by("starts_at")
    )


def missed_to_confirm(programme: Programme, by) -> list[PlannedSession]:
    """Planned sessions of a programme whose mentor said the mentee did not come, waiting
    for a coordinator, oldest first. Each carries `yours`, as sessions_to_approve's do."""
    return list(
        PlannedSession.objects.missed_to_confirm()
        .filter(match__programme=programme)
        .select_related("match__mentor", "match__mentee")
        .annotate(yours=yours(by, "match__mentor", "match__mentee"))
        .order_by("starts_at", "pk")[:200]
    )


def sessions_to_approve(programme: Programme, by):
    """Confirmed sessions of a programme waiting for a coordinator, oldest first. Each
    carries `yours`: True for a session `by` is the mentor or mentee of, which someone else
    approves (programmes.duties)."""
    return (
        Session.objects.with_details()
        .filter(match__programme=programme, status=Session.Status.CONFIRMED)
        .marked_yours(by)
        .order_by("starts_at", "pk")
    )


def sessions_approvable_by(programme: Programme, by):
    """The sessions of the queue `by` may approve: not their own."""
    return sessions_to_approve(programme, by).filter(yours=False)


def with_last_session(matches):
    """`matches` with last_session_at: when each last had a session (any logged one)."""
    return matches.annotate(last_session_at=Max("sessions__starts_at"))


def quiet_since(match) -> datetime:
    """When the match last had a session (any logged one counts), or began."""
    last = getattr(match, "last_session_at", None)
    return max(last, match.started_at) if last else match.started_at


def weeks_quiet(match, *, now: datetime) -> int:
    return max(0, (now - quiet_since(match)).days // 7)


def quiet_flag(match, *, quiet_weeks: int, now: datetime) -> int:
    """Weeks without a session, for the coordinator's list of matches: a number only for an
    active match quiet for at least the programme's quiet_weeks, else 0. The match needs
    last_session_at (with_last_session)."""
    if match.status != Match.Status.ACTIVE:
        return 0
    weeks = weeks_quiet(match, now=now)
    return weeks if weeks >= quiet_weeks else 0


def concern_recipients(concern: Concern) -> tuple[list[User], bool]:
    """Who is told of a concern, and whether they are the people who run Alongside rather
    than the programme's staff. The programme's coordinators, leaving out anyone who is part
    of the match (programmes.duties); when that leaves nobody, the organisation's
    administrators; when there are none either, the operators of the service, who are asked
    to appoint someone: a concern never reaches nobody. Only open accounts."""
    match = concern.match
    people = (match.mentor_id, match.mentee_id)
    found = duties.told_of(match.programme, *people)
    if found:
        return found, False
    return list(service_operators().exclude(pk__in=people).order_by("email")), True


# Messages


def unread_messages_subquery():
    """How many messages wait for the outer person, in matches they may open (the rule of
    matching.models.open_to, spelled for a subquery), as an expression: the navigation asks
    it in the query it makes anyway (portal.selectors.roles_of)."""
    person = OuterRef("pk")
    roles = Membership.objects.current().filter(
        person=OuterRef(OuterRef("pk")), programme=OuterRef("match__programme")
    )
    counted = (
        Message.objects.filter(read_at__isnull=True)
        .filter(
            Q(Exists(roles.filter(role=Role.MENTOR)), match__mentor=person)
            | Q(Exists(roles.filter(role=Role.MENTEE)), match__mentee=person)
        )
        .exclude(sender=person)
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return Coalesce(Subquery(counted), 0)


def unread_messages_count(person) -> int:
    """For the navigation: taken from the roles query when it ran in this request."""
    if not person.is_authenticated:
        return 0
    counted = getattr(person, "_alongside_unread_messages", None)
    if counted is not None:
        return counted
    return Message.objects.unread_by(person).count()


def unread_messages_recount(person) -> None:
    """Forget the count the navigation's query took earlier in this request (a page that
    has just read messages shows the count after reading them), and the notifications'
    count too: reading the messages read the notices that told of them."""
    person._alongside_unread_messages = None
    person._alongside_unread = None


def conversations_of(person) -> list[Match]:
    """The matches a person may open, each with `unread` (messages waiting for them) and
    `last_message_at`, latest conversation first, then the newest match."""
    return list(
        Match.objects.open_to(person)
        .select_related("mentor", "mentee", "programme")
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__read_at__isnull=True)
                & (Q(messages__sender__isnull=True) | ~Q(messages__sender=person)),
            ),
            last_message_at=Max("messages__sent_at"),
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-started_at")
    )


def messages_waiting_in(match: Match, person) -> int:
    return Message.objects.filter(match=match, read_at__isnull=True).exclude(sender=person).count()


def messages_attached_to(concern: Concern) -> list[Message]:
    """The messages attached to a concern, oldest first: all its coordinators see of the
    conversation."""
    return list(
        Message.objects.filter(attachments__concern=concern)
        .select_related("sender")
        .order_by("sent_at", "pk")
    )
