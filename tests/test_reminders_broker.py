"""Reminders through the real broker and real worker processes: a reminder task delivered
twice sends each email once, and a worker killed in the middle of the task loses nothing
and repeats nothing once a new worker takes over.

The workers are separate processes (`celery worker`, solo pool) on the test database, so
the test data is committed (transaction=True) and emails are counted as files: each email
one file in a folder both processes see. Skipped without a Redis broker and PostgreSQL;
CI runs them with both."""

import os
import signal
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from config.celery import app
from mentoring.tasks import ping
from notifications.models import Notification
from notifications.reminders import due_reminders
from notifications.tasks import PAUSE_AFTER_FIRST, send_reminders

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis"),
        reason="No CELERY_BROKER_URL: tasks run in-process here; CI runs this against Redis",
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Worker processes share the test database only on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parent.parent
MAILBOX = "ALONGSIDE_TEST_MAILBOX"


class FolderMailbox(BaseEmailBackend):
    """Each email as one file in $ALONGSIDE_TEST_MAILBOX, so a test can count what another
    process sent. Used by the worker processes below, never by Alongside itself."""

    def send_messages(self, messages):
        folder = Path(os.environ[MAILBOX])
        for message in messages:
            (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(messages)


# A worker for one queue of its own, so messages other tests leave behind never reach it.
# The visibility timeout is how long Redis waits before it gives an unacknowledged message
# (its worker died) to another worker: an hour in production, seconds here.
WORKER = """
import sys
from config.celery import app

queue, visibility = sys.argv[1], float(sys.argv[2])
app.conf.task_default_queue = queue
# The bookkeeping of unacknowledged messages is this test's own too: other tests' workers
# (other xdist processes in CI) share the Redis database, and a restore lock left by any
# killed process would otherwise stall every restore for its five-minute expiry.
app.conf.broker_transport_options = {
    "visibility_timeout": visibility,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "unacked_key": f"{queue}-unacked",
    "unacked_index_key": f"{queue}-unacked-index",
    "unacked_mutex_key": f"{queue}-unacked-mutex",
    "unacked_mutex_expire": 5,
}
app.worker_main(["worker", "--pool=solo", "--queues", queue, "--loglevel=WARNING",
                 "--without-mingle", "--without-gossip", "--without-heartbeat"])
"""


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def start_worker(queue: str, mailbox: Path, *, visibility: float = 3600, pause: float = 0):
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": f"{__name__}.FolderMailbox",
        MAILBOX: str(mailbox),
        PAUSE_AFTER_FIRST: str(pause),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, queue, str(visibility)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def emails(mailbox: Path) -> list[int]:
    """The notification id of each email sent, one entry per email."""
    return sorted(
        int(message_from_bytes(path.read_bytes())["X-Alongside-Notification"])
        for path in mailbox.glob("*.eml")
    )


def wait_for(condition, *, timeout: float = 180, what: str = "", state=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            seen = f"; what there was: {state()}" if state else ""
            raise AssertionError(f"Timed out waiting for {what}{seen}")
        time.sleep(0.2)


def waiting_in(queue: str) -> int:
    """How many messages wait in the queue, not yet taken by a worker."""
    with app.connection_for_write() as connection:
        return connection.default_channel.queue_declare(queue=queue).message_count


def through_the_queue(queue: str) -> None:
    """Wait until the worker has handled everything sent to the queue before now."""
    assert ping.apply_async(args=["settled"], queue=queue).get(timeout=180) == "pong:settled"


def expected_reminders() -> set[tuple]:
    return {
        (r.person.pk, r.kind, r.event_key)
        for r in due_reminders(timezone.now())
        if r.person.is_active
    }


def made() -> list[tuple]:
    return sorted(Notification.objects.values_list("person_id", "kind", "event_key"))


def to_email() -> list[int]:
    return sorted(Notification.objects.filter(email_wanted=True).values_list("pk", flat=True))


@pytest.fixture
def reminders_due(world):
    """Sam logged a session two days ago: Priya is asked to confirm it, both to give
    feedback (and, in November, Priya to record her CPD)."""
    from datetime import timedelta

    from mentoring import services
    from tests.test_permissions import _match

    services.session_log(
        match=_match(world),
        by=world.mentor,
        starts_at=timezone.now() - timedelta(days=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    expected = expected_reminders()
    assert len(expected) >= 3
    return expected


@pytest.fixture
def mailbox(tmp_path):
    folder = tmp_path / "mailbox"
    folder.mkdir()
    return folder


@pytest.fixture
def queue():
    assert not app.conf.task_always_eager
    return f"test-reminders-{uuid.uuid4().hex}"


def test_the_same_reminder_task_delivered_twice_sends_each_email_once(
    reminders_due, mailbox, queue
):
    worker = start_worker(queue, mailbox)
    try:
        task_id = str(uuid.uuid4())
        # The same message twice: what a broker does when it redelivers.
        send_reminders.apply_async(queue=queue, task_id=task_id)
        send_reminders.apply_async(queue=queue, task_id=task_id)
        through_the_queue(queue)  # both scans have run; their email tasks are queued
        through_the_queue(queue)  # and now sent
    finally:
        stop(worker)
    assert made() == sorted(reminders_due)
    assert emails(mailbox) == to_email()
    assert len(emails(mailbox)) >= 3


def test_a_worker_killed_mid_task_loses_nothing_and_repeats_nothing(reminders_due, mailbox, queue):
    # The first worker stops for five minutes after its first new reminder: killed there.
    first = start_worker(queue, mailbox, pause=300)
    second = None
    try:
        send_reminders.apply_async(queue=queue)
        # Killed once the first reminder is committed and its email handed to the broker.
        # Between the two (a few milliseconds) a kill would leave the email to the scan
        # after its lease has run out (emails_resend_unsent), minutes later.
        wait_for(
            lambda: Notification.objects.exists() and waiting_in(queue) == len(to_email()),
            what="the first reminder and its email in the queue",
            state=lambda: (made(), to_email(), waiting_in(queue)),
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert len(made()) == 1, "killed in the middle: one reminder made, the rest not yet"
        assert emails(mailbox) == []

        # A new worker gets the unacknowledged task back once its visibility timeout has
        # passed, runs it again from the start, and sends the email the first one queued.
        second = start_worker(queue, mailbox, visibility=3)
        wait_for(
            lambda: made() == sorted(reminders_due) and emails(mailbox) == to_email(),
            what="every reminder and its email",
            state=lambda: (made(), sorted(reminders_due), emails(mailbox), to_email()),
        )
        through_the_queue(queue)
        time.sleep(2)
        through_the_queue(queue)
    finally:
        if first.poll() is None:
            first.kill()
        if second is not None:
            stop(second)
    assert made() == sorted(reminders_due)
    sent = emails(mailbox)
    assert sent == to_email(), "exactly one email for each notification that wants one"
    assert len(sent) == len(set(sent)) >= 3


# Zones to choose from, so some programme's day has started whenever the test runs: the
# day-before reminder waits for 8am where the programme runs.
ZONES = ["Europe/London", "Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]


def test_the_day_before_reminder_delivered_twice_sends_one_email(world, mailbox, queue):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from mentoring.models import PlannedSession
    from programmes.models import Programme
    from tests.test_permissions import _match

    zone = next(z for z in ZONES if 8 <= datetime.now(ZoneInfo(z)).hour < 20)
    Programme.objects.filter(pk=world.programme.pk).update(time_zone=zone)
    tomorrow = datetime.now(ZoneInfo(zone)).date() + timedelta(days=1)
    # Made in the database, not through session_plan: its "planned" notification would
    # queue an email outside this test's queue.
    plan = PlannedSession.objects.create(
        match=_match(world),
        planned_by=world.mentor,
        starts_at=datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=ZoneInfo(zone)),
        duration_minutes=60,
        meeting_mode="online",
        meeting_link="https://meet.example.org/sam-priya",
    )
    due = expected_reminders()
    day_before = {key for key in due if key[1] == "plan_reminder"}
    assert {person for person, _, _ in day_before} == {world.mentor.pk, world.mentee.pk}
    assert all(key.startswith(f"plan:{plan.pk}:day-before:") for _, _, key in day_before)

    worker = start_worker(queue, mailbox)
    try:
        task_id = str(uuid.uuid4())
        send_reminders.apply_async(queue=queue, task_id=task_id)
        send_reminders.apply_async(queue=queue, task_id=task_id)
        through_the_queue(queue)
        through_the_queue(queue)
    finally:
        stop(worker)
    assert made() == sorted(due)
    sent = emails(mailbox)
    assert sent == to_email() and len(sent) == len(set(sent))
    reminders = Notification.objects.filter(kind="plan_reminder")
    assert sorted(sent) == sorted(
        Notification.objects.filter(email_wanted=True).values_list("pk", flat=True)
    )
    assert reminders.count() == 2 and set(reminders.values_list("pk", flat=True)) <= set(sent)
