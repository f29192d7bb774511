"""Pages about money: a mentor's pay, statements, expenses and payment choice; a
coordinator's rate cards, claims, payment runs and corrections."""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import two_factor_gate
from accounts.audit import audit_record
from accounts.models import AuditEvent
from accounts.reauthentication import recent_confirmation_required
from activities.models import ActivityKind, Place
from core.choices import EXPERT_ROLES, Role
from core.requests import posted
from core.spreadsheets import csv_response
from mentoring.models import Session
from payments import services
from payments.access import (
    get_advance_for_coordinator,
    get_advance_for_mentor,
    get_advance_with_receipt,
    get_expense_for_coordinator,
    get_expense_for_mentor,
    get_expense_with_receipt,
    get_line_for_coordinator,
    get_payee_for_coordinator,
    get_run_for_coordinator,
    get_run_for_mentor,
)
from payments.documents import PaymentRow, work_coach_letter_pdf
from payments.exports import (
    line_status,
    payroll_csv,
    run_csv,
    run_has_payroll,
    statement_csv,
    statement_file,
)
from payments.forms import (
    NO_SCHEDULE,
    AdvanceForm,
    BenefitsSettingsForm,
    DecisionForm,
    EarningsAlertForm,
    EmploymentStatusForm,
    ExpenseForm,
    PayeeFailedForm,
    PayeeRemoveForm,
    PaymentScheduleForm,
    PreferenceForm,
    PurchaseForm,
    RateCardForm,
    ReverseForm,
    RunPaidForm,
    SettleForm,
)
from payments.models import (
    SYMBOLS,
    ActivityRate,
    Advance,
    EarningsAlert,
    EmploymentDecision,
    Expense,
    LedgerLine,
    PaymentMethod,
    PaymentPreference,
    Purchase,
    RateCard,
    RunPayee,
)
from payments.money import TRADING_ALLOWANCE
from payments.selectors import (
    benefits_settings_of,
    cap_standing,
    employment_status_current,
    hours_by_week,
    lines_with_status,
    mentor_pay,
    next_run_on,
    payment_schedule_of,
    preference_current,
    programme_pay,
    rate_card_today,
    run_detail,
    run_exported,
    run_statement,
    tax_year_statement,
    tax_years_of,
    volunteer_fees_waiting,
)
from programmes import duties
from programmes.access import (
    expert_programmes,
    get_programme_for_coordinator,
    is_expert,
    staff_required,
)
from programmes.models import Membership, Programme

FILE_TYPES = {"csv", "pdf"}


def _mentor_programmes(user) -> list[Programme]:
    """Programmes where the person is an expert by experience now: a mentor, or on the
    lived-experience panel."""
    return list(expert_programmes(user).order_by("name"))


