from celery import shared_task

from mentoring import services


@shared_task(name="mentoring.ping")
def ping(value: str) -> str:
    """Answer with what was sent: lets deploy checks and tests prove a worker round-trip."""
    return f"pong:{value}"


@shared_task(
    name="mentoring.send_concern_to_coordinators",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_concern_to_coordinators(concern_id: int) -> int:
    """Tell a programme's coordinators a concern was raised, at most once (see
    concern_coordinators_tell)."""
    return services.concern_coordinators_tell(concern_id=concern_id)


@shared_task(name="mentoring.messages_delete_old")
def messages_delete_old() -> int:
    """Daily: messages of matches that ended more than MESSAGES_KEPT_DAYS ago, except those
    attached to a concern. Safe to run twice: what is gone is not found again."""
    return services.messages_delete_old()
