"""Feedback and co-production checks carry their programme, so statistics add them up
without joining every session and match."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    feedback = apps.get_model("mentoring", "SessionFeedback")
    checks = apps.get_model("mentoring", "CoproductionCheck")
    sessions = apps.get_model("mentoring", "Session")
    matches = apps.get_model("matching", "Match")
    feedback.objects.update(
        programme_id=Subquery(
            sessions.objects.filter(pk=OuterRef("session_id")).values("match__programme_id")[:1]
        )
    )
    checks.objects.update(
        programme_id=Subquery(
            matches.objects.filter(pk=OuterRef("match_id")).values("programme_id")[:1]
        )
    )


def field(null: bool):
    return models.ForeignKey(
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="mentoring.programme",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_match_lifecycle"),
        ("mentoring", "0009_planned_session"),
    ]

    operations = [
        migrations.AddField("sessionfeedback", "programme", field(null=True)),
        migrations.AddField("coproductioncheck", "programme", field(null=True)),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField("sessionfeedback", "programme", field(null=False)),
        migrations.AlterField("coproductioncheck", "programme", field(null=False)),
        migrations.AddIndex(
            "sessionfeedback",
            models.Index(fields=["programme", "created_at"], name="mentoring_s_program_fab419_idx"),
        ),
        migrations.AddIndex(
            "coproductioncheck",
            models.Index(fields=["programme", "created_at"], name="mentoring_c_program_5228eb_idx"),
        ),
    ]
