"""Helpers for tests/test_upgrade.py: a database of its own, manage.py in a given checkout,
and snapshots of every table read with plain SQL, so no model of either version is trusted."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import psycopg
from psycopg import sql

# Environment that would make a manage.py use something other than its own defaults, or
# another checkout's code: each checkout picks its settings module itself, tasks run
# in-process, and nothing is shared with the Redis the rest of the suite uses.
UNSET_FOR_MANAGE = [
    "DJANGO_SETTINGS_MODULE",
    "PYTHONPATH",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "REDIS_URL",
    "CACHE_URL",
    "ALONGSIDE_ENV",
]

SAMPLE_SIZE = 5


@dataclass
class Database:
    url: str
    vendor: str  # "postgresql" or "sqlite"
    path: Path | None = None  # the SQLite file

    def connect(self):
        if self.vendor == "sqlite":
            return closing(sqlite3.connect(self.path))
        return psycopg.connect(self.url, autocommit=True)


def _server_connection(url: str):
    """The 'postgres' database on the server DATABASE_URL names, where databases are made."""
    config = dj_database_url.parse(url)
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def database_create(*, name: str, folder: Path) -> Database:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        path = folder / f"{name}.sqlite3"
        return Database(url=f"sqlite:///{path}", vendor="sqlite", path=path)
    with _server_connection(url) as connection:
        # A run that was killed may have left it behind.
        _drop(connection, name)
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return Database(url=urlsplit(url)._replace(path=f"/{name}").geturl(), vendor="postgresql")


def database_drop(database: Database) -> None:
    if database.vendor != "postgresql":
        return  # the SQLite file goes with its temporary folder
    name = urlsplit(database.url).path.lstrip("/")
    with _server_connection(database.url) as connection:
        _drop(connection, name)


def _drop(connection, name: str) -> None:
    # FORCE ends connections a killed manage.py may have left open.
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
    connection.execute(statement.format(sql.Identifier(name)))


def manage(checkout: Path, database: Database, *args: str, folder: Path) -> str:
    """Run `manage.py <args>` of one checkout on the given database and return its output.
    Python finds the project's code from the working directory alone (pyproject has
    `packages = []`), so the checkout's own code runs."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET_FOR_MANAGE}
    env["DATABASE_URL"] = database.url
    # Demo receipts and uploads land in the temporary folder, never in a checkout.
    env["RECEIPTS_ROOT"] = str(folder / "private")
    env["MEDIA_ROOT"] = str(folder / "media")
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"`manage.py {' '.join(args)[:80]}` failed in {checkout} "
            f"(exit {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
    return result.stdout


def manage_json(checkout: Path, database: Database, script: str, *, folder: Path):
    """Run a script in `manage.py shell` and read the JSON it prints on its last line."""
    output = manage(checkout, database, "shell", "--no-imports", "-c", script, folder=folder)
    return json.loads(output.strip().splitlines()[-1])


@dataclass
class Table:
    columns: list[str]
    key: list[str]  # the primary key's columns; every column if there is none
    count: int
    # One short digest per value, for each row by its key: the content checksum of any set
    # of columns can be computed from these, and a difference named down to the row.
    digests: dict[tuple, tuple[bytes, ...]] = field(repr=False)
    sample: list[dict] = field(repr=False)
    rows: dict[tuple, dict] | None = field(default=None, repr=False)

    def checksum(self, columns: list[str]) -> str:
        positions = [self.columns.index(column) for column in columns]
        digest = hashlib.sha256()
        # The digests are kept in key order (see snapshot), so the order is the same each time.
        for row in self.digests.values():
            for position in positions:
                digest.update(row[position])
        return digest.hexdigest()


def _value(value):
    # SQLite and psycopg hand back blobs as bytes or memoryview; both compare as bytes.
    return bytes(value) if isinstance(value, memoryview) else value


def _digest(value) -> bytes:
    return hashlib.blake2b(repr(value).encode(), digest_size=8).digest()


def _sort_key(key: tuple) -> tuple:
    # Keys can hold None or mix types (no primary key); order them by type, then value.
    return tuple((value is None, type(value).__name__, value) for value in key)


def _schema(database: Database, connection) -> dict[str, tuple[list[str], list[str]]]:
    schema = {}
    if database.vendor == "sqlite":
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for name in names:
            info = connection.execute(f'PRAGMA table_info("{name}")').fetchall()
            columns = [row[1] for row in info]
            key = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]]
            schema[name] = (columns, key)
        return schema
    names = [
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    ]
    for name in names:
        columns = [
            column
            for (column,) in connection.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
                [name],
            )
        ]
        key = [
            column
            for (column,) in connection.execute(
                "SELECT a.attname FROM pg_index i "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)",
                [sql.Identifier(name).as_string(connection)],
            )
        ]
        schema[name] = (columns, key)
    return schema


def snapshot(database: Database, *, keep_rows: set[str], skip: set[str]) -> dict[str, Table]:
    """Every table's columns, row count, per-value digests and first rows; all rows of the
    tables in keep_rows, whose checks need the values themselves."""
    tables = {}
    with database.connect() as connection:
        for name, (columns, key) in _schema(database, connection).items():
            if name in skip:
                continue
            key = key or columns
            positions = [columns.index(column) for column in key]
            quoted = ", ".join(f'"{column}"' for column in columns)
            rows = [
                tuple(_value(value) for value in row)
                for row in connection.execute(f'SELECT {quoted} FROM "{name}"').fetchall()
            ]
            rows.sort(key=lambda row: _sort_key(tuple(row[p] for p in positions)))
            keyed = {tuple(row[p] for p in positions): row for row in rows}
            tables[name] = Table(
                columns=columns,
                key=key,
                count=len(rows),
                digests={k: tuple(_digest(v) for v in row) for k, row in keyed.items()},
                sample=[dict(zip(columns, row, strict=True)) for row in rows[:SAMPLE_SIZE]],
                rows=(
                    {k: dict(zip(columns, row, strict=True)) for k, row in keyed.items()}
                    if name in keep_rows
                    else None
                ),
            )
    return tables
