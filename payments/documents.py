"""PDF documents for mentors: a letter for their work coach, and a statement of payments,
on the plain page of core/documents.py (its pdf_text() keeps any name printable)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fpdf.fonts import FontFace

from core.documents import BODY_SIZE, LINE, Document, long_date, pdf_text
from payments.money import money as plain_money

FEE = "fee"
EXPENSE = "expense"


def money(amount: Decimal, currency_symbol: str) -> str:
    """£1,234.50 or -£12.50. Decimal only: a float here would be a bug upstream."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"Amounts must be Decimal, not {type(amount).__name__}.")
    return plain_money(amount, currency_symbol)


def _minutes(minutes: int) -> str:
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@dataclass(frozen=True)
class PaymentRow:
    """One payment made to a mentor, for the letter: the day it was paid and how much."""

    day: date
    how: str  # e.g. "Bank transfer"
    fees: Decimal
    expenses: Decimal


def work_coach_letter_pdf(
    *,
    mentor_name: str,
    programme_name: str,
    organisation_name: str,
    hourly_rate: Decimal | None,
    preparation_minutes: int,
    currency_symbol: str,
    today: date,
    payments: Sequence[PaymentRow] = (),
    assessment_day: int | None = None,
) -> bytes:
    """A letter a mentor can show their Jobcentre work coach (Universal Credit): what the
    payments are for, and every payment of the last year with the day it was paid, since
    Universal Credit counts earnings in the assessment period they are paid in."""
    pdf = Document(
        title=f"Letter about payments to {mentor_name}",
        subject="Payments for mentoring, for Universal Credit",
    )
    pdf.add_page()

    pdf.set_font("Helvetica", style="B", size=BODY_SIZE)
    pdf.multi_cell(0, LINE, pdf_text(organisation_name), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=BODY_SIZE)
    pdf.paragraph(f"{programme_name}, through Alongside", after=0)
    pdf.paragraph(long_date(today), after=6)

    pdf.heading(f"Payments to {mentor_name}")
    pdf.paragraph("Dear work coach,")
    pdf.paragraph(
        f"This letter explains the payments {mentor_name} receives through Alongside for "
        f"their work on the {programme_name} programme, run by {organisation_name}."
    )

    pdf.subheading(f"What {mentor_name} does")
    pdf.paragraph(
        f"{mentor_name} is an expert by experience: an adult with lived experience of the care "
        "system. They mentor social workers and other practitioners, and may also take paid "
        "part in other work, such as interview panels, teaching and training, so that people "
        "who work in care learn from people who have been through it."
    )

    pdf.subheading("How they are paid")
    if hourly_rate is not None:
        rate = f"{money(hourly_rate, currency_symbol)} an hour"
        if preparation_minutes > 0:
            pay = (
                f"{mentor_name} is paid {rate} for each mentoring session, plus "
                f"{_minutes(preparation_minutes)} of preparation time for each session."
            )
        else:
            pay = f"{mentor_name} is paid {rate} for each mentoring session."
    else:
        pay = (
            f"{mentor_name} is paid a fee for each mentoring session. "
            "The rate is set by the programme."
        )
    pdf.paragraph(pay)
    pdf.paragraph(
        "Payments are made after each session is approved, usually within 14 days. "
        "The number of sessions and other paid work can change from month to month, so the "
        "amount paid can change too."
    )

    pdf.subheading("Expenses are not income")
    pdf.paragraph(
        f"{mentor_name} can also claim back costs they have receipts for, such as travel, "
        "childcare, replacement care, and phone or data. These payments are repayments of "
        "money already spent. They are not income."
    )

    pdf.subheading("Payments made, by the day they were paid")
    if payments:
        intro = (
            f"These are the payments made to {mentor_name} in the last year, on the day each "
            "was paid. Fees are earnings; expenses are not."
        )
        if assessment_day is not None:
            intro += (
                f" {mentor_name} told us their assessment period starts on day "
                f"{assessment_day} of each month."
            )
        pdf.paragraph(intro)
        _payments_table(pdf, payments, currency_symbol)
    else:
        pdf.paragraph(f"No payments have been made to {mentor_name} yet.")
    pdf.paragraph(
        f"{mentor_name} can get a statement of every payment from Alongside at any time. "
        "It shows each fee and each expense separately, with the day it was paid."
    )
    pdf.paragraph(
        "If you have any questions, please contact the programme coordinator below.",
        after=4,
    )
    pdf.paragraph("Yours sincerely,", after=6)

    blank = "_" * 40
    for label, value in (
        ("Signed", blank),
        ("Name", blank),
        ("Role", f"Programme coordinator, {organisation_name}"),
        ("Phone or email", blank),
    ):
        pdf.set_font("Helvetica", style="B", size=BODY_SIZE)
        pdf.cell(34, LINE + 2, pdf_text(label))
        pdf.set_font("Helvetica", size=BODY_SIZE)
        pdf.multi_cell(0, LINE + 2, pdf_text(value), align="L", new_x="LMARGIN", new_y="NEXT")
    return pdf.finish()


