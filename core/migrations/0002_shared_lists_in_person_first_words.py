"""The care experiences a mentor may share say what a person lived through, not only the
service they met, and topics say records, not case notes. Slugs stay: only the words people
read change, and only where they are still the old wording, so words an organisation changed
itself are kept."""

from django.db import migrations

RENAMED = {
    # slug: (old name, new name)
    "youth-justice": ("Youth justice", "Time with the youth justice system"),
    "disabled-childrens-services": (
        "Disabled children's services",
        "Growing up as a disabled child with support from services",
    ),
    "child-protection": ("Child protection", "Having a child protection plan"),
}
# Product copy says records, never case notes.
DESCRIBED = {
    "recording-with-care": (
        "Writing case notes the person could read one day.",
        "Writing records the person could read one day.",
    ),
}


def rename(apps, schema_editor, *, forwards=True):
    LivedExperienceArea = apps.get_model("core", "LivedExperienceArea")
    for slug, (old, new) in RENAMED.items():
        was, becomes = (old, new) if forwards else (new, old)
        LivedExperienceArea.objects.filter(slug=slug, name=was).update(name=becomes)
    Topic = apps.get_model("core", "Topic")
    for slug, (old, new) in DESCRIBED.items():
        was, becomes = (old, new) if forwards else (new, old)
        Topic.objects.filter(slug=slug, description=was).update(description=becomes)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(rename, backwards)]
