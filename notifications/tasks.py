import os
import time

from celery import shared_task

from notifications import services

# Test-only: seconds to sleep after the first new reminder of a scan, so a test can kill
# the worker at a known point in the middle of the task (tests/test_reminders_broker.py).
PAUSE_AFTER_FIRST = "ALONGSIDE_TEST_PAUSE_AFTER_FIRST_REMINDER"


@shared_task(
    name="notifications.send_email",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_email(notification_id: int) -> bool:
    """Email one notification, at most once (see notification_email_send)."""
    return services.notification_email_send(notification_id=notification_id)


@shared_task(name="notifications.send_reminders", acks_late=True, reject_on_worker_lost=True)
def send_reminders() -> int:
    """Make every reminder that is due. Safe to run twice, or twice at once, and to be
    killed halfway: the message is acknowledged only at the end, so a new worker runs it
    again, and what the first run made is found, not made again."""
    pause = float(os.environ.get(PAUSE_AFTER_FIRST) or 0)
    paused = []

    def after_created(notification) -> None:
        if pause and not paused:
            paused.append(notification.pk)
            time.sleep(pause)

    return services.reminders_scan(after_created=after_created if pause else None)
