"""Reads for matching: the engine's input built from profiles, and review lists."""

import functools
import json
import operator
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Collate
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile, User
from core.choices import AVAILABILITY_SLOTS, Region, Role
from core.expressions import IsAnyOf, ListHasAny
from core.garbage import collector_paused
from core.models import Language, LivedExperienceArea, PracticeArea, Topic
from matching import engine
from matching.models import (
    DEFAULT_WEIGHTS,
    ApprovalBatch,
    Match,
    MatchingRound,
    PairExclusion,
    Proposal,
)
from programmes import duties
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


def round_in_words(*, snapshot: dict, result: dict | None) -> dict | None:
    """A round's reasons as a coordinator reads them, beside the engine's own output, with
    the names and labels the round was solved with (a deleted person's is "Deleted person").
    `snapshot` and `result` as the round stored them (MatchingRound.snapshot_read(),
    result_read())."""
    if not result:
        return None
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


# JSON text from the database starts with no white space: raw_decode reads it in C, without
# the two regular-expression passes json.loads adds (a second at national scale).
_json_read = json.JSONDecoder().raw_decode


def _profiles(profiles, columns: list[str], lists: list[str], related: list[str]):
    """For each profile of the queryset `profiles`, in user id order, a tuple: its `columns`,
    then each JSON list field in `lists` sorted, then the slugs of each many-to-many field in
    `related`, sorted. A few set-based queries whatever the number of people, and no model
    instance per person.

    PostgreSQL puts each person's slugs in an array beside their row (ARRAY(SELECT ...)), so
    it is one query; elsewhere each many-to-many field is read in one more query and grouped
    here. Slugs are sorted byte by byte (collation "C"), as Python sorts the JSON lists and
    as the engine's input always was: a language's collation may order "-" and "_"
    otherwise. (Sorting the JSON lists in PostgreSQL too was slower.)"""
    model = profiles.model
    rows = profiles.order_by("user_id").annotate(
        **{f"{name}_text": Cast(name, TextField()) for name in lists}
    )
    texts = [f"{name}_text" for name in lists]
    fields = [model._meta.get_field(name) for name in related]
    if connections[rows.db].vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        arrays = {}
        for field in fields:
            slug = f"{field.m2m_reverse_field_name()}__slug"
            linked = field.remote_field.through.objects.filter(
                **{f"{field.m2m_field_name()}_id": OuterRef("pk")}
            )
            arrays[f"{field.name}_slugs"] = ArraySubquery(
                linked.order_by(Collate(slug, "C")).values(slug)
            )
        found = rows.annotate(**arrays).values_list(*columns, *texts, *arrays)
        slugs_of = None
    else:
        slugs_of = [_slugs_by_person(field, rows.values("user_id")) for field in fields]
        found = rows.values_list(*columns, *texts)
    width, end = len(columns), len(columns) + len(lists)
    for row in found:
        yield (
            *row[:width],
            *(sorted(_json_read(text)[0]) for text in row[width:end]),
            *(row[end:] if slugs_of is None else (s.get(row[0], []) for s in slugs_of)),
        )


def _slugs_by_person(field, people) -> dict[int, list[str]]:
    """One many-to-many field's slugs for each person (user id) among `people` (a subquery
    of user ids), in order: one query, a row per slug."""
    owner = f"{field.m2m_field_name()}__user_id"
    slug = f"{field.m2m_reverse_field_name()}__slug"
    slugs: dict[int, list[str]] = defaultdict(list)
    linked = field.remote_field.through.objects.filter(**{f"{owner}__in": people})
    for person, value in (
        linked.order_by(owner, slug).values_list(owner, slug).iterator(chunk_size=10_000)
    ):
        slugs[person].append(value)
    return slugs


