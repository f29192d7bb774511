"""Benchmark the statistics pages on a national-scale dataset in PostgreSQL and record the run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench \\
        .venv/bin/python bench/stats.py                   # drop, create, seed, measure, write
    ... bench/stats.py --measure-only                     # keep the data: migrate, measure again
    ... bench/stats.py --seed-only                        # drop, create and seed; no measuring
    ... bench/stats.py --measure-only --no-write          # print, leave docs/performance.md alone

Seeding (re)creates the database named in DATABASE_URL (DROP and CREATE through the server's
`postgres` database: never point it at a database you want to keep), runs `migrate`, then
`seed_demo --people 20000` (the demo plus a National Pilot programme of 20,000 made-up people,
one mentor to three mentees), then adds two years of National Pilot history in bulk with COPY
(bench/stats_data.py): about 12,000 matches, 200,000 approved sessions, their feedback,
co-production checks, ledger lines, expenses, monthly payment runs and some concerns. No
services run for that part: they are for correctness, this is volume; lists the services keep
in step (the payments waiting list) are rebuilt from the rows afterwards. `--measure-only`
runs `migrate` first, so the kept database follows the code.

Measuring signs in as the demo administrator (admin@example.org), with the second factor,
and asks for each statistics section (`statistics_section`: people, matching, mentoring,
payments, voice)
and its JSON (`statistics_json`), with `?period=year` and `?period=month`, for three
scopes: North Star (demo scale), National Pilot (national scale) and all programmes. The
cache is cleared before every request, so each one does the real work; one warm-up, then
seven timed requests: the median and the maximum are reported, with the number of queries
(CaptureQueriesContext), which should be the same at both scales. If the statistics URLs do
not resolve yet, it says so and exits non-zero without touching the docs.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
HEADING = "## Statistics"
PEOPLE = 20_000
SECTIONS = ["people", "matching", "mentoring", "payments", "voice"]
PERIODS = ["year", "month"]
SMALL, LARGE, ALL = "north-star", "national-pilot", "all"
SCOPES = [SMALL, LARGE, ALL]
ADMIN_EMAIL = "admin@example.org"
TIMED = 7
TARGET_MS = 300


def _database_name() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not parts.path.strip("/"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database, for example "
            "postgres://postgres@127.0.0.1:5432/alongside_bench"
        )
    name = parts.path.strip("/")
    server = parts._replace(path="/postgres").geturl()
    return name, server


def recreate_database() -> None:
    """DROP and CREATE the bench database, connected to the server's `postgres` database."""
    import psycopg
    from psycopg import sql

    name, server = _database_name()
    if name in ("postgres", "template0", "template1"):
        raise SystemExit(f"Refusing to drop the {name} database.")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def seed() -> dict:
    """migrate, seed_demo with the National Pilot, then the bulk history. Returns timings."""
    from django.core.management import call_command

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    started = time.perf_counter()
    call_command("seed_demo", people=PEOPLE)
    timings["seed_demo"] = time.perf_counter() - started
    started = time.perf_counter()
    from bench import stats_data

    counts = stats_data.seed_history(log=lambda text: print(text, flush=True))
    print(", ".join(f"{count:,} {name}" for name, count in counts.items()), flush=True)
    timings["history"] = time.perf_counter() - started
    return timings


def _seed_note_keep(note: str) -> None:
    """Kept as the database's comment, so --measure-only can still say how seeding went."""
    from django.db import connection
    from psycopg import sql

    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}")
            .format(sql.Identifier(connection.settings_dict["NAME"]), sql.Literal(note))
            .as_string(cursor.cursor)
        )


def _seed_note_read() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return (row[0] if row else None) or ""


# Measuring.


def _urls() -> list[tuple[str, str, str, str]]:
    """(label, scope, url, kind) for every page to time. Exits if the URLs do not resolve."""
    from django.urls import NoReverseMatch, reverse

    pages = []
    for scope in SCOPES:
        for section in SECTIONS:
            for name, kind in (
                ("reporting:statistics_section", "page"),
                ("reporting:statistics_json", "json"),
            ):
                try:
                    path = reverse(name, kwargs={"scope": scope, "section": section})
                except NoReverseMatch as error:
                    raise SystemExit(
                        f"The statistics URLs do not resolve yet ({name}, scope={scope}, "
                        f"section={section}): {error}. Nothing measured; "
                        f"{REPORT.relative_to(ROOT)} left alone."
                    ) from None
                for period in PERIODS:
                    pages.append((section, scope, f"{path}?period={period}", kind, period))
    return pages


