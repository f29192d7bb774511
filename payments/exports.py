"""Files for finance and for mentors: the payment run CSV, and statements as CSV or PDF.

A run gives finance two files: the payments file (bank transfers, vouchers, charities) and,
when the run pays anyone's fees through payroll, the payroll file. Each is built only from
the run's own snapshot (its payee rows, with the employment status in force when the run
was made), in a fixed order, with no export time in it: exporting a run again gives the
same bytes."""

from django.utils import timezone

from core.spreadsheets import csv_text
from payments.documents import StatementRow, long_date, statement_pdf
from payments.models import PAYROLL, EmploymentStatus, PaymentRun, RunPayee
from payments.selectors import Statement

RUN_COLUMNS = [
    "Payment reference",
    "Run",
    "Mentor",
    "Payment method",
    "Pay to",
    "Sort code",
    "Account number",
    "Charity number",
    "Employment status",
    "Fees",
    "Expenses (not income)",
    "Total",
    "Currency",
]


class UnreadableBankDetails(Exception):
    """Bank details that are not numbers: read with a key that did not encrypt them, the
    stored token comes back as it is. Finance must never be given that to pay."""


def _digits(value: str) -> str:
    if value and not value.isdigit():
        raise UnreadableBankDetails(
            "Bank details could not be read. Check FIELD_ENCRYPTION_KEYS holds the key they "
            "were encrypted with."
        )
    return value


PAYROLL_COLUMNS = [
    "Payroll reference",
    "Run",
    "Mentor",
    "Employment status",
    "Fees before tax",
    "Currency",
]


def employment_status_label(status: str) -> str:
    return EmploymentStatus(status).label if status else "Not recorded"


def _payees_for_finance(run: PaymentRun):
    """The payees finance pays: not taken out, not failed (their lines wait for another
    run), and not rows whose lines cancel out (a correction of a line not yet paid)."""
    return (
        RunPayee.objects.filter(run=run)
        .live()
        .exclude(total=0)
        .select_related("mentor")
        .order_by("reference")
    )


def run_has_payroll(run: PaymentRun) -> bool:
    """Whether the run pays fees through payroll, so has a payroll file too."""
    return _payees_for_finance(run).filter(method=PAYROLL).exists()


def payroll_csv(run: PaymentRun) -> str:
    """The fees the run pays through payroll, one row per worker, for the payroll team to
    pay with tax and National Insurance taken off. Their expenses are in the payments file."""
    rows = (
        [
            payee.reference,
            run.reference,
            payee.mentor.display_name or payee.mentor.email,
            employment_status_label(payee.employment_status),
            f"{payee.fees:.2f}",
            run.currency,
        ]
        for payee in _payees_for_finance(run).filter(method=PAYROLL)
    )
    return csv_text(PAYROLL_COLUMNS, rows)


def run_csv(run: PaymentRun) -> str:
    """One row per mentor and way of paying, for finance, with each mentor's employment
    status. Fees paid through payroll are in the payroll file instead (payroll_csv)."""
    payees = _payees_for_finance(run).exclude(method=PAYROLL)
    rows = (
        [
            payee.reference,
            run.reference,
            payee.mentor.display_name or payee.mentor.email,
            payee.get_method_display(),
            payee.payee_name,
            _digits(payee.sort_code),
            _digits(payee.account_number),
            payee.charity_number,
            employment_status_label(payee.employment_status),
            f"{payee.fees:.2f}",
            f"{payee.expenses:.2f}",
            f"{payee.total:.2f}",
            run.currency,
        ]
        for payee in payees
    )
    return csv_text(RUN_COLUMNS, rows)


def line_status(line) -> str:
    """Where a line stands, in words, from selectors.lines_with_status's annotations."""
    if line.paid_on:
        return f"Paid {long_date(line.paid_on)}"
    if line.on_its_way:
        return "On its way"
    if line.amount == 0:
        return "Nothing to pay"
    return "Waiting"


STATEMENT_COLUMNS = ["Date", "What it was for", "Fee or expense", "Amount", "Currency", "Status"]


def statement_csv(statement: Statement) -> str:
    rows = (
        [
            line.earned_on.isoformat(),
            line.description + (f" Reason: {line.reason}" if line.reason else ""),
            "Fee" if line.is_income else "Expense (not income)",
            f"{line.amount:.2f}",
            line.currency,
            line_status(line),
        ]
        for line in statement.lines
    )
    totals = [
        ["", "Total fees (income)", "", f"{statement.fees:.2f}", "", ""],
        ["", "Total expenses (not income)", "", f"{statement.expenses:.2f}", "", ""],
    ]
    return csv_text(STATEMENT_COLUMNS, [*rows, *totals])


def statement_file(statement: Statement, *, programme_name: str) -> bytes:
    return statement_pdf(
        mentor_name=statement.mentor.display_name or statement.mentor.email,
        programme_name=programme_name,
        period_label=statement.label,
        rows=[
            StatementRow(
                day=line.earned_on,
                description=line.description,
                category=line.category,
                amount=line.amount,
                status=line_status(line),
            )
            for line in statement.lines
        ],
        currency_symbol=statement.symbol,
        generated_on=timezone.localdate(),
    )
