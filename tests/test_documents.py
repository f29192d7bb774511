import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from payments.documents import (
    StatementRow,
    long_date,
    money,
    pdf_text,
    statement_pdf,
    work_coach_letter_pdf,
)


def letter(**overrides) -> bytes:
    arguments = {
        "mentor_name": "Jo Bloggs",
        "programme_name": "Leeds Care Leavers Mentoring",
        "organisation_name": "Leeds City Council",
        "hourly_rate": Decimal("18.50"),
        "preparation_minutes": 30,
        "currency_symbol": "£",
        "today": date(2026, 11, 26),
    }
    return work_coach_letter_pdf(**(arguments | overrides))


def statement(rows, **overrides) -> bytes:
    arguments = {
        "mentor_name": "Jo Bloggs",
        "programme_name": "Leeds Care Leavers Mentoring",
        "period_label": "March 2026",
        "rows": rows,
        "currency_symbol": "£",
        "generated_on": date(2026, 4, 2),
    }
    return statement_pdf(**(arguments | overrides))


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    # Collapse line wrapping so phrases can be found whatever the layout.
    return " ".join(" ".join(page.extract_text() for page in read(pdf).pages).split())


SOME_ROWS = [
    StatementRow(
        day=date(2026, 3, 2),
        description="Mentoring session",
        category="fee",
        amount=Decimal("27.75"),
        status="Paid 10 March 2026",
    ),
    StatementRow(
        day=date(2026, 3, 2),
        description="Bus fare",
        category="expense",
        amount=Decimal("4.20"),
        status="Paid 10 March 2026",
    ),
    StatementRow(
        day=date(2026, 3, 9),
        description="Mentoring session",
        category="fee",
        amount=Decimal("1250.00"),
        status="Waiting",
    ),
    StatementRow(
        day=date(2026, 3, 12),
        description="Bus fare refunded twice, taken back",
        category="expense",
        amount=Decimal("-12.50"),
        status="Waiting",
    ),
]


def test_it_makes_a_pdf_letter():
    assert letter().startswith(b"%PDF")


def test_it_fits_the_letter_on_one_page():
    assert len(read(letter()).pages) == 1


def test_it_explains_the_payments_in_the_letter():
    text = text_of(letter())
    assert "26 November 2026" in text
    assert "Jo Bloggs" in text
    assert "Leeds Care Leavers Mentoring" in text
    assert "Leeds City Council" in text
    assert "£18.50 an hour" in text
    assert "30 minutes of preparation" in text
    assert "usually within 14 days" in text
    assert "travel, childcare, replacement care, and phone or data" in text
    assert "They are not income." in text
    assert "statement of every payment" in text
    assert "Signed" in text


def test_it_dates_the_letter_without_a_leading_zero():
    assert "3 March 2026" in text_of(letter(today=date(2026, 3, 3)))


def test_it_says_the_programme_sets_the_rate_when_there_is_no_rate():
    text = text_of(letter(hourly_rate=None))
    assert "The rate is set by the programme." in text
    assert "an hour" not in text
    assert "preparation" not in text


def test_it_leaves_out_preparation_when_there_is_none():
    assert "preparation" not in text_of(letter(preparation_minutes=0))


def test_it_sets_the_letter_metadata():
    reader = read(letter())
    assert reader.metadata.author == "Alongside"
    assert "Jo Bloggs" in reader.metadata.title
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_it_makes_a_pdf_statement():
    assert statement(SOME_ROWS).startswith(b"%PDF")


def test_it_lists_every_row_and_the_totals():
    text = text_of(statement(SOME_ROWS))
    assert "Statement for Jo Bloggs" in text
    assert "March 2026" in text
    assert "Leeds Care Leavers Mentoring" in text
    assert "2 April 2026" in text
    assert "Bus fare" in text
    assert "Paid 10 March 2026" in text
    assert "Waiting" in text
    assert "£27.75" in text
    assert "£1,250.00" in text
    assert "-£12.50" in text
    # Fees 27.75 + 1250.00; expenses 4.20 - 12.50; together 1269.45.
    assert "Fees (income) £1,277.75" in text
    assert "Expenses (not income) -£8.30" in text
    assert "Everything together £1,269.45" in text
    assert "Expenses are repayments of what you spent. They are not income." in text


