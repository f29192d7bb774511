from django.db import migrations


def load(apps, schema_editor):
    from mentoring import taxonomy_data as data

    PCFDomain = apps.get_model("mentoring", "PCFDomain")
    Topic = apps.get_model("mentoring", "Topic")
    PracticeArea = apps.get_model("mentoring", "PracticeArea")
    LivedExperienceArea = apps.get_model("mentoring", "LivedExperienceArea")
    Language = apps.get_model("mentoring", "Language")
    LocalAuthority = apps.get_model("mentoring", "LocalAuthority")

    domains = {}
    for position, (slug, name) in enumerate(data.PCF_DOMAINS):
        domains[slug], _ = PCFDomain.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
    for slug, name, description, domain_slugs in data.TOPICS:
        topic, _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        topic.pcf_domains.add(*[domains[d] for d in domain_slugs])
    areas = {}
    for slug, name in data.PRACTICE_AREAS:
        areas[slug], _ = PracticeArea.objects.get_or_create(slug=slug, defaults={"name": name})
    for slug, name, area_slugs in data.LIVED_EXPERIENCE:
        experience, _ = LivedExperienceArea.objects.get_or_create(
            slug=slug, defaults={"name": name}
        )
        experience.relevant_practice_areas.add(*[areas[a] for a in area_slugs])
    for slug, name in data.LANGUAGES:
        Language.objects.get_or_create(slug=slug, defaults={"name": name})
    for slug, name in data.LOCAL_AUTHORITIES:
        LocalAuthority.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
