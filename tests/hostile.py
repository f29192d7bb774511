"""Hostile form values: what a careless, unlucky or malicious person might send.

Every value is a string, as a browser sends it. Used by tests/test_bad_input.py, which
posts them to every form; kept apart so other tests can borrow them.
"""

from hypothesis import strategies as st

XSS = "<script>alert(1)</script>"
XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'
# If either of these reaches a page as it is, the page runs the attacker's script.
XSS_MARKERS = (XSS, "<img src=x onerror=alert(1)>")

# Passes Django's EmailValidator (which allows up to 320 characters) but not a 254-character
# email column: SQLite stores it anyway, PostgreSQL refuses it with an error.
LONG_EMAIL = "a" * 300 + "@example.org"

# Where a "next" parameter might try to send someone after a form.
HOSTILE_URLS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https://testserver.evil.example/",
    "/dashboard/",
]

# Ids that name nothing: for choice and model-choice fields.
UNKNOWN_IDS = ["999999", "-1", "abc", "9" * 30, " 1", "1,2", "１"]

TEXT = [
    "",
    " ",
    " \t\n ",
    XSS,
    XSS_ATTRIBUTE,
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% debug %}",
    "${7*7} #{7*7} %s %(name)s {0}",
    "' OR '1'='1",
    "1; DROP TABLE accounts_user; --",
    '" OR ""="',
    "%_\\",
]
UNICODE = [
    "\u202eevil.exe",  # right-to-left override
    "مرحبا بالعالم",
    "שלום עולם",
    "😀",
    "👩🏽‍💻 and 🏳️‍🌈",  # zero-width joiner sequences
    "e\u0301",  # combining accent
    "Z̴̢̛a̵̧l̷g̸o̶",
    "\u200b",  # zero-width space
    "\ufeff",  # byte-order mark
    "a\u200db",  # zero-width joiner
    "\u2028\u2029",  # line and paragraph separators
    "İıßﬁ",  # change length when case-folded
]
CONTROL = ["\x00", "a\x00b", "\x01\x02\x1b[31m\x7f", "line one\r\nline two", "\r", "\x0b\x0c"]
NUMBERS = [
    "-1",
    "0",
    "61",
    str(10**30),
    "1e308",
    "1e309",
    "NaN",
    "Infinity",
    "1.5",
    "٣",  # Arabic-Indic three
    "１２",  # full-width twelve
    " 3 ",
    "32768",  # one past a small integer column
    "9223372036854775808",  # one past a 64-bit integer
    # Money as people type it, or mistype it
    "-12.50",
    "12.345",
    "£12.50",
    "1,000.00",
    "99999999999.99",
]
WRONG_TYPES = ["true", "false", "null", "undefined", "[]", "{}", "[1, 2]"]
EMAILS = [
    "name@example.org",
    "NAME@EXAMPLE.ORG",
    "  name@example.org  ",
    "not-an-email",
    "a@b",
    "@",
    "a@b@c",
    "name@exa mple.org",
    "name@例え.jp",
    "ñame@example.org",
    LONG_EMAIL,
]

CLASSIC = [*TEXT, *UNICODE, *CONTROL, *NUMBERS, *WRONG_TYPES, *EMAILS, *UNKNOWN_IDS]

# Pieces repeated to 10,000+ characters. Built by repetition so Hypothesis need not
# generate every character (and so its buffer stays small).
LONG_PIECES = ["a", "é", "😀", "e\u0301", XSS, "a ", "\u200b", "x\r\n", "name@example.org"]


def _repeat(piece: str, extra: int) -> str:
    return piece * (10_000 // len(piece) + 1 + extra)


LONG = [_repeat(piece, 0) for piece in ["a", "😀", "e\u0301", XSS, "\u200b", "x\r\n"]]


def long_strings() -> st.SearchStrategy[str]:
    return st.builds(
        _repeat,
        st.one_of(st.sampled_from(LONG_PIECES), st.text(min_size=1, max_size=6)),
        st.integers(0, 5),
    )


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.integers(-(10**40), 10**40).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


def hostile_values() -> st.SearchStrategy[str]:
    """One hostile value. The hand-picked list comes first, so failures shrink to it."""
    return st.one_of(
        st.sampled_from(CLASSIC),
        numbers(),
        st.text(max_size=40),
        long_strings(),
        st.sampled_from(HOSTILE_URLS),
    )


def unknown_ids() -> st.SearchStrategy[str]:
    return st.sampled_from(UNKNOWN_IDS)


def several(values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """Several values where a form expects one: what a tampered or double-posted form sends."""
    return st.lists(values, min_size=2, max_size=4)
