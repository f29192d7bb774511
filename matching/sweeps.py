"""Matching's part of the sweep (background.services.sweep), every five minutes."""

from matching import services


def sweep(*, now) -> dict[str, int]:
    # Failing first: a round waiting more than a day is given up, not sent again.
    return {
        "rounds failed past their deadline": services.rounds_fail_overdue(now=now),
        "waiting rounds sent again": services.rounds_resend_waiting(now=now),
        "unfinished approvals sent again": services.approval_batches_resend(now=now),
    }
