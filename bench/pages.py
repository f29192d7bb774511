"""Benchmark a mentee's suggestions and the staff dashboards with national data in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_fast_20k \\
        .venv/bin/python bench/pages.py --people 20000     # drop, create, seed, measure, write
    ... bench/pages.py --measure-only                       # keep the data: migrate, measure
    ... bench/pages.py --people 80000 --seed-only           # drop, create and seed; no measuring
    ... bench/pages.py --measure-only --no-write            # print, leave docs/performance.md

Use one database per scale (alongside_fast_20k, alongside_fast_80k): `--measure-only` reads
the scale a database was seeded with from the database itself.

Seeding (re)creates the database named in DATABASE_URL (DROP and CREATE through the server's
`postgres` database: never point it at a database you want to keep), runs `migrate`, then
`seed_demo --people N` (the demo plus a National Pilot of N made-up people, one mentor to
three mentees; 20,000 is 5,000 x 15,000 and 80,000 is 20,000 x 60,000), then two years of
National Pilot history in bulk (bench/stats_data.py, as bench/stats.py does: about 12,000
matches and 200,000 sessions with their ledger lines, feedback and concerns). The number of
people is kept as the database's comment, so `--measure-only` knows the scale it measures.

Before measuring, the bench makes the National Pilot a mentee-choice programme (the demo's
only one, Riverside, is small) and gives it a coordinator of its own, with two-factor
authentication like every demo coordinator. Then, through Django's test client, signed in
as each person with a second factor (as a real sign-in leaves the session), it asks for:

- the mentee's "Choose a mentor" page (`matching:mentee_choose`, their suggestions), for a
  National Pilot mentee and for Riverside's demo mentee (demo scale). The National Pilot
  mentee is, of the first mentees who may choose, the one with the most mentors who could
  meet them (the slowest case the sample finds);
- the dashboard (`portal:dashboard`) of the demo's coordinator (North Star, a small
  programme), of the National Pilot's coordinator and of the demo's administrator (whose
  organisation runs all three programmes).

Each page: one warm-up, then 7 timed requests; the median and the maximum server time (the
test client: middleware, view, queries, template), the number of queries
(CaptureQueriesContext), and the rows the database read for them: every query of the last
request is run again under EXPLAIN ANALYZE, adding up the rows each scan node read (those it
returned and those its filter removed). A page that reads only its reader's programmes reads
few rows however large the other programmes are.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stats  # noqa: E402 - after the path is set

ROOT = stats.ROOT
REPORT = ROOT / "docs" / "performance.md"
HEADING = "## Suggestions and dashboards"
TIMED = 7
SUGGESTIONS_TARGET_MS = 300
DASHBOARD_TARGET_MS = 150
# How many mentees who may choose are tried, to find the one with the most mentors to rank.
SAMPLE = 40
NATIONAL = "national-pilot"
NATIONAL_COORDINATOR = ("coordinator-national@example.org", "Morgan Ellis")
DEMO_MENTEE = "mentee-b@example.org"  # Riverside, the demo's mentee-choice programme
COORDINATOR = "coordinator@example.org"  # North Star
ADMINISTRATOR = "admin@example.org"


def seed(people: int) -> dict:
    """migrate, seed_demo with a National Pilot of `people`, then the bulk history."""
    from django.core.management import call_command

    from bench import stats_data

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    started = time.perf_counter()
    call_command("seed_demo", people=people)
    timings["seed_demo"] = time.perf_counter() - started
    started = time.perf_counter()
    counts = stats_data.seed_history(log=lambda text: print(text, flush=True))
    print(", ".join(f"{count:,} {name}" for name, count in counts.items()), flush=True)
    timings["history"] = time.perf_counter() - started
    # As autovacuum would soon after a bulk load: the planner's statistics, and the
    # visibility map that lets a count read an index alone.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return timings


# The people and the setting the bench needs.


def prepare() -> dict:
    """Make the National Pilot mentee-choice, give it a coordinator, and choose the people."""
    from accounts.models import User
    from core.choices import Role
    from demo.population import login_ensure, two_factor_ensure
    from programmes.models import Membership, Programme
    from programmes.services import membership_add

    national = Programme.objects.get(slug=NATIONAL)
    if national.matching_mode != Programme.MatchingMode.MENTEE_CHOICE:
        national.matching_mode = Programme.MatchingMode.MENTEE_CHOICE
        national.save(update_fields=["matching_mode"])
    email, name = NATIONAL_COORDINATOR
    coordinator = login_ensure(
        email=email, display_name=name, password_hash=User.objects.get(email=COORDINATOR).password
    )
    if (
        not Membership.objects.current()
        .filter(programme=national, person=coordinator, role=Role.COORDINATOR)
        .exists()
    ):
        membership_add(programme=national, person=coordinator, role=Role.COORDINATOR, by=None)
    two_factor_ensure(coordinator)
    mentee, could, read = national_mentee(national)
    return {
        "national_mentee": mentee,
        "could_meet": could,
        "mentors_read": read,
        "demo_mentee": User.objects.get(email=DEMO_MENTEE),
        "coordinator": User.objects.get(email=COORDINATOR),
        "national_coordinator": coordinator,
        "administrator": User.objects.get(email=ADMINISTRATOR),
    }


def national_mentee(programme):
    """Of the first SAMPLE National Pilot mentees who may choose (a complete profile, no match
    or request in play), the one with the most mentors who could meet them; with that
    number, and how many of them ranking their suggestions read."""
    from core.choices import Role
    from matching import services
    from matching.selectors import mentee_choice_pool
    from programmes.models import Membership

    best, most, tried = None, -1, 0
    for membership in (
        Membership.objects.current()
        .filter(programme=programme, role=Role.MENTEE)
        .select_related("person")
        .order_by("person__email")
        .iterator()
    ):
        pool = mentee_choice_pool(programme, membership.person)
        if pool is None:
            continue
        tried += 1
        could = sum(len(group) for _, group in pool["groups"])
        if could > most:
            best, most = membership.person, could
        if tried == SAMPLE:
            break
    if best is None:
        raise SystemExit("No National Pilot mentee may choose a mentor: nothing to measure.")
    data, _ = services._suggestions(programme, best, services.SUGGESTIONS)
    return best, most, len(data["mentors"])


def signed_in(user):
    """A test client signed in as `user` with their password and second factor."""
    from django.test import Client

    from tests.factories import sign_in

    return sign_in(Client(), user)


# Measuring.


def rows_read(queries: list[dict]) -> int:
    """Rows the scan nodes of these queries read, by EXPLAIN ANALYZE: returned plus removed
    by a filter, times the node's loops."""
    import json

    from django.db import connection

    # Scans of tables; a bitmap index scan's rows are counted by the heap scan above it.
    tables = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Tid Scan"}

    def walk(node: dict) -> int:
        own = 0
        if node.get("Node Type") in tables:
            rows = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
            rows += node.get("Rows Removed by Index Recheck", 0)
            own = rows * node.get("Actual Loops", 1)
        return own + sum(walk(child) for child in node.get("Plans", []))

    total = 0
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            total += walk(plan[0]["Plan"])
    return total


