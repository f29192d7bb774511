from celery import shared_task

from programmes import services


@shared_task(
    name="mentoring.send_application_decision",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_application_decision(application_id: int) -> None:
    """Tell an applicant what was decided, at most once (application_decision_email)."""
    services.application_decision_email(application_id=application_id)
