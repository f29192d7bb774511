"""What mentoring tells the apps above it, so that it never imports them.

session_approved is sent by mentoring.services.session_approve inside its transaction,
once a coordinator's approval has counted (never for a second click). Payments listens
(payments/receivers.py) and adds the mentor's ledger lines: if a receiver raises, the
approval is rolled back with it, so an approved session always has its lines. Receivers
take `session` and `by` (the coordinator).

plan_cancelled is sent by mentoring.services.plan_cancel inside its transaction, when a
planned session was cancelled (once: never for a second click); plan_missed by
plan_missed_confirm, when a coordinator confirms the mentee did not come. Payments answers
both (payments/receivers.py) and decides whether the mentor is paid the programme's
cancellation fee. Receivers take `plan` and `by` (who cancelled, or the coordinator)."""

from django.dispatch import Signal

session_approved = Signal()
plan_cancelled = Signal()
plan_missed = Signal()
