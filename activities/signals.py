"""What activities tell the apps above them, so that they never import them.

attendance_recorded is sent by activities.services.attendance_record inside its
transaction, once a coordinator's record that someone attended has counted (never for a
second click, nor for "did not attend"). Payments listens (payments/receivers.py) and adds
the person's ledger lines: if a receiver raises, the record is rolled back with it, so an
attended place always has its lines. Receivers take `place` and `by` (the coordinator)."""

from django.dispatch import Signal

attendance_recorded = Signal()
