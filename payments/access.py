"""Who may see which payment records. Each helper answers 404 for anything the person may
not see, so another programme's claims, runs and receipts look as if they did not exist."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from payments.models import Advance, Expense, LedgerLine, PaymentRun, RunPayee
from programmes.models import Programme


def get_expense_for_mentor(user, expense_id: int) -> Expense:
    return get_object_or_404(
        Expense.objects.select_related(
            "programme", "session", "decided_by", "activity_place__activity"
        ),
        pk=expense_id,
        mentor=user,
    )


def get_expense_for_coordinator(programme: Programme, expense_id: int) -> Expense:
    return get_object_or_404(
        Expense.objects.select_related(
            "programme", "mentor", "session", "decided_by", "activity_place__activity"
        ),
        pk=expense_id,
        programme=programme,
    )


def get_expense_with_receipt(user, expense_id: int) -> Expense:
    """A receipt: its mentor, and the coordinators (and administrators) of its programme.
    Everyone else, including the mentee of the session, gets a 404."""
    expense = get_object_or_404(
        Expense.objects.select_related("programme").filter(
            Q(mentor=user) | Q(programme__in=Programme.objects.coordinated_by(user))
        ),
        pk=expense_id,
    )
    if not expense.receipt:
        raise Http404("No receipt")
    return expense


def get_run_for_coordinator(programme: Programme, run_id: int) -> PaymentRun:
    return get_object_or_404(
        PaymentRun.objects.select_related("programme", "created_by", "paid_by"),
        pk=run_id,
        programme=programme,
    )


def get_run_for_mentor(user, run_id: int) -> PaymentRun:
    """A run that paid (or will pay) this mentor something."""
    return get_object_or_404(
        PaymentRun.objects.select_related("programme").filter(payees__mentor=user).distinct(),
        pk=run_id,
    )


def get_payee_for_coordinator(programme: Programme, payee_id: int) -> RunPayee:
    return get_object_or_404(
        RunPayee.objects.select_related("run__programme", "mentor"),
        pk=payee_id,
        run__programme=programme,
    )


def get_line_for_coordinator(programme: Programme, line_id: int) -> LedgerLine:
    return get_object_or_404(
        LedgerLine.objects.select_related("mentor", "session", "expense", "programme"),
        pk=line_id,
        programme=programme,
    )


def get_advance_for_mentor(user, advance_id: int) -> Advance:
    return get_object_or_404(
        Advance.objects.select_related("programme", "decided_by"), pk=advance_id, mentor=user
    )


def get_advance_for_coordinator(programme: Programme, advance_id: int) -> Advance:
    return get_object_or_404(
        Advance.objects.select_related("programme", "mentor", "decided_by"),
        pk=advance_id,
        programme=programme,
    )


def get_advance_with_receipt(user, advance_id: int) -> Advance:
    """An advance's receipt: its mentor, and the coordinators (and administrators) of its
    programme; a 404 for everyone else, as for a claim's receipt."""
    advance = get_object_or_404(
        Advance.objects.select_related("programme").filter(
            Q(mentor=user) | Q(programme__in=Programme.objects.coordinated_by(user))
        ),
        pk=advance_id,
    )
    if not advance.receipt:
        raise Http404("No receipt")
    return advance