def _time_page(client, url: str) -> dict:
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def once():
        cache.clear()
        # The log keeps 9,000 queries: once full (seeding fills it) nothing more is counted.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}; nothing written.")
        return elapsed, list(captured.captured_queries)

    once()  # warm up: templates compiled, connection open
    times, queries = [], []
    for _ in range(TIMED):
        elapsed, queries = once()
        times.append(elapsed)
    reset_queries()
    return {
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "queries": len(queries),
        "captured": queries,
    }


def measure() -> list[dict]:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User

    pages = _urls()
    setup_test_environment()  # so the test client can read responses' templates and context
    from tests.factories import sign_in

    # Signed in with the second factor, as statistics pages ask of staff.
    client = sign_in(Client(), User.objects.get(email=ADMIN_EMAIL))
    rows = []
    for section, scope, url, kind, period in pages:
        result = _time_page(client, url)
        result |= {"section": section, "scope": scope, "url": url, "kind": kind, "period": period}
        print(
            f"{kind:4} {section:10} {scope:15} {period:8} median {result['median_ms']:7.1f} ms "
            f"max {result['max_ms']:7.1f} ms  {result['queries']:3} queries",
            flush=True,
        )
        rows.append(result)
    return rows


def slowest_query(row: dict) -> tuple[dict, str]:
    """The slowest query of a page, with its EXPLAIN ANALYZE."""
    from django.db import connection

    query = max(row["captured"], key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    return query, plan


def slow_queries(rows: list[dict]) -> str:
    """For each section with a page over the target: its slowest page's slowest query; for the
    slowest page of all, that query's EXPLAIN ANALYZE too."""
    missed = [r for r in rows if r["median_ms"] > TARGET_MS and r["captured"]]
    if not missed:
        return ""
    lines = [
        "Where the time goes, for each section over the target (its slowest page's slowest "
        "query, one run):",
        "",
    ]
    for section in SECTIONS:
        over = [r for r in missed if r["section"] == section]
        if not over:
            continue
        row = max(over, key=lambda r: r["median_ms"])
        query = max(row["captured"], key=lambda q: float(q["time"]))
        total = sum(float(q["time"]) for q in row["captured"]) * 1000
        head = " ".join(query["sql"].split())[:220]
        lines.append(
            f"- {_label(row)}, {row['scope']}, {row['period']}: {row['median_ms']:.0f} ms median; "
            f"its last timed run spent {total:.0f} ms in {row['queries']} queries, the slowest "
            f"{float(query['time']) * 1000:.0f} ms: `{head}...`"
        )
    worst = max(missed, key=lambda r: r["median_ms"])
    query, plan = slowest_query(worst)
    print(
        f"Slowest page {worst['url']} ({worst['scope']}); its slowest query:\n"
        f"{query['sql']}\n{plan}",
        flush=True,
    )
    lines += [
        "",
        f"The slowest page, {_label(worst)} for {worst['scope']} ({worst['period']}): its "
        "slowest query's plan (`EXPLAIN (ANALYZE, BUFFERS)`, run once more):",
        "",
        "```",
        plan,
        "```",
    ]
    return "\n".join(lines)


def data_sizes() -> dict:
    from django.db.models import Count

    from accounts.models import User
    from matching.models import Match
    from mentoring.models import CoproductionCheck, Session, SessionFeedback
    from payments.models import LedgerLine, RunItem
    from programmes.models import Programme

    sizes = {}
    for slug in (SMALL, LARGE):
        programme = Programme.objects.get(slug=slug)
        sizes[slug] = {
            "people": programme.memberships.current().values("person").distinct().count(),
            "matches": Match.objects.filter(programme=programme).count(),
            "sessions": Session.objects.filter(match__programme=programme).count(),
            "feedback": SessionFeedback.objects.filter(session__match__programme=programme).count(),
            "checks": CoproductionCheck.objects.filter(match__programme=programme).count(),
            "ledger lines": LedgerLine.objects.filter(programme=programme).count(),
            "run items": RunItem.objects.filter(run__programme=programme).count(),
        }
    sizes["all"] = {
        "people": User.objects.count(),
        "matches": Match.objects.count(),
        "sessions": Session.objects.count(),
        "feedback": SessionFeedback.objects.aggregate(n=Count("id"))["n"],
        "checks": CoproductionCheck.objects.count(),
        "ledger lines": LedgerLine.objects.count(),
        "run items": RunItem.objects.count(),
    }
    return sizes


def _machine() -> str:
    from django.db import connection

    try:
        with open("/proc/cpuinfo") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                platform.processor(),
            )
    except OSError:
        model = platform.processor()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    cores = len(os.sched_getaffinity(0))
    return f"{cores} cores ({model}), Python {platform.python_version()}, PostgreSQL {version}"


