"""The demo's payments: a year of paid partnership in North Star, made through the services."""

import io
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from PIL import Image

from accounts.models import User
from demo.payments import seed_payments
from mentoring.models import Session
from notifications.models import Kind, Notification
from payments.models import (
    Expense,
    LedgerLine,
    PaymentMethod,
    PaymentPreference,
    PaymentRun,
    RateCard,
    RunItem,
    RunPayee,
)
from payments.selectors import preferences_in_force, programme_pay, session_day
from programmes.models import Programme


def seed() -> str:
    """The demo seed, then the payments seed, as seed_demo will call it."""
    out = StringIO()
    call_command("seed_demo", stdout=out)
    seed_payments(out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [RateCard, PaymentPreference, LedgerLine, Expense, PaymentRun, RunPayee, RunItem]
    found = {model.__name__: model.objects.count() for model in models}
    found["payment news"] = Notification.objects.filter(kind=Kind.PAYMENT).count()
    return found


@pytest.mark.django_db
def test_it_seeds_a_year_of_paid_partnership(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        out = seed()

    today = timezone.localdate()
    north_star = Programme.objects.get(slug="north-star")
    coordinator = User.objects.get(email="coordinator@example.org")
    assert "Payments: 3 rate cards" in out
    # Nobody is emailed: the demo's addresses are made up.
    assert mailoutbox == []

    # Rate cards: the first backdated to before the first session, the next one to come.
    first, later = RateCard.objects.filter(programme=north_star).order_by("effective_from")
    sessions = Session.objects.filter(match__programme=north_star).select_related(
        "match__programme"
    )
    assert first.effective_from <= min(session_day(s) for s in sessions)
    assert (first.hourly_rate, first.preparation_minutes) == (Decimal("20.00"), 30)
    assert first.online_allowance == Decimal("2.50")
    assert first.receipt_needed_over == Decimal("10.00") and first.slow_payment_days == 14
    assert first.created_by == coordinator
    assert later.hourly_rate == Decimal("21.00") and later.effective_from > today
    assert (later.effective_from.month, later.effective_from.day) == (4, 6)
    assert RateCard.objects.get(programme__slug="riverside").hourly_rate == Decimal("18.00")

    # Every approved session is paid for, at the rate and in the way its mentor chose.
    approved = sessions.filter(status=Session.Status.APPROVED)
    assert LedgerLine.objects.filter(kind="session").count() == approved.count() > 100
    assert programme_pay(north_star)["unpaid_sessions"] == 0

    # Payment choices: every method, Sam and one seeded mentor with none at all.
    mentors = set(
        User.objects.filter(matches_as_mentor__programme=north_star).values_list("pk", flat=True)
    )
    choices = preferences_in_force(mentors)
    assert set(PaymentMethod.values) == {p.method for p in choices.values()}
    assert len(mentors - set(choices)) == 1
    assert not PaymentPreference.objects.filter(mentor__email="mentor@example.org").exists()
    for preference in (p for p in PaymentPreference.objects.all() if p.sort_code):
        assert len(preference.sort_code) == 6 and preference.sort_code.isdigit()
        assert len(preference.account_number) == 8 and preference.account_number.isdigit()
        assert preference.chosen_at < timezone.now() - timedelta(weeks=8)
    by_method = {p.method: p.mentor for p in choices.values()}
    reduced = LedgerLine.objects.get(
        mentor=by_method[PaymentMethod.REDUCED], kind="preparation", earned_on=first_day(by_method)
    )
    assert reduced.amount == Decimal("5.00")  # half of 30 minutes at £20.00
    unpaid = LedgerLine.objects.filter(mentor=by_method[PaymentMethod.NONE])
    assert unpaid.exists() and not unpaid.exclude(amount=0).exists()

    # Expenses: mileage without a receipt, fares and childcare with a real one.
    expenses = Expense.objects.filter(programme=north_star)
    assert {e.kind for e in expenses} >= {"mileage", "fare", "childcare"}
    assert not expenses.filter(kind="mileage").exclude(receipt="").exists()
    with_receipts = expenses.exclude(receipt="")
    assert {e.receipt_type for e in with_receipts} == {"image/png", "application/pdf"}
    for expense in with_receipts:
        with expense.receipt.open("rb") as file:
            data = file.read()
        if expense.receipt_type == "image/png":
            assert Image.open(io.BytesIO(data)).size[0] > 100
        else:
            assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    assert expenses.filter(status="approved").count() >= 4
    rejected = expenses.get(status="rejected")
    assert rejected.decision_reason and rejected.decided_by == coordinator
    assert expenses.filter(status="claimed").count() == 2
    assert (
        LedgerLine.objects.filter(kind="expense").count()
        == expenses.filter(status="approved").count()
    )

    # Payment runs, one a month, paid in the past, with one payment that failed.
    runs = PaymentRun.objects.filter(programme=north_star).order_by("number")
    assert runs.count() >= 3
    for run in runs:
        assert run.status == PaymentRun.Status.PAID
        assert timezone.localtime(run.created_at).date() <= run.paid_on < today
    failed = RunPayee.objects.get(status=RunPayee.Status.FAILED)
    assert failed.failed_reason == "Account closed"
    for item in failed.items.all():
        assert item.status == RunItem.Status.FAILED
        assert RunItem.objects.get(line=item.line, status="paid").run.number > failed.run.number
    assert Notification.objects.filter(person=failed.mentor, kind=Kind.PAYMENT).count() >= 2

    # The last three weeks wait, some of it long enough to be flagged as slow.
    recent = LedgerLine.objects.filter(earned_on__gte=today - timedelta(days=21))
    assert recent.exists() and not RunItem.objects.filter(line__in=recent).exists()
    owed = programme_pay(north_star)
    assert owed["slow_count"] >= 1
    # Sam, the published mentor login, has not said how to be paid either: his paid
    # activities wait for him to choose (demo/activities.py).
    assert sorted(w.name for w in owed["no_preference"]) == sorted(
        [User.objects.get(pk=(mentors - set(choices)).pop()).display_name, "Sam Okafor"]
    )
    for waiting in owed["waiting"]:
        if waiting.has_preference:
            assert waiting.oldest > today - timedelta(weeks=9)

    # One correction, taken off in the next run.
    reversal = LedgerLine.objects.get(kind="reversal")
    assert reversal.reason and reversal.amount == -reversal.reverses.amount
    assert reversal.run_items.get().status == RunItem.Status.PAID


def first_day(by_method):
    """The reduced-fee mentor's first day with lines."""
    return (
        LedgerLine.objects.filter(mentor=by_method[PaymentMethod.REDUCED], kind="preparation")
        .order_by("earned_on")
        .values_list("earned_on", flat=True)
        .first()
    )


@pytest.mark.django_db
def test_it_adds_nothing_when_run_again():
    seed()
    first = counts()
    paid = LedgerLine.objects.aggregate(total=Sum("amount"))["total"]

    out = StringIO()
    call_command("seed_demo", stdout=out)
    added = seed_payments(out)

    assert counts() == first
    assert set(added.values()) == {0}
    assert "Payments:" not in out.getvalue()
    assert LedgerLine.objects.aggregate(total=Sum("amount"))["total"] == paid


@pytest.mark.django_db
def test_it_seeds_a_year_of_paid_activities_with_the_published_mentor_taking_part():
    from activities.models import Activity, ActivityKind, Place

    seed()
    north_star = Programme.objects.get(slug="north-star")
    activities = Activity.objects.filter(programme=north_star)
    assert {a.kind for a in activities} == set(ActivityKind.values)
    today = timezone.localdate()
    days = [timezone.localtime(a.starts_at).date() for a in activities]
    assert min(days) < today - timedelta(days=300) and max(days) > today
    # The rate card pays panels by the half day, teaching by the hour.
    card = RateCard.objects.filter(programme=north_star).order_by("effective_from").first()
    rates = {r.kind: r.basis for r in card.activity_rates.all()}
    assert rates["interview_panel"] == "half_day" and rates["teaching"] == "hourly"

    sam = User.objects.get(email="mentor@example.org")
    attended = Place.objects.filter(person=sam, attendance="attended")
    assert attended.count() >= 2
    sams_lines = LedgerLine.objects.filter(mentor=sam, activity_place__in=attended)
    assert sams_lines.filter(kind="activity").count() == attended.count()
    assert sum(line.amount for line in sams_lines) > 0
    # Sam is invited to something coming up, and has not answered yet.
    assert Place.objects.filter(
        person=sam, answer="waiting", activity__starts_at__gt=timezone.now()
    ).exists()
    # Other people's attended places were paid in the monthly runs; one did not attend, and
    # one panel waits for the coordinator to record who came.
    paid = RunItem.objects.filter(status="paid", line__activity_place__isnull=False)
    assert paid.exists()
    assert Place.objects.filter(attendance="absent").count() == 1
    waiting = Place.objects.filter(
        answer="yes", attendance="", activity__starts_at__lt=timezone.now()
    )
    assert waiting.count() == 2
