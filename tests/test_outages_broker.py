"""Outages for real: a broker of the test's own stopped while a coordinator starts a round,
and a real worker process killed (SIGKILL) while it solves a big round. Nothing is lost or
stuck: the sweep sends the round again once the broker is back, and fails the killed one
past its deadline so a new round can start.

Each test runs its own redis-server on a free port, so stopping it never disturbs the
shared Redis. Skipped without CELERY_BROKER_URL (tasks run in-process there) or without
redis-server; the killed worker is a separate process, so that test needs PostgreSQL. CI
runs them with both."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from background.services import sweep
from bench.matching import make_instance
from config.celery import app
from matching.models import MatchingRound
from matching.tasks import run_round
from tests.factories import round_with_data, sign_in
from tests.outages_support import PrivateRedis, broker_at, database_url, wait_for

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis"),
        reason="No CELERY_BROKER_URL: tasks run in-process here; CI runs this against Redis",
    ),
    pytest.mark.skipif(
        not PrivateRedis.available(),
        reason="redis-server is not installed: these tests start and stop one of their own",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def worker_in_this_process():
    # The default queue, named: an earlier in-process worker for a queue of its own (see
    # tests/test_celery.py) leaves the app consuming from that one otherwise.
    return start_worker(
        app,
        pool="solo",
        queues=[app.conf.task_default_queue],
        perform_ping_check=False,
        shutdown_timeout=10,
        loglevel="WARNING",
    )


def worker_process(broker_url: str) -> subprocess.Popen:
    env = os.environ | {
        "CELERY_BROKER_URL": broker_url,
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def status(matching_round) -> str:
    # Only the fields that change.
    matching_round.refresh_from_db(fields=["status", "error", "started_at"])
    return matching_round.status


def test_a_round_started_while_the_broker_is_stopped_is_solved_once_it_is_back(
    world, client, redis
):
    sign_in(client, world.coordinator)
    with broker_at(redis.url):
        redis.stop()

        response = client.post(reverse("matching:coordinator_rounds", args=["north"]))

        matching_round = MatchingRound.objects.get()
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
        assert "Waiting to start" in html

        # The broker comes back empty: the round's message is nowhere but in our records.
        redis.start()
        sweep(now=timezone.now() + timedelta(minutes=6))
        with worker_in_this_process():
            wait_for(
                lambda: status(matching_round) == MatchingRound.Status.FINISHED,
                what="the round to be solved",
            )
    assert matching_round.proposals.get().mentee == world.mentee


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The worker is a process of its own: it shares the test database only on PostgreSQL",
)
def test_a_round_whose_worker_is_killed_is_failed_by_the_sweep_and_a_new_one_starts(
    world, client, redis
):
    # Big enough to take the worker a few seconds to solve.
    big = round_with_data(
        world.programme, snapshot=make_instance(3000, 9000), started_by=world.coordinator
    )
    worker = worker_process(redis.url)
    try:
        with broker_at(redis.url):
            run_round.delay(big.pk)
            wait_for(lambda: status(big) == MatchingRound.Status.RUNNING, what="the worker")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            assert status(big) == MatchingRound.Status.RUNNING, "killed while solving"

            deadline = timedelta(minutes=settings.MATCHING_ROUND_DEADLINE_MINUTES)
            sweep(now=big.started_at + deadline + timedelta(minutes=1))

            assert status(big) == MatchingRound.Status.FAILED
            assert "stopped before it finished" in big.error
            sign_in(client, world.coordinator)
            response = client.post(reverse("matching:coordinator_rounds", args=["north"]))
            new = MatchingRound.objects.exclude(pk=big.pk).get()
            assert response["Location"] == reverse(
                "matching:coordinator_round_detail", args=["north", new.pk]
            )
            with worker_in_this_process():
                wait_for(
                    lambda: status(new) == MatchingRound.Status.FINISHED,
                    what="the new round to be solved",
                )
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert status(big) == MatchingRound.Status.FAILED
    assert not big.proposals.exists()
    assert new.proposals.get().mentee == world.mentee
