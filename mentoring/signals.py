"""What mentoring tells the apps above it, so that it never imports them.

session_approved is sent by mentoring.services.session_approve inside its transaction,
once a coordinator's approval has counted (never for a second click). Payments listens
(payments/receivers.py) and adds the mentor's ledger lines: if a receiver raises, the
approval is rolled back with it, so an approved session always has its lines. Receivers
take `session` and `by` (the coordinator)."""

from django.dispatch import Signal

session_approved = Signal()
