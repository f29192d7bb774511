"""Benchmark the review queue (a round's suggested pairs, a page at a time) at national scale
in PostgreSQL, and record the run in docs/performance.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_queue_20k \\
        .venv/bin/python bench/review.py                  # drop, create, seed, measure, write
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_queue_80k \\
        .venv/bin/python bench/review.py --people 80000   # the same at 20,000 x 60,000
    ... bench/review.py --measure-only                    # keep the data: migrate, measure again
    ... bench/review.py --seed-only                       # drop, create and seed; no measuring
    ... bench/review.py --measure-only --no-write         # print, leave docs/performance.md alone

Seeding (re)creates the database named in DATABASE_URL (DROP and CREATE through the server's
`postgres` database: never point it at a database you want to keep), runs `migrate` and
`seed_demo --people N` (the demo, plus a National Pilot of N/4 mentors and 3N/4 mentees;
N is 20,000 unless --people says otherwise), then starts a matching round in the National
Pilot and solves it in-process through the services a coordinator's click runs (round_start,
round_run). At 20,000 people the round suggests about 5,400 pairs (at 80,000, about 21,600);
where it is fewer than --proposals (20,000), the benchmark adds suggested pairs in bulk for
the mentees the round left out, reusing the round's own reasons, some of them already
approved, declined or rejected as in a round under review.
`--measure-only` runs `migrate` first, so the kept database follows the code.

Measuring signs in as the demo administrator (admin@example.org, who runs the National
Pilot) and asks, through Django's test client, for the review queue's first and last pages,
filtered pages (waiting for review; weaker fit; needing a look, and both), a search by name,
a page sorted by mentee and the page of mentees without a match; then the same pages of the
demo round in North Star, to show the queries do not grow with the round. Each page: one
warm-up, then seven timed requests: the median and maximum server time, the bytes of the
page, and its queries (CaptureQueriesContext). Then it approves a page of 50 waiting pairs
through the button's own view, with tasks in-process, times it, and times that approval's
progress page.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))
from bench import stats  # noqa: E402 - after the path is set
from bench.stats import (  # noqa: E402
    _machine,
    _seed_note_keep,
    _seed_note_read,
    load_words,
    recreate_database,
    write_part,
)

REPORT = ROOT / "docs" / "performance.md"
HEADING = "## Review queue"
PEOPLE = 20_000
PROPOSALS = 20_000
PILOT, DEMO = "national-pilot", "north-star"
READER = "admin@example.org"
TIMED = 7
TARGET_MS = 300
TARGET_BYTES = 200 * 1024


def _database_name() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not parts.path.strip("/"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database, for example "
            "postgres://postgres@127.0.0.1:5432/alongside_queue_bench"
        )
    name = parts.path.strip("/")
    server = parts._replace(path="/postgres").geturl()
    return name, server


def setup_django() -> None:
    """bench/stats.py's, with emails kept in memory."""
    stats.setup_django()
    from django.conf import settings

    # Approving asks both people by email: keep those in memory, not on the console.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _reader():
    from accounts.models import User

    return User.objects.get(email=READER)


def _pilot_round():
    from matching.models import MatchingRound

    return MatchingRound.objects.filter(
        programme__slug=PILOT, status=MatchingRound.Status.FINISHED, rerun_of__isnull=True
    ).latest("created_at")


def pad_proposals(matching_round, target: int) -> dict:
    """Suggested pairs for the round's unmatched mentees, in bulk, until the round has
    `target`; reasons are copied from the round's own pairs. A few of every pair are given
    the other statuses, as in a round under review. Returns counts."""
    import itertools
    import random

    from django.db.models import Count

    from core.choices import Role
    from matching.models import Proposal
    from programmes.models import Membership

    rng = random.Random(13)
    existing = list(matching_round.proposals.values("mentor_id", "mentee_id", "score", "reasons"))
    have = len(existing)
    taken = {row["mentee_id"] for row in existing}
    members = Membership.objects.current().filter(programme=matching_round.programme_id)
    mentors = list(members.filter(role=Role.MENTOR).values_list("person_id", flat=True))
    mentees = [
        person
        for person in members.filter(role=Role.MENTEE)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        if person not in taken
    ]
    # One open pair per mentee in a round: beyond the mentees left, pairs are declined or
    # rejected ones (a mentee may have several of those).
    statuses = itertools.cycle(["proposed"] * 14 + ["approved", "accepted", "declined", "rejected"])
    rows = []
    mentee_cycle = itertools.cycle(mentees)
    open_mentees: set[int] = set()
    while have + len(rows) < target:
        mentee = next(mentee_cycle)
        status = next(statuses)
        if status in ("proposed", "approved", "accepted"):
            if mentee in open_mentees:
                status = rng.choice(["declined", "rejected"])
            else:
                open_mentees.add(mentee)
        model = rng.choice(existing)
        rows.append(
            Proposal(
                round=matching_round,
                mentor_id=rng.choice(mentors),
                mentee_id=mentee,
                score=round(max(0.1, model["score"] * rng.uniform(0.5, 1.1)), 4),
                reasons=model["reasons"],
                status=status,
                rejection_reason="They know each other." if status == "rejected" else "",
            )
        )
    Proposal.objects.bulk_create(rows, batch_size=2000)
    counts = dict(matching_round.proposals.values_list("status").annotate(n=Count("pk")).order_by())
    return {"from the round": have, "added": len(rows), "by status": counts}


def seed(people: int, proposals: int) -> dict:
    """migrate, seed_demo, a National Pilot round solved in-process, then padding."""
    from django.core.management import call_command

    from matching import services
    from programmes.models import Programme

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    started = time.perf_counter()
    call_command("seed_demo", people=people)
    timings["seed_demo"] = time.perf_counter() - started
    started = time.perf_counter()
    pilot = Programme.objects.get(slug=PILOT)
    matching_round = services.round_start(programme=pilot, by=_reader())
    services.round_run(round_id=matching_round.pk)  # the task runs in-process; this is a no-op
    timings["round"] = time.perf_counter() - started
    started = time.perf_counter()
    counts = pad_proposals(_pilot_round(), proposals)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would soon after the bulk inserts
    timings["padding"] = time.perf_counter() - started
    print(counts, flush=True)
    return timings | {"counts": counts}


# Measuring.


def _common_name(matching_round) -> str:
    """A first name many of the round's people share, for the search."""
    from collections import Counter

    names = matching_round.proposals.values_list("mentee__display_name", flat=True)[:2000]
    first = Counter(name.split(" ")[0] for name in names if name)
    return first.most_common(1)[0][0]


def _pages(matching_round, *, scale: str) -> list[tuple[str, str]]:
    """(label, url) for each page to time."""
    from django.urls import reverse

    from matching.models import ApprovalBatch
    from matching.selectors import REVIEW_PAGE_SIZE

    slug = matching_round.programme.slug
    queue = reverse("matching:coordinator_round_detail", args=[slug, matching_round.pk])
    last = max(1, -(-matching_round.proposals.count() // REVIEW_PAGE_SIZE))
    pages = [
        ("first page", queue),
        ("last page", f"{queue}?{urlencode({'page': last})}"),
        ("waiting for review", f"{queue}?{urlencode({'status': 'proposed'})}"),
        ("weaker fit", f"{queue}?{urlencode({'fit': 'weaker'})}"),
        ("needs a look", f"{queue}?{urlencode({'look': 'any'})}"),
        ("waiting, needing a look", f"{queue}?{urlencode({'look': 'any', 'status': 'proposed'})}"),
        ("search by name", f"{queue}?{urlencode({'q': _common_name(matching_round)})}"),
        ("sorted by mentee", f"{queue}?{urlencode({'sort': 'mentee', 'page': min(3, last)})}"),
        (
            "mentees without a match",
            reverse("matching:coordinator_round_unmatched", args=[slug, matching_round.pk]),
        ),
    ]
    batch = ApprovalBatch.objects.filter(round=matching_round).first()
    if batch:
        pages.append(
            (
                "an approval's progress",
                reverse(
                    "matching:coordinator_round_approval",
                    args=[slug, matching_round.pk, batch.pk],
                ),
            )
        )
    return [(label, url, scale) for label, url in pages]


def _time_page(client, url: str) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def once():
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}; nothing written.")
        shown = response.context.get("proposals") if response.context else None
        rows = len(shown) if shown is not None else None
        return elapsed, len(response.content), list(captured.captured_queries), rows

    once()  # warm up: templates compiled, connection open
    times, sizes, queries = [], [], []
    for _ in range(TIMED):
        elapsed, size, queries, rows = once()
        times.append(elapsed)
        sizes.append(size)
    reset_queries()
    slowest = max(queries, key=lambda q: float(q["time"])) if queries else {"time": 0, "sql": ""}
    return {
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "bytes": max(sizes),
        "rows": rows,
        "queries": len(queries),
        "slowest_ms": float(slowest["time"]) * 1000,
        "slowest_sql": slowest["sql"],
    }


def approve_a_page(client, matching_round) -> dict:
    """ "Approve every waiting pair on this page" on the first page, through its view, with
    the task in-process: the time until the coordinator's browser is sent back."""
    from django.urls import reverse

    from matching.models import ApprovalBatch, Proposal
    from matching.selectors import REVIEW_PAGE_SIZE

    waiting = list(
        matching_round.proposals.filter(status=Proposal.Status.PROPOSED)
        .order_by("-score", "mentee__display_name", "pk")
        .values_list("pk", flat=True)[:REVIEW_PAGE_SIZE]
    )
    url = reverse(
        "matching:coordinator_round_approve_all",
        args=[matching_round.programme.slug, matching_round.pk],
    )
    started = time.perf_counter()
    response = client.post(url, {"scope": "page", "proposal": waiting})
    elapsed = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"Approving a page answered {response.status_code}; nothing written.")
    batch = ApprovalBatch.objects.filter(round=matching_round).first()
    return {"ms": elapsed * 1000, "approved": batch.approved, "total": batch.total}


