from celery import shared_task

from matching import services


@shared_task(name="matching.run_round", acks_late=True)
def run_round(round_id: int) -> None:
    services.round_run(round_id=round_id)


@shared_task(name="matching.start_scheduled_rounds")
def start_scheduled_rounds() -> int:
    return len(services.rounds_start_scheduled())


@shared_task(
    name="matching.ask_for_answers", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def ask_for_answers(proposal_id: int) -> int:
    """Ask the two people of an approved proposal for their answer, at most once (see
    proposal_answers_ask)."""
    return services.proposal_answers_ask(proposal_id=proposal_id)


@shared_task(name="matching.approve_batch", acks_late=True)
def approve_batch(batch_id: int) -> None:
    """Approve a coordinator's batch of waiting pairs; safe to run twice (approval_batch_run)."""
    services.approval_batch_run(batch_id=batch_id)
