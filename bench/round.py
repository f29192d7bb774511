"""Benchmark a matching round in the app, from a coordinator's "start" to stored proposals, on
PostgreSQL at 5,000 x 15,000 and 20,000 x 60,000, and record the run in docs/performance.md.

    .venv/bin/python bench/round.py                    # seed both databases, measure, write
    .venv/bin/python bench/round.py --people 20000     # one size only (20000 or 80000)
    .venv/bin/python bench/round.py --measure-only     # keep the seeded data: migrate, measure
    .venv/bin/python bench/round.py --seed-only        # seed, do not measure
    .venv/bin/python bench/round.py --no-write         # print, leave docs/performance.md alone

Each size has a database of its own on the server ROUND_BENCH_SERVER names (by default
postgres://postgres@127.0.0.1:5432): alongside_round_20000 and alongside_round_80000.
Seeding DROPs and CREATEs it, runs `migrate` and `seed_demo --people N` (the demo plus a
National Pilot programme of N made-up people, one mentor to three mentees: 5,000 x 15,000
and 20,000 x 60,000). `--measure-only` runs `migrate` first, so the kept data follows the code.

Measuring runs in a fresh process per size (so its peak memory is the round's, not the
seeding's) through the same code a coordinator's click runs, with tasks in-process:

- reading the round's input from profiles (matching.selectors.round_instance): one warm-up,
  then three timed reads, median;
- start to stored proposals: matching.services.round_start for the National Pilot, which
  queues the round; with no broker configured the task runs in-process as the transaction
  commits (round_run: reading profiles, finding pairs, solving, saving proposals). The wall
  time from the call to its return, with the time of each stage from the round's own stage
  updates;
- the process's peak resident memory (VmHWM in /proc/self/status), reset just before the
  round where the kernel allows it;
- the size of the round's row as a page reads it (pg_column_size), and of its RoundData
  beside it, with the time to read each.

Rounds the benchmark made before in the National Pilot are deleted first (with their
proposals), so every run solves the same pool, and the database is ANALYZEd, as autovacuum
would have done after seeding.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))
from bench.stats import LOAD_MEANS, _machine, setup_django, write_section  # noqa: E402

REPORT = ROOT / "docs" / "performance.md"
HEADING = "## Rounds in the app"
SIZES = {20_000: "5,000 x 15,000", 80_000: "20,000 x 60,000"}
SERVER = os.environ.get("ROUND_BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
PILOT = "national-pilot"
COORDINATOR = "coordinator@example.org"
TIMED = 3
# Targets (issue 13): the input at most 5 s, and the whole round at most 30 s and 2 GB, at
# 20,000 x 60,000.
INPUT_TARGET_S = 5
ROUND_TARGET_S = 30
MEMORY_TARGET_MB = 2048
# What main measured before this work, for comparison (issue 13).
BEFORE = {
    20_000: {"input": 9.0, "round": 17.7, "peak": None},
    80_000: {"input": 36.0, "round": 69.0, "peak": 1600},
}


def database_url(people: int) -> str:
    return f"{SERVER.rstrip('/')}/alongside_round_{people}"


def recreate_database(people: int) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url(people)).path.strip("/")
    assert name.startswith("alongside_round_"), name
    with psycopg.connect(f"{SERVER.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _child(people: int, step: str) -> dict:
    """Run one step (seed or measure) for one size in a process of its own."""
    env = {**os.environ, "DATABASE_URL": database_url(people), "DEBUG": "false"}
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "CACHE_URL"):
        env.pop(name, None)  # tasks run in-process, as the benchmark means to measure
    result = subprocess.run(
        [sys.executable, __file__, f"--child-{step}", str(people)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(result.stderr[-4000:])
    if result.returncode != 0:
        raise SystemExit(f"{step} for --people {people} failed:\n{result.stdout[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def load() -> float:
    return os.getloadavg()[0]


def seed(people: int) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=people, stdout=sys.stderr)
    return {"seconds": time.perf_counter() - started}


def _memory_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _peak_reset() -> bool:
    """Reset VmHWM to the current resident size (Linux 4.0+), so the peak is the round's."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return _memory_kb("VmHWM") <= _memory_kb("VmRSS") + 1024


