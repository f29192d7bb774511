"""A round's unmatched mentees get a row each (UnmatchedMentee), with the group of the
round's unmatched page they fall in, so that page no longer reads the round's whole output.
Every finished round's are copied from its stored output here."""

import json
import zlib

import django.db.models.deletion
from django.db import migrations, models

# The page's groups as they were when this migration was written (matching.selectors:
# UNMATCHED_GROUPS and unmatched_group_of). History: kept as it was, whatever the app does.
RULES = {"language", "mode", "availability", "off_limits", "employer", "excluded", "capacity"}
CODES = {"no_mentors", "no_good_fit", "needed_elsewhere"}


def group_of(reasons) -> str:
    for reason in reasons or []:
        if not isinstance(reason, dict):
            continue
        code = reason.get("code")
        if code == "ruled_out" and reason.get("rule") in RULES:
            return f"ruled_out-{reason['rule']}"
        if code in CODES:
            return code
    return "other"


def unmatched_copied(apps, schema_editor):
    RoundData = apps.get_model("matching", "RoundData")
    UnmatchedMentee = apps.get_model("matching", "UnmatchedMentee")
    rounds = RoundData.objects.filter(result__isnull=False).order_by("round_id")
    # One round at a time: a national round's output is tens of megabytes.
    for round_id, result in rounds.values_list("round_id", "result").iterator(chunk_size=20):
        if isinstance(result, bytes | memoryview):  # the field's bytes, should it not unpack
            result = json.loads(zlib.decompress(bytes(result)))
        entries = result.get("unmatched") if isinstance(result, dict) else None
        UnmatchedMentee.objects.bulk_create(
            (
                UnmatchedMentee(
                    round_id=round_id,
                    mentee=str(entry.get("mentee", "")),
                    group=group_of(entry.get("reasons")),
                    reasons=entry.get("reasons") or [],
                )
                for entry in entries or []
                if isinstance(entry, dict)
            ),
            batch_size=2_000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0008_round_snapshot_result_dropped"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnmatchedMentee",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("mentee", models.CharField(max_length=40)),
                ("group", models.CharField(max_length=40)),
                ("reasons", models.JSONField(default=list)),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="unmatched",
                        to="matching.matchinground",
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
                "indexes": [
                    models.Index(fields=["round", "group", "id"], name="unmatched_by_group")
                ],
            },
        ),
        # Reversing drops the table; the output still holds every entry.
        migrations.RunPython(unmatched_copied, migrations.RunPython.noop),
    ]
