"""State only: foreign keys now point at the models' new apps. The tables stay as they are
(docs/ARCHITECTURE.md, "Moving a model")."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_proposal_withdrawn_action"),
        ("core", "0001_initial"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="programme",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="menteeprofile",
                    name="employer",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="The council or organisation you work for.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.localauthority",
                    ),
                ),
                migrations.AlterField(
                    model_name="menteeprofile",
                    name="languages",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="Languages you are happy to have mentoring conversations in.",
                        to="core.language",
                    ),
                ),
                migrations.AlterField(
                    model_name="menteeprofile",
                    name="learning_goals",
                    field=models.ManyToManyField(blank=True, to="core.topic"),
                ),
                migrations.AlterField(
                    model_name="menteeprofile",
                    name="practice_areas",
                    field=models.ManyToManyField(blank=True, to="core.practicearea"),
                ),
                migrations.AlterField(
                    model_name="mentorprofile",
                    name="languages",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="Languages you are happy to have mentoring conversations in.",
                        to="core.language",
                    ),
                ),
                migrations.AlterField(
                    model_name="mentorprofile",
                    name="lived_experience",
                    field=models.ManyToManyField(blank=True, to="core.livedexperiencearea"),
                ),
                migrations.AlterField(
                    model_name="mentorprofile",
                    name="looked_after_by",
                    field=models.ManyToManyField(
                        blank=True, related_name="+", to="core.localauthority"
                    ),
                ),
                migrations.AlterField(
                    model_name="mentorprofile",
                    name="topics_off_limits",
                    field=models.ManyToManyField(
                        blank=True, related_name="off_limits_for", to="core.topic"
                    ),
                ),
                migrations.AlterField(
                    model_name="mentorprofile",
                    name="topics_offered",
                    field=models.ManyToManyField(
                        blank=True, related_name="offered_by", to="core.topic"
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