def time_page(client, url: str, expect: str) -> dict:
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def once():
        cache.clear()
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        body = response.content.decode()
        if response.status_code != 200 or expect not in body:
            raise SystemExit(
                f"{url} answered {response.status_code} without {expect!r}; nothing written."
            )
        return elapsed, list(captured.captured_queries)

    once()  # warm up: templates compiled, connection open
    times, queries = [], []
    for _ in range(TIMED):
        elapsed, queries = once()
        times.append(elapsed)
    return {
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "queries": len(queries),
        "rows": rows_read(queries),
        "slowest": max(queries, key=lambda q: float(q["time"])) if queries else None,
    }


def measure(people: dict) -> list[dict]:
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    choose, dashboard = reverse("matching:mentee_choose"), reverse("portal:dashboard")
    national = people["national_mentee"]
    pages = [
        ("suggestions", "Riverside (demo)", people["demo_mentee"], choose, "Ask "),
        ("suggestions", "National Pilot", national, choose, "Ask "),
        ("dashboard", "coordinator, North Star", people["coordinator"], dashboard, "North Star"),
        (
            "dashboard",
            "coordinator, National Pilot",
            people["national_coordinator"],
            dashboard,
            "National Pilot",
        ),
        (
            "dashboard",
            "administrator, all three",
            people["administrator"],
            dashboard,
            "National Pilot",
        ),
    ]
    rows = []
    for kind, who, user, url, expect in pages:
        result = time_page(signed_in(user), url, expect)
        result |= {"kind": kind, "who": who}
        print(
            f"{kind:12} {who:30} median {result['median_ms']:7.1f} ms max "
            f"{result['max_ms']:7.1f} ms {result['queries']:3} queries {result['rows']:8,} rows",
            flush=True,
        )
        rows.append(result)
    return rows


def data_sizes() -> dict:
    from accounts.models import User
    from core.choices import Role
    from matching.models import Match
    from mentoring.models import Session
    from payments.models import LedgerLine
    from programmes.models import Membership, Programme

    national = Programme.objects.get(slug=NATIONAL)
    members = Membership.objects.current().filter(programme=national)
    return {
        "people": User.objects.count(),
        "mentors": members.filter(role=Role.MENTOR).count(),
        "mentees": members.filter(role=Role.MENTEE).count(),
        "matches": Match.objects.count(),
        "sessions": Session.objects.count(),
        "ledger lines": LedgerLine.objects.count(),
    }


