"""Payments' answers to what lower apps announce (their signals.py), connected in
PaymentsConfig.ready(). Each receiver runs inside the sender's transaction."""

from django.dispatch import receiver

from mentoring.signals import session_approved
from payments.services import session_lines_create


@receiver(session_approved, dispatch_uid="payments.session_lines_create")
def add_session_lines(sender, *, session, by, **kwargs) -> None:
    session_lines_create(session=session, by=by)
