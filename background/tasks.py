from celery import shared_task

from background import services


@shared_task(name="background.sweep")
def sweep() -> dict[str, int]:
    """Send again what the broker did not take; fail or re-send work left stuck. Safe to
    run twice, or twice at once (see background.services.sweep)."""
    return services.sweep()
