"""Upgrading keeps the data: the previous release's code migrates a database of its own and
seeds the demo, this checkout migrates it on, and every table must hold what it held before,
apart from the few changes listed here, each with its own check. Then the demo mentor still
signs in.

Models that move between apps keep their tables, so a move changes no row, except the
content types' app_label and the audit log's object_type that name the model's app."""

import importlib
import json
import os
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.upgrade_support import (
    Database,
    Table,
    database_create,
    database_drop,
    manage,
    manage_json,
    snapshot,
)

# The last commit of the old layout: `mentoring/` is the project package and the models
# have not yet moved between apps. Upgrades are tested from here.
BASELINE = "fb8c385"

# Columns a migration after BASELINE drops on purpose, by table:
#     {"mentoring_programme": {"old_slug": "moved to programmes.Programme.slug, programmes 0004"}}
# The test then compares the table's other columns. Empty this when BASELINE moves past the drop.
DROPPED_COLUMNS: dict[str, dict[str, str]] = {
    "accounts_mentorprofile": {
        "payment_preference": "the payments log is the one record of how a mentor is paid; "
        "accounts 0012 copies into it what it can carry (check_payment_choices), then drops it"
    },
}


def _json(value):
    """A JSON column's value as the snapshot reads it: text on SQLite, already decoded by
    psycopg on PostgreSQL."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _compressed_json(value):
    """A CompressedJSONField's bytes (matching.models): zlib-compressed UTF-8 JSON."""
    return None if value is None else json.loads(zlib.decompress(value))


# Columns a migration after BASELINE moves into another table, by table:
#     {"old_table": {"column": (new table, its column naming the old row's id, new column,
#                               how to read the old value, how to read the new one, why)}}
# The column counts as dropped on purpose, and check_moved_columns checks strictly that the
# new table has exactly one row per old row, holding exactly the old value. Empty this when
# BASELINE moves past the move.
MOVED_COLUMNS: dict[str, dict[str, tuple]] = {
    "matching_matchinground": {
        column: (
            "matching_rounddata",
            "round_id",
            column,
            _json,
            _compressed_json,
            "a round's snapshot and result are read only to export, re-run, swap and scrub, "
            "so every page reading the round row carried them for nothing: matching 0006 "
            "moves them, compressed, into RoundData, and 0007 drops them",
        )
        for column in ("snapshot", "result")
    },
}

# The profile's payment choices that accounts 0012 copies into the log, as the log names
# them. Remove this and check_payment_choices with the DROPPED_COLUMNS entry above.
COPIED_PAYMENT_CHOICES = {"voucher": "voucher", "unpaid": "none"}

# django_migrations gains a row for each migration applied; nothing else about it is data.
IGNORED_TABLES = {"django_migrations"}

# The demo mentor, as README.md publishes the demo logins. Mentors need no second factor.
DEMO_MENTOR_EMAIL = "mentor@example.org"
DEMO_MENTOR_NAME = "Sam Okafor"
DEMO_PASSWORD = "alongside-demo-2026"

# Which settings module this checkout's manage.py loaded, and which content types name no
# model any more. Runs in `manage.py shell` of either checkout.
PROBE = """
import json, sys
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
stale = {
    str(ct.pk): f"{ct.app_label}.{ct.model}"
    for ct in ContentType.objects.all()
    if ct.model_class() is None
}
print(json.dumps({"settings": sys.modules[settings.SETTINGS_MODULE].__file__, "stale": stale}))
"""

# The bank details of the log's rows the upgrade added, decrypted (the snapshot holds only
# their ciphertext).
BANK_DETAILS = """
import json
from payments.models import PaymentPreference
rows = PaymentPreference.objects.filter(pk__in={ids})
print(json.dumps({{row.pk: row.bank_details for row in rows}}))
"""

SIGN_IN = f"""
import json
from django.test import Client
client = Client()
login = client.post(
    "/account/login/", {{"login": "{DEMO_MENTOR_EMAIL}", "password": "{DEMO_PASSWORD}"}}
)
dashboard = client.get("/dashboard/")
print(json.dumps({{
    "login": [login.status_code, login.get("Location", "")],
    "dashboard": [dashboard.status_code, dashboard.get("Location", "")],
    "page": dashboard.content.decode(),
}}))
"""


def app_label_remap(before: Table, after: Table) -> dict[str, str]:
    """How the upgrade renamed models' labels, read from the content types it changed:
    {"mentoring.programme": "programmes.programme"}. Nothing to edit when models move."""
    remap = {}
    for key, old in before.rows.items():
        new = after.rows.get(key)
        if new and new["model"] == old["model"] and new["app_label"] != old["app_label"]:
            remap[f"{old['app_label']}.{old['model']}"] = f"{new['app_label']}.{new['model']}"
    return remap