def _payments_table(pdf: Document, payments: Sequence[PaymentRow], symbol: str) -> None:
    fees = expenses = Decimal("0")
    with pdf.table(
        col_widths=(40, 50, 40, 40),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        line_height=LINE,
        padding=(1, 1.5),
        repeat_headings=1,
    ) as table:
        heading = table.row()
        for text in ("Date paid", "How", "Fees (earnings)", "Expenses (not income)"):
            heading.cell(text)
        for payment in payments:
            if not isinstance(payment.fees, Decimal) or not isinstance(payment.expenses, Decimal):
                raise TypeError("Amounts must be Decimal.")
            fees += payment.fees
            expenses += payment.expenses
            cells = table.row()
            cells.cell(long_date(payment.day))
            cells.cell(pdf_text(payment.how))
            cells.cell(pdf_text(money(payment.fees, symbol)))
            cells.cell(pdf_text(money(payment.expenses, symbol)))
        totals = table.row(style=FontFace(emphasis="BOLD"))
        totals.cell("Together")
        totals.cell("")
        totals.cell(pdf_text(money(fees, symbol)))
        totals.cell(pdf_text(money(expenses, symbol)))
    pdf.ln(3)


@dataclass(frozen=True)
class StatementRow:
    day: date
    description: str
    category: str  # "fee" or "expense"
    amount: Decimal
    status: str  # e.g. "Paid 3 March 2026" or "Waiting"


def statement_pdf(
    *,
    mentor_name: str,
    programme_name: str,
    period_label: str,
    rows: list[StatementRow],
    currency_symbol: str,
    generated_on: date,
) -> bytes:
    """A statement of fees and expenses, with fees and expenses totalled apart."""
    fees = Decimal("0")
    expenses = Decimal("0")
    for row in rows:
        if not isinstance(row.amount, Decimal):
            raise TypeError(f"Amounts must be Decimal, not {type(row.amount).__name__}.")
        if row.category == FEE:
            fees += row.amount
        elif row.category == EXPENSE:
            expenses += row.amount
        else:
            # Guessing would risk showing an expense as income, or the other way round.
            raise ValueError(f"Unknown category {row.category!r}: use 'fee' or 'expense'.")

    pdf = Document(
        title=f"Statement for {mentor_name} \u2014 {period_label}",
        subject=f"Payments for mentoring on {programme_name}",
    )
    pdf.show_page_numbers = True
    pdf.add_page()
    pdf.heading(f"Statement for {mentor_name} \u2014 {period_label}")
    pdf.paragraph(f"Programme: {programme_name}", after=0)
    pdf.paragraph(f"Made on {long_date(generated_on)}", after=5)

    if not rows:
        pdf.paragraph("Nothing in this period.", after=5)
    else:
        with pdf.table(
            col_widths=(30, 50, 22, 26, 42),
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
            line_height=LINE,
            padding=(1, 1.5),
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for text in ("Date", "What it was for", "Fee or expense", "Amount", "Status"):
                heading.cell(text)
            for row in rows:
                cells = table.row()
                cells.cell(long_date(row.day))
                cells.cell(pdf_text(row.description))
                cells.cell("Fee" if row.category == FEE else "Expense")
                cells.cell(pdf_text(money(row.amount, currency_symbol)))
                cells.cell(pdf_text(row.status))
        pdf.ln(6)

    # Keep the totals together: move to a new page rather than split them.
    if pdf.get_y() + 45 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.subheading("Totals")
    with pdf.table(
        col_widths=(110, 60),
        text_align=("LEFT", "RIGHT"),
        first_row_as_headings=False,
        line_height=LINE,
        padding=(1, 1.5),
    ) as table:
        for label, amount, bold in (
            ("Fees (income)", fees, False),
            ("Expenses (not income)", expenses, False),
            ("Everything together", fees + expenses, True),
        ):
            style = FontFace(emphasis="BOLD") if bold else None
            cells = table.row(style=style)
            cells.cell(label)
            cells.cell(pdf_text(money(amount, currency_symbol)))
    pdf.ln(3)
    pdf.paragraph("Expenses are repayments of what you spent. They are not income.")
    return pdf.finish()
