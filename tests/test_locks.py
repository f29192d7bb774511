"""The one lock helper (core/locks.py): it locks inside a transaction, reads the row afresh,
keeps the query it is given, and refuses to run where a lock would protect nothing."""

import threading
import time

import pytest
from django.db import connection, transaction

from core.locks import NotInTransaction, lock, lock_row
from core.models import Topic
from tests.test_matching_app import postgres_only


@pytest.fixture
def topic(db):
    return Topic.objects.create(slug="lock-test", name="Before")


def test_it_reads_the_locked_row_afresh(topic):
    Topic.objects.filter(pk=topic.pk).update(name="After")

    with transaction.atomic():
        locked = lock_row(topic)

    assert locked.name == "After"
    assert locked.pk == topic.pk
    assert topic.name == "Before"  # the copy in hand is left alone


def test_it_says_when_the_row_has_gone(topic):
    Topic.objects.filter(pk=topic.pk).delete()

    with transaction.atomic(), pytest.raises(Topic.DoesNotExist):
        lock_row(topic)


def test_it_keeps_the_query_it_is_given(topic):
    with transaction.atomic():
        rows = lock(Topic.objects.filter(slug__startswith="lock-").only("name").order_by("-pk"))
        whole_model = lock(Topic)

    assert rows.query.select_for_update
    assert whole_model.query.select_for_update
    assert rows.query.order_by == ("-pk",)
    assert rows.query.deferred_loading == ({"name"}, False)
    with transaction.atomic():
        assert list(rows) == [topic]
        assert lock(Topic).get(slug="lock-test") == topic


def test_it_refuses_outside_a_transaction_even_inside_a_test_case(topic):
    """The test's own transaction does not count: a service that forgot @transaction.atomic
    fails here, as it would on PostgreSQL in production."""
    with pytest.raises(NotInTransaction):
        lock_row(topic)
    with pytest.raises(NotInTransaction):
        lock(Topic)
    with pytest.raises(NotInTransaction):
        lock(Topic.objects.filter(pk=topic.pk))


@pytest.mark.django_db(transaction=True)
def test_it_refuses_with_no_transaction_at_all():
    topic = Topic.objects.create(slug="lock-test", name="Before")

    with pytest.raises(NotInTransaction):
        lock_row(topic)

    with transaction.atomic():
        assert lock_row(topic) == topic


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_makes_a_second_transaction_wait_and_read_what_the_first_left():
    topic = Topic.objects.create(slug="lock-test", name="Before")
    locked = threading.Event()
    seen = []

    def first():
        try:
            with transaction.atomic():
                lock_row(topic)
                locked.set()
                time.sleep(0.5)
                Topic.objects.filter(pk=topic.pk).update(name="After")
        finally:
            connection.close()

    def second():
        try:
            locked.wait(timeout=10)
            with transaction.atomic():
                seen.append(lock_row(topic).name)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert seen == ["After"]