def mentor_pay_required(view):
    """Pay pages: experts by experience (mentors and panel members), and anyone who was
    paid or claimed as one (a mentor who has left still gets their statements and
    claims). Everyone else gets a 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        is_mentor = (
            is_expert(user)
            or LedgerLine.objects.filter(mentor=user).exists()
            or Expense.objects.filter(mentor=user).exists()
            or Advance.objects.filter(mentor=user).exists()
            or Purchase.objects.filter(mentor=user).exists()
        )
        if not is_mentor:
            raise Http404("Not a mentor")
        return view(request, *args, **kwargs)

    return wrapped


def _programme_names(user) -> str:
    names = Programme.objects.filter(
        Q(ledger_lines__mentor=user)
        | Q(memberships__person=user, memberships__role__in=EXPERT_ROLES)
    ).values_list("name", flat=True)
    return ", ".join(sorted(set(names)))


def _download(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _statement_download(statement, *, fmt: str, name: str, user) -> HttpResponse:
    if fmt not in FILE_TYPES:
        raise Http404("Unknown file type")
    if fmt == "csv":
        return csv_response(statement_csv(statement), f"{name}.csv")
    pdf = statement_file(statement, programme_name=_programme_names(user))
    return _download(pdf, filename=f"{name}.pdf", content_type="application/pdf")


# Mentors


@mentor_pay_required
def pay(request):
    year = request.GET.get("year", "")
    years = tax_years_of(request.user)
    chosen = int(year) if year.isdecimal() and int(year) in years else None
    context = mentor_pay(request.user, chosen)
    for line in context["statement"].lines:
        line.status_text = line_status(line)
    # A mentor who also runs their programme: who approves and pays them (programmes.duties).
    context["also_run"] = [
        programme.name
        for programme in Programme.objects.coordinated_by(request.user).filter(
            memberships__person=request.user,
            memberships__role=Role.MENTOR,
            memberships__ended_at__isnull=True,
        )
    ]
    return render(request, "payments/pay.html", context)


@mentor_pay_required
def pay_statement_file(request, year: int, fmt: str):
    if year not in tax_years_of(request.user):
        raise Http404("No such tax year")
    statement = tax_year_statement(request.user, year)
    return _statement_download(
        statement, fmt=fmt, name=f"statement-{year}-{year + 1}", user=request.user
    )


@mentor_pay_required
def pay_run_statement(request, run_id: int):
    run = get_run_for_mentor(request.user, run_id)
    statement = run_statement(request.user, run)
    for line in statement.lines:
        line.status_text = line_status(line)
    return render(request, "payments/run_statement.html", {"run": run, "statement": statement})


@mentor_pay_required
def pay_run_statement_file(request, run_id: int, fmt: str):
    run = get_run_for_mentor(request.user, run_id)
    statement = run_statement(request.user, run)
    return _statement_download(
        statement, fmt=fmt, name=f"statement-{run.reference.lower()}", user=request.user
    )


@mentor_pay_required
@recent_confirmation_required
def payment_preference(request):
    current = preference_current(request.user)
    initial = {"method": current.method} if current else {}
    form = PreferenceForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_set(mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved. We will pay you this way from the next pay day.")
            return redirect("payments:pay")
    history = PaymentPreference.objects.filter(mentor=request.user)[:20]
    return render(
        request,
        "payments/preference.html",
        {"form": form, "current": current, "history": history, "methods": PaymentMethod},
    )


@mentor_pay_required
def earnings_alert(request):
    alert = EarningsAlert.objects.filter(mentor=request.user).first()
    form = EarningsAlertForm(
        posted(request), initial={"monthly_amount": alert.monthly_amount if alert else None}
    )
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["monthly_amount"]
        services.earnings_alert_set(mentor=request.user, monthly_amount=amount)
        messages.success(
            request,
            "Saved. We will tell you when the fees paid to you in a month reach that amount."
            if amount
            else "Done. You will not get a monthly alert.",
        )
        return redirect("payments:pay")
    return render(request, "payments/alert.html", {"form": form, "alert": alert})


@mentor_pay_required
def benefits(request):
    programmes = _mentor_programmes(request.user)
    cards = [(p, rate_card_today(p)) for p in programmes]
    settings_row = benefits_settings_of(request.user)
    return render(
        request,
        "payments/benefits.html",
        {
            "cards": cards,
            "allowance": TRADING_ALLOWANCE,
            "benefits": settings_row,
            "cap": cap_standing(request.user, settings_row, timezone.localdate()),
        },
    )


@mentor_pay_required
def benefits_settings(request):
    current = benefits_settings_of(request.user)
    initial = {"universal_credit": ""}
    if current:
        initial = {
            "universal_credit": "yes" if current.universal_credit else "no",
            "assessment_day": current.assessment_day,
            "cap_period": current.cap_period,
            "cap_amount": current.cap_amount,
        }
    form = BenefitsSettingsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.benefits_settings_set(
                mentor=request.user,
                assessment_day=data["assessment_day"],
                cap_period=data["cap_period"],
                cap_amount=data["cap_amount"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if saved and saved.has_cap:
                done = (
                    "Saved. From the next pay day, fees that would take you over your "
                    "limit will wait for a later pay day."
                )
            elif saved:
                done = "Saved. Your pay page now shows your pay by assessment period."
            else:
                done = "Saved. We will pay you everything you are owed in each run."
            messages.success(request, done)
            return redirect("payments:pay")
    return render(request, "payments/benefits_settings.html", {"form": form, "current": current})


@mentor_pay_required
def pay_hours(request):
    weeks = hours_by_week(request.user, weeks=26, today=timezone.localdate())
    return render(request, "payments/hours.html", {"weeks": weeks})


# The payments a letter for a work coach lists: the last year's.
LETTER_PAYMENTS_DAYS = 366


@mentor_pay_required
def work_coach_letter(request):
    programmes = _mentor_programmes(request.user)
    programme = programmes[0] if programmes else None
    card = rate_card_today(programme) if programme else None
    today = timezone.localdate()
    settings_row = benefits_settings_of(request.user)
    pdf = work_coach_letter_pdf(
        mentor_name=request.user.display_name or request.user.email,
        programme_name=programme.name if programme else "Alongside",
        organisation_name=programme.organisation.name if programme else "",
        hourly_rate=card.hourly_rate if card else None,
        preparation_minutes=card.preparation_minutes if card else 0,
        currency_symbol=card.symbol if card else "£",
        today=today,
        payments=[
            PaymentRow(
                day=payee.run.paid_on,
                how=payee.get_method_display(),
                fees=payee.fees,
                expenses=payee.expenses,
            )
            for payee in RunPayee.objects.paid()
            .filter(
                mentor=request.user,
                run__paid_on__gte=today - timedelta(days=LETTER_PAYMENTS_DAYS),
            )
            .select_related("run")
            .order_by("run__paid_on", "reference")
        ],
        assessment_day=settings_row.assessment_day if settings_row else None,
    )
    return _download(pdf, filename="letter-for-your-work-coach.pdf", content_type="application/pdf")


def _session_choices(user):
    sessions = list(
        Session.objects.filter(match__mentor=user)
        .exclude(status=Session.Status.DISPUTED)
        .select_related("match__mentee", "match__programme")
        .order_by("-starts_at")[:40]
    )
    for session in sessions:
        when = timezone.localtime(session.starts_at)
        session.label = f"{when:%-d %B %Y} with {session.match.mentee}"
    return sessions


def _place_choices(user):
    """The mentor's places on activities they said yes to, newest first, to claim for."""
    places = list(
        Place.objects.filter(person=user, answer=Place.Answer.YES)
        .select_related("activity__programme")
        .order_by("-activity__starts_at")[:40]
    )
    for place in places:
        when = timezone.localtime(place.activity.starts_at)
        place.label = f"{when:%-d %B %Y}: {place.activity.title}"
    return places


