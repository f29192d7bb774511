"""docs/promises.md lists every promise the interface makes with the test that proves it.
These tests keep the list honest: every test it names exists, and every section has rows."""

import re
from pathlib import Path

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
