"""What the outage tests share: a port nobody listens on, a Redis server of the test's own
that it can stop and start again (never the shared one other tests and engineers use), and
this process's Celery app pointed at a broker for the length of a test."""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from kombu import pools

from config.celery import app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_at_closed_port() -> str:
    """A Redis address where nothing answers: what the app sees while Redis is down."""
    return f"redis://127.0.0.1:{free_port()}/0"


class PrivateRedis:
    """A redis-server for one test, on a free port, keeping nothing on disk: stopped and
    started again, it comes back empty, as a broker restarted without persistence does."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("redis-server") and shutil.which("redis-cli"))

    def _cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args],
            capture_output=True,
            text=True,
            timeout=10,
        )

    def answers(self) -> bool:
        return self._cli("ping").stdout.strip() == "PONG"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "yes",
                "--dir", str(self.folder),
                "--logfile", str(self.folder / "redis.log"),
                "--pidfile", str(self.folder / "redis.pid"),
            ],
            check=True,
            timeout=10,
        )  # fmt: skip
        self._wait(until=True)

    def stop(self) -> None:
        if self.answers():
            self._cli("shutdown", "nosave")
        self._wait(until=False)

    def _wait(self, *, until: bool) -> None:
        deadline = time.monotonic() + 10
        while self.answers() != until:
            if time.monotonic() > deadline:
                raise AssertionError(f"redis-server on port {self.port} did not {until=}")
            time.sleep(0.05)


def _drop_connections() -> None:
    # Kombu keeps its connection and producer pools in registries of its own, keyed by the
    # broker's address; the app keeps a reference to one of each. Both go, as after a fork.
    pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Send this process's tasks to the broker at `url`, for real (not in-process), with
    fresh connections. Celery reads CELERY_BROKER_URL from the environment before its own
    settings, so both are set, and put back afterwards."""
    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved = app.conf.broker_url, app.conf.task_always_eager
    _drop_connections()
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        _drop_connections()
        app.conf.broker_url, app.conf.task_always_eager = saved
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


def database_url() -> str:
    """This test database's address, for a worker process of its own."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def wait_for(condition, *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.05)
