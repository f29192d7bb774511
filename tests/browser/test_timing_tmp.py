from io import StringIO

from django.core.management import call_command


def test_a(live_server, django_db_serialized_rollback, page):
    from mentoring.models import Topic

    print("topics", Topic.objects.count())
    call_command("seed_demo", stdout=StringIO())


def test_b(live_server, django_db_serialized_rollback, page):
    from mentoring.models import Topic

    print("topics", Topic.objects.count())
