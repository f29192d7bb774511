"""The figures behind the statistics pages, worked out in the database.

Each section asks one query per family of figures (with this period and the one before in
the same query, by conditional aggregation), never loops over rows in Python, and puts every
figure into one suppression sheet (reporting/suppression.py) before anything is
shown, so pages, CSV files and JSON all show the same, safe figures. Built sections are cached
for a few minutes: figures for a period do not need to be to the second.
"""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile
from activities.models import ActivityKind
from core.choices import Role
from matching.engine.result import (
    CAUSE_NEEDED_ELSEWHERE,
    CAUSE_NO_CANDIDATES,
    CAUSE_NO_GOOD_FIT,
)
from matching.models import ClosingSurvey, Match, MatchingRound, Proposal
from mentoring.feedback import FEEDBACK_QUESTIONS, PRINCIPLES
from mentoring.models import (
    Concern,
    CoproductionCheck,
    LadderRung,
    ProgrammeAnswer,
    ProgrammeQuestion,
    Session,
    SessionFeedback,
)
from payments.models import ACTIVITY_KINDS, LedgerLine, RunItem, RunPayee
from payments.money import money
from payments.selectors import slow_payment_counts
from programmes.models import Membership
from reporting.periods import Period
from reporting.suppression import SUPPRESSED, Cell, Sheet, suppress
from reporting.themes import THEMES, count_themes

CACHE_SECONDS = 300
SECTIONS = {
    "people": "People",
    "matching": "Matching",
    "mentoring": "Mentoring",
    "payments": "Paid partnership",
    "voice": "What people say",
}
NOW, BEFORE = "now", "before"


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]  # headings after the first (row label) column
    rows: list[tuple[str, list]]  # (row label, cell keys; None for an empty cell)
    first_column: str = ""
    note: str = ""
    chart: dict | None = None  # {"kind": "bar"|"line", "series": [(name, column index)]}
    about: list[tuple[str, str]] = field(default_factory=list)  # (row label, what it means)


@dataclass
class Section:
    key: str
    title: str
    period: Period
    before: Period
    sheet: Sheet
    styles: dict = field(default_factory=dict)  # cell key -> count, money, score, days, hours
    tables: list[Table] = field(default_factory=list)
    symbol: str = "£"

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


class Builder:
    """Collects cells, additive groups and derived figures for one section."""

    def __init__(self, period: Period, before: Period):
        self.period, self.before = period, before
        self.cells: dict = {}
        self.groups: list = []
        self.derived: list = []
        self.styles: dict = {}

    def months(self) -> list:
        """The months of the period up to this one: later months have nothing yet."""
        today = timezone.localdate()
        return [month for month in self.period.months() if month <= today]

    def count(self, key, value, *, people: int | None = None) -> object:
        """A count. For a count of what people give (answers, concerns), `people` is how
        many different people gave them: one person's ten answers are not ten people."""
        value = int(value or 0)
        self.cells[key] = Cell(
            value=value, kind="count", people=None if people is None else int(people or 0)
        )
        self.styles[key] = "count"
        return key

    def measure(self, key, value, *, people: int, style: str) -> object:
        # Over nobody there is nothing to hide: "none", not "c".
        self.cells[key] = (
            Cell(value=value, kind="measure", people=int(people))
            if people
            else Cell(value=None, kind="measure", people=None)
        )
        self.styles[key] = style
        return key

    def change(self, key, now_key, before_key) -> object:
        """This period minus the one before: hidden when either is."""
        now, before = self.cells[now_key].value, self.cells[before_key].value
        value = None if now is None or before is None else now - before
        self.cells[key] = Cell(value=value, kind="measure", people=None)
        self.styles[key] = "change-" + self.styles[now_key]
        self.derived.append((key, [now_key, before_key]))
        return key

    def derived_from(self, key, value, sources: list, style: str) -> object:
        self.cells[key] = Cell(value=value, kind="measure", people=None)
        self.styles[key] = style
        self.derived.append((key, list(sources)))
        return key

    def group(self, members: list, total) -> None:
        self.groups.append((list(members), total))

    def compare_rows(
        self,
        name: str,
        rows: list[tuple[str, str]],
        values: dict,
        total=None,
        people: dict | None = None,
    ):
        """Rows of counts for this period and the one before, with a change column; with
        `total`, a total row and the additive groups that tie the rows to it. With
        `people` ((part or "total", period) -> how many gave them), counts of answers."""

        def given_by(part, when):
            return None if people is None else people.get((part, when), 0)

        table_rows = []
        for label, part in rows:
            now = self.count((name, part, NOW), values.get((part, NOW)), people=given_by(part, NOW))
            before = self.count(
                (name, part, BEFORE), values.get((part, BEFORE)), people=given_by(part, BEFORE)
            )
            table_rows.append(
                (label, [now, before, self.change((name, part, "change"), now, before)])
            )
        if total:
            for when in (NOW, BEFORE):
                self.count(
                    (name, "total", when),
                    sum(values.get((p, when)) or 0 for _, p in rows),
                    people=given_by("total", when),
                )
                self.group([(name, p, when) for _, p in rows], (name, "total", when))
            keys = [(name, "total", NOW), (name, "total", BEFORE)]
            table_rows.append((total, [*keys, self.change((name, "total", "change"), *keys)]))
        return table_rows

    def section(self, key: str, tables: list[Table], symbol: str = "£") -> Section:
        sheet = suppress(Sheet(cells=self.cells, groups=self.groups, derived=self.derived))
        return Section(
            key=key,
            title=SECTIONS[key],
            period=self.period,
            before=self.before,
            sheet=sheet,
            styles=self.styles,
            tables=tables,
            symbol=symbol,
        )


