"""State only: foreign keys now point at the models' new apps. The tables stay as they are
(docs/ARCHITECTURE.md, "Moving a model")."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("journal", "0002_entry_shared_in_match"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="goal",
                    name="topic",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="goals",
                        to="core.topic",
                    ),
                ),
                migrations.AlterField(
                    model_name="journalentry",
                    name="pcf_domains",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="journal_entries",
                        to="core.pcfdomain",
                        verbose_name="PCF domains",
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
