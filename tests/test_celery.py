"""Background tasks: in-process by default, through the real broker when one is set."""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from config.celery import app
from mentoring.tasks import ping
from programmes.services import application_admit
from programmes.tasks import send_application_decision
from tests.factories import ApplicationFactory, UserFactory

needs_broker = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"),
    reason="No CELERY_BROKER_URL: tasks run in-process here; CI runs this against Redis",
)


def test_it_runs_tasks_in_process_without_a_broker():
    assert ping.delay("hi").get(timeout=5) == "pong:hi"


@pytest.mark.django_db
def test_it_emails_the_applicant_once_a_decision_is_committed(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory(person=UserFactory(display_name="Kim"))
    with django_capture_on_commit_callbacks(execute=True):
        application_admit(application=application, by=UserFactory())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [application.person.email]
    assert "Welcome to" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives, "every email has an HTML body too"


@pytest.mark.django_db
def test_it_emails_each_decision_at_most_once(django_capture_on_commit_callbacks):
    application = ApplicationFactory(status="declined")
    # The email goes once the notification is committed (notifications.send_email).
    with django_capture_on_commit_callbacks(execute=True):
        send_application_decision(application.pk)
    with django_capture_on_commit_callbacks(execute=True):
        send_application_decision(application.pk)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_sends_nothing_for_an_application_still_pending(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_application_decision(ApplicationFactory().pk)
        send_application_decision(999_999)
    assert mail.outbox == []


def _worker(queue):
    return start_worker(
        app,
        pool="solo",
        queues=[queue],
        perform_ping_check=False,
        shutdown_timeout=10,
        loglevel="WARNING",
    )


@needs_broker
@pytest.mark.broker
def test_it_round_trips_a_task_through_the_real_broker():
    # A queue of our own, so messages other tests left behind never reach this worker.
    queue = f"test-{uuid.uuid4().hex}"
    assert not app.conf.task_always_eager
    with _worker(queue):
        result = ping.apply_async(args=["hello"], queue=queue)
        assert result.get(timeout=30) == "pong:hello"


@needs_broker
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_real_task_in_a_worker_against_committed_data(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue = f"test-{uuid.uuid4().hex}"
    application = ApplicationFactory(status="admitted")
    # The task queues the email task (notifications.send_email) without naming a queue: it
    # goes to this test's queue too, so this worker sends it.
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with _worker(queue):
            result = send_application_decision.apply_async(args=[application.pk], queue=queue)
            result.get(timeout=30)
            # Running it twice is safe: the applicant still gets one email.
            send_application_decision.apply_async(args=[application.pk], queue=queue).get(
                timeout=30
            )
            # The email task queued by the first run has been handled by now.
            assert ping.apply_async(args=["settled"], queue=queue).get(timeout=30)
    finally:
        app.conf.task_default_queue = default_queue
    assert [m.to for m in mail.outbox] == [[application.person.email]]