def report(people: int, rows: list[dict], sizes: dict, chosen: dict, loads, note: str) -> str:
    target = {"suggestions": SUGGESTIONS_TARGET_MS, "dashboard": DASHBOARD_TARGET_MS}
    lines = [
        f"### National Pilot of {people:,} people "
        f"({sizes['mentors']:,} mentors x {sizes['mentees']:,} mentees)",
        "",
        f"Whole database: {sizes['people']:,} people, {sizes['matches']:,} matches, "
        f"{sizes['sessions']:,} sessions, {sizes['ledger lines']:,} ledger lines. {note}",
        f"The National Pilot mentee could meet {chosen['could_meet']:,} mentors with room "
        "(they share a free time and a way to meet); ranking the suggestions read "
        f"{chosen['mentors_read']:,} of them (those offering most of the mentee's goals).",
        "",
        "| page | whose | median / max | target | queries | rows read |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        limit = target[row["kind"]]
        met = "met" if row["median_ms"] <= limit else "**not met**"
        lines.append(
            f"| {row['kind']} | {row['who']} | {row['median_ms']:.0f} / {row['max_ms']:.0f} ms "
            f"| {limit} ms: {met} | {row['queries']} | {row['rows']:,} |"
        )
    missed = [r for r in rows if r["median_ms"] > target[r["kind"]]]
    lines += [
        "",
        "Targets (median server time): " + ("all met." if not missed else "**not all met**."),
        "",
        stats.load_words(*loads),
        "",
    ]
    return "\n".join(lines)


URL = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_fast_80k"
INTRO = f"""Written by `bench/pages.py`; run it again to refresh the part for that scale (one
database per scale):

```
{URL} \\
    .venv/bin/python bench/pages.py --people 80000
# after a first run, migrate and measure again on the same data, without seeding:
{URL} \\
    .venv/bin/python bench/pages.py --measure-only
```

Seeding drops and creates that database, runs `migrate` and `seed_demo --people N`, then adds
two years of National Pilot history with COPY (`bench/stats_data.py`). The bench makes the
National Pilot a mentee-choice programme and gives it a coordinator. Each page is asked for by
its reader, signed in with a second factor, through Django's test client with the cache
cleared: one warm-up, then 7 timed requests (server time: middleware, view, queries,
template). *Rows read* adds up, over every query of the page, the rows each scan read
(EXPLAIN ANALYZE): a page that reads only its reader's programmes reads few rows however large
the others are. Targets: a mentee's suggestions at most 300 ms, a dashboard at most 150 ms.

Before the changes of issue 13, on the same data: suggestions built the programme's whole
round and solved it once per suggestion (seconds at 5,000 x 15,000); ranking every mentor who
could meet the mentee, unsolved, still took 2.2 s at 20,000 x 60,000, before mentors were read
a group at a time (docs/matching.md, "One mentee's best mentors"). The National Pilot
coordinator's dashboard read 585,000 rows, most of them the whole ledger joined to find
corrected lines for the slow-payment count, and took 480 ms at a load of 4 (the issue measured
790 ms for a small programme's coordinator under mixed load).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--people", type=int, default=20_000, help="National Pilot size to seed (20000)"
    )
    parser.add_argument("--measure-only", action="store_true", help="skip drop, create and seed")
    parser.add_argument("--seed-only", action="store_true", help="seed, do not measure")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    arguments = parser.parse_args()
    stats._database_name()
    if not arguments.measure_only:
        started = time.perf_counter()
        stats.recreate_database()
        stats.setup_django()
        timings = seed(arguments.people)
        total = time.perf_counter() - started
        note = (
            f"Seeding took {total / 60:.1f} minutes (migrate {timings['migrate']:.0f} s, "
            f"seed_demo {timings['seed_demo']:.0f} s, history {timings['history']:.0f} s)."
        )
        print(note, flush=True)
        stats._seed_note_keep(f"{arguments.people}|{note}")
        people = arguments.people
    else:
        stats.setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        kept = stats._seed_note_read()
        size, _, note = kept.partition("|")
        if not size.isdigit():
            raise SystemExit("This database was not seeded by bench/pages.py: seed it first.")
        people = int(size)
    if arguments.seed_only:
        return

    from django.conf import settings

    settings.DEBUG = False
    chosen = prepare()
    sizes = data_sizes()
    before = os.getloadavg()[0]
    rows = measure(chosen)
    after = os.getloadavg()[0]
    text = report(people, rows, sizes, chosen, (before, after), note)
    print(text)
    if not arguments.no_write:
        stats.write_part(
            text, heading=HEADING, intro=INTRO, part=f"National Pilot of {people:,} people"
        )


if __name__ == "__main__":
    main()
