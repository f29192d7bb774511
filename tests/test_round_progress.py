"""A round says where it is while a worker runs it: reading profiles, finding pairs (with how
many mentees are done), solving, saving proposals. Each stage is a short update of the
round's row of its own, outside the transactions that read and store the round, so the
round's page can read it meanwhile. The page shows it in plain words, in a polite live
region that a small script keeps up to date from a JSON address; without JavaScript, a
"Check again" link opens a small page that says the same."""

import json

import pytest
from django.db import transaction
from django.urls import reverse

from matching import engine, services
from matching.models import MatchingRound
from matching.selectors import round_progress
from tests.factories import UserFactory, complete_mentee_profile, round_with_data

Stage = MatchingRound.Stage


def in_a_transaction() -> bool:
    """Whether a transaction of our code is open (the test's own blocks do not count)."""
    blocks = transaction.get_connection().atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def row(round_id) -> tuple:
    current = MatchingRound.objects.get(pk=round_id)
    return current.status, current.stage, current.stage_done, current.stage_total


@pytest.fixture
def more_mentees(world):
    """A few more mentees, so finding pairs has more than one to count."""
    from programmes.models import Membership

    for number in range(4):
        person = UserFactory(display_name=f"Mentee {number}")
        Membership.objects.create(programme=world.programme, person=person, role="mentee")
        complete_mentee_profile(person)
    return world


def test_it_says_each_stage_on_the_round_as_it_goes_outside_its_transactions(
    more_mentees, monkeypatch
):
    world = more_mentees
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)
    seen = []  # (what, the row's status and stage as a page would read it, in a transaction)
    stage_written = services._round_stage
    read_profiles = services.round_instance
    solve = engine.solve

    def write_stage(round_id, stage, **counts):
        stage_written(round_id, stage, **counts)
        seen.append(("stage", row(round_id), in_a_transaction()))

    def read(programme):
        seen.append(("reading", row(matching_round.pk), None))
        return read_profiles(programme)

    def solving(snapshot, **kwargs):
        seen.append(("solving", row(matching_round.pk), None))
        return solve(snapshot, **kwargs)

    monkeypatch.setattr(services, "_round_stage", write_stage)
    monkeypatch.setattr(services, "round_instance", read)
    monkeypatch.setattr(engine, "solve", solving)
    monkeypatch.setattr(services._StageTold, "EVERY_SECONDS", 0)

    services.round_run(round_id=matching_round.pk)

    running = MatchingRound.Status.RUNNING
    assert seen == [
        ("reading", (running, Stage.READING, None, None), None),
        ("stage", (running, Stage.PAIRING, None, None), False),
        ("solving", (running, Stage.PAIRING, None, None), None),
        ("stage", (running, Stage.PAIRING, 0, 5), False),
        ("stage", (running, Stage.PAIRING, 5, 5), False),
        ("stage", (running, Stage.SOLVING, None, None), False),
        ("stage", (running, Stage.SAVING, None, 1), False),
    ]
    assert row(matching_round.pk) == (MatchingRound.Status.FINISHED, "", None, None)


def test_it_writes_how_far_finding_pairs_has_got_at_most_once_a_second(world, monkeypatch):
    written = []
    monkeypatch.setattr(
        services, "_round_stage", lambda round_id, stage, **counts: written.append(counts)
    )
    told = services._StageTold(round_id=1)

    for done in range(0, 1000, 10):
        told(engine.STAGE_CANDIDATES, done, 1000)

    assert written == [{"done": 0, "total": 1000}]


