"""Reads for matching: the engine's input built from profiles, and review lists."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile
from core.choices import AVAILABILITY_SLOTS, Region, Role
from core.expressions import IsAnyOf, ListHasAny
from core.models import Language, LivedExperienceArea, PracticeArea, Topic
from matching import engine
from matching.models import DEFAULT_WEIGHTS, Match, MatchingRound, PairExclusion, Proposal
from programmes.models import Membership, Programme


def _slugs(items) -> list[str]:
    return sorted(item.slug for item in items)


def programme_weights(programme: Programme) -> dict:
    return DEFAULT_WEIGHTS | (programme.matching_weights or {})


def _labels() -> dict:
    return {
        "languages": dict(Language.objects.values_list("slug", "name")),
        "topics": {slug: name.lower() for slug, name in Topic.objects.values_list("slug", "name")},
        "experience": {
            slug: name.lower()
            for slug, name in LivedExperienceArea.objects.values_list("slug", "name")
        },
        "practice_areas": {
            slug: name.lower() for slug, name in PracticeArea.objects.values_list("slug", "name")
        },
        "slots": {key: f"{name}s" for key, name in AVAILABILITY_SLOTS},
        "regions": dict(Region.choices),
    }


def reason_labels() -> dict:
    """The words for the ids in reasons, as things are named today."""
    return _labels()


def reason_words(
    reasons, *, reader: str, mentor: str = "", mentee: str = "", labels: dict | None = None
) -> list[str]:
    """Reasons in words for the person reading them: "mentee", "mentor" or "coordinator"
    (docs/matching.md, "Reasons"). Every page, email and export that shows reasons goes
    through here, so a mentee never reads a mentor's care experience. Pass `labels` from
    reason_labels() when putting many lists into words."""
    return engine.words(
        reasons,
        reader=reader,
        mentor=mentor,
        mentee=mentee,
        labels=reason_labels() if labels is None else labels,
    )


def round_in_words(matching_round: MatchingRound) -> dict | None:
    """The round's reasons as a coordinator reads them, beside the engine's own output, with
    the names and labels the round was solved with (a deleted person's is "Deleted person")."""
    result = matching_round.result
    if not result:
        return None
    snapshot = matching_round.snapshot
    mentors = {m["id"]: m.get("name", m["id"]) for m in snapshot.get("mentors", [])}
    mentees = {m["id"]: m.get("name", m["id"]) for m in snapshot.get("mentees", [])}
    labels = snapshot.get("labels", {})
    return {
        "pairs": [
            {
                "mentor": pair["mentor"],
                "mentee": pair["mentee"],
                "reasons": reason_words(
                    pair.get("reasons", []),
                    reader="coordinator",
                    mentor=mentors.get(pair["mentor"], pair["mentor"]),
                    mentee=mentees.get(pair["mentee"], pair["mentee"]),
                    labels=labels,
                ),
            }
            for pair in result.get("pairs", [])
        ],
        "unmatched": [
            {
                "mentee": entry["mentee"],
                "reasons": reason_words(
                    entry.get("reasons", []),
                    reader="coordinator",
                    mentee=mentees.get(entry["mentee"], entry["mentee"]),
                    labels=labels,
                ),
            }
            for entry in result.get("unmatched", [])
        ],
    }


def _relevance() -> dict:
    relevance: dict[str, list[str]] = {}
    for area in LivedExperienceArea.objects.prefetch_related("relevant_practice_areas"):
        relevance[area.slug] = _slugs(area.relevant_practice_areas.all())
    return relevance


def round_instance(programme: Programme) -> dict:
    """The engine's input for a programme now: complete profiles of mentors with room who
    are not paused, and mentees who have no match or proposal in play."""
    members = Membership.objects.current().filter(programme=programme)
    mentor_ids = members.filter(role=Role.MENTOR).values("person_id")
    mentee_ids = members.filter(role=Role.MENTEE).values("person_id")
    joined = dict(members.filter(role=Role.MENTEE).values_list("person_id", "joined_at"))

    open_proposals = Proposal.objects.open().filter(round__programme=programme)
    live_matches = Match.objects.live().filter(programme=programme)
    loads = live_mentor_loads(programme)
    busy_mentees = set(open_proposals.values_list("mentee_id", flat=True)) | set(
        live_matches.values_list("mentee_id", flat=True)
    )

    mentors = []
    for profile in (
        MentorProfile.objects.filter(user_id__in=mentor_ids, paused_at__isnull=True)
        .select_related("user")
        .prefetch_related(
            "languages",
            "topics_offered",
            "topics_off_limits",
            "lived_experience",
            "looked_after_by",
        )
        .order_by("user_id")
    ):
        if not profile.is_complete:
            continue
        consented = profile.has_consented
        mentors.append(
            {
                "id": str(profile.user_id),
                "name": profile.user.display_name,
                "capacity": profile.capacity,
                "current_load": loads.get(profile.user_id, 0),
                "languages": _slugs(profile.languages.all()),
                "region": profile.region or None,
                "modes": sorted(profile.meeting_modes),
                "availability": sorted(profile.availability),
                "offers": _slugs(profile.topics_offered.all()),
                "off_limits": _slugs(profile.topics_off_limits.all()),
                # Care experience counts only with consent, and the council rule only when
                # the mentor has not said they are happy to mentor staff there.
                "experience": _slugs(profile.lived_experience.all()) if consented else [],
                "looked_after_by": (
                    _slugs(profile.looked_after_by.all())
                    if consented and not profile.happy_to_mentor_own_council
                    else []
                ),
            }
        )

    today = timezone.now()
    mentees = []
    for profile in (
        MenteeProfile.objects.filter(user_id__in=mentee_ids)
        .exclude(user_id__in=busy_mentees)
        .select_related("user", "employer")
        .prefetch_related("languages", "practice_areas", "learning_goals")
        .order_by("user_id")
    ):
        if not profile.is_complete:
            continue
        mentees.append(
            {
                "id": str(profile.user_id),
                "name": profile.user.display_name,
                "languages": _slugs(profile.languages.all()),
                "region": profile.region or None,
                "modes": sorted(profile.meeting_modes),
                "availability": sorted(profile.availability),
                "goals": _slugs(profile.learning_goals.all()),
                "practice_areas": _slugs(profile.practice_areas.all()),
                "employer": profile.employer.slug if profile.employer else None,
                "waiting_days": max(0, (today - joined[profile.user_id]).days),
            }
        )

    # Someone can be a mentor and a mentee in one programme, but never of themselves.
    both = {m["id"] for m in mentors} & {m["id"] for m in mentees}
    excluded = {
        (str(mentor), str(mentee))
        for mentor, mentee in PairExclusion.objects.filter(programme=programme).values_list(
            "mentor_id", "mentee_id"
        )
    } | {(person, person) for person in both}
    return {
        "programme": programme.slug,
        "weights": programme_weights(programme),
        "max_candidates_per_mentee": programme.max_candidates_per_mentee,
        "relevance": _relevance(),
        "labels": _labels(),
        "mentors": mentors,
        "mentees": mentees,
        "excluded_pairs": sorted([list(pair) for pair in excluded]),
    }


IN_PERSON = "in_person"


def mentee_choice_pool(programme: Programme, mentee, *, labels: bool = False) -> dict | None:
    """What ranking one mentee's mentors starts from: `input`, the engine's input with the
    mentee, as round_instance would give them, and no mentors yet; `groups`, the mentors
    with room who could meet them, as lists of profile ids by how many of the mentee's
    learning goals each offers, most first; and the mentors' `loads`. None when
    round_instance would leave the mentee out (not a current mentee, a match or proposal in
    play, a draft profile).

    Set-based, so suggestions stay quick at national scale: a few queries whatever the
    number of mentors. The database checks two of the engine's hard rules (a shared free time
    and way to meet) so that mentors they rule out, who can never be suggested and do not
    change anyone else's score, are never read; the engine checks every rule again. (Not the
    language rule: nearly every mentor shares one, and asking it first made PostgreSQL walk
    every mentor's languages.)
    mentor_records() reads the mentors of a group when they are needed."""
    person = _mentee_for_choice(programme, mentee)
    if person is None:
        return None
    loads = live_mentor_loads(programme)
    excluded = PairExclusion.objects.filter(programme=programme, mentee=mentee).values_list(
        "mentor_id", flat=True
    )
    data = {
        "programme": programme.slug,
        "weights": programme_weights(programme),
        "max_candidates_per_mentee": programme.max_candidates_per_mentee,
        "relevance": _relevance(),
        "mentors": [],
        "mentees": [person],
        "excluded_pairs": sorted([str(mentor), person["id"]] for mentor in excluded),
    }
    if labels:
        data["labels"] = _labels()
    return {
        "input": data,
        "groups": _mentors_who_could_meet(programme, person, loads),
        "loads": loads,
    }


def _mentee_for_choice(programme: Programme, mentee) -> dict | None:
    membership = (
        Membership.objects.current()
        .filter(programme=programme, person=mentee, role=Role.MENTEE)
        .annotate(
            asked=Exists(Proposal.objects.open().filter(round__programme=programme, mentee=mentee)),
            matched=Exists(Match.objects.live().filter(programme=programme, mentee=mentee)),
        )
        .values("joined_at", "asked", "matched")
        .first()
    )
    if membership is None or membership["asked"] or membership["matched"]:
        return None
    profile = (
        MenteeProfile.objects.filter(user=mentee)
        .select_related("user", "employer")
        .prefetch_related("languages", "practice_areas", "learning_goals")
        .first()
    )
    if profile is None or not profile.is_complete:
        return None
    return {
        "id": str(profile.user_id),
        "name": profile.user.display_name,
        "languages": _slugs(profile.languages.all()),
        "region": profile.region or None,
        "modes": sorted(profile.meeting_modes),
        "availability": sorted(profile.availability),
        "goals": _slugs(profile.learning_goals.all()),
        "practice_areas": _slugs(profile.practice_areas.all()),
        "employer": profile.employer.slug if profile.employer else None,
        "waiting_days": max(0, (timezone.now() - membership["joined_at"]).days),
    }


def _mentors_who_could_meet(
    programme: Programme, mentee: dict, loads: dict[int, int]
) -> list[tuple[int, list[int]]]:
    """Profile ids of the programme's mentors, not paused, with room, who share a free time
    and a way to meet with the mentee (in person needs the same region), never the mentee
    themself; grouped by how many of the mentee's goals they offer, most first."""
    through = MentorProfile.topics_offered.through
    offered = (
        through.objects.filter(mentorprofile=OuterRef("pk"), topic__slug__in=mentee["goals"])
        .order_by()
        .values("mentorprofile")
        .annotate(count=Count("*"))
        .values("count")[:1]
    )
    meet = ListHasAny("meeting_modes", set(mentee["modes"]) - {IN_PERSON})
    if IN_PERSON in mentee["modes"] and mentee["region"]:
        meet = Q(meet) | Q(ListHasAny("meeting_modes", [IN_PERSON]), region=mentee["region"])
    rows = (
        MentorProfile.objects.filter(
            meet,
            ListHasAny("availability", mentee["availability"]),
            user_id__in=Membership.objects.current()
            .filter(programme=programme, role=Role.MENTOR)
            .values("person_id"),
            paused_at__isnull=True,
        )
        .exclude(user_id=int(mentee["id"]))
        .annotate(offered=Coalesce(Subquery(offered), 0))
        .values_list("pk", "user_id", "capacity", "offered")
    )
    groups: dict[int, list[int]] = {}
    for pk, user_id, capacity, goals in rows:
        if capacity > loads.get(user_id, 0):
            groups.setdefault(goals, []).append(pk)
    return sorted(groups.items(), reverse=True)


def mentor_records(profile_ids: list[int], loads: dict[int, int]) -> list[dict]:
    """The engine's records of these mentor profiles, as round_instance gives them, leaving
    out draft profiles; `loads` as live_mentor_loads gives them."""
    rows = (
        MentorProfile.objects.filter(IsAnyOf("pk", profile_ids))
        .values(
            "pk",
            "user_id",
            "user__display_name",
            "capacity",
            "region",
            "meeting_modes",
            "availability",
            "consent_given_at",
            "happy_to_mentor_own_council",
        )
        .order_by("user_id")
    )
    lists = _mentor_lists(profile_ids)
    mentors = []
    for row in rows:
        held = lists[row["pk"]]
        # MentorProfile.missing_fields, from the values.
        if (
            not held["languages"]
            or not held["offers"]
            or not row["meeting_modes"]
            or not row["availability"]
            or (IN_PERSON in row["meeting_modes"] and not row["region"])
        ):
            continue
        consented = row["consent_given_at"] is not None
        mentors.append(
            {
                "id": str(row["user_id"]),
                "name": row["user__display_name"],
                "capacity": row["capacity"],
                "current_load": loads.get(row["user_id"], 0),
                "languages": held["languages"],
                "region": row["region"] or None,
                "modes": sorted(row["meeting_modes"]),
                "availability": sorted(row["availability"]),
                "offers": held["offers"],
                "off_limits": held["off_limits"],
                # As round_instance: care experience only with consent, the council rule
                # only when the mentor has not said they are happy to mentor staff there.
                "experience": held["experience"] if consented else [],
                "looked_after_by": (
                    held["looked_after_by"]
                    if consented and not row["happy_to_mentor_own_council"]
                    else []
                ),
            }
        )
    return mentors


# Each list a mentor profile holds: (its through table, the column naming the item's slug).
_MENTOR_LISTS = {
    "languages": (MentorProfile.languages.through, "language__slug"),
    "offers": (MentorProfile.topics_offered.through, "topic__slug"),
    "off_limits": (MentorProfile.topics_off_limits.through, "topic__slug"),
    "experience": (MentorProfile.lived_experience.through, "livedexperiencearea__slug"),
    "looked_after_by": (MentorProfile.looked_after_by.through, "localauthority__slug"),
}


def _mentor_lists(profile_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """The slugs of each list of these mentor profiles, sorted: one query per list."""
    lists = {pk: {name: [] for name in _MENTOR_LISTS} for pk in profile_ids}
    if not profile_ids:
        return lists
    for name, (through, slug) in _MENTOR_LISTS.items():
        for profile_id, value in (
            through.objects.filter(IsAnyOf("mentorprofile_id", profile_ids))
            .values_list("mentorprofile_id", slug)
            .order_by()
        ):
            lists[profile_id][name].append(value)
    for held in lists.values():
        for values in held.values():
            values.sort()
    return lists


def proposals_waiting_for(user) -> list[Proposal]:
    """Approved proposals that still need this person's answer."""
    return list(
        Proposal.objects.filter(status=Proposal.Status.APPROVED)
        .filter(
            Q(mentor=user, mentor_answer=Proposal.Answer.WAITING)
            | Q(mentee=user, mentee_answer=Proposal.Answer.WAITING)
        )
        .select_related("mentor", "mentee", "round__programme")
    )


def live_matches_of(user) -> list[Match]:
    return list(
        Match.objects.live()
        .filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor", "mentee", "programme")
    )


def live_mentor_loads(programme: Programme) -> dict[int, int]:
    """How many mentees each mentor has now or is being asked about, by user id."""
    loads: dict[int, int] = {}
    live = Match.objects.live().filter(programme=programme)
    asked = Proposal.objects.open().filter(round__programme=programme)
    for queryset in (live, asked):
        for row in queryset.values("mentor").annotate(n=Count("id")):
            loads[row["mentor"]] = loads.get(row["mentor"], 0) + row["n"]
    return loads