def measure(people: int) -> dict:
    import gc

    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from matching import services
    from matching.models import MatchingRound, Proposal, RoundData
    from matching.selectors import round_instance
    from programmes.models import Programme

    call_command("migrate", verbosity=0)
    # Fresh statistics, as autovacuum keeps them on a running server: a database seeded a
    # moment ago has none, and the planner then guesses one row per table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    pilot = Programme.objects.get(slug=PILOT)
    coordinator = User.objects.get(email=COORDINATOR)
    MatchingRound.objects.filter(programme=pilot).delete()

    out: dict = {"people": people, "load_start": load()}
    times = []
    for attempt in range(TIMED + 1):
        started = time.perf_counter()
        instance = round_instance(pilot)
        if attempt:  # the first is a warm-up
            times.append(time.perf_counter() - started)
    out["mentors"], out["mentees"] = len(instance["mentors"]), len(instance["mentees"])
    out["input_s"] = statistics.median(times)
    out["input_times"] = times
    del instance
    gc.collect()

    # The stages as the round's own row records them (services._round_stage).
    stages: list[tuple[str, float]] = []
    write_stage = services._round_stage

    def timed_stage(round_id, stage, **counts):
        if not stages or stages[-1][0] != stage:
            stages.append((stage, time.perf_counter()))
        write_stage(round_id, stage, **counts)

    services._round_stage = timed_stage
    out["peak_reset"] = _peak_reset()
    out["rss_before_mb"] = _memory_kb("VmRSS") / 1024
    out["load_round_start"] = load()
    started = time.perf_counter()
    matching_round = services.round_start(programme=pilot, by=coordinator)
    finished = time.perf_counter()
    out["load_round_end"] = load()
    out["peak_mb"] = _memory_kb("VmHWM") / 1024
    services._round_stage = write_stage
    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.FINISHED, matching_round.error
    out["round_s"] = finished - started
    out["duration_ms"] = matching_round.duration_ms
    # Reading is the claim's stage, before the first timed update.
    marks = [("reading", started), *stages, ("finished", finished)]
    out["stages"] = {
        stage: marks[index + 1][1] - at for index, (stage, at) in enumerate(marks[:-1])
    }
    out["proposals"] = Proposal.objects.filter(round=matching_round).count()
    out["matched"] = matching_round.stats.get("matched")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(r.*) FROM matching_matchinground r WHERE id = %s",
            [matching_round.pk],
        )
        (out["row_bytes"],) = cursor.fetchone()
        cursor.execute(
            "SELECT octet_length(snapshot), octet_length(result) FROM matching_rounddata "
            "WHERE round_id = %s",
            [matching_round.pk],
        )
        out["snapshot_bytes"], out["result_bytes"] = cursor.fetchone()
    started = time.perf_counter()
    for _ in range(10):
        MatchingRound.objects.get(pk=matching_round.pk)
    out["row_read_ms"] = (time.perf_counter() - started) * 100
    started = time.perf_counter()
    snapshot = matching_round.snapshot_read()
    out["snapshot_read_s"] = time.perf_counter() - started
    started = time.perf_counter()
    result = matching_round.result_read()
    out["result_read_s"] = time.perf_counter() - started
    out["snapshot_json_bytes"] = len(json.dumps(snapshot, separators=(",", ":")).encode())
    out["result_json_bytes"] = len(json.dumps(result, separators=(",", ":")).encode())
    assert RoundData.objects.filter(round=matching_round).exists()
    out["load_end"] = load()
    out["machine"] = _machine()
    return out


