"""Command line for the matching engine; works without Django or its settings.

    python -m matching solve ROUND.json [--edges] [--timings] [--words READER]
    python -m matching solve - < ROUND.json

Prints the result as JSON on standard output. Bad input is reported in one plain line on
standard error, with exit status 2. --timings adds the seconds each stage took, and the peak
memory, as one JSON line on standard error (the result itself never holds timings, so it is
the same byte for byte on every run). --words adds each reason in plain words, as the
mentee, the mentor or a coordinator would read it.
"""

import argparse
import json
import resource
import sys
import time

from matching.engine import InstanceError, parse_instance, solve_instance, write_json
from matching.engine.explain import READERS, result_words

PROGRAM = "python -m matching"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROGRAM, description="Alongside's matching engine.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    solve_command = commands.add_parser(
        "solve",
        help="solve one round and print the proposals as JSON",
        description="Solve one round (docs/matching.md) and print the result as JSON.",
    )
    solve_command.add_argument("round", metavar="ROUND.json", help="the round, or - for stdin")
    solve_command.add_argument(
        "--edges", action="store_true", help="also list every candidate pair considered"
    )
    solve_command.add_argument(
        "--timings", action="store_true", help="print stage timings to standard error"
    )
    solve_command.add_argument(
        "--words",
        choices=READERS,
        metavar="READER",
        help="add the reasons in words for this reader: " + ", ".join(READERS),
    )
    return parser


def _fail(message: str) -> int:
    print(f"{PROGRAM}: {message}", file=sys.stderr)
    return 2


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in a round")


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    clock = time.perf_counter
    started = clock()
    source = "standard input" if arguments.round == "-" else arguments.round
    try:
        if arguments.round == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(arguments.round, "rb") as handle:
                raw = handle.read()
    except OSError as error:
        return _fail(f"cannot read {source}: {error.strerror or error}")
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        return _fail(f"{source} is not UTF-8 text")
    except json.JSONDecodeError as error:
        return _fail(
            f"{source} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        )
    except (ValueError, RecursionError) as error:
        return _fail(f"{source} is not valid JSON: {error}")
    del raw
    timings: dict[str, float] = {"read": clock() - started}
    try:
        instance = parse_instance(data)
    except InstanceError as error:
        return _fail(f"{source}: {error}")
    # The decoded JSON is several times the size of the typed round; let it go first.
    del data
    timings["validate"] = clock() - started - timings["read"]
    result = solve_instance(instance, edges=arguments.edges, timings=timings)
    if arguments.words:
        result_words(
            result,
            reader=arguments.words,
            mentors={m.id: m.name for m in instance.mentors},
            mentees={p.id: p.name for p in instance.mentees},
            labels=instance.labels,
        )
    del instance
    before_output = clock()
    write_json(result, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    if arguments.timings:
        timings["output"] = clock() - before_output
        timings["total"] = clock() - started
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        timings["peak_memory_mb"] = round(peak_kib / 1024, 1)
        print(json.dumps({k: round(v, 4) for k, v in timings.items()}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
