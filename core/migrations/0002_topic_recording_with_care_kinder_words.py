"""The topic "Writing records with care" said "case notes"; the care-language checker
(docs/language.md) asks for plainer words. Databases made before this change get the new
description too; a description someone has edited since is left as it is."""

from django.db import migrations

OLD = "Writing case notes the person could read one day."  # language: quoted
NEW = "Writing notes and records the person could read one day."


def forwards(apps, schema_editor):
    Topic = apps.get_model("core", "Topic")
    Topic.objects.filter(slug="recording-with-care", description=OLD).update(description=NEW)


def backwards(apps, schema_editor):
    Topic = apps.get_model("core", "Topic")
    Topic.objects.filter(slug="recording-with-care", description=NEW).update(description=OLD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