def _rows_unchanged(name: str, before: Table, after: Table, *, allow: set[str] = frozenset()):
    """Problems with the rows both snapshots share, comparing the columns both have apart
    from those in allow; and rows that went missing."""
    problems = []
    columns = [c for c in before.columns if c in after.columns and c not in allow]
    missing = [key for key in before.digests if key not in after.digests]
    if missing:
        problems.append(f"{name}: rows gone, by {before.key}: {missing[:10]}")
    changed, changed_columns = [], set()
    for key, old in before.digests.items():
        new = after.digests.get(key)
        if new is None:
            continue
        differs = [
            c for c in columns if old[before.columns.index(c)] != new[after.columns.index(c)]
        ]
        if differs:
            changed.append(f"{dict(zip(before.key, key, strict=True))} in {differs}")
            changed_columns.update(differs)
    if changed:
        shown = [c for c in before.columns if c in before.key or c in changed_columns]
        problems.append(
            f"{name}: {len(changed)} of {before.count} rows changed: {'; '.join(changed[:10])}\n"
            f"  first rows before: {_sample(before, shown)}\n"
            f"  first rows after:  {_sample(after, shown)}"
        )
    return problems


def _sample(table: Table, columns: list[str]) -> list[dict]:
    # Long values (descriptions, JSON) are cut so the message stays readable.
    return [{c: _short(row.get(c)) for c in columns} for row in table.sample]


def _short(value):
    return value[:60] + "..." if isinstance(value, str) and len(value) > 60 else value


def check_content_types(name, before, after, remap, tables_before):
    # Rows may change app_label only (a model moved); post_migrate adds rows for new models.
    # A moved model whose row was not remapped shows up as a stale content type instead.
    return _rows_unchanged(name, before, after, allow={"app_label"})


def check_permissions(name, before, after, remap, tables_before):
    # post_migrate adds permissions for new models; existing ones keep their content type id.
    return _rows_unchanged(name, before, after)


def check_audit_events(name, before, after, remap, tables_before):
    # object_type holds a model's label ("mentoring.programme"): it must follow its model's
    # content type exactly, and nothing else about an event may change.
    problems = _rows_unchanged(name, before, after, allow={"object_type"})
    if after.count != before.count:
        problems.append(f"{name}: {before.count} rows before the upgrade, {after.count} after")
    wrong = []
    for key, old in before.rows.items():
        new = after.rows.get(key)
        expected = remap.get(old["object_type"], old["object_type"])
        if new and new["object_type"] != expected:
            wrong.append(
                f"id {key[0]}: {old['object_type']!r} became {new['object_type']!r}, "
                f"not {expected!r}"
            )
    if wrong:
        problems.append(
            f"{name}: object_type must change exactly as its model's content type did "
            f"({remap or 'no model moved'}), but {len(wrong)} rows differ: {wrong[:10]}"
        )
    return problems


def check_payment_choices(name, before, after, remap, tables_before):
    """The log's rows from before are unchanged. The rows it gains are exactly one for each
    mentor whose profile said voucher or unpaid and who had no row in the log: that choice,
    as the log names it, with no reduced fee or charity, all dated at the upgrade, no
    earlier than any row before it. (Their bank details, encrypted, are checked empty by
    the test, which can decrypt them.)"""
    problems = _rows_unchanged(name, before, after)
    profiles = tables_before["accounts_mentorprofile"]
    if "payment_preference" not in profiles.columns:
        return problems + [
            f"{name}: the baseline's mentor profiles have no payment_preference, so BASELINE "
            "is past accounts 0012: remove check_payment_choices and COPIED_PAYMENT_CHOICES."
        ]
    had_a_choice = {row["mentor_id"] for row in before.rows.values()}
    expected = {
        row["user_id"]: COPIED_PAYMENT_CHOICES[row["payment_preference"]]
        for row in profiles.rows.values()
        if row["payment_preference"] in COPIED_PAYMENT_CHOICES
        and row["user_id"] not in had_a_choice
    }
    if not expected:
        problems.append(
            f"{name}: no mentor of the baseline's demo has a voucher or unpaid choice on their "
            "profile and none in the log, so nothing shows that accounts 0012 copies them."
        )
    added = [row for key, row in after.rows.items() if key not in before.rows]
    copied = {row["mentor_id"]: row["method"] for row in added}
    if len(copied) != len(added) or copied != expected:
        wrong = {
            mentor: (expected.get(mentor), copied.get(mentor))
            for mentor in expected.keys() | copied.keys()
            if expected.get(mentor) != copied.get(mentor)
        }
        problems.append(
            f"{name}: the upgrade should add {len(expected)} rows, one per mentor whose "
            f"profile choice it copies; it added {len(added)}. By mentor id, (expected, "
            f"added): {dict(list(wrong.items())[:10])}"
        )
    extra = [
        row["id"]
        for row in added
        if row["reduced_percent"] is not None
        or row["charity_name"]
        or row["charity_number"]
        or row["bank_details_changed"]
    ]
    if extra:
        problems.append(f"{name}: copied choices with details the profile never had: {extra}")
    dates = {row["chosen_at"] for row in added}
    latest_before = max((row["chosen_at"] for row in before.rows.values()), default=None)
    if len(dates) > 1 or (dates and latest_before and min(dates) < latest_before):
        problems.append(
            f"{name}: copied choices should all be dated at the upgrade, after every choice "
            f"before it ({latest_before}), but are dated {sorted(dates)[:5]}"
        )
    return problems


