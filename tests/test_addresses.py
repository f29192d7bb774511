"""A newcomer finds a page's code from its address (docs/ARCHITECTURE.md, "Find a page's code
from its address"): the first word of every address of ours, or the word after
/coordinate/<programme>/, belongs to one app; that app's namespace names the page; its view
is that app's code; and the table in ARCHITECTURE.md says the same as the real URLs."""

import re
from collections import defaultdict

from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic import RedirectView

from tests.project import ROOT

COORDINATE = "coordinate/<slug:slug>/"
# Addresses served by the libraries we build on; config/urls.py mounts them.
FOREIGN = ("allauth", "django.contrib")


def first_word(route: str) -> str:
    """The word that names the app: `pay` for both /pay/runs/1/ and
    /coordinate/north/pay/runs/1/, "" for the home page."""
    route = route.removeprefix(COORDINATE)
    return re.split(r"[/.<]", route, maxsplit=1)[0]


def our_patterns(resolver=None, route="", namespace=""):
    """(full route, namespace, pattern) for every address of ours, walking includes."""
    for pattern in (resolver or get_resolver()).url_patterns:
        full = route + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", "")
            if module.startswith(FOREIGN) or pattern.namespace == "admin":
                continue
            yield from our_patterns(pattern, full, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield full, namespace, pattern


def retired(pattern) -> bool:
    return getattr(pattern.callback, "view_class", None) is RedirectView


def owners(patterns) -> dict[str, set[str]]:
    """Each first word and the apps whose addresses start with it. Retired addresses (plain
    redirects in config/urls.py) are left out: they only send people on."""
    found = defaultdict(set)
    for route, namespace, pattern in patterns:
        if not retired(pattern):
            found[first_word(route)].add(namespace or "config")
    return found


def documented() -> dict[str, str]:
    """The table in docs/ARCHITECTURE.md: each first word and its app."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    section = text.split("## Find a page's code from its address", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[1].startswith("`"):
            continue
        app = cells[1].strip("`")
        if cells[0].startswith("`/`"):
            table[""] = app
        for word in re.findall(r"`([a-z][a-z-]*)`", cells[0]):
            table[word] = app
    return table


def shared_words(patterns) -> dict[str, set[str]]:
    return {word: apps for word, apps in owners(patterns).items() if len(apps) > 1}


def test_every_first_word_belongs_to_one_app():
    assert shared_words(list(our_patterns())) == {}


def test_the_architecture_table_matches_the_addresses():
    real = {word: apps.pop() for word, apps in owners(our_patterns()).items()}
    assert real == documented()


def test_every_page_is_named_and_answered_by_its_own_app():
    wrong = []
    for route, namespace, pattern in our_patterns():
        if retired(pattern):
            continue
        package = pattern.callback.__module__.partition(".")[0]
        if namespace and package != namespace:
            wrong.append(f"/{route} is {namespace}:{pattern.name} but answered by {package}")
        if not namespace and package not in ("accounts", "config"):
            wrong.append(f"/{route} ({pattern.name}) has no app namespace")
    assert wrong == []


def test_every_retired_address_is_a_redirect_in_config():
    retired_ones = [route for route, namespace, pattern in our_patterns() if retired(pattern)]
    assert retired_ones, "the retired match goals address should be here"
    for route, namespace, pattern in our_patterns():
        if retired(pattern):
            assert namespace == "", f"/{route}: retired addresses belong in config/urls.py"


def test_it_notices_an_address_two_apps_share():
    """The check fails for a first word used by two apps, whether for people or coordinators."""
    from django.urls import path

    def view(request):
        raise AssertionError

    matches = path("matches/<int:match_id>/", view)
    pay = path("coordinate/<slug:slug>/matches/<int:match_id>/pay/", view)
    assert shared_words(
        [("matches/<int:match_id>/", "mentoring", matches), (str(pay.pattern), "payments", pay)]
    ) == {"matches": {"mentoring", "payments"}}
    assert first_word("coordinate/<slug:slug>/pay/runs/<int:run_id>/") == "pay"
    assert first_word("pay/statements/<int:year>.<str:fmt>") == "pay"
    assert first_word("") == ""


def test_an_old_match_goals_address_lands_on_the_new_one(client):
    response = client.get("/matches/12/goals/")
    assert response.status_code == 301
    assert response["Location"] == "/goals/12/"
