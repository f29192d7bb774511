from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from programmes.models import Application


@shared_task(
    name="mentoring.send_application_decision",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_application_decision(application_id: int) -> None:
    """Tell an applicant what was decided, at most once: a second run, or a retry after the
    email went out, finds the decision already marked as emailed and sends nothing."""
    claimed = (
        Application.objects.filter(pk=application_id, decision_emailed_at__isnull=True)
        .exclude(status=Application.Status.PENDING)
        .update(decision_emailed_at=timezone.now())
    )
    if not claimed:
        return
    application = Application.objects.select_related("person", "programme").get(pk=application_id)
    if not application.person.is_active:
        return
    context = {"application": application, "site_url": settings.SITE_URL}
    try:
        send_mail(
            subject=render_to_string(
                "mentoring/email/application_decision_subject.txt", context
            ).strip(),
            message=render_to_string("mentoring/email/application_decision.txt", context),
            html_message=render_to_string("mentoring/email/application_decision.html", context),
            from_email=None,
            recipient_list=[application.person.email],
        )
    except OSError:
        # The mail server failed: release the claim so the retry can send it.
        Application.objects.filter(pk=application_id).update(decision_emailed_at=None)
        raise
