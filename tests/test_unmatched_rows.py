"""A round's unmatched mentees are rows of their own (UnmatchedMentee), written with the
round's answer, so the page that lists them reads a count per group and a page of rows and
never the round's stored output, which at national scale is tens of megabytes. Rounds stored
before keep their page: matching 0009 copies every entry of every output into rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import selectors, services
from matching.models import MatchingRound, UnmatchedMentee
from tests.factories import round_with_data


def entry(number: int, code: str, **fields) -> dict:
    return {"mentee": str(100_000 + number), "reasons": [{"code": code, **fields}]}


def entries(count: int) -> list[dict]:
    kinds = [
        ("ruled_out", {"rule": "language", "mentors": 3, "of": 4}),
        ("needed_elsewhere", {"mentors": 2}),
        ("no_good_fit", {"mentors": 1}),
    ]
    return [entry(n, *kinds[n % 3][:1], **kinds[n % 3][1]) for n in range(count)]


def finished_round(programme, unmatched: list[dict]) -> MatchingRound:
    return round_with_data(
        programme,
        status=MatchingRound.Status.FINISHED,
        snapshot={"mentors": [], "mentees": []},
        result={"pairs": [], "unmatched": unmatched, "stats": {}},
    )


def test_the_page_reads_rows_never_the_stored_output(world, login_as, monkeypatch):
    monkeypatch.setattr(MatchingRound, "result_read", None)
    client = login_as("coordinator")
    queries = {}
    for count in (3, 600):
        matching_round = finished_round(world.programme, entries(count))
        url = reverse("matching:coordinator_round_unmatched", args=["north", matching_round.pk])

        with CaptureQueriesContext(connection) as captured:
            page = client.get(url, {"reason": "needed_elsewhere", "page": "last"})

        assert page.status_code == 200
        assert "matching_rounddata" not in " ".join(q["sql"] for q in captured.captured_queries)
        assert f"{count} mentees were left without a suggested pair" in page.content.decode()
        assert [g["count"] for g in selectors.unmatched_groups(matching_round)] == [
            -(-count // 3),
            -(-(count - 1) // 3),
            -(-(count - 2) // 3),
        ]
        queries[count] = len(captured.captured_queries)
    assert queries[3] == queries[600], "the page's queries grow with the round"


def test_a_round_stores_its_unmatched_mentees_with_their_groups(world):
    matching_round = MatchingRound.objects.create(
        programme=world.programme, status=MatchingRound.Status.FINISHED
    )
    services.unmatched_store(
        matching_round.pk,
        [
            entry(1, "ruled_out", rule="availability", mentors=2, of=2),
            entry(2, "no_mentors"),
            {"mentee": "7", "reasons": ["An old sentence."]},
        ],
    )

    rows = list(matching_round.unmatched.values_list("mentee", "group"))
    assert rows == [
        ("100001", "ruled_out-availability"),
        ("100002", "no_mentors"),
        ("7", "other"),
    ]


BEFORE = ("matching", "0008_round_snapshot_result_dropped")
AFTER = ("matching", "0009_unmatched_mentee")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "matching"]
    return MigrationExecutor(connection).loader.project_state([*leaves, target]).apps


@pytest.fixture
def migrate(transactional_db):
    yield _migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_upgrading_copies_every_stored_rounds_unmatched_mentees(migrate):
    apps = migrate(BEFORE)
    organisation = apps.get_model("programmes", "Organisation").objects.create(
        name="Org", slug="org"
    )
    programme = apps.get_model("programmes", "Programme").objects.create(
        organisation=organisation, name="North", slug="north"
    )
    rounds = apps.get_model("matching", "MatchingRound")
    data = apps.get_model("matching", "RoundData")
    stored = entries(7) + [{"mentee": "8", "reasons": "not a list"}]
    solved = rounds.objects.create(programme=programme, status="finished")
    data.objects.create(round=solved, snapshot={}, result={"pairs": [], "unmatched": stored})
    unsolved = rounds.objects.create(programme=programme, status="running")
    data.objects.create(round=unsolved, snapshot={}, result=None)

    migrate(AFTER)

    copied = list(
        UnmatchedMentee.objects.filter(round_id=solved.pk).values("mentee", "group", "reasons")
    )
    assert [row["mentee"] for row in copied] == [e["mentee"] for e in stored]
    assert [row["group"] for row in copied[:3]] == [
        "ruled_out-language",
        "needed_elsewhere",
        "no_good_fit",
    ]
    assert copied[-1]["group"] == "other"
    assert copied[0]["reasons"] == stored[0]["reasons"]
    assert not UnmatchedMentee.objects.filter(round_id=unsolved.pk).exists()