def _mentor_records(profiles, loads: dict[int, int]) -> list[dict]:
    """The engine's records of these complete mentor profiles (a queryset), in user id order;
    `loads` as live_mentor_loads gives them. The one place a mentor's record is made, for a
    round (round_instance) and for one mentee's choice (mentor_records)."""
    mentors = []
    for (
        person,
        name,
        capacity,
        region,
        consented,
        happy_to_mentor_own_council,
        modes,
        availability,
        languages,
        offers,
        off_limits,
        experience,
        looked_after_by,
    ) in _profiles(
        profiles.annotate(
            consented=ExpressionWrapper(
                Q(consent_given_at__isnull=False), output_field=BooleanField()
            )
        ),
        [
            "user_id",
            "user__display_name",
            "capacity",
            "region",
            "consented",
            "happy_to_mentor_own_council",
        ],
        ["meeting_modes", "availability"],
        ["languages", "topics_offered", "topics_off_limits", "lived_experience", "looked_after_by"],
    ):
        mentors.append(
            {
                "id": str(person),
                "name": name,
                "capacity": capacity,
                "current_load": loads.get(person, 0),
                "languages": languages,
                "region": region or None,
                "modes": modes,
                "availability": availability,
                "offers": offers,
                "off_limits": off_limits,
                # Care experience counts only with consent, and the council rule only when
                # the mentor has not said they are happy to mentor staff there.
                "experience": experience if consented else [],
                "looked_after_by": (
                    looked_after_by if consented and not happy_to_mentor_own_council else []
                ),
            }
        )
    return mentors


def round_instance(programme: Programme) -> dict:
    """The engine's input for a programme now: complete profiles of mentors with room who
    are not paused, and mentees who have no match or proposal in play. Read with a few
    set-based queries (_profiles), never a model instance per person: a national programme
    has tens of thousands of people."""
    with collector_paused():
        return _round_instance(programme)


