"""Files for finance and for mentors: the payment run CSV, and statements as CSV or PDF.

The run CSV is built only from the run's own snapshot (its payee rows), in a fixed order,
with no export time in it: exporting a run again gives the same bytes."""

from django.utils import timezone

from core.spreadsheets import csv_text
from payments.documents import StatementRow, long_date, statement_pdf
from payments.models import PaymentRun, RunPayee
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


def run_csv(run: PaymentRun) -> str:
    """One row per mentor and way of paying, for finance. Payees taken out of the run, or
    whose payment failed, are left out (their lines wait for another run), as are rows
    whose lines cancel out (a correction of a line not yet paid)."""
    payees = (
        RunPayee.objects.filter(run=run)
        .live()
        .exclude(total=0)
        .select_related("mentor")
        .order_by("reference")
    )
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
