from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from matching import services
from matching.models import Proposal


@shared_task(name="matching.run_round", acks_late=True)
def run_round(round_id: int) -> None:
    services.round_run(round_id=round_id)


@shared_task(name="matching.start_scheduled_rounds")
def start_scheduled_rounds() -> int:
    return len(services.rounds_start_scheduled())


@shared_task(
    name="matching.ask_for_answers", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def ask_for_answers(proposal_id: int) -> None:
    """Email the mentor and the mentee that a proposed match awaits their answer, at most
    once: the first run marks the proposal as asked, and a second run finds it marked."""
    claimed = Proposal.objects.filter(
        pk=proposal_id, status=Proposal.Status.APPROVED, asked_at__isnull=True
    ).update(asked_at=timezone.now())
    if not claimed:
        return
    proposal = Proposal.objects.select_related("mentor", "mentee", "round__programme").get(
        pk=proposal_id
    )
    try:
        # Only people who have not answered yet are asked: a mentee who chose a mentor
        # has answered already.
        waiting = [
            (person, other)
            for person, other, answer in (
                (proposal.mentor, proposal.mentee, proposal.mentor_answer),
                (proposal.mentee, proposal.mentor, proposal.mentee_answer),
            )
            if answer == Proposal.Answer.WAITING
        ]
        for person, other in waiting:
            context = {
                "person": person,
                "other": other,
                "programme": proposal.round.programme,
                "proposal": proposal,
                "site_url": settings.SITE_URL,
            }
            send_mail(
                subject=render_to_string(
                    "matching/email/answer_needed_subject.txt", context
                ).strip(),
                message=render_to_string("matching/email/answer_needed.txt", context),
                html_message=render_to_string("matching/email/answer_needed.html", context),
                from_email=None,
                recipient_list=[person.email],
            )
    except OSError:
        Proposal.objects.filter(pk=proposal_id).update(asked_at=None)
        raise
