"""The round row no longer carries the snapshot and result: RoundData holds them (0006)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0007_round_data_moved"),
    ]

    operations = [
        # A default first, so that undoing this migration can add the column back to rows.
        migrations.AlterField(
            model_name="matchinground",
            name="snapshot",
            field=models.JSONField(default=dict),
        ),
        migrations.RemoveField(model_name="matchinground", name="snapshot"),
        migrations.RemoveField(model_name="matchinground", name="result"),
    ]
