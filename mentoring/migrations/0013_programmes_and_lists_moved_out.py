"""State only: the models move to `programmes` and `core`. The tables stay as they are
(docs/ARCHITECTURE.md, "Moving a model")."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_programmes_and_lists_moved"),
        ("core", "0001_initial"),
        ("journal", "0003_lists_moved"),
        ("matching", "0004_programmes_moved"),
        ("mentoring", "0012_invitation_to_coordinate"),
        ("payments", "0007_programmes_moved"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="administrator",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="administrator",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="application",
                    name="decided_by",
                ),
                migrations.RemoveField(
                    model_name="application",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="application",
                    name="programme",
                ),
                migrations.RemoveField(
                    model_name="invitation",
                    name="accepted_by",
                ),
                migrations.RemoveField(
                    model_name="invitation",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="invitation",
                    name="programme",
                ),
                migrations.DeleteModel(
                    name="Language",
                ),
                migrations.RemoveField(
                    model_name="livedexperiencearea",
                    name="relevant_practice_areas",
                ),
                migrations.DeleteModel(
                    name="LocalAuthority",
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="programme",
                ),
                migrations.RemoveField(
                    model_name="programme",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="topic",
                    name="pcf_domains",
                ),
                migrations.AlterField(
                    model_name="sessionfeedback",
                    name="programme",
                    field=models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="coproductioncheck",
                    name="programme",
                    field=models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="session",
                    name="topics",
                    field=models.ManyToManyField(
                        blank=True, related_name="sessions", to="core.topic"
                    ),
                ),
                migrations.DeleteModel(
                    name="Administrator",
                ),
                migrations.DeleteModel(
                    name="Application",
                ),
                migrations.DeleteModel(
                    name="Invitation",
                ),
                migrations.DeleteModel(
                    name="LivedExperienceArea",
                ),
                migrations.DeleteModel(
                    name="PracticeArea",
                ),
                migrations.DeleteModel(
                    name="Membership",
                ),
                migrations.DeleteModel(
                    name="Organisation",
                ),
                migrations.DeleteModel(
                    name="PCFDomain",
                ),
                migrations.DeleteModel(
                    name="Topic",
                ),
                migrations.DeleteModel(
                    name="Programme",
                ),
            ],
            database_operations=[],
        )
    ]
