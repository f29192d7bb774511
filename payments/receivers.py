"""Payments' answers to what lower apps announce (their signals.py), connected in
PaymentsConfig.ready(). Each receiver runs inside the sender's transaction."""

from django.dispatch import receiver

from activities.signals import activity_cancelled, attendance_recorded
from mentoring.signals import plan_cancelled, plan_missed, session_approved
from payments.services import (
    activity_cancellation_pay,
    activity_lines_create,
    plan_cancellation_pay,
    plan_missed_pay,
    session_lines_create,
)


@receiver(session_approved, dispatch_uid="payments.session_lines_create")
def add_session_lines(sender, *, session, by, **kwargs) -> None:
    session_lines_create(session=session, by=by)


@receiver(plan_cancelled, dispatch_uid="payments.plan_cancellation_pay")
def pay_short_notice_cancellation(sender, *, plan, by, **kwargs) -> None:
    plan_cancellation_pay(plan=plan, by=by)


@receiver(plan_missed, dispatch_uid="payments.plan_missed_pay")
def pay_missed_session(sender, *, plan, by, **kwargs) -> None:
    plan_missed_pay(plan=plan, by=by)


@receiver(attendance_recorded, dispatch_uid="payments.activity_lines_create")
def add_activity_lines(sender, *, place, by, **kwargs) -> None:
    activity_lines_create(place=place, by=by)


@receiver(activity_cancelled, dispatch_uid="payments.activity_cancellation_pay")
def pay_activity_cancellation(sender, *, activity, by, **kwargs) -> None:
    activity_cancellation_pay(activity=activity, by=by)
