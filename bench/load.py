"""Mixed load: 100 simulated people for 2 minutes on gunicorn and PostgreSQL with national data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench \\
        .venv/bin/python bench/stats.py --seed-only     # once: the national data (about 2 min)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench \\
        .venv/bin/python bench/load.py                  # serve, load, stop, write the results
    ... bench/load.py --users 20 --seconds 30 --no-write   # a quick look, docs left alone

It uses the database bench/stats.py seeds (the demo, a National Pilot of 20,000 made-up
people and two years of its history), runs `migrate`, starts gunicorn with 4 workers on
127.0.0.1 (DEBUG off, the sign-in rate limits on and shared through Redis at
127.0.0.1:6379), and runs locust headless with bench/locustfile.py: mentors and mentees of
the National Pilot, the demo's coordinators and its administrator, signing in with the demo
password (staff with the demo's authenticator code) and reading their pages 1 to 3 seconds
apart. The run is bounded by the number of people and the time, and stops by itself; the
server is stopped after it. Results by page type go to the "Mixed load" section of
docs/performance.md: requests, failures, median, 95th percentile and maximum, against the
target of 0 errors and a 95th percentile of at most 300 ms for every page type.

Traffic goes only to 127.0.0.1. Each simulated person presents an address of their own in a
header the server is told to trust for this run (TRUSTED_CLIENT_IP_HEADER), so the rate
limits count people, not the one machine they all come from.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import ROOT, _database_name, _machine, setup_django, write_section  # noqa: E402

HEADING = "## Mixed load"
TARGET_P95_MS = 300
CLIENT_HEADER = "X-Load-Client"
BIN = Path(sys.executable).parent


def _pilot_sizes() -> tuple[int, int]:
    from core.choices import Role
    from programmes.models import Membership

    members = Membership.objects.current().filter(programme__slug="national-pilot")
    mentors = members.filter(role=Role.MENTOR).count()
    mentees = members.filter(role=Role.MENTEE).count()
    if not mentors or not mentees:
        raise SystemExit("No National Pilot here: run bench/stats.py --seed-only first.")
    return mentors, mentees


def _wait_until_up(url: str, server: subprocess.Popen, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered; see its output above.")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url} within {seconds} s.")


def run(*, users: int, seconds: int, port: int, workers: int, folder: Path) -> Path:
    from django.conf import settings

    from demo.people import DEMO_PASSWORD

    mentors, mentees = _pilot_sizes()
    env = {
        **os.environ,
        "DEBUG": "false",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "TRUSTED_CLIENT_IP_HEADER": CLIENT_HEADER,
        "DB_CONN_MAX_AGE": "60",
    }
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    address = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--workers", str(workers), "--bind", address],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up(f"http://{address}/", server)
        subprocess.run(
            [
                str(BIN / "locust"),
                "--locustfile",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, users // 20)),  # people a second (_rate)
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "10",
                "--host",
                f"http://{address}",
                "--only-summary",
            ],
            cwd=ROOT,
            env={
                **env,
                "LOAD_PASSWORD": DEMO_PASSWORD,
                "LOAD_TOTP_SECRET": settings.DEMO_TOTP_SECRET,
                "LOAD_CLIENT_HEADER": CLIENT_HEADER,
                "LOAD_PILOT_MENTORS": str(mentors),
                "LOAD_PILOT_MENTEES": str(mentees),
                "LOAD_RECORDS": str(folder / "records.json"),
            },
            timeout=seconds + 120,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return folder / "records.json"


# Once everyone has started, this long again before the pages are judged: the last people
# to start are still signing in, and staff may be waiting for their next code.
SETTLE_S = 10
SIGN_IN = ("sign-in page", "sign in", "sign in: code")


def _summary(requests: list) -> dict:
    times = sorted(row[2] for row in requests)
    if not times:
        return {}
    return {
        "requests": len(times),
        "failures": sum(1 for row in requests if row[3]),
        "median": statistics.median(times),
        "p95": statistics.quantiles(times, n=20, method="inclusive")[18]
        if len(times) > 1
        else times[0],
        "max": times[-1],
    }


def _rate(users: int) -> str:
    rate = max(1, users // 20)  # as run() spawns them
    return "one person a second" if rate == 1 else f"{rate} people a second"


def report(records: Path, *, users: int, seconds: int, loads: tuple[float, float]) -> str:
    data = json.loads(records.read_text())
    requests = data["requests"]
    if not data["everyone_started"]:
        raise SystemExit("Not everyone had started when the run ended: give it more --seconds.")
    settled = data["everyone_started"][0] + SETTLE_S
    names = sorted({row[1] for row in requests})
    whole = {name: _summary([r for r in requests if r[1] == name]) for name in names}
    later = {
        name: _summary([r for r in requests if r[1] == name and r[0] >= settled]) for name in names
    }
    ramp = round(data["everyone_started"][0] - min(r[0] for r in requests))
    lines = [
        HEADING,
        "",
        "Written by `bench/load.py`; run it again to refresh this section (its docstring has "
        "the commands). "
        f"{users} simulated people for {seconds} s, 1 to 3 s between pages, on gunicorn with 4 "
        f"workers and the National Pilot's data from `bench/stats.py`; locust runs on the same "
        f"machine. Machine: {_machine()}. "
        f"Load average (1 minute) at the start and end: {loads[0]:.1f} to {loads[1]:.1f}.",
        "",
        f"Everyone starts by signing in, {_rate(users)}, so the first "
        f"{ramp} s are a rush of sign-ins, each checking a password with a deliberately slow "
        "hash. *Signed in* counts the requests from "
        f"{SETTLE_S} s after the last person started, when everyone is reading pages.",
        "",
        "| page type | requests | failures | median | 95th percentile | max "
        "| 95th percentile, signed in | target met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    missed = []
    for name in names:
        row, calm = whole[name], later[name]
        if name in SIGN_IN:
            met = "-"
        else:
            # A page type nobody opened once signed in is judged on the whole run.
            ok = row["failures"] == 0 and (calm or row)["p95"] <= TARGET_P95_MS
            met = "yes" if ok else "**no**"
            if not ok:
                missed.append(name)
        lines.append(
            f"| {name} | {row['requests']:,} | {row['failures']} | {row['median']:.0f} ms | "
            f"{row['p95']:.0f} ms | {row['max']:.0f} ms | "
            + (f"{calm['p95']:.0f} ms" if calm else "-")
            + f" | {met} |"
        )
    total = _summary(requests)
    calm_total = _summary([r for r in requests if r[0] >= settled])
    lines += [
        "",
        f"All requests: {total['requests']:,}, {total['failures']} failures, median "
        f"{total['median']:.0f} ms, 95th percentile {total['p95']:.0f} ms; signed in: "
        f"{calm_total['requests']:,} requests, median {calm_total['median']:.0f} ms, 95th "
        f"percentile {calm_total['p95']:.0f} ms.",
        "",
        f"Target: 0 errors, and a 95th percentile of at most {TARGET_P95_MS} ms for every page "
        "type once people are signed in (signing in is judged apart: its password check is "
        "slow on purpose). " + ("Met." if not missed else f"**Not met** ({', '.join(missed)})."),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    arguments = parser.parse_args()
    _database_name()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        before = os.getloadavg()[0]
        records = run(
            users=arguments.users,
            seconds=arguments.seconds,
            port=arguments.port,
            workers=arguments.workers,
            folder=Path(folder),
        )
        after = os.getloadavg()[0]
        if not records.exists():
            raise SystemExit("locust wrote no results; see its output above.")
        text = report(
            records, users=arguments.users, seconds=arguments.seconds, loads=(before, after)
        )
    print(text)
    if not arguments.no_write:
        write_section(text, heading=HEADING)


if __name__ == "__main__":
    main()