def test_it_says_when_there_is_nothing_in_the_period():
    text = text_of(statement([]))
    assert "Nothing in this period." in text
    assert "Everything together £0.00" in text


def test_it_flows_a_long_statement_onto_more_pages_with_the_header_repeated():
    rows = [
        StatementRow(
            day=date(2026, 1, 1) + timedelta(days=n),
            description=f"Mentoring session {n}",
            category="fee",
            amount=Decimal("10.00"),
            status="Paid",
        )
        for n in range(200)
    ]
    pdf = statement(rows)
    pages = read(pdf).pages
    assert len(pages) > 1
    for page in pages:
        assert "What it was for" in page.extract_text()
    text = text_of(pdf)
    assert "Mentoring session 199" in text
    assert "Everything together £2,000.00" in text


def test_it_copes_with_names_outside_latin_1():
    name = "Zoë Dvořák O\u2019Neill \u738b\u82b3 \U0001f600"
    rows = [
        StatementRow(
            day=date(2026, 3, 2),
            description="Taxi \u2192 station \u2014 late bus",
            category="expense",
            amount=Decimal("9.99"),
            status="Waiting",
        )
    ]
    letter_text = text_of(letter(mentor_name=name, organisation_name="Ærø \u0141\u00f3d\u017a"))
    statement_text = text_of(
        statement(rows, mentor_name=name, period_label="März 2026", currency_symbol="\u20b9")
    )
    assert "Zoë Dvorak" in letter_text or "Zoë Dvorák" in letter_text
    assert "Zoë" in statement_text
    assert "9.99" in statement_text


def test_it_shows_euros():
    assert "€9.99" in text_of(
        statement(
            [StatementRow(date(2026, 3, 2), "Bus", "expense", Decimal("9.99"), "Waiting")],
            currency_symbol="€",
        )
    )


def test_it_refuses_float_amounts():
    row = StatementRow(date(2026, 3, 2), "Bus", "expense", 9.99, "Waiting")
    with pytest.raises(TypeError):
        statement([row])
    with pytest.raises(TypeError):
        letter(hourly_rate=18.5)


def test_it_refuses_an_unknown_category():
    row = StatementRow(date(2026, 3, 2), "Bus", "refund", Decimal("9.99"), "Waiting")
    with pytest.raises(ValueError, match="fee"):
        statement([row])


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("0"), "£0.00"),
        (Decimal("12.5"), "£12.50"),
        (Decimal("-12.5"), "-£12.50"),
        (Decimal("-0.001"), "£0.00"),
        (Decimal("0.005"), "£0.01"),
        (Decimal("1234567.891"), "£1,234,567.89"),
    ],
)
def test_it_formats_money(amount, shown):
    assert money(amount, "£") == shown


def test_it_writes_dates_in_words():
    assert long_date(date(2026, 11, 26)) == "26 November 2026"
    assert long_date(date(2026, 3, 3)) == "3 March 2026"


def test_it_keeps_what_the_font_can_show_and_replaces_the_rest():
    assert pdf_text("Zoë O\u2019Neill — £5") == "Zoë O\u2019Neill — £5"
    assert pdf_text("Dvo\u0159\u00e1k") == "Dvorák"
    assert pdf_text("\u738b") == "?"
    assert pdf_text("a\u2212b\u2011c") == "a-b-c"


def test_it_lists_each_payment_with_the_day_it_was_paid_in_the_letter():
    from payments.documents import PaymentRow

    payments = [
        PaymentRow(day=date(2026, 10, 6), how="Bank transfer", fees=Decimal("60.00"),
                   expenses=Decimal("12.50")),
        PaymentRow(day=date(2026, 11, 6), how="Bank transfer", fees=Decimal("30.00"),
                   expenses=Decimal("0.00")),
    ]  # fmt: skip
    text = text_of(letter(payments=payments, assessment_day=15))
    assert "6 October 2026" in text and "6 November 2026" in text
    assert "£60.00" in text and "£12.50" in text and "£90.00" in text  # fees together
    assert "assessment period starts on day 15 of each month" in text
    assert "No payments have been made" in text_of(letter())


def test_it_refuses_a_payment_in_the_letter_that_is_not_decimal():
    from payments.documents import PaymentRow

    with pytest.raises(TypeError):
        letter(payments=[PaymentRow(date(2026, 10, 6), "Bank transfer", 60.0, Decimal("0"))])
