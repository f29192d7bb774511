"""Mentors who were in a programme before induction was recorded count as inducted from the
day they joined, so nobody already being matched drops out of the next round. Nobody is
named as having recorded it: nobody did."""

from django.db import migrations
from django.db.models.functions import TruncDate


def mark_current_mentors_inducted(apps, schema_editor):
    Membership = apps.get_model("programmes", "Membership")
    # One statement, however many mentors a national programme has.
    Membership.objects.filter(role="mentor", ended_at__isnull=True, inducted_on__isnull=True).update(
        inducted_on=TruncDate("joined_at")
    )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0004_membership_inducted_on_and_more")]

    operations = [migrations.RunPython(mark_current_mentors_inducted, migrations.RunPython.noop)]