def measure() -> tuple[list[dict], dict, dict]:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from matching.models import MatchingRound
    from tests.factories import sign_in

    setup_test_environment()
    client = Client()
    sign_in(client, _reader())
    pilot_round = _pilot_round()
    demo_round = MatchingRound.objects.filter(
        programme__slug=DEMO, status=MatchingRound.Status.FINISHED
    ).earliest("created_at")
    # Approvals finished in the last ten minutes (an earlier run's, or the demo's own when it
    # was seeded just now) are reported on their round's queue: date them back, so each run
    # times the same page whenever the data was seeded.
    from datetime import timedelta

    from django.db.models import F

    from matching.models import ApprovalBatch

    ApprovalBatch.objects.filter(
        round__in=[pilot_round, demo_round], finished_at__isnull=False
    ).update(finished_at=F("finished_at") - timedelta(hours=1))
    rows = []

    def time_pages(pages):
        for label, url, scale in pages:
            result = _time_page(client, url) | {"label": label, "url": url, "scale": scale}
            print(
                f"{scale:8} {label:24} median {result['median_ms']:7.1f} ms "
                f"max {result['max_ms']:7.1f} ms {result['bytes'] / 1024:6.1f} KB "
                f"{result['queries']:3} queries",
                flush=True,
            )
            rows.append(result)

    # The queue first, then approving a page, then that approval's own page.
    queue_pages = _pages(pilot_round, scale="national") + _pages(demo_round, scale="demo")
    time_pages([page for page in queue_pages if "approval" not in page[0]])
    approval = approve_a_page(client, pilot_round)
    print(f"approving a page of {approval['total']}: {approval['ms']:.0f} ms", flush=True)
    time_pages(
        [page for page in _pages(pilot_round, scale="national") if "approval" in page[0]]
        + [page for page in _pages(demo_round, scale="demo") if "approval" in page[0]]
    )
    from core.choices import Role
    from programmes.models import Membership

    members = Membership.objects.current().filter(programme=pilot_round.programme_id)
    sizes = {
        "mentors": members.filter(role=Role.MENTOR).count(),
        "mentees": members.filter(role=Role.MENTEE).count(),
        "national": pilot_round.proposals.count(),
        "demo": demo_round.proposals.count(),
        "round_bytes": _round_bytes(pilot_round),
    }
    return rows, sizes, approval


def _round_bytes(matching_round) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(snapshot), pg_column_size(result) "
            "FROM matching_rounddata WHERE round_id = %s",
            [matching_round.pk],
        )
        snapshot, result = cursor.fetchone()
    return {"snapshot": snapshot or 0, "result": result or 0}


URL = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_queue_80k"
INTRO = f"""Written by `bench/review.py`; run it again to refresh the part for that scale (one
database per scale):

```
{URL} \\
    .venv/bin/python bench/review.py --people 80000
# after a first run, migrate and measure again on the same data, without seeding:
{URL} \\
    .venv/bin/python bench/review.py --measure-only
```

Seeding drops and creates that database, runs `migrate` and `seed_demo --people N`, starts
and solves a National Pilot round in-process through the coordinator's services, then, if the
round suggested fewer than {PROPOSALS:,} pairs, adds suggested pairs in bulk (copying the
round's reasons) until it has that many, some of them already approved, declined or rejected
as in a round under review. The round's input and output are stored apart (RoundData); the
queue reads the round's row alone (`round_facts`), and the page of mentees without a match
reads the output.

Each page is asked for by the demo administrator, who runs the National Pilot: one warm-up,
then {TIMED} timed requests through Django's test client (server time: middleware, view,
queries, template). *Size* is the page's HTML; queries are counted with
`CaptureQueriesContext`, and the demo round's count (North Star) is beside the national one.
Targets: at most {TARGET_MS} ms server time (median) and {TARGET_BYTES // 1024} KB per page at
{PROPOSALS:,} pairs, with the same queries at any size.
"""


