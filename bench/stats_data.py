"""Two years of National Pilot history, in bulk, for bench/stats.py.

Runs after `seed_demo --people 20000`, on PostgreSQL only: every table is filled with COPY
and ids chosen here (the sequences are moved past them at the end), so about two million rows
take a minute or two. Nothing goes through the services and nothing is audited or emailed:
the services are for correctness, this is volume. The rows still respect every constraint
(the database checks them on COPY), and `created_at` and the like are set to when things
happened, which bulk_create's auto_now_add would overwrite.

Shape, drawn from one seeded generator: 24 monthly matching rounds; about 12,000 matches
(70 % active, 10 % paused, 20 % closed, with closing surveys), started over the last two
years; about 200,000 approved sessions spread over each match's life, 45 to 90 minutes with
0 to 30 minutes of preparation; feedback on about 60 % of sessions from each side; a
co-production check each quarter of a match from most people and at closing; a session and a
preparation ledger line for every session, about 5 % of sessions with an approved expense;
monthly payment runs paying most lines older than three weeks; a few hundred concerns.
"""

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql
from secured_fields import EncryptedMixin

SEED = 20261126
MATCHES = 12_000
SESSIONS = 200_000
ROUNDS = 24
DAYS = 730
STATUS_SHARE = {"active": 0.7, "paused": 0.1, "closed": 0.2}
FEEDBACK_SHARE = 0.6
EXPENSE_SHARE = 0.05
CONCERNS = 400
HOURLY_PENCE = 2500
PREPARATION_MINUTES = 30
UNPAID_DAYS = 21
LEFT_UNPAID = 0.02  # of older lines: waiting for a bank detail, say
SCORES = (np.array([5, 4, 3, 2, 1]), np.array([40, 38, 14, 6, 2]) / 100)
QUARTER = timedelta(weeks=13)
LONDON = ZoneInfo("Europe/London")


def _copy(model, fields: list[str], rows, *, when_present: dict | None = None) -> int:
    """COPY rows (tuples in the order of `fields`) into the model's table. `when_present`
    gives constant columns written only if the model has them (copies the services keep,
    such as a row's programme, which the statistics work is adding)."""
    names = {field.name for field in model._meta.concrete_fields}
    extra = {k: v for k, v in (when_present or {}).items() if k in names and k not in fields}
    # Columns added since this file was written get their model default, as a save would
    # give them, so a new NOT NULL column does not break the seed.
    for field in model._meta.concrete_fields:
        if field.name in fields or field.name in extra or field.null or field.primary_key:
            continue
        if (default := field.get_default()) is not None:
            # As the database is sent it (a JSON field's {} as JSON, not a Python dict).
            extra[field.name] = field.get_db_prep_save(default, connection)
    columns = [model._meta.get_field(name).column for name in [*fields, *extra]]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    constant = tuple(extra.values())
    # Encrypted columns (bank details) are written encrypted, as the app would.
    encrypted = [
        (index, field)
        for index, field in enumerate(model._meta.get_field(name) for name in fields)
        if isinstance(field, EncryptedMixin)
    ]
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            if encrypted:
                row = list(row)
                for index, field in encrypted:
                    row[index] = field.get_db_prep_save(row[index], connection)
            copy.write_row((*row, *constant))
            count += 1
    return count


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}")
            .format(sql.Identifier(model._meta.db_table))
            .as_string(cursor.cursor)
        )
        return cursor.fetchone()[0]


