"""`python manage.py check_language`: the care-language check over the whole interface."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.language import find_terms
from core.language.sources import python_file_lines, template_file_lines

HELP = """Check the words people read for the terms in core/language/terms.toml: templates
(text and the alt, title, aria-label and placeholder attributes; not tags or comments), and
every string in our Python code that reads like words (form labels, help texts, error
messages, notify() titles and bodies, messages shown on a page, the demo's content), but not
docstrings, comments, tests or migrations. Prints each finding as
path:line: "word" -> try "alternative" (why), and exits with 1 when there is any.

To keep a word on purpose (someone's own words, a legal name), mark its line:
{# language: quoted #} in a template, # language: quoted in Python. See docs/language.md."""

# Text for developers, not for the people who use Alongside.
SKIP_FILES = {"__main__.py", "settings.py", "check_language.py"}
SKIP_DIRS = {".venv", "node_modules", "staticfiles", ".git", "tests", "migrations", "bench"}


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            help="Files or folders to check (default: the whole repository).",
        )

    def handle(self, *args, paths, **options):
        root = Path(settings.BASE_DIR)
        targets = [Path(p) for p in paths] or [root]
        count = 0
        for path in sorted(_files(targets)):
            for line, word, alternative, why in check_file(path):
                shown = _relative(path, root)
                self.stdout.write(f'{shown}:{line}: "{word}" \u2192 try "{alternative}" ({why})')
                count += 1
        if count:
            raise CommandError(
                f"{count} word{'s' if count != 1 else ''} to change. Use the kinder word, or mark"
                " the line as quoted on purpose ({# language: quoted #} in a template,"
                " # language: quoted in Python). See docs/language.md."
            )
        self.stdout.write("No words to change.")


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _files(targets):
    for target in targets:
        if target.is_file():
            yield target
            continue
        for path in target.rglob("*"):
            if any(part in SKIP_DIRS for part in path.relative_to(target).parts):
                continue
            if path.is_file() and _kind(path):
                yield path


def _kind(path: Path) -> str:
    """Which reader a file needs, or "" when it holds nothing a person reads."""
    if path.suffix in (".html", ".txt") and "templates" in path.parts:
        return "template"
    if path.suffix == ".py" and path.name not in SKIP_FILES:
        if "demo" in path.parts and "management" not in path.parts:
            return "demo"
        return "python"
    return ""


def check_file(path: Path):
    """(line, word, alternative, why) for each listed word a person reads in the file."""
    kind = _kind(path) or ("template" if path.suffix in (".html", ".txt") else "python")
    if kind == "template":
        for line, text in template_file_lines(path):
            for finding in find_terms(text):
                yield line, finding.term, finding.alternative, finding.why
        return
    source_lines = path.read_text(encoding="utf-8").splitlines()
    for first, last, text in python_file_lines(path, every_string=kind in ("demo", "python")):
        for finding in find_terms(text):
            yield (
                _line_of(finding.term, source_lines, first, last),
                finding.term,
                finding.alternative,
                finding.why,
            )


def _line_of(word: str, lines: list[str], first: int, last: int) -> int:
    """The line of a string that holds the word (a string can run over several lines)."""
    pattern = re.compile(re.escape(word.split()[0]), re.IGNORECASE)
    for number in range(first, last + 1):
        if number <= len(lines) and pattern.search(lines[number - 1]):
            return number
    return first
