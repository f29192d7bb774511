"""The moved models' content types and the audit log's object types follow them to their
new apps, so permissions, admin history and audit rows keep pointing at the same things.
On a new database there are no rows yet and this does nothing."""

from django.db import migrations

MOVED = {
    "programmes": [
        "organisation",
        "programme",
        "administrator",
        "membership",
        "invitation",
        "application",
    ],
    "core": [
        "pcfdomain",
        "topic",
        "practicearea",
        "livedexperiencearea",
        "language",
        "localauthority",
    ],
}


def _relabel(apps, old_app, new_app, models):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    ContentType.objects.filter(app_label=old_app, model__in=models).update(app_label=new_app)
    for model in models:
        AuditEvent.objects.filter(object_type=f"{old_app}.{model}").update(
            object_type=f"{new_app}.{model}"
        )


def forwards(apps, schema_editor):
    for app, models in MOVED.items():
        _relabel(apps, "mentoring", app, models)


def backwards(apps, schema_editor):
    for app, models in MOVED.items():
        _relabel(apps, app, "mentoring", models)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0001_initial"),
        ("core", "0001_initial"),
        ("mentoring", "0013_programmes_and_lists_moved_out"),
        ("accounts", "0011_programmes_and_lists_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