def _money(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def _scores(rng, n: int) -> np.ndarray:
    return rng.choice(SCORES[0], size=n, p=SCORES[1])


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(float(seconds), tz=UTC)


def seed_history(*, log=print) -> dict[str, int]:
    from accounts.models import User
    from core.models import Topic
    from matching.models import (
        DEFAULT_WEIGHTS,
        ClosingSurvey,
        Match,
        MatchingRound,
        Proposal,
        RoundData,
    )
    from mentoring.models import Concern, ConcernAction, CoproductionCheck, Session, SessionFeedback
    from payments.models import (
        Expense,
        LedgerLine,
        PaymentPreference,
        PaymentRun,
        RateCard,
        RunItem,
        RunPayee,
    )
    from programmes.models import Membership, Programme

    rng = np.random.default_rng(SEED)
    pyrng = random.Random(SEED)
    programme = Programme.objects.get(slug="national-pilot")
    admin = User.objects.get(email="admin@example.org")
    now = timezone.now()
    now_s = now.timestamp()
    start_s = (now - timedelta(days=DAYS)).timestamp()
    day = 86_400.0
    counts: dict[str, int] = {}

    def role_ids(role: str) -> np.ndarray:
        return np.array(
            Membership.objects.current()
            .filter(programme=programme, role=role)
            .order_by("person_id")
            .values_list("person_id", flat=True)
        )

    mentors, mentees = role_ids("mentor"), role_ids("mentee")
    names = dict(User.objects.filter(pk__in=mentors.tolist()).values_list("pk", "display_name"))
    topics = list(Topic.objects.order_by("pk").values_list("pk", flat=True))
    if len(mentees) < MATCHES:
        raise SystemExit(f"The National Pilot has {len(mentees)} mentees, fewer than {MATCHES}.")

    with transaction.atomic():
        card = RateCard.objects.create(
            programme=programme,
            effective_from=(now - timedelta(days=DAYS + 30)).date(),
            hourly_rate=_money(HOURLY_PENCE),
            preparation_minutes=PREPARATION_MINUTES,
            created_by=admin,
            created_at=now - timedelta(days=DAYS + 30),
        )

        # Matching rounds: one a month. Each makes the matches that start after it.
        round_id0 = _next_id(MatchingRound)
        round_s = start_s + np.arange(ROUNDS) * (DAYS - 20) / ROUNDS * day
        m_round = np.sort(rng.integers(0, ROUNDS, MATCHES))
        m_start = np.minimum(round_s[m_round] + rng.uniform(3, 20, MATCHES) * day, now_s - 2 * day)
        m_mentor = mentors[rng.permutation(MATCHES) % len(mentors)]
        m_mentee = mentees[rng.permutation(len(mentees))[:MATCHES]]
        m_status = rng.choice(list(STATUS_SHARE), size=MATCHES, p=list(STATUS_SHARE.values()))
        # Closed after 2 to 14 months, paused lately: never before the match began.
        m_end = np.full(MATCHES, now_s - day)
        closed = m_status == "closed"
        m_end[closed] = np.minimum(
            m_start[closed] + rng.uniform(60, 420, closed.sum()) * day, now_s - day
        )
        paused = m_status == "paused"
        m_end[paused] = np.maximum(
            now_s - rng.uniform(7, 60, paused.sum()) * day, m_start[paused] + day
        )
        m_end = np.maximum(m_end, m_start + day)

        # Proposals: an accepted one for each match, and others declined or rejected.
        proposal_rows, match_rows = [], []
        proposal_id = _next_id(Proposal)
        match_id0 = _next_id(Match)
        per_round = np.bincount(m_round, minlength=ROUNDS)
        for i in range(MATCHES):
            at = _at(round_s[m_round[i]] + day)
            proposal_rows.append(
                (
                    proposal_id + i,
                    round_id0 + m_round[i],
                    m_mentor[i],
                    m_mentee[i],
                    float(np.round(rng.uniform(2, 9), 4)),
                    "[]",
                    "accepted",
                    admin.pk,
                    at,
                    "",
                    "accepted",
                    "accepted",
                    "",
                    at,
                    at,
                )
            )
            status = str(m_status[i])
            match_rows.append(
                (
                    match_id0 + i,
                    programme.pk,
                    proposal_id + i,
                    m_mentor[i],
                    m_mentee[i],
                    status,
                    _at(m_start[i]),
                    _at(m_end[i]) if status == "paused" else None,
                    "Taking a break for a few weeks." if status == "paused" else "",
                    _at(m_end[i]) if status == "closed" else None,
                )
            )
        others = int(MATCHES * 0.25)
        kinds = rng.choice(["mentor", "mentee", "rejected"], size=others, p=[0.45, 0.35, 0.2])
        o_round = rng.integers(0, ROUNDS, others)
        for k in range(others):
            at = _at(round_s[o_round[k]] + day)
            kind = kinds[k]
            status = "rejected" if kind == "rejected" else "declined"
            proposal_rows.append(
                (
                    proposal_id + MATCHES + k,
                    round_id0 + o_round[k],
                    mentors[rng.integers(len(mentors))],
                    mentees[rng.integers(len(mentees))],
                    float(np.round(rng.uniform(1, 8), 4)),
                    "[]",
                    status,
                    admin.pk,
                    at,
                    "They already know each other." if kind == "rejected" else "",
                    "declined"
                    if kind == "mentor"
                    else ("accepted" if kind == "mentee" else "waiting"),
                    "declined" if kind == "mentee" else "waiting",
                    "" if kind == "rejected" else "The times do not suit me.",
                    None if kind == "rejected" else at,
                    at,
                )
            )
        o_count = np.bincount(o_round, minlength=ROUNDS)
        round_rows, round_results = [], []
        for r in range(ROUNDS):
            unmatched = int(rng.integers(150, 900))
            split = rng.multinomial(unmatched, [0.15, 0.25, 0.6])
            causes = {
                "no_candidates": int(split[0]),
                "no_good_fit": int(split[1]),
                "mentors_needed_elsewhere": int(split[2]),
            }
            proposed = int(per_round[r] + o_count[r])
            result = {
                "pairs": [],
                "unmatched": [],
                "objective": round(proposed * 5.5, 4),
                "stats": {
                    "mentors": len(mentors),
                    "mentees": proposed + unmatched,
                    "matched": proposed,
                    "unmatched": unmatched,
                    # The engine's key (matching/engine/result.py) and the shorter one the
                    # brief for the statistics pages names, so either reading works.
                    "unmatched_by_cause": causes,
                    "causes": {
                        "no_candidates": causes["no_candidates"],
                        "no_good_fit": causes["no_good_fit"],
                        "needed_elsewhere": causes["mentors_needed_elsewhere"],
                    },
                },
            }
            at = _at(round_s[r])
            duration = int(rng.integers(4_000, 40_000))
            round_results.append(result)
            round_rows.append(
                (
                    round_id0 + r,
                    programme.pk,
                    admin.pk,
                    None,
                    "finished",
                    "round",
                    json.dumps(result["stats"]),
                    "{}",
                    "",
                    at,
                    at,
                    at + timedelta(milliseconds=duration),
                    duration,
                )
            )
        counts["rounds"] = _copy(
            MatchingRound,
            [
                "id",
                "programme",
                "started_by",
                "rerun_of",
                "status",
                "kind",
                "stats",
                "labels",
                "error",
                "created_at",
                "started_at",
                "finished_at",
                "duration_ms",
            ],
            round_rows,
        )
        # Each round's input and output, compressed beside it, as the app stores them.
        packed = RoundData._meta.get_field("snapshot")
        _copy(
            RoundData,
            ["round", "snapshot", "result"],
            (
                (
                    row[0],
                    packed.get_prep_value(
                        {"weights": DEFAULT_WEIGHTS, "mentors": [], "mentees": []}
                    ),
                    packed.get_prep_value(result),
                )
                for row, result in zip(round_rows, round_results, strict=True)
            ),
        )
        counts["proposals"] = _copy(
            Proposal,
            [
                "id",
                "round",
                "mentor",
                "mentee",
                "score",
                "reasons",
                "status",
                "reviewed_by",
                "reviewed_at",
                "rejection_reason",
                "mentor_answer",
                "mentee_answer",
                "decline_reason",
                "asked_at",
                "created_at",
            ],
            proposal_rows,
        )
        counts["matches"] = _copy(
            Match,
            [
                "id",
                "programme",
                "proposal",
                "mentor",
                "mentee",
                "status",
                "started_at",
                "paused_at",
                "pause_reason",
                "ended_at",
            ],
            match_rows,
        )
        log(
            f"history: {counts['rounds']} rounds, {counts['proposals']} proposals, "
            f"{counts['matches']} matches"
        )

        # Closing surveys, both people of each closed match.
        reasons = ["goals_reached", "not_a_good_fit", "not_enough_time", "personal", "other"]
        survey_rows = []
        for i in np.flatnonzero(closed).tolist():
            for person in (m_mentor[i], m_mentee[i]):
                survey_rows.append(
                    (
                        match_id0 + i,
                        person,
                        int(_scores(rng, 1)[0]),
                        pyrng.choices(["yes", "no", "not_sure"], [8, 1, 1])[0],
                        pyrng.choices(reasons, [6, 1, 1, 1, 1])[0],
                        "",
                        _at(min(m_end[i] + pyrng.uniform(0, 2) * day, now_s)),
                    )
                )
        counts["closing surveys"] = _copy(
            ClosingSurvey,
            ["match", "person", "rating", "recommend", "reason", "comments", "created_at"],
            survey_rows,
        )

        # Sessions: spread over each match's life, in proportion to its length.
        span = (m_end - m_start) / day
        per_match = rng.poisson(span * SESSIONS / span.sum())
        s_match = np.repeat(np.arange(MATCHES), per_match)
        n = len(s_match)
        s_start = m_start[s_match] + rng.random(n) * (m_end[s_match] - m_start[s_match])
        s_start = np.floor(s_start / 900) * 900  # on the quarter hour
        s_duration = rng.choice([45, 60, 75, 90], size=n, p=[0.2, 0.45, 0.15, 0.2])
        s_preparation = rng.integers(0, 31, n)
        s_mode = rng.choice(["online", "phone", "in_person"], size=n, p=[0.6, 0.15, 0.25])
        s_by_mentor = rng.random(n) < 0.7
        s_confirmed = np.minimum(s_start + rng.uniform(0.1, 2, n) * day, now_s)
        s_approved = np.minimum(s_confirmed + rng.uniform(0.1, 5, n) * day, now_s)
        session_id0 = _next_id(Session)
        s_ids = session_id0 + np.arange(n)
        s_mentor, s_mentee = m_mentor[s_match], m_mentee[s_match]
        s_day = [_at(t).astimezone(LONDON).date() for t in s_start.tolist()]

        def session_rows():
            for k in range(n):
                logger, other = (
                    (s_mentor[k], s_mentee[k]) if s_by_mentor[k] else (s_mentee[k], s_mentor[k])
                )
                yield (
                    int(s_ids[k]),
                    match_id0 + int(s_match[k]),
                    int(logger),
                    _at(s_start[k]),
                    int(s_duration[k]),
                    s_mode[k],
                    int(s_preparation[k]),
                    "",
                    "approved",
                    1,
                    "",
                    int(other),
                    _at(s_confirmed[k]),
                    admin.pk,
                    _at(s_approved[k]),
                    _at(s_start[k] + 3600 * 2),
                )

        counts["sessions"] = _copy(
            Session,
            [
                "id",
                "match",
                "logged_by",
                "starts_at",
                "duration_minutes",
                "meeting_mode",
                "preparation_minutes",
                "note",
                "status",
                "version",
                "dispute_reason",
                "confirmed_by",
                "confirmed_at",
                "approved_by",
                "approved_at",
                "created_at",
            ],
            session_rows(),
        )
        n_topics = rng.integers(1, 3, n)
        topic_rows = (
            (int(s_ids[k]), t) for k in range(n) for t in pyrng.sample(topics, int(n_topics[k]))
        )
        counts["session topics"] = _copy(Session.topics.through, ["session", "topic"], topic_rows)
        log(f"history: {counts['sessions']} sessions")

        # Feedback: about 60 % of sessions from each side; the co-production questions are
        # the mentors' only.
        feedback_rows = []
        for role, people in (("mentor", s_mentor), ("mentee", s_mentee)):
            chosen = np.flatnonzero(rng.random(n) < FEEDBACK_SHARE)
            answers = _scores(rng, (len(chosen), 6))
            given = np.minimum(s_start[chosen] + rng.uniform(2, 48, len(chosen)) * 3600, now_s)
            comment = rng.random(len(chosen)) < 0.1
            for j, k in enumerate(chosen.tolist()):
                extra = tuple(int(a) for a in answers[j, 3:]) if role == "mentor" else (None,) * 3
                feedback_rows.append(
                    (
                        int(s_ids[k]),
                        int(people[k]),
                        role,
                        *map(int, answers[j, :3]),
                        *extra,
                        "It helped to talk it through." if comment[j] else "",
                        _at(given[j]),
                    )
                )
        counts["feedback"] = _copy(
            SessionFeedback,
            [
                "session",
                "person",
                "role",
                "useful",
                "listened_to",
                "plain_language",
                "equal_partner",
                "expertise_valued",
                "paid_fairly",
                "comments",
                "created_at",
            ],
            feedback_rows,
            when_present={"programme": programme.pk},
        )
        del feedback_rows
        log(f"history: {counts['feedback']} feedback")

        # Co-production checks: each quarter of a match, and at closing, from most people.
        check_rows = []
        quarter_s = QUARTER.total_seconds()
        for i in range(MATCHES):
            quarters = int((m_end[i] - m_start[i]) // quarter_s)
            times = [(q, m_start[i] + q * quarter_s) for q in range(1, quarters + 1)]
            if closed[i]:
                times.append((0, m_end[i]))
            for q, when in times:
                for role, person in (("mentor", m_mentor[i]), ("mentee", m_mentee[i])):
                    if pyrng.random() < 0.2:
                        continue
                    a = _scores(rng, 4)
                    check_rows.append(
                        (
                            match_id0 + i,
                            int(person),
                            role,
                            "quarterly" if q else "closing",
                            q,
                            *map(int, a),
                            pyrng.choices(range(3, 8), (1, 2, 3, 6, 5))[0],
                            "",
                            _at(min(when + pyrng.uniform(0, 6) * day, now_s)),
                        )
                    )
        counts["co-production checks"] = _copy(
            CoproductionCheck,
            [
                "match",
                "person",
                "role",
                "occasion",
                "quarter",
                "equality",
                "diversity",
                "accessibility",
                "reciprocity",
                "rung",
                "comments",
                "created_at",
            ],
            check_rows,
            when_present={"programme": programme.pk},
        )

        # Concerns, most dealt with and closed.
        concern_rows, action_rows = [], []
        concern_id0 = _next_id(Concern)
        for c, i in enumerate(rng.choice(MATCHES, CONCERNS, replace=False).tolist()):
            at = _at(m_start[i] + pyrng.random() * (m_end[i] - m_start[i]))
            status = pyrng.choices(["new", "in_progress", "closed"], (1, 2, 7))[0]
            concern_rows.append(
                (
                    concern_id0 + c,
                    match_id0 + i,
                    int(pyrng.choice([m_mentor[i], m_mentee[i]])),
                    pyrng.choice(["wellbeing", "safeguarding"]),
                    "My mentee said the caseload is too much and they are off sick with stress.",
                    status,
                    at,
                    at,
                )
            )
            if status != "new":
                action_rows.append(
                    (
                        concern_id0 + c,
                        admin.pk,
                        "Called them and agreed a plan.",
                        status,
                        at + timedelta(days=2),
                    )
                )
        counts["concerns"] = _copy(
            Concern,
            [
                "id",
                "match",
                "raised_by",
                "kind",
                "what_happened",
                "status",
                "created_at",
                "emailed_at",
            ],
            concern_rows,
        )
        _copy(
            ConcernAction,
            ["concern", "coordinator", "note", "new_status", "created_at"],
            action_rows,
        )

        # How each mentor is paid: bank transfer for most.
        methods, accounts = {}, {}
        preference_rows = []
        for mentor in mentors.tolist():
            method = "bank" if pyrng.random() < 0.9 else "voucher"
            methods[mentor] = method
            bank = method == "bank"
            accounts[mentor] = (
                (f"{pyrng.randrange(10**6):06d}", f"{pyrng.randrange(10**8):08d}")
                if bank
                else ("", "")
            )
            preference_rows.append(
                (
                    mentor,
                    method,
                    names[mentor][:70] if bank else "",
                    *accounts[mentor],
                    "",
                    "",
                    _at(start_s - 7 * day),
                )
            )
        _copy(
            PaymentPreference,
            [
                "mentor",
                "method",
                "account_name",
                "sort_code",
                "account_number",
                "charity_name",
                "charity_number",
                "chosen_at",
            ],
            preference_rows,
        )

        # The ledger: a session and a preparation line for every session, and expenses.
        line_id0 = _next_id(LedgerLine)
        session_pence = (HOURLY_PENCE * s_duration + 30) // 60
        preparation_pence = HOURLY_PENCE * PREPARATION_MINUTES // 60
        lines = []  # (line id, mentor, earned_on, pence, is_fee) for the payment runs

        def line_rows():
            line_id = line_id0
            for k in range(n):
                mentor, on, approved = int(s_mentor[k]), s_day[k], _at(s_approved[k])
                for kind, minutes, pence, text in (
                    ("session", int(s_duration[k]), int(session_pence[k]), "Session"),
                    ("preparation", PREPARATION_MINUTES, preparation_pence, "Preparation"),
                ):
                    lines.append((line_id, mentor, on, pence, True))
                    yield (
                        line_id,
                        programme.pk,
                        mentor,
                        kind,
                        "fee",
                        int(s_ids[k]),
                        None,
                        card.pk,
                        minutes,
                        _money(HOURLY_PENCE),
                        _money(pence),
                        "GBP",
                        on,
                        f"{text} on {on:%d %b %Y}, {minutes} minutes",
                        "",
                        approved,
                    )
                    line_id += 1

        fields = [
            "id",
            "programme",
            "mentor",
            "kind",
            "category",
            "session",
            "expense",
            "rate_card",
            "minutes",
            "rate",
            "amount",
            "currency",
            "earned_on",
            "description",
            "reason",
            "created_at",
        ]
        counts["fee lines"] = _copy(LedgerLine, fields, line_rows())

        expense_id0 = _next_id(Expense)
        chosen = np.flatnonzero(rng.random(n) < EXPENSE_SHARE)
        expense_rows, expense_lines = [], []
        line_id = line_id0 + counts["fee lines"]
        for e, k in enumerate(chosen.tolist()):
            mentor, on, approved = int(s_mentor[k]), s_day[k], _at(s_approved[k])
            if pyrng.random() < 0.6:
                miles = pyrng.randint(3, 40)
                kind, pence, miles_text = "mileage", miles * 45, f"{miles}.0"
                what = f"Driving to the session, {miles} miles"
            else:
                kind, pence, miles_text = "fare", pyrng.randint(250, 2500), None
                what = "Bus fare to the session"
            expense_rows.append(
                (
                    expense_id0 + e,
                    programme.pk,
                    mentor,
                    int(s_ids[k]),
                    kind,
                    on,
                    what,
                    miles_text,
                    _money(pence),
                    "GBP",
                    "",
                    "",
                    "approved",
                    admin.pk,
                    approved,
                    "",
                    approved,
                )
            )
            expense_lines.append(
                (
                    line_id,
                    programme.pk,
                    mentor,
                    "expense",
                    "expense",
                    None,
                    expense_id0 + e,
                    None,
                    None,
                    None,
                    _money(pence),
                    "GBP",
                    on,
                    what,
                    "",
                    approved,
                )
            )
            lines.append((line_id, mentor, on, pence, False))
            line_id += 1
        counts["expenses"] = _copy(
            Expense,
            [
                "id",
                "programme",
                "mentor",
                "session",
                "kind",
                "spent_on",
                "description",
                "miles",
                "amount",
                "currency",
                "receipt",
                "receipt_type",
                "status",
                "decided_by",
                "decided_at",
                "decision_reason",
                "created_at",
            ],
            expense_rows,
        )
        counts["expense lines"] = _copy(LedgerLine, fields, expense_lines)
        log(f"history: {counts['fee lines'] + counts['expense lines']} ledger lines")

        # Monthly payment runs: a run early each month pays what was earned the month before,
        # up to three weeks ago; a few older lines wait (a missing bank detail, say).
        today = timezone.localdate(now)
        cutoff = today - timedelta(days=UNPAID_DAYS)
        by_month: dict[date, dict[int, list]] = {}
        for line in lines:
            on = line[2]
            if on >= cutoff.replace(day=1) or pyrng.random() < LEFT_UNPAID:
                continue
            by_month.setdefault(on.replace(day=1), {}).setdefault(line[1], []).append(line)
        run_id0, payee_id0 = _next_id(PaymentRun), _next_id(RunPayee)
        number0 = (
            PaymentRun.objects.filter(programme=programme)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        )
        run_rows, payee_rows, item_rows = [], [], []
        payee_id = payee_id0
        for r, month in enumerate(sorted(by_month)):
            following = (month + timedelta(days=32)).replace(day=1)
            made = datetime.combine(following.replace(day=1), time(10, 0), tzinfo=LONDON)
            paid_on = following.replace(day=4)
            number = number0 + r + 1
            run_rows.append(
                (
                    run_id0 + r,
                    programme.pk,
                    number,
                    "paid",
                    "GBP",
                    admin.pk,
                    made,
                    paid_on,
                    admin.pk,
                )
            )
            for mentor, mentor_lines in by_month[month].items():
                fees = sum(pence for *_, pence, fee in mentor_lines if fee)
                expenses = sum(pence for *_, pence, fee in mentor_lines if not fee)
                payee_rows.append(
                    (
                        payee_id,
                        run_id0 + r,
                        mentor,
                        methods[mentor],
                        f"NATIONAL-PI-{number:04d}",
                        names[mentor],
                        *accounts[mentor],
                        "",
                        _money(fees),
                        _money(expenses),
                        _money(fees + expenses),
                        "paid",
                        "",
                    )
                )
                for line_id, _, on, _, _ in mentor_lines:
                    item_rows.append((run_id0 + r, payee_id, line_id, "paid", (paid_on - on).days))
                payee_id += 1
        counts["payment runs"] = _copy(
            PaymentRun,
            [
                "id",
                "programme",
                "number",
                "status",
                "currency",
                "created_by",
                "created_at",
                "paid_on",
                "paid_by",
            ],
            run_rows,
        )
        counts["run payees"] = _copy(
            RunPayee,
            [
                "id",
                "run",
                "mentor",
                "method",
                "reference",
                "payee_name",
                "sort_code",
                "account_number",
                "charity_number",
                "fees",
                "expenses",
                "total",
                "status",
                "failed_reason",
            ],
            payee_rows,
        )
        counts["run items"] = _copy(
            RunItem, ["run", "payee", "line", "status", "days_to_payment"], item_rows
        )
        log(f"history: {counts['payment runs']} payment runs, {counts['run items']} run items")

        models = [
            MatchingRound,
            Proposal,
            Match,
            ClosingSurvey,
            Session,
            Session.topics.through,
            SessionFeedback,
            CoproductionCheck,
            Concern,
            ConcernAction,
            PaymentPreference,
            LedgerLine,
            Expense,
            PaymentRun,
            RunPayee,
            RunItem,
        ]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)

        # Lists the services keep in step with the ledger, worked out again from the rows
        # loaded here past the services. (Looked up by name: the statistics work is moving.)
        from payments import services as payment_services

        rebuild = getattr(payment_services, "waiting_lines_rebuild", None)
        if rebuild is not None:
            counts["waiting lines"] = rebuild()
    # Fresh statistics for the planner, as autovacuum would gather on a live database.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts
