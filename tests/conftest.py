import os
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test.utils import override_settings

from core.choices import Role
from programmes.services import administrator_add
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    complete_mentee_profile,
    complete_mentor_profile,
    give_two_factor,
    sign_in,
)

# Playwright's sync API runs an event loop in the test thread; Django must still allow
# ordinary ORM calls from that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # Parallel workers each get their own Redis database, so one worker clearing the cache
    # or counting sign-in attempts never disturbs another.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    location = django_settings.CACHES["default"].get("LOCATION", "")
    if worker and str(location).startswith("redis"):
        index = int(worker.removeprefix("gw") or 0) + 1
        base = str(location).rsplit("/", 1)[0]
        caches = {"default": {**django_settings.CACHES["default"], "LOCATION": f"{base}/{index}"}}
        override_settings(CACHES=caches).enable()


@pytest.fixture(autouse=True)
def _taxonomy(request):
    """Tests that use the database find the topic library the data migration loads, even
    after a transactional test (or a live-server test) has emptied every table."""
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from core.taxonomy_data import ensure_loaded

    ensure_loaded()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _receipts_folder(settings, tmp_path_factory):
    """Receipts that tests upload go to a temporary folder, never the real one."""
    settings.RECEIPTS_ROOT = tmp_path_factory.mktemp("receipts")


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture
def world(db):
    """Two programmes of one organisation, and a person in each role. 'other_coordinator'
    runs the other programme and must see nothing of this one."""
    return world_build()


@pytest.fixture(scope="module")
def world_kept_for_module(django_db_setup, django_db_blocker):
    """`world`, made once for a whole test module inside a transaction that is rolled back
    when the module ends. Each test still runs in a transaction of its own (pytest-django's
    `db`, here a savepoint), rolled back after it, so every test finds the world as it was
    made. A module of many short tests uses it through a `world` fixture of its own, which
    gives each test a deep copy (tests/test_permissions.py): building the world for each of
    the matrix's 1,200 cases took 137 of its 240 seconds. No test in such a module may use
    transactional_db or a live server, which would empty the tables under the transaction."""
    from django.db import transaction

    from core.taxonomy_data import ensure_loaded

    with django_db_blocker.unblock():
        kept = transaction.atomic()
        kept.__enter__()
        with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
            ensure_loaded()
            made = world_build()
    yield made
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        kept.__exit__(None, None, None)


def world_build() -> SimpleNamespace:
    """The rows of the `world` fixture, made now."""
    organisation = OrganisationFactory(name="Test Council", slug="test-council")
    programme = ProgrammeFactory(organisation=organisation, name="North Star", slug="north")
    other = ProgrammeFactory(organisation=organisation, name="Riverside", slug="south")

    def member(role, in_programme, name):
        person = UserFactory(display_name=name, email=f"{name.lower()}@example.test")
        MembershipFactory(programme=in_programme, person=person, role=role)
        return person

    mentor = member(Role.MENTOR, programme, "Sam")
    mentee = member(Role.MENTEE, programme, "Priya")
    complete_mentor_profile(mentor)
    complete_mentee_profile(mentee)
    coordinator = give_two_factor(member(Role.COORDINATOR, programme, "Jo"))
    other_coordinator = give_two_factor(member(Role.COORDINATOR, other, "Alex"))
    other_mentor = member(Role.MENTOR, other, "Kai")
    # Sits on North Star's lived-experience panel and holds no other role there.
    panel = member(Role.PANEL, programme, "Rene")
    administrator = give_two_factor(UserFactory(display_name="Ade", email="ade@example.test"))
    administrator_add(organisation=organisation, person=administrator, by=None)
    return SimpleNamespace(
        organisation=organisation,
        programme=programme,
        other_programme=other,
        mentor=mentor,
        mentee=mentee,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        other_mentor=other_mentor,
        panel=panel,
        administrator=administrator,
    )


PERSONAS = [
    "anonymous",
    "mentor",
    "mentee",
    "coordinator",
    "other_coordinator",
    "administrator",
    "panel",
]


@pytest.fixture
def login_as(client, world):
    """Sign the test client in as a persona, past two-factor, as a real session would be."""

    def _login(persona: str):
        if persona != "anonymous":
            sign_in(client, getattr(world, persona))
        return client

    return _login


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Ordinary tests run background tasks in-process. Tests marked 'broker' talk to the
    real broker and a real worker instead (see tests/test_celery.py)."""
    from config.celery import app

    if request.node.get_closest_marker("broker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped at the end, on PostgreSQL,
    an end to any connection a worker or live-server thread left open: otherwise the drop can
    fail ("is being accessed by other users") and leave the database for the next run."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
