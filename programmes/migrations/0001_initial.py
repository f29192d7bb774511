"""State only: organisations, programmes, memberships, invitations and applications
move here from `mentoring`. The tables stay as they are
(docs/ARCHITECTURE.md, "Moving a model")."""

import django.db.models.deletion
import django.utils.timezone
import programmes.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("mentoring", "0012_invitation_to_coordinate"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Organisation',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=120, unique=True)),
                    ('slug', models.SlugField(unique=True)),
                ],
                options={
                    'db_table': 'mentoring_organisation',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='Programme',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=120)),
                    ('slug', models.SlugField(unique=True)),
                    ('description', models.TextField(blank=True)),
                    ('open_for_applications', models.BooleanField(default=True, help_text='People can ask to join from the list of programmes.')),
                    ('matching_mode', models.CharField(choices=[('rounds', 'Coordinators run matching rounds'), ('mentee_choice', 'Practitioners choose from suggestions')], default='rounds', max_length=20)),
                    ('matching_weights', models.JSONField(blank=True, default=dict, help_text='How much each thing counts when the matcher scores a pair. Empty means the defaults.')),
                    ('matching_schedule', models.CharField(blank=True, choices=[('', 'Only when a coordinator starts one'), ('weekly', 'Every week'), ('monthly', 'Every month')], default='', help_text='Rounds started automatically still wait for a coordinator to review them.', max_length=10, verbose_name='automatic matching rounds')),
                    ('max_candidates_per_mentee', models.PositiveSmallIntegerField(default=50, help_text='How many possible mentors the matcher keeps for each mentee.')),
                    ('quiet_weeks', models.PositiveSmallIntegerField(default=4, help_text='After this many weeks with no session, both people and the coordinators are asked how things are. After twice as long, a coordinator may end the match.', verbose_name='weeks without a session before we check in')),
                    ('time_zone', models.CharField(default='Europe/London', max_length=60)),
                    ('currency', models.CharField(default='GBP', max_length=3)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='programmes', to='programmes.organisation')),
                ],
                options={
                    'db_table': 'mentoring_programme',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='Membership',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('role', models.CharField(choices=[('mentor', 'Expert by experience (mentor)'), ('mentee', 'Practitioner (mentee)'), ('coordinator', 'Coordinator')], max_length=20)),
                    ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('ended_at', models.DateTimeField(blank=True, null=True)),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                    ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='programmes.programme')),
                ],
                options={
                    'db_table': 'mentoring_membership',
                    'ordering': ['programme', 'role', 'person'],
                },
            ),
            migrations.CreateModel(
                name='Invitation',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('role', models.CharField(choices=[('mentor', 'Expert by experience (mentor)'), ('mentee', 'Practitioner (mentee)'), ('coordinator', 'Coordinator')], max_length=20)),
                    ('email', models.EmailField(blank=True, help_text='Optional. If you fill this in, only the person with this email address can use the link.', max_length=254)),
                    ('note', models.CharField(blank=True, help_text='Optional. A note for you, such as who it is for.', max_length=200)),
                    ('token', models.CharField(default=programmes.models._invitation_token, max_length=64, unique=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('expires_at', models.DateTimeField(default=programmes.models._invitation_expiry)),
                    ('accepted_at', models.DateTimeField(blank=True, null=True)),
                    ('revoked_at', models.DateTimeField(blank=True, null=True)),
                    ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='accepted_invitations', to=settings.AUTH_USER_MODEL)),
                    ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='programmes.programme')),
                ],
                options={
                    'db_table': 'mentoring_invitation',
                    'ordering': ['-created_at'],
                },
            ),
            migrations.CreateModel(
                name='Application',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('role', models.CharField(choices=[('mentor', 'Expert by experience (mentor)'), ('mentee', 'Practitioner (mentee)')], max_length=20, verbose_name='join as')),
                    ('message', models.TextField(blank=True, help_text='Optional. A few words for the coordinator.', max_length=2000, verbose_name='why you would like to join')),
                    ('status', models.CharField(choices=[('pending', 'Waiting for a decision'), ('admitted', 'Admitted'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn')], default='pending', max_length=20)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('decided_at', models.DateTimeField(blank=True, null=True)),
                    ('decision_reason', models.TextField(blank=True, max_length=1000)),
                    ('decision_emailed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='applications', to=settings.AUTH_USER_MODEL)),
                    ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='applications', to='programmes.programme')),
                ],
                options={
                    'db_table': 'mentoring_application',
                    'ordering': ['created_at'],
                },
            ),
            migrations.CreateModel(
                name='Administrator',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='administrator_of', to=settings.AUTH_USER_MODEL)),
                    ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='administrators', to='programmes.organisation')),
                ],
                options={
                    'db_table': 'mentoring_administrator',
                    'constraints': [models.UniqueConstraint(fields=('organisation', 'person'), name='one_admin_row')],
                },
            ),
            migrations.AddConstraint(
                model_name='programme',
                constraint=models.CheckConstraint(condition=models.Q(('quiet_weeks__gte', 1), ('quiet_weeks__lte', 52)), name='programme_quiet_weeks_1_to_52'),
            ),
            migrations.AddConstraint(
                model_name='membership',
                constraint=models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('programme', 'person', 'role'), name='one_current_membership_per_role'),
            ),
            migrations.AddConstraint(
                model_name='application',
                constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('programme', 'person', 'role'), name='one_pending_application'),
            ),
            ],
            database_operations=[],
        )
    ]
