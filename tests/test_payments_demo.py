"""The demo's payments: a year of paid partnership in North Star, made through the services."""

import io
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from statistics import median

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from PIL import Image

from accounts.models import User
from demo.payments import seed_payments
from mentoring.models import PlannedSession, Session
from notifications.models import Kind, Notification
from payments import services
from payments.exports import payroll_csv, run_csv
from payments.models import (
    PAYROLL,
    Advance,
    BenefitsSettings,
    EmploymentDecision,
    Expense,
    LedgerLine,
    PaymentMethod,
    PaymentPreference,
    PaymentRun,
    PaymentSchedule,
    RateCard,
    RunHold,
    RunItem,
    RunPayee,
)
from payments.selectors import (
    employment_status_current,
    next_run_on,
    preferences_in_force,
    programme_pay,
    scheduled_run_due,
    session_day,
    volunteer_fees_waiting,
)
from programmes.models import Programme
from tests.demo_copy import demo_seed


def seed() -> str:
    """The demo seed, then the payments seed, as seed_demo will call it."""
    out = StringIO()
    call_command("seed_demo", stdout=out)
    seed_payments(out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [
        RateCard,
        PaymentPreference,
        LedgerLine,
        Expense,
        Advance,
        EmploymentDecision,
        PaymentSchedule,
        LedgerLine,
        Expense,
        PaymentRun,
        RunPayee,
        RunItem,
    ]
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
    # Sam, the published mentor login, chose bank transfer before his first session with
    # Priya, a year ago.
    sam = PaymentPreference.objects.get(mentor__email="mentor@example.org")
    assert sam.method == PaymentMethod.BANK
    first = Session.objects.filter(match__mentor=sam.mentor).order_by("starts_at").first()
    assert sam.chosen_at < first.starts_at
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

    # Payment runs every Tuesday on the weekly schedule, each paid the next day, with one
    # payment that failed; the latest is ready for the coordinator to check.
    schedule = PaymentSchedule.objects.get(programme=north_star)
    runs = list(PaymentRun.objects.filter(programme=north_star).order_by("number"))
    # (A week with nothing owed makes no run: the demo's sessions are weeks apart.)
    assert len(runs) >= 10
    *paid, latest = runs
    assert schedule.frequency == "weekly" and schedule.first_run_on == runs[0].scheduled_for
    for run in runs:
        assert run.scheduled_for.weekday() == 1 and run.created_by is None
        assert scheduled_run_due(schedule, run.scheduled_for) == run.scheduled_for
    for run in paid:
        assert run.status == PaymentRun.Status.PAID
        assert timezone.localtime(run.created_at).date() == run.scheduled_for
        assert run.paid_on == run.scheduled_for + timedelta(days=1) < today
    assert latest.status == PaymentRun.Status.READY
    assert today - timedelta(days=7) < latest.scheduled_for <= today
    assert next_run_on(north_star) == latest.scheduled_for + timedelta(days=7)
    assert services.scheduled_runs_prepare() == []  # today's run, if any, is made already
    ready = Notification.objects.get(kind=Kind.PAYMENT_RUN_READY)
    assert ready.person == coordinator and latest.reference in ready.title
    failed = RunPayee.objects.get(status=RunPayee.Status.FAILED)
    assert failed.failed_reason == "Account closed"
    for item in failed.items.all():
        assert item.status == RunItem.Status.FAILED
        later = RunItem.objects.get(line=item.line, status__in=["paid", "included"])
        assert later.run.number > failed.run.number
    assert Notification.objects.filter(person=failed.mentor, kind=Kind.PAYMENT).count() >= 2

    # The organisation's decisions: a worker on the payroll, whose fees go to the payroll
    # file, two volunteers, and self-employed for the rest; nothing for the mentor who has not
    # said how to be paid.
    statuses = {
        mentor_id: employment_status_current(User(pk=mentor_id), north_star.organisation)
        for mentor_id in mentors
    }
    assert sorted(d.status for d in statuses.values() if d) == sorted(
        ["payroll", "volunteer", "volunteer"] + ["self_employed"] * (len(mentors) - 4)
    )
    assert RunPayee.objects.filter(method=PAYROLL, run__in=paid).count() >= len(paid) // 2
    assert any(len(payroll_csv(run).splitlines()) == 2 for run in paid)
    assert any("Self-employed: paid a fee" in run_csv(run) for run in paid[-4:])
    # The voucher mentor became a volunteer a week before the latest run: fees since wait.
    [volunteer] = volunteer_fees_waiting(north_star)
    assert volunteer["mentor_id"] == by_method[PaymentMethod.VOUCHER].pk
    assert volunteer["total"] > 0

    # Paid promptly: half of everything paid was paid within a week of the session.
    days = sorted(
        RunItem.objects.filter(run__programme=north_star, status=RunItem.Status.PAID).values_list(
            "days_to_payment", flat=True
        )
    )
    assert len(days) > 100 and median(days) <= 7

    # What was earned since the latest run waits for the next one; the mentor who has not
    # said how to be paid has waited long enough to be flagged as slow.
    recent = LedgerLine.objects.filter(earned_on__gte=latest.scheduled_for)
    assert not RunItem.objects.filter(line__in=recent).exists()
    owed = programme_pay(north_star)
    assert owed["slow_count"] >= 1
    assert [w.name for w in owed["no_preference"]] == [
        User.objects.get(pk=(mentors - set(choices)).pop()).display_name
    ]
    # Sam, the published mentor login, is paid for the activities he attended as for his
    # sessions, in the same runs (demo/activities.py).
    sam_activities = LedgerLine.objects.filter(
        mentor__email="mentor@example.org", activity_place__isnull=False
    )
    assert sam_activities.count() >= 3
    before_latest = sam_activities.filter(earned_on__lt=latest.scheduled_for)
    in_runs = RunItem.objects.filter(line__in=before_latest)
    assert in_runs.values("line").distinct().count() == before_latest.count()
    assert in_runs.filter(status=RunItem.Status.PAID).count() >= 3
    for waiting in owed["waiting"]:
        # (A volunteer's fees wait, and so does what a mentor's cap held back.)
        if (
            waiting.has_preference
            and waiting.mentor_id != volunteer["mentor_id"]
            and not waiting.capped
        ):
            assert waiting.oldest >= latest.scheduled_for

    # One correction, taken off in the next run.
    reversal = LedgerLine.objects.get(kind="reversal")
    assert reversal.reason and reversal.amount == -reversal.reverses.amount
    assert reversal.run_items.get().status == RunItem.Status.PAID

    # A mentor on Universal Credit whose cap held a line back in the last run: it waits,
    # and they were told.
    # A mentor on Universal Credit whose cap held a fee back from the last paid run: it
    # waited for a later run, and they were told.
    hold = RunHold.objects.order_by("run__number").first()
    assert hold.run.paid_on and (hold.lines, hold.amount > 0) == (1, True)
    settings = BenefitsSettings.objects.get(mentor=hold.mentor)
    assert settings.universal_credit and settings.cap_period == "assessment_period"
    assert hold.mentor.email == "mentor-007@north-star.example.org"
    earned = LedgerLine.objects.filter(
        mentor=hold.mentor, category="fee", earned_on__lt=hold.run.scheduled_for
    ).aggregate(total=Sum("amount"))["total"]
    paid_by_then = (
        RunItem.objects.filter(
            line__mentor=hold.mentor,
            line__category="fee",
            line__earned_on__lt=hold.run.scheduled_for,
            run__number__lte=hold.run.number,
            run__programme=hold.run.programme,
        )
        .exclude(status__in=RunItem.GONE)
        .aggregate(total=Sum("line__amount"))["total"]
    )
    assert earned - paid_by_then == hold.amount
    assert Notification.objects.filter(
        person=hold.mentor, event_key=f"run:{hold.run.pk}:held:{hold.mentor.pk}"
    ).exists()
    # Nobody out of pocket: a mentee's late cancellation paid, a missed session waiting for
    # the coordinator, an advance settled by its receipt (it cost less: owed back).
    fee = LedgerLine.objects.get(kind="cancellation")
    assert fee.amount == Decimal("20.00") and fee.category == "fee"
    plan = PlannedSession.objects.get(pk=fee.key.split(":")[1])
    assert plan.cancelled_by == plan.match.mentee
    missed = PlannedSession.objects.missed_to_confirm().get()
    assert missed.match.mentor != plan.match.mentor
    settled = Advance.objects.get(status="settled")
    assert settled.receipt_type == "image/png" and settled.spent == Decimal("22.40")
    assert sorted(LedgerLine.objects.filter(advance=settled).values_list("kind", "amount")) == [
        ("advance", Decimal("25.00")),
        ("settlement", Decimal("-2.60")),
    ]
    assert Advance.objects.filter(status="approved").count() == 1
    assert Advance.objects.filter(status="asked").count() == 1


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

    demo_seed()  # only reads the demo: the per-process copy (tests/demo_copy.py)
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


@pytest.mark.django_db
def test_it_seeds_last_months_panel_meeting_and_pays_the_panel_who_came():
    from activities.models import Activity, ActivityKind, Place
    from programmes.access import panel_of

    demo_seed()  # only reads the demo: the per-process copy (tests/demo_copy.py)
    north_star = Programme.objects.get(slug="north-star")
    sam = User.objects.get(email="mentor@example.org")
    panel = set(panel_of(north_star))
    assert sam in panel
    (meeting,) = Activity.objects.filter(programme=north_star, kind=ActivityKind.PANEL_MEETING)
    days_ago = (timezone.localdate() - timezone.localtime(meeting.starts_at).date()).days
    assert 20 <= days_ago <= 40
    came = Place.objects.filter(activity=meeting, attendance="attended")
    assert {place.person for place in came} == panel
    for place in came:
        assert LedgerLine.objects.filter(activity_place=place, kind="activity").count() == 1
    # Sam is paid for two hours at the panel rate, in one of the demo's runs, once.
    (line,) = LedgerLine.objects.filter(activity_place__in=came, mentor=sam, kind="activity")
    assert line.rate == Decimal("25.00") and line.amount == Decimal("50.00")
    assert RunItem.objects.filter(status="paid", line=line).count() == 1
