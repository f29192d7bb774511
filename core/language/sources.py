"""What `check_language` reads: the words a person sees in templates and Python files.

Templates give (line, text) pairs and Python files (first line, last line, string), lines
counted from 1. A line that carries the quote marker (`{# language: quoted #}` in a
template, `# language: quoted` in Python) is skipped: its words are quoted on purpose
(someone's own words, a legal name). A marker alone on its line quotes the next line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

QUOTED = "language: quoted"

# Attributes whose values people read (or hear, with a screen reader).
_READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "aria-description")
_BLOCKS = re.compile(
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r"|\{#.*?#\}"
    r"|<!--.*?-->"
    r"|<(script|style)\b.*?</\1\s*>",
    re.DOTALL | re.IGNORECASE,
)
_TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_HTML_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_ATTRIBUTE = re.compile(
    r"\b(" + "|".join(_READ_ATTRIBUTES) + r")\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE
)


def _blank(text: str) -> str:
    """The same text with every character but line breaks turned into a space, so what is
    left keeps its line numbers."""
    return re.sub(r"[^\n]", " ", text)


def _keep_only(match_text: str, keep: list[tuple[int, int]]) -> str:
    out = list(_blank(match_text))
    for start, end in keep:
        out[start:end] = match_text[start:end]
    return "".join(out)


def _looks_like_prose(value: str) -> bool:
    """A string literal a person may read: words with a space or a capital letter, not a
    path, a name of a template or a URL."""
    if not value or "/" in value and " " not in value:
        return False
    if value.endswith((".html", ".txt", ".css", ".js")):
        return False
    return " " in value.strip() or any(ch.isupper() for ch in value)


def _template_code(match: re.Match) -> str:
    # Keep the prose inside template tags and variables: {% include ... with title="..." %},
    # {{ value|default:"Not yet" }}.
    code = match.group(0)
    keep = []
    for string in _STRING.finditer(code):
        value = string.group(1) if string.group(1) is not None else string.group(2)
        if _looks_like_prose(value):
            keep.append(string.span())
    return _keep_only(code, keep)


def _html_tag(match: re.Match) -> str:
    tag = match.group(0)
    return _keep_only(tag, [a.span(2) for a in _ATTRIBUTE.finditer(tag)])


def template_text(source: str) -> str:
    """What a person reads in a template, with tags, comments and code blanked out and line
    breaks kept where they were."""
    text = _BLOCKS.sub(lambda m: _blank(m.group(0)), source)
    text = _TEMPLATE_CODE.sub(_template_code, text)
    text = _HTML_TAG.sub(_html_tag, text)
    return text.replace("&nbsp;", "      ")


def quoted_lines(source: str) -> set[int]:
    """Lines whose words are quoted on purpose: those carrying the marker, and the line after
    a marker that stands alone on its line (for a line that has no room for it)."""
    quoted = set()
    for number, line in enumerate(source.splitlines(), 1):
        if QUOTED in line:
            quoted.add(number)
            if _ALONE.fullmatch(line.strip()):
                quoted.add(number + 1)
    return quoted


_ALONE = re.compile(r"(\{#\s*|#\s*)" + re.escape(QUOTED) + r"(\s*#\})?")


def template_lines(source: str) -> list[tuple[int, str]]:
    quoted = quoted_lines(source)
    return [
        (n, line)
        for n, line in enumerate(template_text(source).splitlines(), 1)
        if line.strip() and n not in quoted
    ]


# --- Python ---------------------------------------------------------------------------

# Keyword arguments whose strings a person reads on a form.
FORM_KEYWORDS = {"label", "help_text", "empty_label", "placeholder", "error_messages"}
FORM_DICTS = {"labels", "help_texts", "error_messages"}
MESSAGE_CALLS = {"ValidationError", "add_error", "success", "info", "warning", "error"}


def _strings(node: ast.AST) -> list[tuple[int, int, str]]:
    """Every string constant under node, with its line (f-strings give their parts)."""
    found = []
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.append((child.lineno, child.end_lineno or child.lineno, child.value))
    return found


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _python_strings(tree: ast.AST, *, every_string: bool) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    if every_string:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                found.append((node.lineno, node.end_lineno or node.lineno, node.value))
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name == "notify":
                for keyword in node.keywords:
                    if keyword.arg in ("title", "body"):
                        found += _strings(keyword.value)
            elif name in MESSAGE_CALLS:
                for arg in node.args:
                    found += _strings(arg)
            for keyword in node.keywords:
                if keyword.arg in FORM_KEYWORDS:
                    found += _strings(keyword.value)
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Dict)
            and any(isinstance(t, ast.Name) and t.id in FORM_DICTS for t in node.targets)
        ):
            for value in node.value.values:
                found += _strings(value)
    return found


def python_lines(source: str, *, every_string: bool = False) -> list[tuple[int, int, str]]:
    """The strings a person reads in a Python file: notify() titles and bodies, form labels,
    help texts and error messages, and messages shown on a page. With every_string (what
    check_language reads), every string but docstrings, when it looks like prose."""
    tree = ast.parse(source)
    quoted = quoted_lines(source)
    found = []
    for line, end, value in _python_strings(tree, every_string=every_string):
        if not _looks_like_prose(value):
            continue
        # A string over several lines is quoted by the marker on any of its lines.
        if any(n in quoted for n in range(line, end + 1)):
            continue
        found.append((line, end, value))
    return sorted(set(found))


def python_file_lines(path: Path, *, every_string: bool = False) -> list[tuple[int, int, str]]:
    return python_lines(path.read_text(encoding="utf-8"), every_string=every_string)


def template_file_lines(path: Path) -> list[tuple[int, str]]:
    return template_lines(path.read_text(encoding="utf-8"))
