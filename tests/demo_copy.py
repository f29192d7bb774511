"""The demo, seeded once per test process and copied back for every test that needs it.

Seeding runs the real services (about 12,000 queries, 7 s or more on PostgreSQL), and the
browser tests each start from a fresh demo. So the first seed in a process is kept: every
table Django manages, row for row, with the sequences and the receipt files it wrote. Later
tests get the same rows copied back in a fraction of a second. The copy is taken again when
the date changes, because the demo is written relative to today.

Under pytest-xdist, the workers share the copy: the first to need the demo seeds it and
leaves the copy in a file for this run (every worker's database was migrated by the same
code, so the rows fit); the others wait for it and load it instead of seeding again.

Meant for tests on a transactional database (the live server's), where the seed's
after-commit work runs as it does in `make run`. Tests that only read the demo use it inside
their own transaction too: a copy taken there lacks that work, which none of them reads, and
is kept for this process only, never shared."""

from __future__ import annotations

import fcntl
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from datetime import date
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone


@dataclass
class _Copy:
    day: date
    tables: dict[str, object] = field(default_factory=dict)
    sequences: list[tuple[str, int | None]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


_kept: _Copy | None = None


def demo_seed() -> None:
    """Leave the database holding the demo, exactly as `seed_demo` makes it today."""
    global _kept
    today = timezone.localdate()
    if _kept is not None and _kept.day == today:
        _restore(_kept)
        return
    shared = _shared_file(today)
    if shared is None:
        call_command("seed_demo", stdout=StringIO())
        _kept = _take(today)
        return
    # One worker seeds while any other that needs the demo waits for its copy.
    with open(shared.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.exists():
            _kept = pickle.loads(shared.read_bytes())
            _restore(_kept)
            return
        call_command("seed_demo", stdout=StringIO())
        _kept = _take(today)
        if connection.in_atomic_block:
            return  # taken inside a test's transaction: not whole enough to share
        written = shared.with_suffix(".part")
        written.write_bytes(pickle.dumps(_kept))
        written.replace(shared)


def _shared_file(day: date) -> Path | None:
    """Where this run's workers share the copy, or None outside pytest-xdist."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return None
    return Path(tempfile.gettempdir()) / f"alongside-demo-{run}-{connection.vendor}-{day}.pickle"


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _take(day: date) -> _Copy:
    kept = _Copy(day=day)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            for table in _tables():
                with raw.copy(f"COPY {quote(table)} TO STDOUT (FORMAT BINARY)") as copy:
                    kept.tables[table] = b"".join(bytes(block) for block in copy)
            # Only the sequences of these tables: django_migrations has one too, which tests
            # of migrations move on, and which must never go back.
            cursor.execute(
                "SELECT seq.sequencename, seq.last_value FROM pg_sequences seq "
                "JOIN pg_class s ON s.relname = seq.sequencename AND s.relkind = 'S' "
                "JOIN pg_depend d ON d.objid = s.oid AND d.refclassid = 'pg_class'::regclass "
                "JOIN pg_class t ON t.oid = d.refobjid "
                "WHERE seq.schemaname = current_schema() AND t.relname = ANY(%s)",
                [list(kept.tables)],
            )
            kept.sequences = list(cursor.fetchall())
        else:
            for table in _tables():
                cursor.execute(f"SELECT * FROM {quote(table)}")
                kept.tables[table] = cursor.fetchall()
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            kept.sequences = [row for row in cursor.fetchall() if row[0] in kept.tables]
    root = Path(settings.RECEIPTS_ROOT)
    if root.exists():
        kept.files = {
            str(path.relative_to(root)): path.read_bytes()
            for path in root.rglob("*")
            if path.is_file()
        }
    return kept


def _restore(kept: _Copy) -> None:
    quote = connection.ops.quote_name
    tables = list(kept.tables)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test's own transaction may already have written rows (the topic library,
            # say), whose deferred foreign-key checks would stop TRUNCATE: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Every foreign key Django makes here is deferred to the commit, so the order
            # the tables are filled in does not matter.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("TRUNCATE " + ", ".join(quote(table) for table in tables))
            raw = cursor.cursor
            for table, data in kept.tables.items():
                with raw.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
            for name, value in kept.sequences:
                cursor.execute(
                    "SELECT setval(%s, %s, %s)", [quote(name), value or 1, value is not None]
                )
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
            for table, rows in kept.tables.items():
                if rows:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(f"INSERT INTO {quote(table)} VALUES ({marks})", rows)
            for name, _value in kept.sequences:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [name])
            cursor.executemany(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", kept.sequences
            )
    # The rows have the ids of the first seed; forget any content type cached since.
    ContentType.objects.clear_cache()
    root = Path(settings.RECEIPTS_ROOT)
    for name, content in kept.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