def _in(period: Period, field_name: str) -> Q:
    first, after = period.bounds()
    return Q(**{f"{field_name}__gte": first, f"{field_name}__lt": after})


def _on(period: Period, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": period.start, f"{field_name}__lte": period.end})


def _both(b: Builder, field_name: str, dates: bool = False) -> dict:
    within = _on if dates else _in
    return {NOW: within(b.period, field_name), BEFORE: within(b.before, field_name)}


def _compare_columns(b: Builder) -> list[str]:
    return ["This period", "The period before", "Change"]


# People


def people(ids: list[int], b: Builder) -> Section:
    when = _both(b, "joined_at")
    roles = Membership.objects.filter(programme__in=ids)
    joined = roles.aggregate(
        **{
            f"{role}_{w}": Count("id", filter=Q(role=role) & q)
            for role in (Role.MENTOR, Role.MENTEE)
            for w, q in when.items()
        }
    )
    complete = {}
    for model, role in ((MentorProfile, Role.MENTOR), (MenteeProfile, Role.MENTEE)):
        scoped = model.objects.filter(
            user__memberships__programme__in=ids, user__memberships__role=role
        )
        figures = scoped.aggregate(
            **{w: Count("id", distinct=True, filter=q) for w, q in _both(b, "completed_at").items()}
        )
        complete |= {(role, w): figures[w] for w in (NOW, BEFORE)}
    live = Match.objects.filter(
        programme=OuterRef("programme"),
        mentee=OuterRef("person"),
        status__in=[Match.Status.ACTIVE, Match.Status.PAUSED],
    )
    current = Membership.objects.current().filter(programme__in=ids)
    now_state = current.aggregate(
        mentors=Count("id", filter=Q(role=Role.MENTOR)),
        paused=Count(
            "id", filter=Q(role=Role.MENTOR, person__mentorprofile__paused_at__isnull=False)
        ),
        mentees=Count("id", filter=Q(role=Role.MENTEE)),
    )
    waiting = current.filter(role=Role.MENTEE).exclude(Exists(live)).count()
    latest = MatchingRound.objects.filter(
        programme=OuterRef("programme"), status=MatchingRound.Status.FINISHED, kind="round"
    ).order_by("-created_at")
    causes = MatchingRound.objects.filter(
        programme__in=ids, pk=Subquery(latest.values("pk")[:1])
    ).values_list("stats__unmatched_by_cause", flat=True)
    # The matching engine's own names for why a mentee was left unmatched.
    why = dict.fromkeys([CAUSE_NO_CANDIDATES, CAUSE_NO_GOOD_FIT, CAUSE_NEEDED_ELSEWHERE], 0)
    for counts in causes:  # one row per programme: its latest round's own totals
        for cause, n in (counts or {}).items():
            if cause in why:
                why[cause] += int(n)

    values = {
        (role, w): joined[f"{role}_{w}"]
        for role in (Role.MENTOR, Role.MENTEE)
        for w in (NOW, BEFORE)
    }
    joined_rows = b.compare_rows(
        "joined", [("Mentors", Role.MENTOR), ("Mentees", Role.MENTEE)], values, total="Everyone"
    )
    complete_rows = b.compare_rows(
        "complete",
        [("Mentors", Role.MENTOR), ("Mentees", Role.MENTEE)],
        complete,
        total="Everyone",
    )
    now_rows = [
        ("Mentors in the programme", [b.count("mentors", now_state["mentors"])]),
        ("Mentors taking a break", [b.count("paused", now_state["paused"])]),
        ("Mentees in the programme", [b.count("mentees", now_state["mentees"])]),
        ("Mentees waiting for a match", [b.count("waiting", waiting)]),
    ]
    cause_rows = [
        (
            "No mentor met the programme's rules for them",
            [b.count("no_candidates", why[CAUSE_NO_CANDIDATES])],
        ),
        ("No mentor was a good enough fit", [b.count("no_good_fit", why[CAUSE_NO_GOOD_FIT])]),
        (
            "Suitable mentors were needed for others",
            [b.count("needed_elsewhere", why[CAUSE_NEEDED_ELSEWHERE])],
        ),
    ]
    b.count("unmatched", sum(why.values()))
    b.group(["no_candidates", "no_good_fit", "needed_elsewhere"], "unmatched")
    cause_rows.append(("Left unmatched in the latest round", ["unmatched"]))
    columns = _compare_columns(b)
    return b.section(
        "people",
        [
            Table(
                "joined",
                "Who joined",
                columns,
                joined_rows,
                "Role",
                chart={"kind": "bar", "series": [("This period", 0), ("Before", 1)]},
            ),
            Table(
                "complete",
                "Profiles completed",
                columns,
                complete_rows,
                "Role",
                note="A profile counts in the period it was first completed.",
            ),
            Table("now", "Today", ["Number"], now_rows, "Who"),
            Table(
                "unmatched",
                "Why mentees were left unmatched",
                ["Mentees"],
                cause_rows,
                "Reason",
                note="From each programme's latest matching round.",
            ),
        ],
    )


# Matching


PROPOSAL_OUTCOMES = [
    ("Waiting for a coordinator", Q(status=Proposal.Status.PROPOSED)),
    ("Approved, waiting for answers", Q(status=Proposal.Status.APPROVED)),
    ("Rejected by a coordinator", Q(status=Proposal.Status.REJECTED)),
    ("Accepted by both", Q(status=Proposal.Status.ACCEPTED)),
    ("Declined", Q(status=Proposal.Status.DECLINED)),
]
DECLINED_BY = [
    ("Declined by the mentor", Q(mentor_answer="declined") & ~Q(mentee_answer="declined")),
    ("Declined by the mentee", Q(mentee_answer="declined") & ~Q(mentor_answer="declined")),
    ("Declined by both", Q(mentor_answer="declined", mentee_answer="declined")),
]


def _median_and_p90(queryset, value: str) -> tuple[float | None, float | None, int]:
    """The median and 90th percentile of `value`, picked by the database (ORDER BY with
    OFFSET), so no rows come back to Python but the two or three that are needed."""
    n = queryset.count()
    ordered = queryset.order_by(value).values_list(value, flat=True)
    # Asked even when there is nothing, so the page's query count never depends on data.
    middle = list(ordered[max(n - 1, 0) // 2 : n // 2 + 1])
    last = list(ordered[min(max(n - 1, 0), int(0.9 * max(n - 1, 0) + 0.5)) :][:1])
    if not n:
        return None, None, 0
    return sum(_days(x) for x in middle) / len(middle), _days(last[0]), n


def _days(value) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return float(value)


def matching(ids: list[int], b: Builder) -> Section:
    proposals = Proposal.objects.filter(round__programme__in=ids)
    outcomes = proposals.aggregate(
        **{
            f"{i}_{w}": Count("id", filter=q & outcome)
            for i, (_, outcome) in enumerate(PROPOSAL_OUTCOMES + DECLINED_BY)
            for w, q in _both(b, "created_at").items()
        }
    )
    rounds = MatchingRound.objects.filter(
        programme__in=ids, status=MatchingRound.Status.FINISHED, kind="round"
    ).aggregate(**{w: Count("id", filter=q) for w, q in _both(b, "created_at").items()})
    waits = {}
    for w, period in ((NOW, b.period), (BEFORE, b.before)):
        started = Match.objects.filter(
            _in(period, "started_at"),
            programme__in=ids,
            mentee__menteeprofile__completed_at__isnull=False,
            mentee__menteeprofile__completed_at__lte=F("started_at"),
        ).annotate(
            wait=ExpressionWrapper(
                F("started_at") - F("mentee__menteeprofile__completed_at"),
                output_field=DurationField(),
            )
        )
        waits[w] = _median_and_p90(started, "wait")
    live = Match.objects.filter(
        mentor=OuterRef("person"),
        programme__in=ids,
        status__in=[Match.Status.ACTIVE, Match.Status.PAUSED],
    )
    loads = (
        Membership.objects.current()
        .filter(programme__in=ids, role=Role.MENTOR)
        .annotate(
            load=Coalesce(
                Subquery(live.values("mentor").annotate(n=Count("id")).values("n")[:1]),
                0,
            )
        )
        .values("load")
        .annotate(mentors=Count("id"))
    )
    buckets = {"0": 0, "1": 0, "2": 0, "3": 0, "4 or more": 0}
    for row in loads:  # one row per distinct load, a handful at most
        buckets["4 or more" if row["load"] >= 4 else str(row["load"])] += row["mentors"]

    values = {}
    labels = PROPOSAL_OUTCOMES + DECLINED_BY
    for i in range(len(labels)):
        for w in (NOW, BEFORE):
            values[(str(i), w)] = outcomes[f"{i}_{w}"]
    outcome_rows = b.compare_rows(
        "proposals",
        [(label, str(i)) for i, (label, _) in enumerate(PROPOSAL_OUTCOMES)],
        values,
        total="Proposals made",
    )
    decline_rows = b.compare_rows(
        "declines",
        [(label, str(i + len(PROPOSAL_OUTCOMES))) for i, (label, _) in enumerate(DECLINED_BY)],
        values,
    )
    # The three ways of declining add up to the "Declined" row of the table above.
    declined = str(len(PROPOSAL_OUTCOMES) - 1)
    for w in (NOW, BEFORE):
        b.group(
            [("declines", str(i + len(PROPOSAL_OUTCOMES)), w) for i in range(len(DECLINED_BY))],
            ("proposals", declined, w),
        )
    b.count(("rounds", NOW), rounds[NOW])
    b.count(("rounds", BEFORE), rounds[BEFORE])
    round_row = (
        "Matching rounds run",
        [
            ("rounds", NOW),
            ("rounds", BEFORE),
            b.change(("rounds", "change"), ("rounds", NOW), ("rounds", BEFORE)),
        ],
    )
    wait_rows = []
    for label, index, style in (("Median", 0, "days"), ("90 in 100 matched within", 1, "days")):
        keys = [
            b.measure(("wait", index, w), waits[w][index], people=waits[w][2], style=style)
            for w in (NOW, BEFORE)
        ]
        wait_rows.append((label, [*keys, b.change(("wait", index, "change"), *keys)]))
    load_rows = [
        (f"{name} {'match' if name == '1' else 'matches'}", [b.count(("load", name), n)])
        for name, n in buckets.items()
    ]
    b.count("mentors_total", sum(buckets.values()))
    b.group([("load", name) for name in buckets], "mentors_total")
    load_rows.append(("All mentors", ["mentors_total"]))
    columns = _compare_columns(b)
    return b.section(
        "matching",
        [
            Table(
                "proposals",
                "Proposals and what became of them",
                columns,
                [round_row, *outcome_rows],
                "Proposals",
                note="Proposals made in the period, by what happened to them since.",
            ),
            Table(
                "declines",
                "Who declined",
                columns,
                decline_rows,
                "Declined by",
                note="Written reasons stay with coordinators: they could identify people.",
            ),
            Table(
                "wait",
                "Days from a complete profile to a match",
                columns,
                wait_rows,
                "Days",
                note="For mentees matched in the period. Shown only for 8 or more mentees.",
            ),
            Table(
                "load",
                "Mentors by number of current matches",
                ["Mentors"],
                load_rows,
                "Current matches",
                chart={"kind": "bar", "series": [("Mentors", 0)]},
            ),
        ],
    )


# Mentoring


def mentoring(ids: list[int], b: Builder) -> Section:
    matches = Match.objects.filter(programme__in=ids)
    states = matches.aggregate(
        active=Count("id", filter=Q(status=Match.Status.ACTIVE)),
        paused=Count("id", filter=Q(status=Match.Status.PAUSED)),
        closed=Count("id", filter=Q(status=Match.Status.CLOSED)),
        **{f"started_{w}": Count("id", filter=q) for w, q in _both(b, "started_at").items()},
        **{f"ended_{w}": Count("id", filter=q) for w, q in _both(b, "ended_at").items()},
    )
    # Answers, with how many different people gave them (a mentor may end several matches).
    reasons = ClosingSurvey.objects.filter(match__programme__in=ids).aggregate(
        **{
            f"{reason}_{w}": Count("id", filter=q & Q(reason=reason))
            for reason in ClosingSurvey.Reason.values
            for w, q in _both(b, "created_at").items()
        },
        **{
            f"people_{reason}_{w}": Count("person", distinct=True, filter=q & Q(reason=reason))
            for reason in ClosingSurvey.Reason.values
            for w, q in _both(b, "created_at").items()
        },
        **{
            f"people_total_{w}": Count("person", distinct=True, filter=q)
            for w, q in _both(b, "created_at").items()
        },
    )
    held = Session.objects.filter(
        match__programme__in=ids,
        status__in=[Session.Status.CONFIRMED, Session.Status.APPROVED],
    )
    months = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row
        for row in held.filter(_in(b.period, "starts_at"))
        .annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(sessions=Count("id"), minutes=Sum("duration_minutes"))
    }
    before = held.filter(_in(b.before, "starts_at")).aggregate(
        sessions=Count("id"), minutes=Sum("duration_minutes")
    )

    b.count("active", states["active"])
    b.count("paused", states["paused"])
    b.count("closed", states["closed"])
    b.count("matches", states["active"] + states["paused"] + states["closed"])
    b.group(["active", "paused", "closed"], "matches")
    state_rows = [
        ("Active", ["active"]),
        ("Paused", ["paused"]),
        ("Ended", ["closed"]),
        ("All matches so far", ["matches"]),
    ]
    flow = b.compare_rows(
        "flow",
        [("Matches started", "started"), ("Matches ended", "ended")],
        {(part, w): states[f"{part}_{w}"] for part in ("started", "ended") for w in (NOW, BEFORE)},
    )
    reason_rows = b.compare_rows(
        "reasons",
        [(label, value) for value, label in ClosingSurvey.Reason.choices],
        {(r, w): reasons[f"{r}_{w}"] for r in ClosingSurvey.Reason.values for w in (NOW, BEFORE)},
        total="All answers",
        people={
            (r, w): reasons[f"people_{r}_{w}"]
            for r in [*ClosingSurvey.Reason.values, "total"]
            for w in (NOW, BEFORE)
        },
    )
    month_rows = []
    total_sessions = 0
    for month in b.months():
        row = months.get(month, {})
        sessions = b.count(("sessions", month), row.get("sessions"))
        hours = b.derived_from(
            ("hours", month),
            Decimal(row.get("minutes") or 0) / 60,
            [sessions],
            "hours",
        )
        total_sessions += row.get("sessions") or 0
        month_rows.append((f"{month:%B %Y}", [sessions, hours]))
    b.count(("sessions", "total"), total_sessions)
    b.group([("sessions", m) for m in b.months()], ("sessions", "total"))
    total_minutes = sum((r.get("minutes") or 0) for r in months.values())
    month_rows.append(
        (
            "The whole period",
            [
                ("sessions", "total"),
                b.derived_from(
                    ("hours", "total"),
                    Decimal(total_minutes) / 60,
                    [("sessions", "total")],
                    "hours",
                ),
            ],
        )
    )
    b.count(("sessions", "before"), before["sessions"])
    b.derived_from(
        ("hours", "before"), Decimal(before["minutes"] or 0) / 60, [("sessions", "before")], "hours"
    )
    month_rows.append((f"Before: {b.before.label}", [("sessions", "before"), ("hours", "before")]))
    return b.section(
        "mentoring",
        [
            Table("matches", "Matches today", ["Matches"], state_rows, "State"),
            Table("flow", "Matches started and ended", _compare_columns(b), flow, "Matches"),
            Table(
                "reasons",
                "Why matches ended",
                _compare_columns(b),
                reason_rows,
                "Reason",
                note="From the survey each person answers when a match ends.",
            ),
            Table(
                "sessions",
                "Sessions and hours each month",
                ["Sessions", "Hours"],
                month_rows,
                "Month",
                chart={"kind": "bar", "series": [("Sessions", 0)]},
                note="Sessions both people confirmed.",
            ),
        ],
    )


# Paid partnership


def _percentiles(histogram: dict[int, int]) -> tuple[float | None, float | None, int]:
    """Median and 90th percentile from counts of each whole number of days: a few hundred
    buckets at most, whatever the number of payments."""
    n = sum(histogram.values())
    if not n:
        return None, None, 0

    def at(position: int) -> int:
        seen = 0
        for days in sorted(histogram):
            seen += histogram[days]
            if seen > position:
                return days
        return max(histogram)

    median = (at((n - 1) // 2) + at(n // 2)) / 2
    return median, float(at(min(n - 1, int(0.9 * (n - 1) + 0.5)))), n


def payments(ids: list[int], b: Builder) -> Section:
    # From the payee rows (one per mentor and run, with the run's totals), not from every
    # ledger line: the same sums from a table a hundred times smaller.
    payees = (
        RunPayee.objects.paid()
        .filter(run__programme__in=ids)
        .filter(run__paid_on__gte=b.before.start, run__paid_on__lte=b.period.end)
    )
    by_month = {
        row["month"]: row
        for row in payees.filter(_on(b.period, "run__paid_on"))
        .annotate(month=TruncMonth("run__paid_on"))
        .values("month")
        .annotate(
            fees=Sum("fees"), expenses=Sum("expenses"), mentors=Count("mentor", distinct=True)
        )
    }
    totals = payees.aggregate(
        **{
            f"{name}_{w}": aggregate(q)
            for w, q in _both(b, "run__paid_on", dates=True).items()
            for name, aggregate in (
                ("fees", lambda q: Sum("fees", filter=q)),
                ("expenses", lambda q: Sum("expenses", filter=q)),
                ("mentors", lambda q: Count("mentor", distinct=True, filter=q)),
            )
        }
    )
    histogram = (
        RunItem.objects.filter(
            status=RunItem.Status.PAID,
            run__programme__in=ids,
            run__paid_on__gte=b.before.start,
            run__paid_on__lte=b.period.end,
            days_to_payment__isnull=False,
        )
        .values("days_to_payment")
        .annotate(
            **{w: Count("id", filter=q) for w, q in _both(b, "run__paid_on", dates=True).items()}
        )
    )
    counts = {NOW: {}, BEFORE: {}}
    for row in histogram:  # one row per whole number of days
        for w in (NOW, BEFORE):
            if row[w]:
                counts[w][row["days_to_payment"]] = row[w]
    days = {w: _percentiles(counts[w]) for w in (NOW, BEFORE)}
    slow = sum(slow_payment_counts(ids).values())

    month_rows = []
    for month in b.months():
        row = by_month.get(month, {})
        mentors = row.get("mentors") or 0
        cells = [
            b.measure(
                ("fees", month), row.get("fees") or Decimal("0.00"), people=mentors, style="money"
            ),
            b.measure(
                ("expenses", month),
                row.get("expenses") or Decimal("0.00"),
                people=mentors,
                style="money",
            ),
            b.count(("mentors", month), mentors),
        ]
        month_rows.append((f"{month:%B %Y}", cells))
    total_rows = []
    for label, name, style in (
        ("Fees paid to experts by experience", "fees", "money"),
        ("Expenses paid back (not income)", "expenses", "money"),
    ):
        keys = [
            b.measure(
                (name, w),
                totals[f"{name}_{w}"] or Decimal("0.00"),
                people=totals[f"mentors_{w}"],
                style=style,
            )
            for w in (NOW, BEFORE)
        ]
        total_rows.append((label, [*keys, b.change((name, "change"), *keys)]))
    mentors = [b.count(("mentors", w), totals[f"mentors_{w}"]) for w in (NOW, BEFORE)]
    total_rows.append(("Mentors paid", [*mentors, b.change(("mentors", "change"), *mentors)]))
    day_rows = []
    for label, index in (
        ("Median days from session to payment", 0),
        ("90 in 100 paid within (days)", 1),
    ):
        keys = [
            b.measure(
                ("days", index, w), days[w][index], people=totals[f"mentors_{w}"], style="days"
            )
            for w in (NOW, BEFORE)
        ]
        day_rows.append((label, [*keys, b.change(("days", index, "change"), *keys)]))
    day_rows.append(
        (
            "Payments waiting longer than the programme allows, today",
            [b.count("slow", slow), None, None],
        )
    )
    activity_table = _activities(ids, b)
    return b.section(
        "payments",
        [
            Table(
                "totals",
                "Paid to experts by experience",
                _compare_columns(b),
                total_rows,
                "What",
                note="By the day each payment was made. Expenses are not income.",
            ),
            Table(
                "months",
                "Paid each month",
                ["Fees", "Expenses (not income)", "Mentors paid"],
                month_rows,
                "Month",
                chart={"kind": "bar", "series": [("Fees", 0), ("Expenses", 1)], "money": True},
            ),
            Table(
                "promptness", "How quickly mentors are paid", _compare_columns(b), day_rows, "Days"
            ),
            activity_table,
        ],
    )


def _activities(ids: list[int], b: Builder) -> Table:
    """Hours and fees for paid activities, by kind, over the period (by the day of the
    activity). Kinds a coordinator named themselves are counted together as "something
    else": a name of their own could point to one person."""
    lines = LedgerLine.objects.filter(programme__in=ids, activity_place__isnull=False).filter(
        _on(b.period, "earned_on")
    )
    figures = {
        "fees": Sum("amount"),
        "minutes": Sum("minutes", filter=Q(kind__in=ACTIVITY_KINDS)),
        "places": Count("activity_place", distinct=True, filter=Q(kind="activity")),
        "people": Count("mentor", distinct=True),
    }
    by_kind = {
        row["activity_place__activity__kind"]: row
        for row in lines.values("activity_place__activity__kind").annotate(**figures)
    }
    total = lines.aggregate(**figures)
    rows = []
    places, hours, fees = [], [], []
    for kind, label in ActivityKind.choices:
        row = by_kind.get(kind, {})
        people = row.get("people") or 0
        cells = [
            b.count(("activity_places", kind), row.get("places") or 0, people=people),
            b.measure(
                ("activity_hours", kind),
                Decimal(row.get("minutes") or 0) / 60,
                people=people,
                style="hours",
            ),
            b.measure(
                ("activity_fees", kind),
                row.get("fees") or Decimal("0.00"),
                people=people,
                style="money",
            ),
            b.count(("activity_people", kind), people),
        ]
        places.append(cells[0])
        hours.append(cells[1])
        fees.append(cells[2])
        rows.append(("Something else" if kind == ActivityKind.OTHER else label, cells))
    # The totals: places are an additive group of counts; hours and fees are worked out
    # from the kinds, so they are hidden whenever a kind's are (else total minus the
    # others would give a hidden one away).
    total_places = b.count(
        ("activity_places", "total"), total["places"] or 0, people=total["people"] or 0
    )
    b.group(places, total_places)
    total_cells = [
        total_places,
        b.derived_from(
            ("activity_hours", "total"), Decimal(total["minutes"] or 0) / 60, hours, "hours"
        ),
        b.derived_from(("activity_fees", "total"), total["fees"] or Decimal("0.00"), fees, "money"),
        b.count(("activity_people", "total"), total["people"] or 0),
    ]
    rows.append(("All paid activities", total_cells))
    return Table(
        "activities",
        "Paid activities beyond mentoring",
        ["Places attended", "Hours paid", "Fees", "People paid"],
        rows,
        "Kind of activity",
        note="By the day of each activity, this period. Hours include paid preparation time.",
    )


# What people say


SCORE_LABELS = {
    "useful": "The session was useful",
    "listened_to": "I felt listened to and respected",
    "plain_language": "We used plain language",
    "equal_partner": "I felt an equal partner (mentors)",
    "expertise_valued": "My expertise was valued (mentors)",
    "paid_fairly": "I am paid fairly and on time (mentors)",
}
PRINCIPLE_LABELS = {
    "equality": "Equality",
    "diversity": "Diversity",
    "accessibility": "Accessibility",
    "reciprocity": "Reciprocity",
}


def voice(ids: list[int], b: Builder) -> Section:
    questions = FEEDBACK_QUESTIONS + SessionFeedback.MENTOR_QUESTIONS
    # Both periods only, found through the (programme, created_at) index.
    since, until = b.before.bounds()[0], b.period.bounds()[1]
    feedback = SessionFeedback.objects.filter(
        programme__in=ids, created_at__gte=since, created_at__lt=until
    )
    when = _both(b, "created_at")
    # Month by month for the trend, as ranges in the same pass as the period figures: one
    # scan of the answers for the averages and one for the people, not four.
    months = b.months()
    zone = timezone.get_current_timezone()
    month_q = {}
    for index, month in enumerate(months):
        following = (month + timedelta(days=32)).replace(day=1)
        month_q[f"m{index}"] = Q(
            created_at__gte=datetime.combine(month, time.min, tzinfo=zone),
            created_at__lt=datetime.combine(following, time.min, tzinfo=zone),
        )
    scores = _by(
        feedback.values("role").annotate(
            **{f"{name}_{w}": Avg(name, filter=q) for name in questions for w, q in when.items()},
            **{f"useful_{m}": Avg("useful", filter=q) for m, q in month_q.items()},
        ),
        ["role"],
    )
    _add_people(scores, feedback, ["role"], {**when, **month_q})
    trend = {
        (month, role): {
            "score": row.get(f"useful_m{index}"),
            "people": row.get(f"people_m{index}"),
        }
        for (role,), row in scores.items()
        for index, month in enumerate(months)
    }
    checks = CoproductionCheck.objects.filter(
        programme__in=ids, created_at__gte=since, created_at__lt=until
    )
    # The rungs counted in the same pass as the principles' averages, per role.
    rung_counts = {
        f"{rung}_{w}": Count("id", filter=q & Q(rung=rung))
        for rung in LadderRung.values
        for w, q in when.items()
    }
    principles = _by(
        checks.values("role").annotate(
            **{f"{name}_{w}": Avg(name, filter=q) for name in PRINCIPLES for w, q in when.items()},
            **rung_counts,
        ),
        ["role"],
    )
    _add_people(principles, checks, ["role"], when)
    # How many different people chose each rung: one person's checks are one person's.
    rung_people: dict = {}
    _add_people(rung_people, checks, ["role", "rung"], when)
    principles = {role: row for (role,), row in principles.items()}
    scores = {role: row for (role,), row in scores.items()}
    own_rows = _own_question_rows(ids, b, since, until)
    concerns = Concern.objects.filter(match__programme__in=ids).aggregate(
        **{w: Count("id", filter=q) for w, q in when.items()},
        **{f"people_{w}": Count("raised_by", distinct=True, filter=q) for w, q in when.items()},
    )

    def score_rows(source, names, labels):
        rows = []
        for name in names:
            cells = []
            for role in (Role.MENTOR, Role.MENTEE):
                row = source.get(role, {})
                if role == Role.MENTEE and name in SessionFeedback.MENTOR_QUESTIONS:
                    cells += [None, None]
                    continue
                for w in (NOW, BEFORE):
                    cells.append(
                        b.measure(
                            (name, role, w),
                            row.get(f"{name}_{w}"),
                            people=row.get(f"people_{w}") or 0,
                            style="score",
                        )
                    )
            rows.append((labels[name], cells))
        return rows

    role_columns = ["Mentors now", "Mentors before", "Mentees now", "Mentees before"]
    trend_rows = []
    for month in b.months():
        cells = []
        for role in (Role.MENTOR, Role.MENTEE):
            row = trend.get((month, role), {})
            cells.append(
                b.measure(
                    ("trend", month, role),
                    row.get("score"),
                    people=row.get("people") or 0,
                    style="score",
                )
            )
        trend_rows.append((f"{month:%B %Y}", cells))
    rung_rows = [(label, []) for _, label in LadderRung.choices] + [("All answers", [])]
    for role in (Role.MENTOR, Role.MENTEE):
        answered = principles.get(role, {})
        for w in (NOW, BEFORE):
            members = [
                b.count(
                    ("rungs", role, rung, w),
                    answered.get(f"{rung}_{w}"),
                    people=rung_people.get((role, rung), {}).get(f"people_{w}", 0),
                )
                for rung in LadderRung.values
            ]
            total = b.count(
                ("rungs", role, "total", w),
                sum(b.cells[key].value for key in members),
                people=answered.get(f"people_{w}", 0),
            )
            b.group(members, total)
            for (_, cells), key in zip(rung_rows, [*members, total], strict=True):
                cells.append(key)
    concern_keys = [
        b.count(("concerns", w), concerns[w], people=concerns[f"people_{w}"]) for w in (NOW, BEFORE)
    ]
    concern_rows = [
        ("Concerns raised", [*concern_keys, b.change(("concerns", "change"), *concern_keys)])
    ]
    themes = _theme_rows(ids, b, since, until)
    return b.section(
        "voice",
        [
            Table(
                "feedback",
                "Feedback after sessions: average ratings out of 5",
                role_columns,
                score_rows(scores, questions, SCORE_LABELS),
                "Question",
                note="Mentors and mentees side by side. Each average is shown only when 8 or "
                "more people answered.",
            ),
            Table(
                "trend",
                "“The session was useful”, month by month",
                ["Mentors", "Mentees"],
                trend_rows,
                "Month",
                chart={"kind": "line", "series": [("Mentors", 0), ("Mentees", 1)], "y_max": 5},
            ),
            Table(
                "principles",
                "Co-production principles: average ratings out of 5",
                role_columns,
                score_rows(principles, PRINCIPLES, PRINCIPLE_LABELS),
                "Principle",
            ),
            Table(
                "ladder",
                "The ladder of co-production: how it felt",
                role_columns,
                rung_rows,
                "Rung",
                note="How many answers chose each rung, mentors and mentees side by side. "
                "A count is shown only when 8 or more people gave those answers.",
            ),
            *(
                [
                    Table(
                        "own_questions",
                        "The programme's own questions: average ratings out of 5",
                        role_columns,
                        own_rows,
                        "Question",
                        note="The sentences the programme added to its feedback and its "
                        "co-production check. Each average is shown only when 8 or more "
                        "people answered.",
                    )
                ]
                if own_rows
                else []
            ),
            Table(
                "concerns",
                "Concerns",
                _compare_columns(b),
                concern_rows,
                "",
                note="A count only: what a concern says stays with coordinators.",
            ),
            Table(
                "themes",
                "What comments were about",
                [
                    "Comments this period",
                    "People this period",
                    "Comments the period before",
                    "People the period before",
                ],
                themes,
                "Theme",
                note="Comments people wrote with their feedback and their co-production "
                "checks, sorted by the words they use. We count them; we never show them. "
                "One comment can be about more than one theme. A count is shown only when 8 "
                "or more people wrote those comments.",
                about=[(theme.name, theme.about) for theme in THEMES],
            ),
        ],
    )


def _own_question_rows(ids: list[int], b: Builder, since, until) -> list[tuple[str, list]]:
    """The programmes' own questions (mentoring.questions): each one's average rating from
    mentors and from mentees, now and before, under the one suppression rule. Two queries
    for the answers and one for the questions, however many questions there are."""
    asked = list(
        ProgrammeQuestion.objects.filter(programme__in=ids)
        .select_related("programme")
        .order_by("asks_in", "added_at", "id")
    )
    if not asked:
        return []
    # An answer's side, person and time are those of the feedback or check it came with.
    answers = (
        ProgrammeAnswer.objects.filter(question__programme__in=ids)
        .annotate(
            asked=F("question_id"),
            role=Coalesce("feedback__role", "coproduction_check__role"),
            person=Coalesce("feedback__person", "coproduction_check__person"),
            given_at=Coalesce("feedback__created_at", "coproduction_check__created_at"),
        )
        .filter(given_at__gte=since, given_at__lt=until)
    )
    when = _both(b, "given_at")
    averages = _by(
        answers.values("asked", "role").annotate(
            **{f"value_{w}": Avg("value", filter=q) for w, q in when.items()}
        ),
        ["asked", "role"],
    )
    _add_people(averages, answers, ["asked", "role"], when)
    rows = []
    for question in asked:
        answered = averages.keys() & {(question.pk, Role.MENTOR), (question.pk, Role.MENTEE)}
        if question.retired_at is not None and not answered:
            continue  # retired before either period: nothing to say about it here
        cells = []
        for role in (Role.MENTOR, Role.MENTEE):
            if question.who not in (ProgrammeQuestion.Who.BOTH, role):
                cells += [None, None]
                continue
            row = averages.get((question.pk, role), {})
            for w in (NOW, BEFORE):
                cells.append(
                    b.measure(
                        ("own", question.pk, role, w),
                        row.get(f"value_{w}"),
                        people=row.get(f"people_{w}") or 0,
                        style="score",
                    )
                )
        where = "check" if question.asks_in == ProgrammeQuestion.AsksIn.CHECK else "feedback"
        # Over several programmes, two may ask the same words: each row names its own.
        if len(ids) > 1:
            where = f"{where}, {question.programme.name}"
        rows.append((f"{question.text} ({where})", cells))
    return rows


def _theme_rows(ids: list[int], b: Builder, since, until) -> list:
    """For each theme, how many comments of each period mention it and how many different
    people wrote them. The comments of both periods come in one query (feedback and checks
    together) and are matched in Python, never a query per theme: whole-word matching in SQL
    would need a regular expression, and PostgreSQL's and SQLite's (which has none of its
    own) differ, so the same comment could count on one and not the other. Only the count
    leaves this function; the text stays here."""
    now_from, now_until = b.period.bounds()

    def written(model):
        return (
            model.objects.filter(programme__in=ids, created_at__gte=since, created_at__lt=until)
            .exclude(comments="")
            .order_by()
            .values_list("created_at", "person_id", "comments")
        )

    comments = written(SessionFeedback).union(written(CoproductionCheck), all=True)
    counted = count_themes(
        (NOW if now_from <= at < now_until else BEFORE, person, text)
        for at, person, text in comments.iterator(chunk_size=2000)
    )
    rows = []
    for theme in THEMES:
        cells = []
        for w in (NOW, BEFORE):
            found = counted.get((theme.key, w), {"comments": 0, "people": 0})
            people = b.count(("themes", theme.key, "people", w), found["people"])
            cells += [
                b.count(
                    ("themes", theme.key, "comments", w),
                    found["comments"],
                    people=found["people"],
                ),
                people,
            ]
        rows.append((theme.name, cells))
    return rows


def _by(rows, keys: list[str]) -> dict[tuple, dict]:
    return {tuple(row[k] for k in keys): dict(row) for row in rows}


def _add_people(rows: dict, queryset, keys: list[str], when: dict[str, Q]) -> None:
    """Add `people_<period>` (or `people`) to each row: how many different people answered.
    The database groups the answers by person first and then counts the groups, which is
    several times quicker than COUNT(DISTINCT person) on hundreds of thousands of rows."""
    inner = queryset.values(*keys, "person").annotate(
        **{f"n_{w or 'all'}": Count("id", filter=q) for w, q in when.items()}
    )
    sql, params = inner.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = [quote(k) for k in keys]
    counts = ", ".join(
        f"SUM(CASE WHEN {quote('n_' + (w or 'all'))} > 0 THEN 1 ELSE 0 END)"  # language: quoted
        for w in when
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)}, {counts} FROM ({sql}) AS answers "  # noqa: S608
            f"GROUP BY {', '.join(columns)}",
            params,
        )
        found = cursor.fetchall()
    for record in found:
        key = tuple(record[: len(keys)])
        row = rows.setdefault(key, {})
        for w, n in zip(when, record[len(keys) :], strict=True):
            row[f"people_{w}" if w else "people"] = int(n or 0)


BUILDERS = {
    "people": people,
    "matching": matching,
    "mentoring": mentoring,
    "payments": payments,
    "voice": voice,
}


def section_for(key: str, ids: list[int], period: Period, before: Period) -> Section:
    """A section's figures, suppressed, from the cache when asked for again soon."""
    scope = hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()[:16]
    cache_key = f"statistics:{key}:{period.start}:{period.end}:{before.start}:{scope}"
    section = cache.get(cache_key)
    if section is None:
        with transaction.atomic(), _parallel():
            section = BUILDERS[key](sorted(ids), Builder(period, before))
        cache.set(cache_key, section, CACHE_SECONDS)
    return section


@contextmanager
def _parallel():
    """On PostgreSQL, let these few large aggregates use parallel workers, for this
    transaction only: they read hundreds of thousands of rows, and the planner's default
    costs keep such queries on one core. Nothing else changes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('parallel_setup_cost', '100', true),"
                " set_config('parallel_tuple_cost', '0.01', true),"
                " set_config('min_parallel_table_scan_size', '1MB', true),"
                " set_config('work_mem', '32MB', true)"
            )
    yield


def shown(section: Section, key) -> str:
    """A figure as the page, the CSV file and the JSON show it: "c" when suppressed."""
    if key is None:
        return ""
    cell = section.sheet.cells[key]
    if not cell.shown:
        return SUPPRESSED
    if cell.value is None:
        return "none"
    style = section.styles[key]
    value = cell.value
    if style.startswith("change-"):
        base = style.removeprefix("change-")
        text = _plain(abs(value), base, section.symbol)
        return "no change" if value == 0 else f"{'+' if value > 0 else '-'}{text}"
    return _plain(value, style, section.symbol)


def _plain(value, style: str, symbol: str) -> str:
    if style == "money":
        return money(Decimal(value), symbol)
    if style == "score":
        return f"{float(value):.1f}"
    if style in ("days", "hours"):
        return f"{float(value):,.1f}".removesuffix(".0")
    return f"{int(value):,}"


def chart_value(section: Section, key):
    """The number a chart draws, or None where the table shows "c" or nothing."""
    if key is None:
        return None
    cell = section.sheet.cells[key]
    return cell.value if cell.shown and cell.value is not None else None