def _mb(value: int) -> str:
    return f"{value / 1_000_000:,.1f} MB" if value >= 100_000 else f"{value / 1000:,.1f} KB"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(runs: list[dict], seeding: dict) -> str:
    lines = [
        HEADING,
        "",
        "Written by `bench/round.py`; run it again to refresh this section:",
        "",
        "```",
        ".venv/bin/python bench/round.py                  # seed both sizes, measure, write",
        ".venv/bin/python bench/round.py --measure-only   # measure again on the kept data",
        "```",
        "",
        "Each size has its own PostgreSQL database (`alongside_round_20000`, "
        "`alongside_round_80000`), seeded with `migrate` and `seed_demo --people N`; the "
        "round is the National Pilot's. Measured in a fresh process per size, through the "
        "code a coordinator's click runs, with tasks in-process: *input* is "
        "`round_instance` (median of three after a warm-up); *start to stored proposals* "
        "is `round_start` until it returns, the task having run as its transaction "
        "committed (reading profiles, finding pairs, solving, saving proposals, each timed "
        "from the round's own stage updates); *peak memory* is the process's VmHWM, reset "
        "just before the round; *round row* is `pg_column_size` of the row every round page "
        "reads. " + (f"Machine: {runs[0]['machine']}." if runs else ""),
        "",
    ]
    if seeding:
        lines += [
            "Seeding took "
            + ", ".join(f"{SIZES[p]} {s['seconds'] / 60:.1f} minutes" for p, s in seeding.items())
            + ".",
            "",
        ]
    lines += [
        "| round | input | start to stored proposals | reading / finding pairs / solving / "
        "saving | peak memory | proposals | round row | RoundData (compressed, of JSON) |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for run in runs:
        stage = run["stages"]
        split = " / ".join(
            f"{stage.get(name, 0):.1f} s" for name in ("reading", "pairing", "solving", "saving")
        )
        lines.append(
            f"| {SIZES[run['people']]} ({run['mentors']:,} x {run['mentees']:,}) "
            f"| {run['input_s']:.1f} s | {run['round_s']:.1f} s | {split} "
            f"| {run['peak_mb']:,.0f} MB | {run['proposals']:,} "
            f"| {run['row_bytes']:,} bytes ({run['row_read_ms']:.1f} ms) "
            f"| input {_mb(run['snapshot_bytes'])} of {_mb(run['snapshot_json_bytes'])} "
            f"(read {run['snapshot_read_s']:.1f} s), output {_mb(run['result_bytes'])} of "
            f"{_mb(run['result_json_bytes'])} (read {run['result_read_s']:.1f} s) |"
        )
    lines += [
        "",
        "Before this work (issue 13, main, on a machine of the same kind: 2 cores, AMD EPYC):",
        "",
    ]
    for people, before in BEFORE.items():
        lines.append(
            f"- {SIZES[people]}: input {before['input']:.0f} s, start to stored proposals "
            f"{before['round']:.1f} s"
            + (f", {before['peak']:,} MB peak" if before["peak"] else "")
            + "."
        )
    national = next((run for run in runs if run["people"] == 80_000), None)
    lines += [
        "",
        "Targets at 20,000 x 60,000: input at most 5 s, the whole round at most 30 s and 2 GB.",
    ]
    if national:
        lines += [
            "",
            f"- Input: {national['input_s']:.1f} s: {_met(national['input_s'] <= INPUT_TARGET_S)}.",
            f"- Start to stored proposals: {national['round_s']:.1f} s: "
            f"{_met(national['round_s'] <= ROUND_TARGET_S)}.",
            f"- Peak memory: {national['peak_mb']:,.0f} MB: "
            f"{_met(national['peak_mb'] <= MEMORY_TARGET_MB)}"
            + (
                ""
                if national["peak_reset"]
                else " (the peak could not be reset: it includes the input reads before the round)"
            )
            + ".",
        ]
    else:
        lines += ["", "20,000 x 60,000 was not measured in this run."]
    lines += [
        "",
        "Load average (1 minute) at the start and end of each measured run: "
        + "; ".join(
            f"{SIZES[run['people']]}: input {run['load_start']:.2f} to "
            f"{run['load_round_start']:.2f}, round {run['load_round_start']:.2f} to "
            f"{run['load_round_end']:.2f}"
            for run in runs
        )
        + f". {LOAD_MEANS}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, choices=sorted(SIZES), action="append")
    parser.add_argument("--measure-only", action="store_true", help="keep the seeded data")
    parser.add_argument("--seed-only", action="store_true", help="seed, do not measure")
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    parser.add_argument("--child-seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_seed or args.child_measure:
        setup_django()
        done = seed(args.child_seed) if args.child_seed else measure(args.child_measure)
        print(json.dumps(done))
        return

    sizes = args.people or sorted(SIZES)
    seeding = {}
    if not args.measure_only:
        for people in sizes:
            print(f"Seeding {SIZES[people]} (--people {people})...", flush=True)
            recreate_database(people)
            seeding[people] = _child(people, "seed")
    if args.seed_only:
        return
    runs = []
    for people in sizes:
        print(f"Measuring {SIZES[people]}...", flush=True)
        run = _child(people, "measure")
        print(json.dumps(run, indent=1), flush=True)
        runs.append(run)
    text = report(runs, seeding)
    print(text)
    if not args.no_write:
        write_section(text, heading=HEADING)


if __name__ == "__main__":
    main()