def test_it_puts_where_a_round_is_in_plain_words(world):
    matching_round = MatchingRound.objects.create(programme=world.programme)

    def words(**fields):
        for name, value in fields.items():
            setattr(matching_round, name, value)
        return round_progress(matching_round)["words"]

    assert words().startswith("Waiting to start.")
    assert words(status="running", stage="") == "Starting."
    assert (
        words(stage=Stage.READING) == "Step 1 of 4: reading the profiles of everyone taking part."
    )
    assert words(stage=Stage.PAIRING) == "Step 2 of 4: finding pairs that fit."
    assert words(stage_done=12_000, stage_total=60_000) == (
        "Step 2 of 4: finding pairs that fit. 12,000 of 60,000 mentees looked at so far."
    )
    assert words(stage=Stage.SOLVING, stats={"mentors": 20_000, "mentees": 60_000}) == (
        "Step 3 of 4: choosing the best pairs for 60,000 mentees."
    )
    assert words(stage=Stage.SAVING, stage_done=None, stage_total=21_539) == (
        "Step 4 of 4: saving the suggested pairs (21,539)."
    )
    assert words(status="finished", stats={"matched": 1}) == "Finished. 1 pair suggested."
    assert words(status="failed", error="It stopped.") == (
        "This round could not be solved: It stopped."
    )


def running_round(world) -> MatchingRound:
    return round_with_data(
        world.programme,
        snapshot={"mentors": [], "mentees": []},
        started_by=world.coordinator,
        status=MatchingRound.Status.RUNNING,
        stage=Stage.PAIRING,
        stage_done=3,
        stage_total=8,
        stats={"mentors": 2, "mentees": 8},
    )


def test_it_shows_the_stage_on_the_round_page_with_a_way_to_check_again(world, login_as):
    matching_round = running_round(world)
    client = login_as("coordinator")
    progress = reverse("matching:coordinator_round_progress", args=["north", matching_round.pk])

    html = client.get(
        reverse("matching:coordinator_round_detail", args=["north", matching_round.pk])
    ).content.decode()

    assert 'role="status"' in html
    assert "Step 2 of 4: finding pairs that fit. 3 of 8 mentees looked at so far." in html
    assert f'data-round-progress="{progress}?format=json"' in html
    assert f'<a href="{progress}">Check again' in html
    assert "round-progress.js" in html
    assert "http-equiv" not in html  # no page-wide refresh


def test_it_answers_the_progress_as_a_small_page_without_javascript(world, login_as):
    matching_round = running_round(world)
    client = login_as("coordinator")
    url = reverse("matching:coordinator_round_progress", args=["north", matching_round.pk])

    html = client.get(url).content.decode()

    assert "3 of 8 mentees looked at so far" in html
    assert f'<a href="{url}">Check again' in html
    MatchingRound.objects.filter(pk=matching_round.pk).update(
        status=MatchingRound.Status.FINISHED, stage="", stats={"matched": 2}
    )
    html = client.get(url).content.decode()
    assert "Finished. 2 pairs suggested." in html
    detail = reverse("matching:coordinator_round_detail", args=["north", matching_round.pk])
    assert f'<a href="{detail}">Show round {matching_round.pk}</a>' in html
    assert "data-round-progress-again hidden" in html


def test_it_answers_the_progress_as_json_for_the_script(world, login_as):
    matching_round = running_round(world)
    client = login_as("coordinator")
    url = reverse("matching:coordinator_round_progress", args=["north", matching_round.pk])

    response = client.get(url, {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "status": "running",
        "status_label": "Running",
        "stage": "pairing",
        "stage_label": "Finding pairs",
        "done": 3,
        "total": 8,
        "words": "Step 2 of 4: finding pairs that fit. 3 of 8 mentees looked at so far.",
        "working": True,
    }
    assert client.get(url, {"format": "xml"})["Content-Type"].startswith("text/html")


def test_it_reads_only_the_rounds_own_row_for_the_progress(
    world, login_as, django_assert_max_num_queries
):
    matching_round = running_round(world)
    client = login_as("coordinator")
    url = reverse("matching:coordinator_round_progress", args=["north", matching_round.pk])
    client.get(url, {"format": "json"})

    with django_assert_max_num_queries(12) as queries:
        client.get(url, {"format": "json"})

    assert not [q for q in queries.captured_queries if "rounddata" in q["sql"]]
