"""Every round's snapshot and result move into its RoundData row, compressed, exactly as
they were (tests/test_upgrade.py checks they decode to the old columns' values); the round
row keeps the engine's counts, the labels and the weights for its pages. A migration of its own, so that
on PostgreSQL the rows are written in one transaction and the columns dropped in the next."""

from django.db import migrations


def round_summary(snapshot: dict, result: dict | None) -> tuple[dict, dict]:
    """(stats, labels) for a round row, from its snapshot and result."""
    snapshot = snapshot if isinstance(snapshot, dict) else {}
    stats = {
        "mentors": len(snapshot.get("mentors") or []),
        "mentees": len(snapshot.get("mentees") or []),
    }
    if isinstance(result, dict):
        stats |= result.get("stats") or {}
        stats.setdefault("matched", len(result.get("pairs") or []))
    return stats, snapshot.get("labels") or {}


def data_moved(apps, schema_editor):
    MatchingRound = apps.get_model("matching", "MatchingRound")
    RoundData = apps.get_model("matching", "RoundData")
    rounds = MatchingRound.objects.order_by("pk").only("pk", "snapshot", "result")
    # One round at a time: a national round's snapshot is tens of megabytes.
    for matching_round in rounds.iterator(chunk_size=20):
        stats, labels = round_summary(matching_round.snapshot, matching_round.result)
        RoundData.objects.create(
            round_id=matching_round.pk,
            snapshot=matching_round.snapshot,
            result=matching_round.result,
        )
        snapshot = matching_round.snapshot if isinstance(matching_round.snapshot, dict) else {}
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            stats=stats, labels=labels, weights=snapshot.get("weights") or {}
        )


def data_moved_back(apps, schema_editor):
    MatchingRound = apps.get_model("matching", "MatchingRound")
    RoundData = apps.get_model("matching", "RoundData")
    for data in RoundData.objects.order_by("pk").iterator(chunk_size=20):
        MatchingRound.objects.filter(pk=data.round_id).update(
            snapshot=data.snapshot, result=data.result
        )
    RoundData.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0006_round_data_and_progress"),
    ]

    operations = [migrations.RunPython(data_moved, data_moved_back)]