def _words_changed(column: str, changes: dict[str, tuple[str, str]]):
    """A check for a shared list whose words core 0002 changed: by slug, `column` goes from
    the old words to the new, only where it still held the old; nothing else changes."""

    def check(name, before, after, remap, tables_before):
        problems = _rows_unchanged(name, before, after, allow={column})
        wrong = []
        for key, old in before.rows.items():
            new = after.rows.get(key)
            was, becomes = changes.get(old["slug"], (None, None))
            expected = becomes if old[column] == was else old[column]
            if new and new[column] != expected:
                wrong.append(f"{old['slug']}: {new[column]!r}, not {expected!r}")
        if wrong:
            problems.append(f"{name}.{column}: {wrong[:10]}")
        return problems

    return check


_SHARED_LIST_WORDS = importlib.import_module(
    "core.migrations.0002_shared_lists_in_person_first_words"
)

# Tables whose content the upgrade may change, each with the check that says how.
EXPECTED_CHANGES = {
    # The shared lists' tables keep their old app's names (core 0001).
    "mentoring_livedexperiencearea": _words_changed("name", _SHARED_LIST_WORDS.RENAMED),
    "mentoring_topic": _words_changed("description", _SHARED_LIST_WORDS.DESCRIBED),
    "django_content_type": check_content_types,
    "auth_permission": check_permissions,
    "accounts_auditevent": check_audit_events,
    "payments_paymentpreference": check_payment_choices,
}


def check_moved_columns(before: dict[str, Table], after: dict[str, Table]) -> list[str]:
    """Each moved column is gone from its table, and its new table holds, for each old row
    and for nothing else, exactly the old value."""
    problems = []
    for table, columns in MOVED_COLUMNS.items():
        for column, (new_table, points_at, new_column, old_value, new_value, _) in columns.items():
            where = f"{table}.{column} moved to {new_table}.{new_column}"
            if table not in before or column not in before[table].columns:
                problems.append(f"MOVED_COLUMNS lists {table}.{column}, which the baseline lacks.")
                continue
            if column in after[table].columns:
                problems.append(f"{where}: the old column is still there.")
            old = before[table]
            if not old.rows:
                problems.append(f"{where}: the baseline's demo has no rows, so nothing shows it.")
            if new_table not in after or after[new_table].rows is None:
                problems.append(f"{where}: {new_table} is missing or its rows were not kept.")
                continue
            moved = {row[points_at]: row for row in after[new_table].rows.values()}
            wrong = [
                key[0]
                for key, row in old.rows.items()
                if key[0] not in moved
                or new_value(moved[key[0]][new_column]) != old_value(row[column])
            ]
            extra = sorted(set(moved) - {key[0] for key in old.rows})
            if wrong or extra:
                problems.append(
                    f"{where}: {len(wrong)} of {old.count} rows do not hold the old value "
                    f"(ids {wrong[:10]}); rows for nothing that was there before: {extra[:10]}"
                )
    return problems


def compare(before: dict[str, Table], after: dict[str, Table]) -> list[str]:
    problems = check_moved_columns(before, after)
    for table, columns in DROPPED_COLUMNS.items():
        for column in columns:
            if table not in before or column not in before[table].columns:
                problems.append(
                    f"DROPPED_COLUMNS lists {table}.{column}, which the baseline does not have."
                )
            elif table in after and column in after[table].columns:
                problems.append(
                    f"DROPPED_COLUMNS lists {table}.{column}, but it is still there: "
                    "remove it from the list."
                )
    remap = app_label_remap(before["django_content_type"], after["django_content_type"])
    for name, old in before.items():
        new = after.get(name)
        if new is None:
            problems.append(
                f"{name}: the table existed before the upgrade and is gone. A model that "
                "moves between apps keeps its table (db_table, SeparateDatabaseAndState)."
            )
            continue
        dropped = [c for c in old.columns if c not in new.columns]
        for column in dropped:
            if column not in DROPPED_COLUMNS.get(name, {}) | MOVED_COLUMNS.get(name, {}):
                problems.append(
                    f"{name}.{column}: a migration dropped this column. If that is meant, "
                    f'declare it in DROPPED_COLUMNS in tests/test_upgrade.py, as {{"{name}": '
                    f'{{"{column}": "why, and which migration drops it"}}}}, and the test '
                    "compares the other columns."
                )
        if name in EXPECTED_CHANGES:
            problems += EXPECTED_CHANGES[name](name, old, new, remap, before)
            continue
        if new.count != old.count:
            problems.append(f"{name}: {old.count} rows before the upgrade, {new.count} after")
        columns = [c for c in old.columns if c in new.columns]
        if old.checksum(columns) != new.checksum(columns):
            problems += _rows_unchanged(name, old, new)
    return problems


