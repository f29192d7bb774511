from celery import shared_task

from programmes import services


# The name is older than the programmes app: tasks already queued under it must still run.
@shared_task(
    name="mentoring.send_application_decision",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_application_decision(application_id: int) -> bool:
    """Tell an applicant what was decided, at most once (see application_decision_tell)."""
    return services.application_decision_tell(application_id=application_id)
