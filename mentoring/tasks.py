from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.access import service_operators
from core.choices import Role
from mentoring.models import Concern
from programmes.models import Administrator, Membership


@shared_task(name="mentoring.ping")
def ping(value: str) -> str:
    """Answer with what was sent: lets deploy checks and tests prove a worker round-trip."""
    return f"pong:{value}"


def concern_recipients(concern: Concern) -> tuple[list[str], bool]:
    """Who is told of a concern, and whether they are the people who run Alongside rather
    than the programme's staff. The programme's coordinators, leaving out anyone who is part
    of the match (programmes.duties); when that leaves nobody, the organisation's
    administrators; when there are none either, the operators of the service, who are asked
    to appoint someone: a concern never reaches nobody."""
    match = concern.match
    people = (match.mentor_id, match.mentee_id)
    coordinators = (
        Membership.objects.current()
        .filter(programme=match.programme, role=Role.COORDINATOR, person__is_active=True)
        .exclude(person_id__in=people)
        .values_list("person__email", flat=True)
    )
    found = set(coordinators) or set(
        Administrator.objects.filter(
            organisation_id=match.programme.organisation_id, person__is_active=True
        )
        .exclude(person_id__in=people)
        .values_list("person__email", flat=True)
    )
    if found:
        return sorted(found), False
    operators = service_operators().exclude(pk__in=people).values_list("email", flat=True)
    return sorted(operators), True


@shared_task(
    name="mentoring.send_concern_to_coordinators",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_concern_to_coordinators(concern_id: int) -> None:
    """Tell a programme's coordinators a concern was raised, at most once: a second run, or
    a retry after the email went out, finds it already claimed and sends nothing. The
    email says only that there is a concern; its details stay behind sign-in."""
    claimed = Concern.objects.filter(pk=concern_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return
    concern = Concern.objects.select_related("match__programme__organisation").get(pk=concern_id)
    programme = concern.match.programme
    recipients, escalated = concern_recipients(concern)
    if not recipients:
        return
    context = {
        "concern": concern,
        "programme": programme,
        "site_url": settings.SITE_URL,
        "escalated": escalated,
    }
    try:
        send_mail(
            subject=render_to_string("mentoring/email/concern_raised_subject.txt", context).strip(),
            message=render_to_string("mentoring/email/concern_raised.txt", context),
            html_message=render_to_string("mentoring/email/concern_raised.html", context),
            from_email=None,
            recipient_list=recipients,
        )
    except OSError:
        # The mail server failed: release the claim so the retry can send it.
        Concern.objects.filter(pk=concern_id).update(emailed_at=None)
        raise
