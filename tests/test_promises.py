"""docs/promises.md lists every promise the interface makes with the test that proves it.
These tests keep the list honest: every test it names exists, and every section has rows."""

import ast
import re
from pathlib import Path

from tests.project import our_apps

ROOT = Path(__file__).resolve().parent.parent
PROMISES = ROOT / "docs" / "promises.md"
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[[^\]]*\])?`")


def references() -> list[tuple[str, str]]:
    return TEST_REFERENCE.findall(PROMISES.read_text())


def test_it_names_tests_for_the_promises():
    assert len(references()) >= 10


def test_it_names_only_tests_that_exist():
    missing = []
    for path, name in references():
        source = ROOT / path
        if not source.exists() or not re.search(
            rf"^\s*def {name}\(", source.read_text(), flags=re.MULTILINE
        ):
            missing.append(f"{path}::{name}")
    assert missing == [], "docs/promises.md names tests that do not exist"


def test_it_gives_every_row_a_test():
    rows = [
        line
        for line in PROMISES.read_text().splitlines()
        if line.startswith("| ") and not line.startswith(("| promise", "| ---"))
    ]
    assert rows
    without = [row for row in rows if not TEST_REFERENCE.search(row)]
    assert without == []


# Sentences in templates that promise something about who sees what or what is kept. Each
# must be quoted in docs/promises.md, so a new one cannot slip in without its test.
PROMISE = re.compile(
    r"\b(only (coordinators?|you|your coordinators?)|never (sees?|shown?|shared|told|reads?|"
    r"reaches|show)|sees? only|we keep|are kept|is kept|we delete|deleted straight away|"
    r"is private|too few|nobody can|never to|will not (see|be told))\b",
    re.IGNORECASE,
)
# Tags that end a line of text, so table cells and list items are not run together.
BLOCK_TAG = re.compile(r"</?(p|li|td|th|h[1-6]|dt|dd|label|caption|button|div|summary|br)\b[^>]*>")
NAME = re.compile(r"\{\{.*?\}\}")


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9{} ]+", " ", text.lower())).strip()


def promise_sentences(path: Path):
    text = path.read_text()
    text = re.sub(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", " ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", "\n", BLOCK_TAG.sub("\n", text), flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?:])\s+", line.strip()):
            if PROMISE.search(sentence):
                yield sentence


def quoted(sentence: str, listed: str) -> bool:
    """Whether docs/promises.md quotes the sentence, a {{ name }} standing for any name."""
    parts = [_words(part) for part in NAME.split(sentence)]
    pattern = r" (?:\{\{ \w+ \}\}|[a-z0-9 ]{1,40}) ".join(re.escape(p) for p in parts if p)
    return bool(re.search(pattern, listed))


def _listed() -> str:
    """docs/promises.md as words, each {{ name }} kept as a placeholder."""

    def placeholder(match):
        return " {{ " + _words(match.group(0)[2:-2]).split(" ")[0] + " }} "

    return _words(NAME.sub(placeholder, PROMISES.read_text()))


def test_it_quotes_every_promise_the_templates_make():
    listed = _listed()
    missing = [
        f"{path.relative_to(ROOT)}: {sentence}"
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in {".html", ".txt"}
        for sentence in promise_sentences(path)
        if not quoted(sentence, listed)
    ]
    assert missing == [], "Add these promises to docs/promises.md, with their tests"


def test_it_notices_a_promise_that_is_not_listed(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>Only coordinators see your shoe size.</p><p>Nothing else here.</p>")
    found = list(promise_sentences(page))
    assert found == ["Only coordinators see your shoe size."]
    assert not quoted(found[0], _words(PROMISES.read_text()))
    assert quoted("Only you can read this entry.", _words(PROMISES.read_text()))


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def python_promise_sentences(path: Path):
    """Sentences of help texts, messages and notifications in our Python code: every string
    but docstrings (a string split over lines by Python's joining counts as one)."""
    tree = ast.parse(path.read_text())
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            for sentence in re.split(r"(?<=[.!?:])\s+", node.value.strip()):
                if PROMISE.search(sentence):
                    yield sentence


APPS = sorted(our_apps())


def test_it_quotes_every_promise_our_forms_and_messages_make():
    listed = _listed()
    missing = [
        f"{path.relative_to(ROOT)}: {sentence}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for sentence in python_promise_sentences(path)
        if not quoted(sentence, listed)
    ]
    assert missing == [], "Add these promises to docs/promises.md, with their tests"
