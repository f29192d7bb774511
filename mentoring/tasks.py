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
def send_concern_to_coordinators(concern_id: int) -> None:
    """Tell a programme's coordinators a concern was raised, at most once (concern_email)."""
    services.concern_email(concern_id=concern_id)
