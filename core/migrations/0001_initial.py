"""State only: the shared lists (topics, practice areas, lived experience, languages,
councils) move here from `mentoring`. The tables stay as they are
(docs/ARCHITECTURE.md, "Moving a model")."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("mentoring", "0012_invitation_to_coordinate"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Language',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('slug', models.SlugField(max_length=60, unique=True)),
                    ('name', models.CharField(max_length=120)),
                    ('description', models.TextField(blank=True)),
                ],
                options={
                    'db_table': 'mentoring_language',
                    'ordering': ['name'],
                    'abstract': False,
                },
            ),
            migrations.CreateModel(
                name='LocalAuthority',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('slug', models.SlugField(max_length=60, unique=True)),
                    ('name', models.CharField(max_length=120)),
                    ('description', models.TextField(blank=True)),
                ],
                options={
                    'verbose_name_plural': 'local authorities',
                    'db_table': 'mentoring_localauthority',
                    'ordering': ['name'],
                    'abstract': False,
                },
            ),
            migrations.CreateModel(
                name='PCFDomain',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('slug', models.SlugField(max_length=60, unique=True)),
                    ('name', models.CharField(max_length=120)),
                    ('description', models.TextField(blank=True)),
                    ('position', models.PositiveSmallIntegerField(default=0)),
                ],
                options={
                    'verbose_name': 'PCF domain',
                    'db_table': 'mentoring_pcfdomain',
                    'ordering': ['position', 'name'],
                    'abstract': False,
                },
            ),
            migrations.CreateModel(
                name='PracticeArea',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('slug', models.SlugField(max_length=60, unique=True)),
                    ('name', models.CharField(max_length=120)),
                    ('description', models.TextField(blank=True)),
                ],
                options={
                    'db_table': 'mentoring_practicearea',
                    'ordering': ['name'],
                    'abstract': False,
                },
            ),
            migrations.CreateModel(
                name='LivedExperienceArea',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('slug', models.SlugField(max_length=60, unique=True)),
                    ('name', models.CharField(max_length=120)),
                    ('description', models.TextField(blank=True)),
                    ('relevant_practice_areas', models.ManyToManyField(blank=True, help_text='Practice areas where this experience is most relevant.', related_name='relevant_experience', to='core.practicearea')),
                ],
                options={
                    'db_table': 'mentoring_livedexperiencearea',
                    'ordering': ['name'],
                    'abstract': False,
                },
            ),
            migrations.CreateModel(
                name='Topic',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('slug', models.SlugField(max_length=60, unique=True)),
                    ('name', models.CharField(max_length=120)),
                    ('description', models.TextField(blank=True)),
                    ('pcf_domains', models.ManyToManyField(blank=True, related_name='topics', to='core.pcfdomain')),
                ],
                options={
                    'db_table': 'mentoring_topic',
                    'ordering': ['name'],
                    'abstract': False,
                },
            ),
            ],
            database_operations=[],
        )
    ]
