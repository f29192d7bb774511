"""Reads for matching: the engine's input built from profiles, and review lists."""

import json
from collections import defaultdict

from django.db import connections
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, TextField
from django.db.models.functions import Cast, Collate
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile
from core.choices import AVAILABILITY_SLOTS, Region, Role
from core.garbage import collector_paused
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


def round_instance(programme: Programme) -> dict:
    """The engine's input for a programme now: complete profiles of mentors with room who
    are not paused, and mentees who have no match or proposal in play. Read with a few
    set-based queries (_profiles), never a model instance per person: a national programme
    has tens of thousands of people."""
    with collector_paused():
        return _round_instance(programme)


def _round_instance(programme: Programme) -> dict:
    members = Membership.objects.current().filter(programme=programme)
    mentor_ids = members.filter(role=Role.MENTOR).values("person_id")
    mentee_ids = members.filter(role=Role.MENTEE).values("person_id")
    joined = dict(members.filter(role=Role.MENTEE).values_list("person_id", "joined_at"))

    open_proposals = Proposal.objects.open().filter(round__programme=programme)
    live_matches = Match.objects.live().filter(programme=programme)
    loads = live_mentor_loads(programme)

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
        MentorProfile.objects.complete()
        .filter(user_id__in=mentor_ids, paused_at__isnull=True)
        .annotate(
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