def _part(people: int) -> str:
    return f"National Pilot of {people:,} people"


def report(people, rows, sizes, approval, loads, seed_note) -> str:
    national = [r for r in rows if r["scale"] == "national"]
    demo = {r["label"]: r for r in rows if r["scale"] == "demo"}
    lines = [
        f"### {_part(people)} ({sizes['mentors']:,} mentors x {sizes['mentees']:,} mentees)",
        "",
        f"The round has {sizes['national']:,} pairs; the demo round in North Star has "
        f"{sizes['demo']:,}. The round's input is "
        f"{sizes['round_bytes']['snapshot'] / 1e6:.1f} MB compressed and its output "
        f"{sizes['round_bytes']['result'] / 1e6:.1f} MB. "
        f"Machine: {_machine()}. {seed_note}",
        "",
        "| page | pairs shown | median / max | size | queries (national / demo) | slowest query |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in national:
        small = demo.get(row["label"])
        counts = f"{row['queries']} / {small['queries']}" if small else f"{row['queries']} / -"
        shown = "-" if row["rows"] is None else f"{row['rows']}"
        lines.append(
            f"| {row['label']} | {shown} | {row['median_ms']:.0f} / {row['max_ms']:.0f} ms "
            f"| {row['bytes'] / 1024:.0f} KB | {counts} | {row['slowest_ms']:.0f} ms |"
        )
    slow = [r for r in national if r["median_ms"] > TARGET_MS]
    big = [r for r in national if r["bytes"] > TARGET_BYTES]
    # A page with no pair to show reads no rows, so only pages with pairs at both sizes count.
    both = [
        r
        for r in national
        if r["label"] in demo and r["rows"] != 0 and demo[r["label"]]["rows"] != 0
    ]
    varying = [r["label"] for r in both if demo[r["label"]]["queries"] != r["queries"]]
    empty = [r["label"] for r in national if r["label"] in demo and demo[r["label"]]["rows"] == 0]

    def verdict(failed, what):
        return "met." if not failed else f"**not met** ({', '.join(what(r) for r in failed)})."

    lines += [
        "",
        "- Server time: " + verdict(slow, lambda r: f"{r['label']} {r['median_ms']:.0f} ms"),
        "- Size: " + verdict(big, lambda r: f"{r['label']} {r['bytes'] / 1024:.0f} KB"),
        "- Queries the same for the demo round and the national one: "
        + ("met" if not varying else f"**not met** ({', '.join(varying)})")
        + (
            f" (leaving out {', '.join(empty)}: the demo round has no such pair, so its page "
            "reads no rows)."
            if empty
            else "."
        ),
        "",
        f"Approving every waiting pair on the first page ({approval['total']} pairs) through "
        f"its button, with the task in-process (each pair approved, audited and both people "
        f"notified): {approval['ms'] / 1000:.1f} s until the page came back, "
        f"{approval['approved']} approved. With a worker the button answers at once and the "
        "page shows the progress.",
        "",
        load_words(*loads),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure-only", action="store_true", help="skip drop, create and seed")
    parser.add_argument("--seed-only", action="store_true", help="seed, do not measure")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    parser.add_argument("--people", type=int, default=PEOPLE, help="seed_demo --people")
    parser.add_argument("--proposals", type=int, default=PROPOSALS, help="pairs in the round")
    arguments = parser.parse_args()
    _database_name()
    if not arguments.measure_only:
        started = time.perf_counter()
        recreate_database()
        setup_django()
        timings = seed(arguments.people, arguments.proposals)
        total = time.perf_counter() - started
        seed_note = (
            f"Seeding took {total / 60:.1f} minutes (migrate {timings['migrate']:.0f} s, "
            f"seed_demo {timings['seed_demo']:.0f} s, the round {timings['round']:.0f} s, "
            f"padding {timings['padding']:.0f} s); the round suggested "
            f"{timings['counts']['from the round']:,} pairs itself."
        )
        print(seed_note, flush=True)
        _seed_note_keep(f"{arguments.people}|{seed_note}")
        people = arguments.people
    else:
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        size, _, seed_note = _seed_note_read().partition("|")
        if not size.isdigit():
            raise SystemExit("This database was not seeded by bench/review.py: seed it first.")
        people = int(size)
    if arguments.seed_only:
        return

    from django.conf import settings

    settings.DEBUG = False
    before = os.getloadavg()[0]
    rows, sizes, approval = measure()
    after = os.getloadavg()[0]
    text = report(people, rows, sizes, approval, (before, after), seed_note)
    print(text)
    if not arguments.no_write:
        write_part(text, heading=HEADING, intro=INTRO, part=_part(people))


if __name__ == "__main__":
    main()
