"""The reminder registry: what the reminder scan finds due, without knowing the apps that
decide it. Each app of ours that reminds people has a `reminders.py` whose rules register
themselves with @reminders.register; NotificationsConfig.ready() imports every installed
app's `reminders.py` (autodiscover(), as the Django admin finds each app's admin.py), so
notifications never imports the apps above it.

A rule takes the moment of the scan and yields Reminders; the scan
(notifications.services.reminders_scan) hands each to notify(), and the unique (person,
kind, event_key) constraint turns a second run, or two runs at once, into no change. So a
rule only says what is due now: it never checks what was sent before.

Event keys name the event, not the moment of the scan: "session:42:v3:confirm" asks again
only when the session is edited (its version goes up), "match:7:log:2026-W48" once per
match per ISO week, "programme:3:approvals:2026-11-26" once per programme per day."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Reminder:
    person: object
    kind: str
    event_key: str
    title: str
    body: str
    url: str


Rule = Callable[[datetime], Iterable[Reminder]]

# The registered rules, in the order they registered (INSTALLED_APPS, then each module's).
_rules: list[Rule] = []


def register(rule: Rule) -> Rule:
    """Add `rule` to what the scan asks. Used as a decorator in an app's reminders.py."""
    if rule not in _rules:
        _rules.append(rule)
    return rule


def rules() -> list[Rule]:
    return list(_rules)


def autodiscover() -> None:
    """Import every installed app's reminders.py, so its rules register."""
    autodiscover_modules("reminders")


def due_reminders(now: datetime) -> Iterator[Reminder]:
    for rule in _rules:
        yield from rule(now)
