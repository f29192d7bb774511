from django.db import migrations


def load(apps, schema_editor):
    from core import taxonomy_data

    taxonomy_data.load(lambda name: apps.get_model("mentoring", name))


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