@mentor_pay_required
def expense_new(request):
    programmes = _mentor_programmes(request.user)
    if not programmes:
        messages.info(
            request, "You can claim expenses while you are an expert by experience in a programme."
        )
        return redirect("payments:pay")
    sessions = _session_choices(request.user)
    places = _place_choices(request.user)
    form = ExpenseForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        programmes=programmes,
        sessions=sessions,
        places=places,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = next((p for p in places if p.pk == data["activity_place"]), None)
        try:
            if place is not None and place.activity.programme_id != data["programme"]:
                raise ValidationError(
                    {
                        "activity_place": "That activity is in another programme. Choose its "
                        "programme."
                    }
                )
            expense = services.expense_claim(
                mentor=request.user,
                programme=next(p for p in programmes if p.pk == data["programme"]),
                kind=data["kind"],
                spent_on=data["spent_on"],
                description=data["description"],
                amount=data["amount"],
                miles=data["miles"],
                receipt=data["receipt"] or None,
                receipt_type=form.receipt_type,
                session=next((s for s in sessions if s.pk == data["session"]), None),
                activity_place=place,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Claim sent. A coordinator will look at it, and it will be paid on the next "
                "pay day once approved.",
            )
            return redirect("payments:expense_detail", expense_id=expense.pk)
    for programme in programmes:
        programme.card = rate_card_today(programme)
    return render(request, "payments/expense_form.html", {"form": form, "programmes": programmes})


