"""PDF documents: the plain, accessible page every document of ours is made on.

fpdf2's built-in Helvetica needs nothing installed on the server. Built-in fonts only cover
Windows-1252 (Latin-1 plus €, curly quotes and dashes), so every piece of text goes through
pdf_text() first: a name with other characters comes out slightly changed, never crashes.
"""

import unicodedata
from datetime import date

from fpdf import FPDF

ENCODING = "windows-1252"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

BODY_SIZE = 11
HEADING_SIZE = 16
SUBHEADING_SIZE = 12.5
LINE = 6  # mm per line of 11 pt text: comfortable to read

# Characters people often paste in that the built-in font cannot show, with plain stand-ins.
# (Curly quotes, en and em dashes and "..." are in Windows-1252, so they stay as they are.)
_STAND_INS = {
    "\u201b": "'",
    "\u2032": "'",
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2009": " ",
    "\u202f": " ",
    "\u200b": "",
    "\ufeff": "",
}


def pdf_text(text: object) -> str:
    """Return text the built-in PDF font can show, changing as little as possible.

    Look-alike dashes, quotes and spaces become ones the font has, letters with accents the
    font lacks lose the accent ("ř" becomes "r"), and anything else becomes "?".
    """
    out = []
    for char in str(text):
        if _encodable(char):
            out.append(char)
            continue
        if char in _STAND_INS:
            out.append(_STAND_INS[char])
            continue
        # Split "ř" into "r" + a combining caron, and keep whatever the font can show.
        decomposed = "".join(
            part
            for part in unicodedata.normalize("NFKD", char)
            if not unicodedata.combining(part) and _encodable(part)
        )
        out.append(decomposed or "?")
    return "".join(out).encode(ENCODING, errors="replace").decode(ENCODING)


def _encodable(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def long_date(day: date) -> str:
    """26 November 2026: no leading zero, month in words, the same in every locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class Document(FPDF):
    """A4 portrait with our metadata, margins and a page-number footer."""

    def __init__(self, *, title: str, subject: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.set_title(title)
        self.set_subject(subject)
        self.set_author("Alongside")
        self.set_creator("Alongside")
        self.set_lang("en-GB")
        self.set_margins(left=20, top=20, right=20)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_font("Helvetica", size=BODY_SIZE)
        self.show_page_numbers = False

    def footer(self):
        if not self.show_page_numbers:
            return
        self.set_y(-14)
        self.set_font("Helvetica", size=9)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.set_font("Helvetica", style="B", size=HEADING_SIZE)
        self.multi_cell(0, 8, pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=BODY_SIZE)
        self.ln(2)

    def subheading(self, text: str) -> None:
        self.ln(2)
        self.set_font("Helvetica", style="B", size=SUBHEADING_SIZE)
        self.multi_cell(0, 7, pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=BODY_SIZE)

    def paragraph(self, text: str, *, after: float = 2.5) -> None:
        # Ragged right: justified text's uneven gaps are harder to read, especially with dyslexia.
        self.multi_cell(0, LINE, pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(after)

    def finish(self) -> bytes:
        return bytes(self.output())
