"""Organisations' administrators used to be made Django superusers, which showed them every
organisation's data. The Django admin is now for the people who run the service only
(`manage.py createsuperuser`); administrators keep their organisation's pages."""

from django.db import migrations


def administrators_leave_the_admin(apps, schema_editor):
    Administrator = apps.get_model("mentoring", "Administrator")
    User = apps.get_model("accounts", "User")
    people = Administrator.objects.values("person_id")
    User.objects.filter(pk__in=people).update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_profile_completed_at"),
        ("mentoring", "0010_feedback_programme"),
    ]

    operations = [
        migrations.RunPython(administrators_leave_the_admin, migrations.RunPython.noop),
    ]
