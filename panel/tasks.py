from celery import shared_task

from panel import services


@shared_task(
    name="panel.tell_entry_readers",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def tell_entry_readers(entry_id: int) -> int:
    """Tell a programme's members of a new "You said, we did" entry. Safe to run twice, or
    again after a worker died halfway (see entry_readers_tell)."""
    return services.entry_readers_tell(entry_id=entry_id)