def _round_instance(programme: Programme) -> dict:
    members = Membership.objects.current().filter(programme=programme)
    # Only mentors whose induction a coordinator recorded (programmes.models.INDUCTED); the
    # others are counted, so the round's page can say why they are not in it.
    mentor_ids = members.filter(role=Role.MENTOR).inducted().values("person_id")
    waiting_for_induction = members.filter(role=Role.MENTOR).waiting_for_induction().count()
    mentee_ids = members.filter(role=Role.MENTEE).values("person_id")
    joined = dict(members.filter(role=Role.MENTEE).values_list("person_id", "joined_at"))

    open_proposals = Proposal.objects.open().filter(round__programme=programme)
    live_matches = Match.objects.live().filter(programme=programme)
    loads = live_mentor_loads(programme)

    mentors = _mentor_records(
        MentorProfile.objects.complete().filter(user_id__in=mentor_ids, paused_at__isnull=True),
        loads,
    )

    today = timezone.now()
    mentees = []
    for (
        person,
        name,
        region,
        employer,
        modes,
        availability,
        languages,
        practice_areas,
        goals,
    ) in _profiles(
        MenteeProfile.objects.complete()
        .filter(user_id__in=mentee_ids)
        .exclude(user_id__in=open_proposals.values("mentee_id"))
        .exclude(user_id__in=live_matches.values("mentee_id")),
        ["user_id", "user__display_name", "region", "employer__slug"],
        ["meeting_modes", "availability"],
        ["languages", "practice_areas", "learning_goals"],
    ):
        mentees.append(
            {
                "id": str(person),
                "name": name,
                "languages": languages,
                "region": region or None,
                "modes": modes,
                "availability": availability,
                "goals": goals,
                "practice_areas": practice_areas,
                "employer": employer,
                "waiting_days": max(0, (today - joined[person]).days),
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
    instance = {
        "programme": programme.slug,
        "weights": programme_weights(programme),
        "max_candidates_per_mentee": programme.max_candidates_per_mentee,
        "relevance": _relevance(),
        "labels": _labels(),
        "mentors": mentors,
        "mentees": mentees,
        "excluded_pairs": sorted([list(pair) for pair in excluded]),
    }
    if waiting_for_induction:
        # Not read by the engine: who the round left out before it began, as a count (no
        # names, so nothing here needs scrubbing), shown on the round's page.
        instance["left_out"] = {"waiting_for_induction": waiting_for_induction}
    return instance


def left_out_counts(snapshot: dict) -> dict:
    """What a round's stats keep of the people left out before it began (round_instance's
    "left_out"): {"waiting_for_induction": n} when anyone was, else nothing (and nothing for
    rounds from before induction was recorded)."""
    left_out = snapshot.get("left_out")
    if not isinstance(left_out, dict):
        return {}
    count = left_out.get("waiting_for_induction")
    return {"waiting_for_induction": count} if isinstance(count, int) and count > 0 else {}


IN_PERSON = "in_person"


def mentee_choice_pool(
    programme: Programme, mentee, *, labels: bool = False, replacing: Proposal | None = None
) -> dict | None:
    """What ranking one mentee's mentors starts from: `input`, the engine's input with the
    mentee, as round_instance would give them, and no mentors yet; `groups`, the mentors
    with room who could meet them, as lists of profile ids by how many of the mentee's
    learning goals each offers, most first; and the mentors' `loads`. None when
    round_instance would leave the mentee out (not a current mentee, a match or proposal in
    play, a draft profile).

    `replacing`: a proposal whose mentor is to be swapped. Its mentee is ranked as if that
    proposal were not in play, its mentor is left out, and the round's own weights are used,
    so the new pair's score reads beside the round's others.

    Set-based, so suggestions stay quick at national scale: a few queries whatever the
    number of mentors. The database checks two of the engine's hard rules (a shared free time
    and way to meet) so that mentors they rule out, who can never be suggested and do not
    change anyone else's score, are never read; the engine checks every rule again. (Not the
    language rule: nearly every mentor shares one, and asking it first made PostgreSQL walk
    every mentor's languages.)
    mentor_records() reads the mentors of a group when they are needed."""
    person = _mentee_for_choice(programme, mentee, replacing)
    if person is None:
        return None
    loads = live_mentor_loads(programme)
    excluded = PairExclusion.objects.filter(programme=programme, mentee=mentee).values_list(
        "mentor_id", flat=True
    )
    weights = (replacing and replacing.round.weights) or programme_weights(programme)
    without = {int(person["id"])} | ({replacing.mentor_id} if replacing else set())
    data = {
        "programme": programme.slug,
        "weights": weights,
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
        "groups": _mentors_who_could_meet(programme, person, loads, without),
        "loads": loads,
    }


def _mentee_for_choice(programme: Programme, mentee, replacing: Proposal | None) -> dict | None:
    in_play = Proposal.objects.open().filter(round__programme=programme, mentee=mentee)
    if replacing is not None:
        in_play = in_play.exclude(pk=replacing.pk)
    membership = (
        Membership.objects.current()
        .filter(programme=programme, person=mentee, role=Role.MENTEE)
        .annotate(
            asked=Exists(in_play),
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
    programme: Programme, mentee: dict, loads: dict[int, int], without: set[int]
) -> list[tuple[int, list[int]]]:
    """Profile ids of the programme's mentors, not paused, with room, who share a free time
    and a way to meet with the mentee (in person needs the same region), never anyone in
    `without` (user ids: the mentee themself, and a mentor being swapped); grouped by how many
    of the mentee's goals they offer, most first."""
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
            .inducted()
            .values("person_id"),
            paused_at__isnull=True,
        )
        .exclude(user_id__in=without)
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
    return _mentor_records(
        MentorProfile.objects.complete().filter(IsAnyOf("pk", profile_ids)), loads
    )


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


# ---------------------------------------------------------------------------------------------
# Reviewing a round: its proposals a page at a time (docs/matching.md, "Reviewing a round").

REVIEW_PAGE_SIZE = 50
# The round's input and output are stored apart (RoundData) and read only for export, re-run
# and scrubbing; the round row holds what the queue needs (weights, labels, counts), and the
# unmatched mentees are rows of their own (UnmatchedMentee).
# The weights that make up a pair's score; load_spread only orders mentors' places.
SCORED = ("goals", "experience", "availability", "region", "waiting")

# Fit in words: a pair's score as a share of the most any pair could score with the weights
# the round was solved with. Defined here and nowhere else.
FIT_STRONG = 0.6
FIT_GOOD = 0.4
FITS = {"strong": "Strong fit", "good": "Good fit", "weaker": "Weaker fit"}

# What makes a pair worth a second look before it is approved. A long wait is one the
# matcher counts in full (engine.features.WAITING_FULL_DAYS): six months.
LONG_WAIT = timedelta(days=180)
ENGLISH = "en"
SIGNED_LANGUAGES = ("bsl",)
LOOKS = {
    "first_match": "First match for the mentor",
    "long_wait": "Long wait (over 6 months)",
    "far_away": "Not in the same region",
    "language_need": "Language need",
    "access_need": "Access need",
}

SORTS = {
    "score": ["-score", "mentee__display_name"],
    "mentor": ["mentor__display_name"],
    "mentee": ["mentee__display_name"],
    "status": ["status", "-score"],
}


@dataclass(frozen=True)
class ReviewFilters:
    """What a coordinator asked the review queue to show; "" is "any"."""

    status: str = ""
    fit: str = ""
    look: str = ""  # a key of LOOKS, or "any" for any of them
    q: str = ""
    sort: str = "score"

    @property
    def narrow(self) -> bool:
        """Whether these filters leave any proposal out."""
        return bool(self.status or self.fit or self.look or self.q)


# How long the queue reports on an approval that has finished.
APPROVAL_SHOWN_FOR = timedelta(minutes=10)


def _approvals_to_show(now) -> Q:
    return Q(finished_at__isnull=True) | Q(finished_at__gte=now - APPROVAL_SHOWN_FOR)


def rounds_to_review():
    """Rounds, each also saying whether it has approvals to report on (`approvals_to_show`),
    read in the same query."""
    approvals = ApprovalBatch.objects.filter(
        _approvals_to_show(timezone.now()), round=OuterRef("pk")
    )
    return MatchingRound.objects.annotate(approvals_to_show=Exists(approvals))


def round_facts(matching_round: MatchingRound) -> dict:
    """What the round's page needs, from its row alone: the weights and labels it was solved
    with, how many people it had, and the engine's counts once solved (`stats`, empty
    until then)."""
    weights = matching_round.weights or {}
    counts = matching_round.stats or {}
    return {
        "weights": weights,
        "labels": matching_round.labels or {},
        "stats": counts if "mentors_with_room" in counts else {},
        "waiting_for_induction": counts.get("waiting_for_induction", 0),
        "mentors": counts.get("mentors", 0),
        "mentees": counts.get("mentees", 0),
        "best_score": best_score(weights),
    }


def best_score(weights: dict) -> float:
    """The most a pair can score with these weights (docs/matching.md, "Score")."""
    total = 0.0
    for name in SCORED:
        try:
            total += max(0.0, float(weights.get(name, DEFAULT_WEIGHTS[name])))
        except (TypeError, ValueError):
            total += DEFAULT_WEIGHTS[name]
    return total


def duration_in_words(milliseconds: int | float) -> str:
    """A duration in plain words, to the second: "less than a second", "1 second",
    "2 minutes and 5 seconds", "1 hour and 3 minutes"."""
    seconds = round(float(milliseconds) / 1000)
    if seconds < 1:
        return "less than a second"
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{count} {unit}{'' if count == 1 else 's'}"
        for count, unit in ((hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if count
    ]
    if hours:
        parts = parts[:2]  # an hour or more: seconds no longer matter
    return " and ".join(parts)


def fit_of(score: float, best: float) -> str:
    """ "strong", "good" or "weaker": a key of FITS."""
    if score >= best * FIT_STRONG:
        return "strong"
    if score >= best * FIT_GOOD:
        return "good"
    return "weaker"


def fit_filter(fit: str, best: float) -> Q:
    """The proposals of one fit, as fit_of says, for a query."""
    strong, good = best * FIT_STRONG, best * FIT_GOOD
    return {
        "strong": Q(score__gte=strong),
        "good": Q(score__gte=good, score__lt=strong),
        "weaker": Q(score__lt=good),
    }[fit]


def _look_annotations(matching_round: MatchingRound) -> dict:
    """Each of LOOKS as a true-or-false column of a round's proposals, from the people's data
    as it is now: a few indexed lookups per row, so a page costs the same however long the
    round is."""
    mentee_languages = MenteeProfile.languages.through.objects.filter(
        menteeprofile__user_id=OuterRef("mentee_id")
    )
    mentor_region = "mentor__mentorprofile__region"
    return {
        # Never matched before, in any programme: this proposal's own match aside.
        "first_match": ~Exists(
            Match.objects.filter(mentor_id=OuterRef("mentor_id")).exclude(
                proposal_id=OuterRef("pk")
            )
        ),
        "long_wait": Exists(
            Membership.objects.current().filter(
                programme_id=matching_round.programme_id,
                person_id=OuterRef("mentee_id"),
                role=Role.MENTEE,
                joined_at__lte=matching_round.created_at - LONG_WAIT,
            )
        ),
        "far_away": Case(
            When(
                Q(**{f"{mentor_region}__gt": ""})
                & Q(**{mentor_region: F("mentee__menteeprofile__region")}),
                then=Value(False),
            ),
            default=Value(True),
            output_field=BooleanField(),
        ),
        "language_need": Case(
            When(
                Exists(mentee_languages.filter(language__slug__in=SIGNED_LANGUAGES))
                | ~Exists(mentee_languages.filter(language__slug=ENGLISH)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "access_need": Case(
            When(
                Q(mentor__mentorprofile__accessibility_needs__gt="")
                | Q(mentee__menteeprofile__accessibility_needs__gt=""),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    }


def review_queue(matching_round: MatchingRound, *, filters: ReviewFilters, best: float):
    """A round's proposals in the order the review queue lists them: filtered, searched and
    sorted, and nothing more, so that reading a page of its ids (review_page) is a narrow
    query (the LOOKS are worked out only to filter by them); review_rows then reads that
    page's proposals in full."""
    proposals = matching_round.proposals.all()
    if filters.status in Proposal.Status.values:
        proposals = proposals.filter(status=filters.status)
    if filters.fit in FITS:
        proposals = proposals.filter(fit_filter(filters.fit, best))
    looks = _look_annotations(matching_round)
    if filters.look in LOOKS:
        proposals = proposals.annotate(**{filters.look: looks[filters.look]}).filter(
            **{filters.look: True}
        )
    elif filters.look == "any":
        proposals = proposals.annotate(**looks).filter(
            functools.reduce(operator.or_, (Q(**{look: True}) for look in LOOKS))
        )
    if filters.q:
        proposals = proposals.filter(
            Q(mentor__display_name__icontains=filters.q)
            | Q(mentee__display_name__icontains=filters.q)
        )
    return proposals.order_by(*SORTS.get(filters.sort, SORTS["score"]), "pk")


def review_page(queue, number, *, total: int | None = None) -> Page:
    """One page of review_queue: its proposals' ids, read in one narrow query. `total`, when
    the caller has counted the queue already, spares the count. A number that is not a page
    number shows the first page, one past the end or below 1 the last (Paginator.get_page).
    (Counting in the same query, with a window, looks cheaper but is not: PostgreSQL then
    plans as if it could stop after a page, and walks every row one index lookup at a time.)"""
    paginator = Paginator(queue.values_list("pk", flat=True), REVIEW_PAGE_SIZE)
    if total is not None:
        paginator.count = total
    page = paginator.get_page(number)
    page.object_list = list(page.object_list)
    return page


def review_rows(
    matching_round: MatchingRound, ids: list[int], *, reader, best: float, labels: dict
) -> list[Proposal]:
    """The proposals of one page of review_queue (`ids`, from review_page), in its order,
    ready to show: each with `yours` (the reader takes part, so someone else reviews it), the
    LOOKS as columns, `fit` (a key of FITS), `fit_words`, `words` (its reasons for a
    coordinator: the main one first) and `looks` (the words of the LOOKS that hold). One
    query, none when the page is empty."""
    if not ids:
        return []
    found = (
        matching_round.proposals.filter(pk__in=ids)
        .select_related("mentor", "mentee")
        .only(
            *(f.name for f in Proposal._meta.concrete_fields),
            "mentor__display_name",
            "mentor__email",
            "mentee__display_name",
            "mentee__email",
        )
        .annotate(
            yours=duties.yours(reader, "mentor", "mentee"), **_look_annotations(matching_round)
        )
        .order_by()  # put in the page's order below
    )
    by_id = {proposal.pk: proposal for proposal in found}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    for proposal in rows:
        proposal.fit = fit_of(proposal.score, best)
        proposal.fit_words = FITS[proposal.fit]
        proposal.words = reason_words(
            proposal.reasons,
            reader="coordinator",
            mentor=proposal.mentor.display_name,
            mentee=proposal.mentee.display_name,
            labels=labels,
        )
        proposal.looks = [words for look, words in LOOKS.items() if getattr(proposal, look)]
    return rows


def review_summary(matching_round: MatchingRound, *, reader, best: float) -> dict:
    """How many proposals the round has, how many wait for review, and how many of those have
    a strong fit and are not the reader's own (what "approve every strong pair" would do)."""
    waiting = Q(status=Proposal.Status.PROPOSED)
    return matching_round.proposals.aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=waiting),
        strong_waiting=Count(
            "pk",
            filter=waiting
            & fit_filter("strong", best)
            & ~duties.taking_part(reader, "mentor", "mentee"),
        ),
    )


def approval_batches_shown(matching_round: MatchingRound, *, reader, now=None) -> list:
    """The approvals of this round the queue reports on: anyone's still running (so two
    coordinators reviewing at once see each other's), and the reader's own finished in the
    last ten minutes. Newest first."""
    if not getattr(matching_round, "approvals_to_show", True):
        return []  # the round's row said there are none: spare the query
    now = now or timezone.now()
    recent = Q(by=reader, finished_at__gte=now - APPROVAL_SHOWN_FOR)
    return list(
        matching_round.approval_batches.filter(Q(finished_at__isnull=True) | recent)
        .select_related("by")
        .defer("proposal_ids")[:3]
    )


# Mentees left without a match, grouped by the engine's reason (the rule that ruled out most
# mentors, when none met every rule). The headings are a coordinator's, about many people.
UNMATCHED_GROUPS = {
    "no_mentors": "There were no mentors in the round",
    "ruled_out-language": "No mentor meets every rule: most do not speak their languages",
    "ruled_out-mode": "No mentor meets every rule: most cannot meet them in a way they can",
    "ruled_out-availability": "No mentor meets every rule: most are not free when they are",
    "ruled_out-off_limits": (
        "No mentor meets every rule: most have one of their learning goals off limits"
    ),
    "ruled_out-employer": (
        "No mentor meets every rule: most were in the care of the council they work for"
    ),
    "ruled_out-excluded": "No mentor meets every rule: most were proposed to them before",
    "ruled_out-capacity": "No mentor meets every rule: most have no room this round",
    "no_good_fit": "Some mentors meet every rule, but none is a close enough fit",
    "needed_elsewhere": "Some mentors meet every rule, but they were needed for other people",
    "other": "Other reasons",
}


def unmatched_group_of(reasons) -> str:
    """The key of UNMATCHED_GROUPS an unmatched mentee's reasons put them in."""
    for reason in reasons or []:
        if not isinstance(reason, dict):
            continue
        code = reason.get("code")
        if code == "ruled_out" and f"ruled_out-{reason.get('rule')}" in UNMATCHED_GROUPS:
            return f"ruled_out-{reason['rule']}"
        if code in UNMATCHED_GROUPS:
            return code
    return "other"


def unmatched_groups(matching_round: MatchingRound) -> list[dict]:
    """The groups of the round's unmatched mentees that have anyone in them, largest first:
    key, heading and count, in one query."""
    counts = dict(
        matching_round.unmatched.values_list("group").annotate(count=Count("pk")).order_by()
    )
    order = list(UNMATCHED_GROUPS)
    return [
        {"key": key, "heading": UNMATCHED_GROUPS[key], "count": count}
        for key, count in sorted(
            counts.items(),
            key=lambda kv: (-kv[1], order.index(kv[0]) if kv[0] in order else len(order)),
        )
        if key in UNMATCHED_GROUPS
    ]


def unmatched_page(matching_round: MatchingRound, group: dict, number) -> Page:
    """One page of a group's mentees (entries {"mentee", "reasons"}, as in the round's
    output), in the order the round left them; the group's count spares counting again."""
    paginator = Paginator(
        matching_round.unmatched.filter(group=group["key"]).values("mentee", "reasons"),
        REVIEW_PAGE_SIZE,
    )
    paginator.count = group["count"]
    page = paginator.get_page(number)
    page.object_list = list(page.object_list)
    return page


def unmatched_rows(entries, *, labels: dict | None = None) -> list[dict]:
    """A page of one group's mentees: their names now (a deleted person's is "Deleted
    person"), their user id for a link, and their reasons in a coordinator's words."""
    ids = {int(e["mentee"]) for e in entries if str(e.get("mentee", "")).isdigit()}
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "display_name"))
    rows = []
    for entry in entries:
        mentee = str(entry.get("mentee", ""))
        person_id = int(mentee) if mentee.isdigit() and int(mentee) in names else None
        name = names.get(person_id) or "Deleted person"
        rows.append(
            {
                "person_id": person_id,
                "name": name,
                "words": reason_words(
                    entry.get("reasons", []), reader="coordinator", mentee=name, labels=labels or {}
                ),
            }
        )
    return rows


def round_progress(matching_round: MatchingRound) -> dict:
    """Where a round is, in plain words for its coordinator, from its own row alone (the
    progress include and its JSON address, polled while a worker runs it)."""
    Status, Stage = MatchingRound.Status, MatchingRound.Stage
    status, stage = matching_round.status, matching_round.stage
    done, total = matching_round.stage_done, matching_round.stage_total
    stats = matching_round.stats or {}
    if status == Status.QUEUED:
        words = "Waiting to start. It starts by itself as soon as the service can run it."
    elif status == Status.FINISHED:
        matched = stats.get("matched")
        words = "Finished." + (
            f" {matched:,} pair{'' if matched == 1 else 's'} suggested."
            if matched is not None
            else ""
        )
    elif status == Status.FAILED:
        words = f"This round could not be solved: {matching_round.error}"
    elif stage == Stage.READING:
        words = "Step 1 of 4: reading the profiles of everyone taking part."
    elif stage == Stage.PAIRING:
        words = "Step 2 of 4: finding pairs that fit."
        if done is not None and total:
            words += f" {done:,} of {total:,} mentees looked at so far."
    elif stage == Stage.SOLVING:
        mentees = stats.get("mentees")
        words = "Step 3 of 4: choosing the best pairs" + (
            f" for {mentees:,} mentee{'' if mentees == 1 else 's'}." if mentees else "."
        )
    elif stage == Stage.SAVING:
        words = "Step 4 of 4: saving the suggested pairs" + (
            f" ({total:,})." if total is not None else "."
        )
    else:
        words = "Starting."
    return {
        "status": status,
        "status_label": matching_round.get_status_display(),
        "stage": stage if status == Status.RUNNING else "",
        "stage_label": matching_round.get_stage_display() if status == Status.RUNNING else "",
        "done": done if status == Status.RUNNING else None,
        "total": total if status == Status.RUNNING else None,
        "words": words,
        "working": status in (Status.QUEUED, Status.RUNNING),
    }
