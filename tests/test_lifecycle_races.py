"""Ending a match and dealing with a concern when several people act at the same moment.
On PostgreSQL, where the row locks and conditional updates are really concurrent."""

import itertools

import pytest

from accounts.models import AuditEvent
from matching import services as matching_services
from matching.models import ClosingSurvey, Match, PairExclusion
from mentoring import services
from mentoring.models import Concern, ConcernAction
from tests.test_matching_app import at_once, postgres_only
from tests.test_permissions import _match

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_a_match_ended_by_everyone_at_once_ends_once(world):
    match = _match(world)
    closers = itertools.cycle([world.mentor, world.mentee, world.coordinator])
    people = [next(closers) for _ in range(12)]
    turn = iter(range(12))

    def close():
        person = people[next(turn)]
        return matching_services.match_close(
            match=Match.objects.get(pk=match.pk),
            by=person,
            rating=3,
            recommend="not_sure",
            reason="not_enough_time",
        )

    results = at_once(12, close)

    assert sorted(results) == [False] * 11 + [True]
    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED and match.ended_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MATCH_CLOSED).count() == 1
    assert PairExclusion.objects.filter(mentor=world.mentor, mentee=world.mentee).count() == 1
    # Only the person whose close won gave a survey through it; nobody answered twice.
    assert ClosingSurvey.objects.filter(match=match).count() == 1


def test_pausing_while_ending_leaves_the_match_ended(world):
    match = _match(world)
    jobs = iter(["pause", "close"] * 5)

    def act():
        fresh = Match.objects.get(pk=match.pk)
        if next(jobs) == "pause":
            return matching_services.match_pause(match=fresh, by=world.coordinator, reason="Ill")
        return matching_services.match_close(
            match=fresh, by=world.mentee, rating=4, recommend="yes", reason="personal"
        )

    at_once(10, act)

    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    assert match.paused_at is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MATCH_CLOSED).count() == 1


def test_two_coordinators_acting_on_one_concern_at_once_keep_a_true_history(world):
    match = _match(world)
    concern = services.concern_raise(
        match=match, by=world.mentee, kind="safeguarding", what_happened="Something worrying."
    )
    # The programme's coordinator and the organisation's administrator, at the same moment.
    plans = iter(
        [
            (world.coordinator if n % 2 else world.administrator, status)
            for n, status in enumerate(["in_progress", "closed"] * 5)
        ]
    )

    def act():
        by, status = next(plans)
        return services.concern_record_action(
            concern=Concern.objects.get(pk=concern.pk),
            by=by,
            note=f"Acted ({status}).",
            new_status=status,
        )

    actions = at_once(10, act)

    assert len(actions) == ConcernAction.objects.filter(concern=concern).count() == 10
    # Each change saw the status the one before it left: a chain with no gaps or forks.
    history = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.CONCERN_UPDATED).order_by("pk")
    )
    assert len(history) == 10
    assert history[0].old_values["status"] == "new"
    for before, after in itertools.pairwise(history):
        assert after.old_values["status"] == before.new_values["status"]
    concern.refresh_from_db()
    assert concern.status == history[-1].new_values["status"]
    last_action = ConcernAction.objects.filter(concern=concern).order_by("pk").last()
    assert concern.status == last_action.new_status
