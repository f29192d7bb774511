"""Row locks: the one place our code asks the database for `SELECT ... FOR UPDATE`.

A service locks a row so that two requests racing to change it take turns, and the second
sees what the first did. A lock only lasts until its transaction ends, so outside a
transaction it protects nothing: PostgreSQL refuses it, but SQLite (where most tests run)
has no row locks and would let the mistake through. These helpers refuse it everywhere."""

from typing import TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


class NotInTransaction(RuntimeError):
    """A lock was asked for outside a transaction, where it would be let go at once."""


def _check_in_transaction(using: str) -> None:
    # The test case's own atomic blocks do not count: a service that forgot its
    # @transaction.atomic would be inside them in a test and pass, while PostgreSQL in
    # production refuses the lock. Django skips them (`_from_testcase`) in the same way
    # when it checks durable blocks.
    blocks = transaction.get_connection(using).atomic_blocks
    if not any(not getattr(block, "_from_testcase", False) for block in blocks):
        raise NotInTransaction(
            "A row lock needs a transaction: call it inside @transaction.atomic."
        )


def lock(rows: type[M] | models.QuerySet[M]) -> models.QuerySet[M]:
    """These rows (a model's, or a queryset's), locked when the query runs, until the
    transaction ends. The caller reads them as usual: `.get()`, `.first()`, a loop."""
    queryset = rows._default_manager.all() if isinstance(rows, type) else rows
    locked = queryset.select_for_update()
    _check_in_transaction(locked.db)  # the database it will write to, once marked for update
    return locked


def lock_row(instance: M) -> M:
    """Lock the row of an object already in hand and read it afresh: what another
    transaction committed before the lock was granted is in the copy returned. Raises
    the model's DoesNotExist if the row has gone."""
    return lock(type(instance)).get(pk=instance.pk)
