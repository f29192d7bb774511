"""Handing work to the background workers, so that nothing saved is lost or stuck when the
broker or a worker fails.

- enqueue() is the one way a service queues a task. The task is sent once the change it
  follows is committed. If the broker cannot take it, the failure is logged and recorded
  (UnsentTask), and the person's request carries on: what they did is saved. A sweep
  sending work again uses enqueue_now(), which does the same at once.
- sweep() runs every five minutes from beat, and by hand with `manage.py sweep`. It sends the
  recorded tasks again, then runs each app's own sweep (a `sweeps.py` in the app, as
  matching has: rounds waiting too long are sent again, rounds running past their deadline
  are failed).
"""

import logging
from datetime import datetime, timedelta
from functools import partial
from importlib import import_module

from celery import current_app
from django.apps import apps
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from kombu.exceptions import OperationalError

from background.models import UnsentTask

logger = logging.getLogger(__name__)

# A task still unsent after two days is left in the Django admin for a person to look at;
# the apps' own sweeps have dealt with any work that still matters by then.
UNSENT_GIVE_UP = timedelta(days=2)


def enqueue(task, *args) -> None:
    """Run `task(*args)` in the background once the current transaction commits (at once
    outside a transaction). Arguments are ids, and every task is safe to run twice, so the
    sweep may send it again."""
    transaction.on_commit(partial(enqueue_now, task, *args))


def enqueue_now(task, *args) -> None:
    """Send `task(*args)` now, for work committed already (a sweep sending work again).
    Like enqueue(), it never raises: what the broker does not take is logged and recorded."""
    _send_or_record(task.name, list(args))


def _task(name: str):
    tasks = current_app.tasks
    if name not in tasks:
        # A process that has not imported every app's tasks.py yet (`manage.py sweep`).
        current_app.loader.import_default_modules()
    return tasks[name]


def _send(name: str, args: list) -> Exception | None:
    """Hand the task to the broker (or, with tasks in-process, run it). Returns what went
    wrong, if anything."""
    try:
        # Nobody waits for these results; ignoring them also spares the web process a
        # connection to the result store.
        _task(name).apply_async(args=args, ignore_result=True)
    except Exception as error:  # the broker, the result store, or an in-process task
        return error
    return None


def _send_or_record(name: str, args: list) -> None:
    error = _send(name, args)
    if error is None:
        return
    logger.error(
        "Could not send the task %s%s; the sweep will send it again.",
        name,
        tuple(args),
        exc_info=error,
    )
    try:
        UnsentTask.objects.create(task=name, args=args, error=repr(error)[:2000])
    except DatabaseError:
        logger.exception("Could not record the unsent task %s%s either.", name, tuple(args))


def unsent_tasks_send(*, now: datetime) -> int:
    """Send again the tasks the broker did not take. A row goes once its task is sent. Two
    sweeps at once may both send one: tasks are safe to run twice."""
    sent = 0
    for unsent in UnsentTask.objects.filter(created_at__gte=now - UNSENT_GIVE_UP):
        error = _send(unsent.task, unsent.args)
        if error is None:
            unsent.delete()
            sent += 1
            continue
        UnsentTask.objects.filter(pk=unsent.pk).update(
            attempts=F("attempts") + 1, tried_at=timezone.now(), error=repr(error)[:2000]
        )
        if isinstance(error, OperationalError):
            logger.warning("The broker is still down; the next sweep tries again.")
            break
    return sent


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Send again what the broker did not take, and let each app deal with its work left
    waiting or running too long. Safe to run at any time, and twice at once. Returns how
    much it did, by kind."""
    now = now or timezone.now()
    done = {"unsent tasks sent": unsent_tasks_send(now=now)}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "sweeps"):
            done.update(import_module(f"{config.name}.sweeps").sweep(now=now))
    return done
