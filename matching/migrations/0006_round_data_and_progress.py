"""A round's snapshot and result get a row of their own, compressed (RoundData), and the
round row gains what its pages show instead: the engine's counts, the labels, and the
stage of a running round. 0006 moves the data, 0007 drops the old columns."""

import django.db.models.deletion
from django.db import migrations, models

import matching.models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0005_approval_batch"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoundData",
            fields=[
                (
                    "round",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="data",
                        serialize=False,
                        to="matching.matchinground",
                    ),
                ),
                (
                    "snapshot",
                    matching.models.CompressedJSONField(
                        help_text="The engine's input, exactly as it was solved."
                    ),
                ),
                ("result", matching.models.CompressedJSONField(blank=True, null=True)),
            ],
            options={"verbose_name_plural": "round data"},
        ),
        migrations.AddField(
            model_name="matchinground",
            name="stats",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="matchinground",
            name="weights",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="matchinground",
            name="labels",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="matchinground",
            name="stage",
            field=models.CharField(
                blank=True,
                choices=[
                    ("reading", "Reading profiles"),
                    ("pairing", "Finding pairs"),
                    ("solving", "Solving"),
                    ("saving", "Saving proposals"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="matchinground",
            name="stage_done",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="matchinground",
            name="stage_total",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
