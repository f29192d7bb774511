"""What activities tell the apps above them, so that they never import them.

attendance_recorded is sent by activities.services.attendance_record inside its
transaction, once a coordinator's record that someone attended has counted (never for a
second click, nor for "did not attend"). Payments listens (payments/receivers.py) and adds
the person's ledger lines: if a receiver raises, the record is rolled back with it, so an
attended place always has its lines. Receivers take `place` and `by` (the coordinator).

activity_cancelled is sent by activities.services.activity_cancel inside its transaction,
once, by the call whose conditional update cancelled the activity. Payments listens and
pays each person who had said yes the rate card's cancellation fee when it came at short
notice (payments.services.activity_cancellation_pay). Receivers take `activity` (with
cancelled_at and cancelled_by set) and `by` (the coordinator)."""

from django.dispatch import Signal

attendance_recorded = Signal()
activity_cancelled = Signal()
