"""The copy of the demo that browser tests start from is the demo: the same rows in every
table, its receipt files, and no sequence moved back."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from core.taxonomy_data import ensure_loaded
from payments.models import Expense
from tests import demo_copy


def _counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_it_copies_back_every_row_and_receipt_of_the_demo(monkeypatch):
    monkeypatch.setattr(demo_copy, "_kept", None)
    demo_copy.demo_seed()
    seeded = _counts()
    receipts = sorted(Expense.objects.exclude(receipt="").values_list("pk", "receipt"))
    assert seeded["accounts_user"] > 50 and receipts

    # As between two tests: everything emptied, a migration recorded since, a new folder.
    call_command("flush", verbosity=0, interactive=False)
    ensure_loaded()
    recorded = MigrationRecorder.Migration.objects.create(app="tests", name="0001_between")
    monkeypatch.setattr(settings, "RECEIPTS_ROOT", settings.RECEIPTS_ROOT / "next")
    demo_copy.demo_seed()

    assert _counts() == seeded
    assert sorted(Expense.objects.exclude(receipt="").values_list("pk", "receipt")) == receipts
    for _pk, name in receipts:
        assert (Path(settings.RECEIPTS_ROOT) / name).is_file()
    # A sequence of a table outside the demo is left where it was.
    later = MigrationRecorder.Migration.objects.create(app="tests", name="0002_after")
    assert later.pk > recorded.pk
    MigrationRecorder.Migration.objects.filter(app="tests").delete()