@mentor_pay_required
def expense_detail(request, expense_id: int):
    expense = get_expense_for_mentor(request.user, expense_id)
    return render(request, "payments/expense_detail.html", {"expense": expense})


@mentor_pay_required
@require_POST
def expense_withdraw(request, expense_id: int):
    expense = get_expense_for_mentor(request.user, expense_id)
    if services.expense_withdraw(expense=expense, by=request.user):
        messages.success(request, "Claim withdrawn. It will not be paid.")
    else:
        messages.info(request, "This claim has already been decided, so it cannot be withdrawn.")
    return redirect("payments:expense_detail", expense_id=expense.pk)


def _receipt_download(request, owner, *, name: str):
    """A receipt file (of a claim or an advance), as a download, for its mentor and their
    coordinators only. Sent with the type found when it was checked, never one the browser
    guesses."""
    if owner.mentor_id != request.user.pk:
        # Staff opening someone's receipt: the rule of every staff page and download.
        gate = two_factor_gate(request)
        if gate:
            return gate
        audit_record(
            action=AuditEvent.Action.RECEIPT_OPENED,
            actor=request.user,
            obj=owner,
            programme=owner.programme,
            request=request,
        )
    extension = owner.receipt.name.rsplit(".", 1)[-1]
    response = FileResponse(
        owner.receipt.open("rb"),
        as_attachment=True,
        filename=f"{name}-{owner.pk}.{extension}",
        content_type=owner.receipt_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def expense_receipt(request, expense_id: int):
    return _receipt_download(
        request, get_expense_with_receipt(request.user, expense_id), name="receipt"
    )


@login_required
def advance_receipt(request, advance_id: int):
    return _receipt_download(
        request, get_advance_with_receipt(request.user, advance_id), name="advance-receipt"
    )


# Advances: paid before the mentor spends, settled with the receipt afterwards


@mentor_pay_required
def advance_new(request):
    programmes = _mentor_programmes(request.user)
    if not programmes:
        messages.info(
            request,
            "You can ask for an advance while you are an expert by experience in a programme.",
        )
        return redirect("payments:pay")
    form = AdvanceForm(posted(request), programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            advance = services.advance_ask(
                mentor=request.user,
                programme=next(p for p in programmes if p.pk == data["programme"]),
                kind=data["kind"],
                needed_on=data["needed_on"],
                description=data["description"],
                amount=data["amount"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Asked. A coordinator will look at it. Once approved, it is paid on the next "
                "pay day.",
            )
            return redirect("payments:advance_detail", advance_id=advance.pk)
    return render(request, "payments/advance_form.html", {"form": form})


@mentor_pay_required
def advance_detail(request, advance_id: int):
    advance = get_advance_for_mentor(request.user, advance_id)
    today = timezone.localdate()
    form = SettleForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"spent": advance.amount, "spent_on": min(today, advance.needed_on)},
    )
    if request.method == "POST":
        if advance.status != Advance.Status.APPROVED:
            messages.info(request, "This advance cannot be settled: it is not waiting for that.")
            return redirect("payments:advance_detail", advance_id=advance.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                line = services.advance_settle(
                    advance=advance,
                    by=request.user,
                    spent=data["spent"],
                    spent_on=data["spent_on"],
                    receipt=data["receipt"] or None,
                    receipt_type=form.receipt_type,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _settled_message(line, advance))
                return redirect("payments:advance_detail", advance_id=advance.pk)
    return render(request, "payments/advance_detail.html", {"advance": advance, "form": form})


def _settled_message(line: LedgerLine, advance: Advance) -> str:
    if line.amount > 0:
        return (
            f"Settled. You spent {line.symbol}{line.amount} more than the advance: it will be "
            "paid to you on the next pay day."
        )
    if line.amount < 0:
        return (
            f"Settled. You spent {line.symbol}{-line.amount} less than the advance: it will be "
            "taken off your next payment."
        )
    return "Settled. You spent what was advanced, so nothing more is paid or owed."


# Coordinators


@staff_required
def coordinator_pay(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    context = programme_pay(programme)
    context["claims"] = context["claims"].annotate(yours=duties.yours(request.user, "mentor"))
    context["advances"] = context["advances"].annotate(yours=duties.yours(request.user, "mentor"))
    context["advances_yours"] = any(advance.yours for advance in context["advances"]) and (
        duties.notes(programme, request.user, duties.ADVANCE)
    )
    context["yours"] = any(claim.yours for claim in context["claims"]) and duties.notes(
        programme, request.user, duties.CLAIM
    )
    context["own_pay_waiting"] = services.own_pay_waiting(programme, request.user) and (
        duties.OWN_RUN
    )
    return render(request, "payments/coordinator/pay.html", {"programme": programme, **context})


@staff_required
def coordinator_rates(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    cards = list(RateCard.objects.filter(programme=programme).select_related("created_by"))
    in_force = rate_card_today(programme)
    form = RateCardForm(posted(request), card=in_force)
    if request.method == "POST" and form.is_valid():
        data = form.terms()
        try:
            services.rate_card_create(programme=programme, by=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"New rates saved, in force from {data['effective_from']:%-d %B %Y}."
            )
            return redirect("payments:coordinator_rates", slug=programme.slug)
    activity_rates = []
    if in_force is not None:
        for kind, label in ActivityKind.choices:
            basis, amount = services.activity_terms(in_force, kind)
            activity_rates.append(
                {
                    "kind": "Any other kind" if kind == ActivityKind.OTHER else label,
                    "amount": amount,
                    "basis": ActivityRate.Basis(basis).label.lower(),
                    "own": any(rate.kind == kind for rate in in_force.activity_rates.all()),
                }
            )
    return render(
        request,
        "payments/coordinator/rates.html",
        {
            "programme": programme,
            "cards": cards,
            "in_force": in_force,
            "form": form,
            "activity_rates": activity_rates,
        },
    )


@staff_required
def coordinator_expense(request, slug, expense_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    expense = get_expense_for_coordinator(programme, expense_id)
    form = DecisionForm(posted(request))
    yours = duties.not_yours(programme, request.user, duties.CLAIM, expense.mentor_id)
    if request.method == "POST" and yours:
        messages.error(request, yours)
        return redirect("payments:coordinator_expense", slug=programme.slug, expense_id=expense.pk)
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.expense_reject(
                expense=expense, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if decided:
                messages.success(request, f"You did not approve the claim of {expense.mentor}.")
            else:
                messages.info(request, "This claim had already been decided.")
            return redirect("payments:coordinator_pay", slug=programme.slug)
    return render(
        request,
        "payments/coordinator/expense.html",
        {"programme": programme, "expense": expense, "form": form, "yours": yours},
    )


@staff_required
@require_POST
def coordinator_expense_approve(request, slug, expense_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    expense = get_expense_for_coordinator(programme, expense_id)
    if duties.takes_part(request.user, expense.mentor_id):
        messages.error(request, duties.who_acts(programme, request.user, duties.CLAIM))
        return redirect("payments:coordinator_expense", slug=programme.slug, expense_id=expense.pk)
    if services.expense_approve(expense=expense, by=request.user):
        messages.success(
            request,
            f"Approved {expense.symbol}{expense.amount} for {expense.mentor}. It will be paid "
            "on the next pay day.",
        )
    else:
        messages.info(request, "This claim had already been decided.")
    return redirect("payments:coordinator_pay", slug=programme.slug)


@staff_required
def coordinator_advance(request, slug, advance_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    advance = get_advance_for_coordinator(programme, advance_id)
    form = DecisionForm(posted(request))
    yours = duties.not_yours(programme, request.user, duties.ADVANCE, advance.mentor_id)
    if request.method == "POST" and yours:
        messages.error(request, yours)
        return redirect("payments:coordinator_advance", slug=programme.slug, advance_id=advance.pk)
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.advance_reject(
                advance=advance, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if decided:
                messages.success(request, f"You did not approve the advance of {advance.mentor}.")
            else:
                messages.info(request, "This advance had already been decided.")
            return redirect("payments:coordinator_pay", slug=programme.slug)
    lines = advance.ledger_lines.order_by("created_at", "pk")
    return render(
        request,
        "payments/coordinator/advance.html",
        {"programme": programme, "advance": advance, "form": form, "yours": yours, "lines": lines},
    )


@staff_required
@require_POST
def coordinator_advance_approve(request, slug, advance_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    advance = get_advance_for_coordinator(programme, advance_id)
    if duties.takes_part(request.user, advance.mentor_id):
        messages.error(request, duties.who_acts(programme, request.user, duties.ADVANCE))
        return redirect("payments:coordinator_advance", slug=programme.slug, advance_id=advance.pk)
    if services.advance_approve(advance=advance, by=request.user):
        messages.success(
            request,
            f"Approved an advance of {advance.symbol}{advance.amount} for {advance.mentor}. It "
            "will be paid on the next pay day.",
        )
    else:
        messages.info(request, "This advance had already been decided.")
    return redirect("payments:coordinator_pay", slug=programme.slug)


@staff_required
def coordinator_purchase_new(request, slug, person_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    membership = (
        Membership.objects.current()
        .experts()
        .filter(programme=programme, person_id=person_id)
        .select_related("person")
        .first()
    )
    if membership is None:
        raise Http404("Not a mentor of this programme")
    mentor = membership.person
    back = redirect("payments:coordinator_mentor_pay", slug=programme.slug, person_id=mentor.pk)
    yours = duties.not_yours(programme, request.user, duties.BOUGHT, mentor.pk)
    if request.method == "POST" and yours:
        messages.error(request, yours)
        return back
    form = PurchaseForm(posted(request), initial={"bought_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.purchase_record(
                programme=programme, mentor=mentor, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Recorded. {mentor} sees it on their pay page as bought for them. It is not "
                "paid to them.",
            )
            return back
    return render(
        request,
        "payments/coordinator/purchase_form.html",
        {"programme": programme, "mentor": mentor, "form": form, "yours": yours},
    )


@staff_required
@require_POST
def coordinator_run_new(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    try:
        run = services.run_create(programme=programme, by=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("payments:coordinator_pay", slug=programme.slug)
    messages.success(
        request, f"Pay day {run.reference} is ready. Check it, then export it for finance."
    )
    if services.own_pay_waiting(programme, request.user):
        messages.info(request, duties.OWN_RUN)
    return redirect("payments:coordinator_run", slug=programme.slug, run_id=run.pk)


@staff_required
def coordinator_run(request, slug, run_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    run = get_run_for_coordinator(programme, run_id)
    form = RunPaidForm(posted(request), initial={"paid_on": timezone.localdate()})
    yours = _paid_in(run, request)
    if request.method == "POST" and yours:
        messages.error(request, yours)
        return redirect("payments:coordinator_run", slug=programme.slug, run_id=run.pk)
    if request.method == "POST" and form.is_valid():
        try:
            marked = services.run_mark_paid(
                run=run, by=request.user, paid_on=form.cleaned_data["paid_on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if marked:
                messages.success(request, "Marked as paid. Each mentor has been told.")
            else:
                messages.info(request, "This run was already marked as paid.")
            return redirect("payments:coordinator_run", slug=programme.slug, run_id=run.pk)
    return render(
        request,
        "payments/coordinator/run.html",
        {
            "programme": programme,
            "run": run,
            "form": form,
            "symbol": SYMBOLS.get(run.currency, ""),
            "yours": yours,
            "has_payroll": run_has_payroll(run),
            "volunteer_fees": volunteer_fees_waiting(programme) if run.status == "ready" else [],
            **run_detail(run),
        },
    )


def _paid_in(run, request) -> str:
    """When the reader is paid in `run`: who records what was paid instead."""
    if not run.payees.filter(mentor=request.user).exists():
        return ""
    return duties.who_acts(run.programme, request.user, duties.PAID_IN_RUN)


@staff_required
def coordinator_run_export(request, slug, run_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    run = get_run_for_coordinator(programme, run_id)
    audit_record(
        action=AuditEvent.Action.PAYMENT_RUN_EXPORTED,
        actor=request.user,
        obj=run,
        programme=programme,
        request=request,
    )
    return csv_response(run_csv(run), f"payment-run-{run.reference.lower()}.csv")


@staff_required
def coordinator_run_payroll_export(request, slug, run_id: int):
    """The run's fees paid through payroll, for the payroll team: the second of its two
    finance files. The same bytes each time, as the payments file."""
    programme = get_programme_for_coordinator(request.user, slug)
    run = get_run_for_coordinator(programme, run_id)
    audit_record(
        action=AuditEvent.Action.PAYMENT_RUN_EXPORTED,
        actor=request.user,
        obj=run,
        programme=programme,
        new={"file": "payroll"},
        request=request,
    )
    return csv_response(payroll_csv(run), f"payroll-{run.reference.lower()}.csv")


@staff_required
def coordinator_run_schedule(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    schedule = payment_schedule_of(programme)
    initial = (
        {"frequency": schedule.frequency, "first_run_on": schedule.first_run_on}
        if schedule
        else {"frequency": NO_SCHEDULE}
    )
    form = PaymentScheduleForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.payment_schedule_set(
                programme=programme, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if saved.frequency:
                messages.success(
                    request,
                    f"Saved. The next pay day will be prepared on "
                    f"{next_run_on(programme):%A %-d %B %Y}, and you will be told.",
                )
            else:
                messages.success(request, "Saved. Pay days are made only when you start one.")
            return redirect("payments:coordinator_pay", slug=programme.slug)
    return render(
        request,
        "payments/coordinator/schedule.html",
        {
            "programme": programme,
            "form": form,
            "schedule": schedule,
            "next_run_on": next_run_on(programme),
        },
    )


def _nothing_more(payee) -> dict:
    return {}


def _payee_decision(
    request,
    slug,
    payee_id: int,
    *,
    form_class,
    decide,
    done,
    again,
    template,
    form_kwargs=_nothing_more,
):
    """The two decisions about one payment in a run: it failed (a paid run), or it is taken
    out (a run not paid yet). Both need a reason, and neither is for someone paid in it."""
    programme = get_programme_for_coordinator(request.user, slug)
    payee = get_payee_for_coordinator(programme, payee_id)
    back = redirect("payments:coordinator_run", slug=programme.slug, run_id=payee.run_id)
    if yours := _paid_in(payee.run, request):
        messages.error(request, yours)
        return back
    form = form_class(posted(request), **form_kwargs(payee))
    if request.method == "POST" and form.is_valid():
        try:
            decided = decide(payee=payee, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if decided:
                messages.success(request, done.format(mentor=payee.mentor))
            else:
                messages.info(request, again)
            return back
    return render(request, template, {"programme": programme, "payee": payee, "form": form})


@staff_required
def coordinator_payee_fail(request, slug, payee_id: int):
    return _payee_decision(
        request,
        slug,
        payee_id,
        form_class=PayeeFailedForm,
        decide=services.run_payee_fail,
        done="Noted. {mentor} has been asked to check their details, and what they are owed "
        "will be on the next pay day.",
        again="This payment was already marked as failed.",
        template="payments/coordinator/payee_fail.html",
    )


@staff_required
def coordinator_payee_remove(request, slug, payee_id: int):
    return _payee_decision(
        request,
        slug,
        payee_id,
        form_class=PayeeRemoveForm,
        decide=services.run_payee_remove,
        done="{mentor} is no longer in this run. What they are owed will be paid on the next "
        "pay day.",
        again="This payment was already taken out of the run.",
        template="payments/coordinator/payee_remove.html",
        # Finance may already hold the file with this payment in it: the form asks.
        form_kwargs=lambda payee: {"exported": run_exported(payee.run)},
    )


@staff_required
def coordinator_mentor_pay(request, slug, person_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    lines = LedgerLine.objects.filter(programme=programme, mentor_id=person_id)
    mentor_known = (
        Membership.objects.experts()
        .filter(programme=programme, person_id=person_id)
        .select_related("person")
        .first()
    )
    if mentor_known is None:
        raise Http404("Not a mentor of this programme")
    rows = list(
        lines_with_status(lines.select_related("session", "expense")).order_by("-earned_on", "-id")[
            :200
        ]
    )
    for line in rows:
        line.status_text = line_status(line)
    expenses = Expense.objects.filter(programme=programme, mentor_id=person_id)[:50]
    return render(
        request,
        "payments/coordinator/mentor_pay.html",
        {
            "programme": programme,
            "mentor": mentor_known.person,
            "current": Membership.objects.current()
            .experts()
            .filter(programme=programme, person_id=person_id)
            .exists(),
            "lines": rows,
            "expenses": expenses,
            "advances": Advance.objects.filter(programme=programme, mentor_id=person_id)[:50],
            "purchases": Purchase.objects.filter(
                programme=programme, mentor_id=person_id
            ).select_related("recorded_by")[:50],
            "employment": employment_status_current(mentor_known.person, programme.organisation),
        },
    )


def _mentor_of(programme, person_id: int):
    """A mentor of the programme (now or before), or 404."""
    membership = (
        Membership.objects.experts()
        .filter(programme=programme, person_id=person_id)
        .select_related("person")
        .first()
    )
    if membership is None:
        raise Http404("Not a mentor of this programme")
    return membership.person


@staff_required
def coordinator_employment_status(request, slug, person_id: int):
    """The organisation's decision on how a mentor is paid: the log, and a new decision.
    Never recorded by the mentor themself (programmes.duties)."""
    programme = get_programme_for_coordinator(request.user, slug)
    mentor = _mentor_of(programme, person_id)
    yours = duties.not_yours(programme, request.user, duties.EMPLOYMENT, mentor)
    if request.method == "POST" and yours:
        messages.error(request, yours)
        return redirect(
            "payments:coordinator_employment_status", slug=programme.slug, person_id=mentor.pk
        )
    form = EmploymentStatusForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.employment_status_record(
                mentor=mentor, programme=programme, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Recorded. It applies from the next pay day, and {mentor} has been told.",
            )
            return redirect(
                "payments:coordinator_mentor_pay", slug=programme.slug, person_id=mentor.pk
            )
    history = EmploymentDecision.objects.filter(
        mentor=mentor, organisation=programme.organisation
    ).select_related("decided_by")[:50]
    return render(
        request,
        "payments/coordinator/employment_status.html",
        {
            "programme": programme,
            "mentor": mentor,
            "form": form,
            "history": history,
            "current": history[0] if history else None,
            "yours": yours,
        },
    )


@staff_required
def coordinator_line_reverse(request, slug, line_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    line = get_line_for_coordinator(programme, line_id)
    form = ReverseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.line_reverse(line=line, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Corrected. The correction shows on the mentor's statement with your reason.",
            )
            return redirect(
                "payments:coordinator_mentor_pay", slug=programme.slug, person_id=line.mentor_id
            )
    return render(
        request,
        "payments/coordinator/line_reverse.html",
        {
            "programme": programme,
            "line": line,
            "form": form,
            "already": hasattr(line, "reversed_by"),
        },
    )
