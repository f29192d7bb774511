"""State only: foreign keys now point at the models' new apps. The tables stay as they are
(docs/ARCHITECTURE.md, "Moving a model")."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_match_lifecycle"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="match",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matches",
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="matchinground",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matching_rounds",
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="pairexclusion",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="programmes.programme"
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
