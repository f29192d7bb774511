"""Browser tests: the system Chromium driven by pytest-playwright, against a live server
seeded with the demo data.

They skip when Chromium is missing, unless REQUIRE_BROWSER is set (as it should be in CI),
in which case every browser test errors with the reason."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.browser.support import BrowserProblems, TotpCodes
from tests.demo_copy import demo_seed

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = f"Chromium not found at {CHROMIUM}; set REQUIRE_BROWSER=1 to make this an error"
HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    # pytest-playwright 0.10 defines its base_url fixture as a method, which pytest 9 warns
    # about on every run; nothing here can change that.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods:"
        "pytest.PytestRemovedIn10Warning",
    )


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected test, not just ours: touch only tests/browser.
    skip = None
    if not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"):
        skip = pytest.mark.skip(reason=MISSING_CHROMIUM)
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _chromium_required():
    if not CHROMIUM.exists():
        pytest.fail(
            f"REQUIRE_BROWSER is set but Chromium is not installed at {CHROMIUM}. "
            "Install it with `apt-get install chromium`.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": not pytestconfig.getoption("headed"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def live_server(playwright, django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists and Playwright
    runs, so the server thread shares the very SQLite connection the tests use.

    Order matters twice over. A server started before the test database exists opens a
    connection of its own. And starting Playwright's sync API swaps the context that
    Django's connection handler keeps its connections in, so a connection made before it
    is not the one the tests see afterwards."""
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    # Relative URLs in page.goto() go to the live server.
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def page(page):
    # Pages here answer in milliseconds: fail in seconds rather than Playwright's thirty.
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def problems(page):
    """Console errors, uncaught exceptions and 5xx responses seen by `page`."""
    log = BrowserProblems()
    log.watch(page)
    return log


@pytest.fixture
def codes():
    return TotpCodes()


@pytest.fixture
def demo(transactional_db, live_server):
    """The seeded demo (programmes, logins and people), fresh for each test. The live server
    needs a transactional database, emptied after each test. The first test in a process
    seeds it; later ones get a copy of those rows (tests/demo_copy.py)."""
    demo_seed()
    from programmes.models import Programme

    return SimpleNamespace(
        north_star=Programme.objects.get(slug="north-star"),
        riverside=Programme.objects.get(slug="riverside"),
        operator="operator@example.org",
        admin="admin@example.org",
        coordinator="coordinator@example.org",
        coordinator_b="coordinator-b@example.org",
        mentor="mentor@example.org",
        mentee="mentee@example.org",
        # Marcia and Tom: a second North Star pair, for a coordinator to match live.
        new_mentor="mentor-new@example.org",
        new_mentee="mentee-new@example.org",
        mentor_b="mentor-b@example.org",
        mentee_b="mentee-b@example.org",
    )