def repository_root() -> Path:
    project = Path(__file__).resolve().parent.parent
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=project, capture_output=True, text=True
        )
    except FileNotFoundError:
        pytest.skip("git is not installed, so the previous release cannot be checked out")
    if result.returncode != 0 or Path(result.stdout.strip()).resolve() != project:
        pytest.skip("the project is not a git work tree of its own, so its history is not here")
    return project


def baseline_extract(root: Path, folder: Path) -> Path:
    exists = subprocess.run(
        ["git", "cat-file", "-e", f"{BASELINE}^{{commit}}"], cwd=root, capture_output=True
    )
    if exists.returncode != 0:
        pytest.fail(
            f"Commit {BASELINE}, the upgrade test's baseline, is not in this clone (a shallow "
            "clone?). Fetch the full history: git fetch --unshallow"
        )
    archive = subprocess.run(["git", "archive", BASELINE], cwd=root, capture_output=True)
    assert archive.returncode == 0, archive.stderr.decode()
    folder.mkdir()
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


@pytest.fixture
def upgrade_database(tmp_path):
    # Its own database, named after the xdist worker so parallel workers never share one;
    # never the test database pytest-django made.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    database = database_create(name=f"alongside_upgrade_{worker}", folder=tmp_path)
    yield database
    database_drop(database)


@pytest.mark.upgrade
def test_it_keeps_every_row_and_the_demo_sign_in_across_the_upgrade(
    tmp_path, upgrade_database: Database
):
    root = repository_root()
    old = baseline_extract(root, tmp_path / "baseline")
    database = upgrade_database

    manage(old, database, "migrate", "--noinput", folder=tmp_path)
    manage(old, database, "seed_demo", folder=tmp_path)
    old_probe = manage_json(old, database, PROBE, folder=tmp_path)
    assert Path(old_probe["settings"]).is_relative_to(old), (
        f"The baseline's manage.py loaded {old_probe['settings']}, not its own code in {old}: "
        "something (PYTHONPATH, an installed package) puts another checkout first."
    )
    # The checks of these need the values themselves, not only their digests.
    keep = {
        "django_content_type",
        "accounts_auditevent",
        "accounts_mentorprofile",
        "payments_paymentpreference",
        "mentoring_livedexperiencearea",
        "mentoring_topic",
        *MOVED_COLUMNS,
        *(new for moves in MOVED_COLUMNS.values() for new, *_ in moves.values()),
    }
    before = snapshot(database, keep_rows=keep, skip=IGNORED_TABLES)

    manage(root, database, "migrate", "--noinput", folder=tmp_path)
    after = snapshot(database, keep_rows=keep, skip=IGNORED_TABLES)
    problems = compare(before, after)

    new_probe = manage_json(root, database, PROBE, folder=tmp_path)
    assert Path(new_probe["settings"]).is_relative_to(root)
    copied = sorted(
        set(after["payments_paymentpreference"].rows)
        - set(before["payments_paymentpreference"].rows)
    )
    script = BANK_DETAILS.format(ids=[key[0] for key in copied])
    for pk, details in manage_json(root, database, script, folder=tmp_path).items():
        if any(details):
            problems.append(
                f"payments_paymentpreference: copied choice {pk} has bank details, which a "
                "profile never held."
            )
    for pk, label in new_probe["stale"].items():
        if pk not in old_probe["stale"]:
            problems.append(
                f"django_content_type: row {pk} ({label}) names no model after the upgrade. "
                "A model moved, and the data migration that should update its content "
                "type's app_label (and accounts_auditevent.object_type) is missing or "
                "gives the wrong app."
            )
    assert not problems, "The upgrade changed data it should keep:\n" + "\n".join(problems)

    signed_in = manage_json(root, database, SIGN_IN, folder=tmp_path)
    assert signed_in["dashboard"][0] == 200, (
        f"The demo mentor could not reach the dashboard after the upgrade: sign-in answered "
        f"{signed_in['login']}, the dashboard {signed_in['dashboard']}"
    )
    assert DEMO_MENTOR_NAME in signed_in["page"]