def _label(row: dict) -> str:
    return f"{row['section']}{' (JSON)' if row['kind'] == 'json' else ''}"


def report(rows: list[dict], sizes: dict, loads: tuple, seed_note: str, slow: str) -> str:
    by_key = {(r["section"], r["kind"], r["period"], r["scope"]): r for r in rows}
    lines = [
        HEADING,
        "",
        "Written by `bench/stats.py`; run it again to refresh this section:",
        "",
        "```",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench "
        ".venv/bin/python bench/stats.py",
        "# after a first run, migrate and measure again on the same data, without seeding:",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench "
        ".venv/bin/python bench/stats.py --measure-only",
        "```",
        "",
        "It drops and creates that database, runs `migrate` and `seed_demo --people 20000`, "
        "then adds two years of National Pilot history with COPY (`bench/stats_data.py`). "
        f"Machine: {_machine()}. {seed_note}",
        "",
        "| rows | North Star | National Pilot | whole database |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in sizes[SMALL]:
        lines.append(
            f"| {name} | {sizes[SMALL][name]:,} | {sizes[LARGE][name]:,} | {sizes['all'][name]:,} |"
        )
    lines += [
        "",
        "Each page is asked for by the demo administrator (signed in with a second factor), "
        "with the cache "
        f"cleared before every request: one warm-up, then {TIMED} timed requests through "
        "Django's test client (server time: middleware, view, queries, template). Queries "
        "are counted with `CaptureQueriesContext`; *North Star* is demo scale, *National "
        "Pilot* national scale, *all* is the administrator's every-programme view (both).",
        "",
        "| page | period | North Star median / max | National Pilot median / max "
        "| all median / max | queries (North Star / National Pilot / all) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for section in SECTIONS:
        for kind in ("page", "json"):
            for period in PERIODS:
                cells = [by_key.get((section, kind, period, scope)) for scope in SCOPES]
                if not all(cells):
                    continue
                times = [f"{c['median_ms']:.0f} / {c['max_ms']:.0f} ms" for c in cells]
                counts = " / ".join(str(c["queries"]) for c in cells)
                same = "" if len({c["queries"] for c in cells[:2]}) == 1 else " **differs**"
                lines.append(
                    f"| {_label(cells[0])} | {period} | {' | '.join(times)} | {counts}{same} |"
                )
    missed = [r for r in rows if r["median_ms"] > TARGET_MS]
    varying = sorted(
        {
            f"{_label(r)} ({r['period']})"
            for r in rows
            if r["scope"] == SMALL
            and by_key[(r["section"], r["kind"], r["period"], LARGE)]["queries"] != r["queries"]
        }
    )
    lines += [
        "",
        f"Target: under {TARGET_MS} ms per page (median): "
        + (
            "met."
            if not missed
            else "**not met** ("
            + "; ".join(
                f"{_label(r)}, {r['scope']}, {r['period']}: {r['median_ms']:.0f} ms" for r in missed
            )
            + ")."
        ),
        "",
        "Queries independent of data size (North Star against National Pilot): "
        + ("met." if not varying else "**not met** (" + ", ".join(varying) + ")."),
        "",
        load_words(*loads),
        "",
    ]
    if slow:
        lines += [slow, ""]
    return "\n".join(lines)


LOAD_MEANS = (
    "A benchmark's own process and PostgreSQL keep about one to one and a half of the 2 cores "
    "busy; a load above 2 means other work shared them."
)


def load_words(before: float, after: float) -> str:
    """The machine's load while a benchmark measured, and what it means, for its report."""
    return (
        f"Load average (1 minute) before and after measuring: {before:.2f} and {after:.2f}. "
        + LOAD_MEANS
    )


def write_section(text: str, heading: str = HEADING) -> None:
    """Replace (or add) one section of docs/performance.md (the Statistics section unless
    another heading is given), leaving the other sections."""
    existing = REPORT.read_text() if REPORT.exists() else "# Performance\n\n"
    start = existing.find(heading + "\n")
    if start == -1:
        updated = existing.rstrip("\n") + "\n\n" + text
    else:
        end = existing.find("\n## ", start + len(heading))
        rest = existing[end + 1 :] if end != -1 else ""
        updated = existing[:start] + text + ("\n" + rest if rest else "")
    REPORT.write_text(updated)


def write_part(text: str, *, heading: str, intro: str, part: str) -> None:
    """Replace (or add) one part of a section measured a scale at a time: `text` starts with
    its own `### ` heading, which begins with `part` (the words that name the scale), and the
    section starts with `intro`, which is refreshed too. The other parts of the section, and
    the other sections, are left."""
    existing = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    start = existing.find(heading + "\n")
    if start == -1:
        existing = existing.rstrip("\n") + f"\n\n{heading}\n\n{intro}\n"
        start = existing.find(heading + "\n")
    end = existing.find("\n## ", start + len(heading))
    end = len(existing) if end == -1 else end + 1
    section = existing[start:end]
    first_part = section.find("\n### ")
    parts = section[first_part + 1 :] if first_part != -1 else ""
    head = f"### {part}"
    at = parts.find(head)
    if at == -1:
        parts = (parts.rstrip("\n") + "\n\n" + text) if parts else text
    else:
        after = parts.find("\n### ", at + len(head))
        parts = (
            parts[:at] + text.rstrip("\n") + ("\n\n" + parts[after + 1 :] if after != -1 else "")
        )
    section = f"{heading}\n\n{intro.strip()}\n\n{parts.strip()}\n"
    rest = existing[end:]
    REPORT.write_text(existing[:start] + section + ("\n" + rest if rest else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure-only", action="store_true", help="skip drop, create and seed")
    parser.add_argument("--seed-only", action="store_true", help="seed, do not measure")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    arguments = parser.parse_args()
    _database_name()
    seed_note = ""
    if not arguments.measure_only:
        started = time.perf_counter()
        recreate_database()
        setup_django()
        timings = seed()
        total = time.perf_counter() - started
        seed_note = (
            f"Seeding took {total / 60:.1f} minutes (migrate {timings['migrate']:.0f} s, "
            f"seed_demo {timings['seed_demo']:.0f} s, history {timings['history']:.0f} s)."
        )
        print(seed_note, flush=True)
        _seed_note_keep(seed_note)
    else:
        setup_django()
        from django.core.management import call_command

        # Keep the kept database in step with the code: new tables' migrations fill them.
        call_command("migrate", verbosity=0)
        seed_note = _seed_note_read()
    if arguments.seed_only:
        from pprint import pprint

        pprint(data_sizes())
        return

    from django.conf import settings

    settings.DEBUG = False
    _urls()  # fail early, before anything is measured
    from programmes.models import Programme

    if not Programme.objects.filter(slug=LARGE).exists():
        raise SystemExit("No National Pilot here: run without --measure-only to seed first.")
    sizes = data_sizes()
    before = os.getloadavg()[0]
    rows = measure()
    after = os.getloadavg()[0]
    slow = slow_queries(rows)
    text = report(rows, sizes, (before, after), seed_note, slow)
    print(text)
    if not arguments.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
