"""Separation of duties: nobody approves, pays or handles a concern about anything they take
part in themselves (DESIGN.md, section 1).

Staff may hold a mentor or mentee role in a programme they run, as anyone may hold several
roles. What they take part in (their own sessions, claims, pay, proposals, matches, concerns
about their matches, their own application or invitation) goes to another coordinator of the
programme or an administrator of its organisation. Every service that approves, pays or
handles something checks `check_not_own`; every queue marks or leaves out rows with
`taking_part`; pages say who acts instead with `someone_else`. See docs/sessions.md,
"Who approves what"."""

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Q, Value, When


def _ids(people) -> set:
    return {getattr(person, "pk", person) for person in people if person is not None}


def takes_part(person, *people) -> bool:
    """Whether `person` is one of `people` (people or their ids): the mentor or mentee of a
    session, match, proposal or concern; the claimant of an expense; a payee of a run;
    someone who said yes to an activity."""
    return person is not None and person.pk is not None and person.pk in _ids(people)


def check_not_own(by, *people, message: str) -> None:
    """Refuse `by` when they take part in what they are about to decide."""
    if takes_part(by, *people):
        raise PermissionDenied(message)


def taking_part(person, *paths: str) -> Q:
    """Rows `person` takes part in, where `paths` name the people (e.g. "match__mentor",
    "match__mentee"): `.exclude(taking_part(...))` leaves them out of a queue."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{path: person})
    return condition


def yours(person, *paths: str) -> Case:
    """An annotation: True on rows `person` takes part in, for queues that show them as
    someone else's to decide."""
    return Case(
        When(taking_part(person, *paths), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def others_who_run(programme, *people):
    """Who else can act for `programme`: its current coordinators and its organisation's
    administrators, leaving out `people`. People, in one query."""
    from accounts.models import User
    from core.choices import Role

    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(
                memberships__programme=programme,
                memberships__role=Role.COORDINATOR,
                memberships__ended_at__isnull=True,
            )
            | Q(administrator_of__organisation_id=programme.organisation_id)
        )
        .exclude(pk__in=_ids(people))
        .distinct()
    )


def told_of(programme, *people) -> list:
    """Who hears of something that happened in `programme` (a concern, a request to talk, a
    request for another format): its current coordinators, leaving out `people` (those it is
    about); when that leaves nobody, its organisation's administrators, leaving them out too.
    Only open accounts, by email. Empty when nobody else runs the programme."""
    from accounts.models import User
    from core.choices import Role
    from programmes.models import Administrator, Membership

    open_accounts = User.objects.filter(is_active=True).exclude(pk__in=_ids(people))
    open_accounts = open_accounts.order_by("email")
    coordinators = open_accounts.filter(
        pk__in=Membership.objects.current()
        .filter(programme=programme, role=Role.COORDINATOR)
        .values("person_id")
    )
    return list(coordinators) or list(
        open_accounts.filter(
            pk__in=Administrator.objects.filter(organisation_id=programme.organisation_id).values(
                "person_id"
            )
        )
    )


def nobody_else(programme) -> str:
    """Who must act when nobody but the reader runs the programme."""
    return (
        f"Nobody else runs {programme.name} yet. Ask {programme.organisation.name} to make "
        f"someone else a coordinator of {programme.name}, or an administrator."
    )


def someone_else(programme, *people, opening: str, verb: str, others: bool | None = None) -> str:
    """What a page says when something is the reader's own: who acts instead, and who must
    make that possible when nobody else runs the programme yet.
    someone_else(p, jo, opening="This session is yours", verb="approves it")."""
    if others is None:
        others = others_who_run(programme, *people).exists()
    if others:
        return f"{opening}, so another coordinator or an administrator {verb}."
    return f"{opening}, so someone else {verb}. {nobody_else(programme)}"


# The sentences, defined once: services raise them, pages show them.
SESSION = ("This session is yours", "approves it")
CLAIM = ("This claim is yours", "decides it")
PROPOSAL = ("This proposal is yours", "reviews it")
MATCH = ("This match is yours", "pauses or ends it")
APPLICATION = ("This application is yours", "decides it")
CONCERN = ("This concern is about a match you are part of", "handles it")
PAID_IN_RUN = ("You are paid in this run", "records what was paid")
ADVANCE = ("This advance is yours", "decides it")
MISSED = ("This session is yours", "confirms whether the mentee came")
BOUGHT = ("This is for you", "records what was bought for you")
EMPLOYMENT = ("This decision is about your own pay", "records it")
ACTIVITY = ("You take part in this activity", "records who attended")
ACTIVITY_CANCEL = ("You take part in this activity", "cancels it")
INDUCTION = ("This induction is your own", "records it")


def refusal(words: tuple[str, str]) -> str:
    """The sentence a service refuses with (PermissionDenied): pages say it with who_acts,
    which also knows when nobody else runs the programme."""
    opening, verb = words
    return f"{opening}, so another coordinator or an administrator {verb}."


OWN_INVITATION = (
    "You made this invitation yourself, so you cannot use it. Ask another coordinator or an "
    "administrator to invite you."
)
OWN_RUN = (
    "Your own pay is never in a run you make: another coordinator or an administrator makes "
    "the run that pays you."
)


def notes(programme, person, words: tuple[str, str]) -> dict:
    """What a queue shows when some of its rows are the reader's own: a sentence in each
    such row (`row`), and above the list who must act when nobody else can (`note`)."""
    opening, verb = words
    others = others_who_run(programme, person).exists()
    who = "another coordinator or an administrator" if others else "someone else"
    return {"row": f"{opening}, so {who} {verb}.", "note": "" if others else nobody_else(programme)}


def not_yours(programme, person, words: tuple[str, str], *people) -> str:
    """The sentence saying who acts instead when `person` is one of `people`; else ""."""
    if not takes_part(person, *people):
        return ""
    return who_acts(programme, person, words)


def who_acts(programme, person, words: tuple[str, str]) -> str:
    """The sentence for a page or message: `words` (e.g. SESSION) are `person`'s own."""
    opening, verb = words
    return someone_else(programme, person, opening=opening, verb=verb)
