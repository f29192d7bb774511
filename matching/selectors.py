"""Reads for matching: the engine's input built from profiles, and review lists."""

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile
from core.choices import AVAILABILITY_SLOTS, Region, Role
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
