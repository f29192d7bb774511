"""Many new rows at once (core.bulk.rows_add): COPY on PostgreSQL, bulk_create elsewhere,
writing every field as save() would, so a round's proposals are the same either way."""

from django.forms.models import model_to_dict

from core.bulk import rows_add
from matching.models import MatchingRound, Proposal


def test_it_writes_new_rows_as_save_would(world):
    matching_round = MatchingRound.objects.create(programme=world.programme, status="finished")
    reasons = [{"code": "goals", "topics": ["bias"], "of": 1}, 'Said with "quotes" and \\.']
    saved = Proposal.objects.create(
        round=matching_round, mentor=world.mentor, mentee=world.mentee, score=1.25, reasons=reasons
    )
    saved.refresh_from_db()

    rows_add(
        Proposal,
        [
            Proposal(
                round_id=matching_round.pk,
                mentor_id=world.other_mentor.pk,
                mentee_id=world.coordinator.pk,
                score=1.25,
                reasons=reasons,
            )
        ],
    )

    added = Proposal.objects.exclude(pk=saved.pk).get()
    different = {"id", "mentor", "mentee"}
    assert {k: v for k, v in model_to_dict(added).items() if k not in different} == {
        k: v for k, v in model_to_dict(saved).items() if k not in different
    }
    assert added.status == Proposal.Status.PROPOSED
    assert added.mentor_answer == added.mentee_answer == Proposal.Answer.WAITING
    assert added.created_at is not None and added.pk > saved.pk
