"""When something fails: nothing saved is lost or stuck when the broker, Redis or a worker
fails, and nobody sees an error page for an action that was saved.

These run everywhere (no broker needed): an outage is a Redis address where nothing
answers. tests/test_outages_broker.py does the same with a real broker stopped and a real
worker killed."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from background.models import UnsentTask
from background.services import sweep
from config.celery import app
from config.errors import service_unavailable
from matching import engine, services
from matching.models import MatchingRound, Proposal
from matching.selectors import round_instance
from programmes.services import application_admit
from tests.factories import ApplicationFactory, UserFactory, round_with_data, sign_in
from tests.outages_support import broker_at, redis_at_closed_port
from tests.project import our_apps


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def round_left(world, *, status: str, minutes_ago: int) -> MatchingRound:
    """A round as a dead worker (running) or a lost message (waiting) leaves it."""
    when = timezone.now() - timedelta(minutes=minutes_ago)
    matching_round = round_with_data(
        world.programme,
        snapshot=round_instance(world.programme),
        started_by=world.coordinator,
        status=status,
        started_at=when if status == MatchingRound.Status.RUNNING else None,
    )
    MatchingRound.objects.filter(pk=matching_round.pk).update(created_at=when)
    return matching_round


# ---------------------------------------------------------------------------------------------
# The broker is down.


@pytest.mark.django_db(transaction=True)
def test_it_answers_a_normal_page_when_a_round_is_started_while_the_broker_is_down(world, client):
    sign_in(client, world.coordinator)

    with broker_at(redis_at_closed_port()):
        response = client.post(reverse("matching:coordinator_rounds", args=["north"]))
        matching_round = MatchingRound.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "matching:coordinator_round_detail", args=["north", matching_round.pk]
        )
        html = page(client, response["Location"])

    assert "Waiting to start" in html
    assert "It starts by itself as soon as the service can run it." in html
    unsent = UnsentTask.objects.get()
    assert (unsent.task, unsent.args) == ("matching.run_round", [matching_round.pk])

    # Without a broker (tasks in-process) the sweep runs it at once.
    sweep()
    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.FINISHED


@pytest.mark.django_db
def test_starting_again_sends_a_round_whose_message_was_lost(
    world, login_as, django_capture_on_commit_callbacks
):
    # Waiting for ten minutes with nothing running it: its message never reached a worker.
    lost = round_left(world, status=MatchingRound.Status.QUEUED, minutes_ago=10)

    with django_capture_on_commit_callbacks(execute=True):
        response = login_as("coordinator").post(
            reverse("matching:coordinator_rounds", args=["north"])
        )

    assert response["Location"] == reverse(
        "matching:coordinator_round_detail", args=["north", lost.pk]
    )
    lost.refresh_from_db()
    assert lost.status == MatchingRound.Status.FINISHED


# ---------------------------------------------------------------------------------------------
# A worker died.


@pytest.mark.django_db
def test_a_round_left_running_by_a_dead_worker_no_longer_blocks_a_new_one(world, login_as):
    stuck = round_left(world, status=MatchingRound.Status.RUNNING, minutes_ago=120)
    client = login_as("coordinator")

    response = client.post(reverse("matching:coordinator_rounds", args=["north"]))

    new = MatchingRound.objects.exclude(pk=stuck.pk).get()
    assert response["Location"] == reverse(
        "matching:coordinator_round_detail", args=["north", new.pk]
    )
    stuck.refresh_from_db()
    assert stuck.status == MatchingRound.Status.FAILED
    html = page(client, reverse("matching:coordinator_round_detail", args=["north", stuck.pk]))
    assert "stopped before it finished" in html


# ---------------------------------------------------------------------------------------------
# Redis is down.


@pytest.mark.django_db
def test_it_asks_people_to_try_again_when_redis_is_down_as_they_sign_in(world, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_at_closed_port(),
        }
    }

    response = client.post(
        reverse("account_login"), {"login": world.mentor.email, "password": "anything-at-all"}
    )

    assert response.status_code == 503
    html = response.content.decode()
    assert "Please try again in a few minutes" in html
    assert "Traceback" not in html and "ConnectionError" not in html


# ---------------------------------------------------------------------------------------------
# The sweep.


@pytest.mark.django_db
def test_the_sweep_fails_a_round_running_past_its_deadline_and_the_pages_offer_to_start_again(
    world, login_as, settings
):
    settings.MATCHING_ROUND_DEADLINE_MINUTES = 30
    stuck = round_left(world, status=MatchingRound.Status.RUNNING, minutes_ago=31)
    other = round_left(world, status=MatchingRound.Status.RUNNING, minutes_ago=29)
    MatchingRound.objects.filter(pk=other.pk).update(programme=world.other_programme)

    assert sweep()["rounds failed past their deadline"] == 1

    stuck.refresh_from_db()
    other.refresh_from_db()
    assert stuck.status == MatchingRound.Status.FAILED
    assert stuck.error == (
        "It stopped before it finished. It was still running after 30 minutes, so the "
        "computer solving it had probably stopped working. Nobody was proposed."
    )
    assert other.status == MatchingRound.Status.RUNNING, "still within its deadline"
    client = login_as("coordinator")
    detail = page(client, reverse("matching:coordinator_round_detail", args=["north", stuck.pk]))
    assert "This round could not be solved: It stopped before it finished." in detail
    assert f'action="{reverse("matching:coordinator_rounds", args=["north"])}"' in detail
    assert "Start again</button>" in detail
    rounds = page(client, reverse("matching:coordinator_rounds", args=["north"]))
    assert f"Round {stuck.pk} could not be solved: It stopped before it finished." in rounds
    assert "Start again</button>" in rounds


@pytest.mark.django_db
def test_the_sweep_sends_again_a_round_waiting_with_nothing_running_it(
    world, django_capture_on_commit_callbacks
):
    lost = round_left(world, status=MatchingRound.Status.QUEUED, minutes_ago=6)
    just_started = round_left(world, status=MatchingRound.Status.QUEUED, minutes_ago=1)
    MatchingRound.objects.filter(pk=just_started.pk).update(programme=world.other_programme)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["waiting rounds sent again"] == 1

    lost.refresh_from_db()
    just_started.refresh_from_db()
    assert lost.status == MatchingRound.Status.FINISHED  # tasks run in-process here
    assert lost.proposals.get().mentee == world.mentee
    assert just_started.status == MatchingRound.Status.QUEUED, "its message may be on its way"


@pytest.mark.django_db
def test_the_sweep_gives_up_on_a_round_waiting_more_than_a_day(world):
    old = round_left(world, status=MatchingRound.Status.QUEUED, minutes_ago=25 * 60)

    done = sweep()

    old.refresh_from_db()
    assert old.status == MatchingRound.Status.FAILED
    assert old.error.startswith("It waited more than a day to start")
    assert done["waiting rounds sent again"] == 0
    assert services.round_start(programme=world.programme, by=world.coordinator) != old


@pytest.mark.django_db
def test_a_round_that_finishes_after_the_sweep_failed_it_proposes_nobody(world, monkeypatch):
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)
    solve = engine.solve

    def slow(snapshot, **kwargs):
        # The worker is still solving when the sweep decides it is dead.
        sweep(now=timezone.now() + timedelta(hours=1))
        return solve(snapshot, **kwargs)

    monkeypatch.setattr(engine, "solve", slow)

    assert services.round_run(round_id=matching_round.pk) is None

    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.FAILED
    assert matching_round.error.startswith("It stopped before it finished")
    assert matching_round.result_read() is None
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_a_round_whose_answer_cannot_be_stored_is_failed_not_left_running(world, monkeypatch):
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)

    def broken(*args, **kwargs):
        raise IntegrityError("a mentee left while the round was solved")

    monkeypatch.setattr(services, "rows_add", broken)  # how the proposals are written
    with pytest.raises(IntegrityError):
        services.round_run(round_id=matching_round.pk)

    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.FAILED
    assert "Something went wrong" in matching_round.error


# ---------------------------------------------------------------------------------------------
# Tasks the broker did not take.


@pytest.mark.django_db
def test_it_records_a_task_the_broker_did_not_take_and_the_sweep_sends_it(
    django_capture_on_commit_callbacks, mailoutbox
):
    application = ApplicationFactory(person=UserFactory(display_name="Kim"))

    with broker_at(redis_at_closed_port()), django_capture_on_commit_callbacks(execute=True):
        application_admit(application=application, by=UserFactory())

    application.refresh_from_db()
    assert application.status == "admitted", "the decision is saved"
    unsent = UnsentTask.objects.get()
    assert (unsent.task, unsent.args) == ("mentoring.send_application_decision", [application.pk])
    assert "Connection refused" in unsent.error
    assert mailoutbox == []

    # The task makes the applicant's notification, emailed once that commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["unsent tasks sent"] == 1
    assert [message.to for message in mailoutbox] == [[application.person.email]]
    assert not UnsentTask.objects.exists()
    assert sweep()["unsent tasks sent"] == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_sweep_keeps_what_it_could_not_send_while_the_broker_is_still_down():
    first = UnsentTask.objects.create(task="mentoring.ping", args=["one"])
    second = UnsentTask.objects.create(task="mentoring.ping", args=["two"])

    with broker_at(redis_at_closed_port()):
        assert sweep()["unsent tasks sent"] == 0

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.attempts == 2 and "Connection refused" in first.error
    assert second.attempts == 1, "it stops at the first: the broker is down for all of them"
    assert sweep()["unsent tasks sent"] == 2
    assert not UnsentTask.objects.exists()


@pytest.mark.django_db
def test_it_leaves_a_task_unsent_for_two_days_to_a_person():
    old = UnsentTask.objects.create(
        task="mentoring.ping", args=["old"], created_at=timezone.now() - timedelta(days=3)
    )

    assert sweep()["unsent tasks sent"] == 0
    assert UnsentTask.objects.get() == old


@pytest.mark.django_db
def test_a_task_failing_in_process_never_fails_the_action_that_was_saved(
    django_capture_on_commit_callbacks, monkeypatch
):
    # Without a broker, tasks run in the request once it commits: a mail server that is
    # down must not turn a saved decision into an error page.
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    application = ApplicationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        application_admit(application=application, by=UserFactory())

    application.refresh_from_db()
    assert application.status == "admitted"
    # The decision's task made the applicant's notification; its email task is the one
    # that failed, and is kept for the sweep.
    assert UnsentTask.objects.get().task == "notifications.send_email"


def test_every_service_queues_its_tasks_through_the_one_helper():
    """Every task is queued with background.services.enqueue, which never fails a saved
    action and records what the broker did not take. A bare .delay() or on_commit() would
    bring the 500 back."""
    root = Path(__file__).resolve().parent.parent
    bare = re.compile(r"\.delay\(|\.apply_async\(|on_commit\(|\.send_task\(")
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        # background/services.py is that helper: the one place allowed to hand work over.
        for app in sorted(our_apps() - {"background"})
        for path in sorted((root / app).rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if bare.search(line)
    ]
    assert found == []


def test_beat_runs_the_sweep_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-work"]
    assert entry == {"task": "background.sweep", "schedule": 300}
    app.loader.import_default_modules()  # as a worker does when it starts
    assert "background.sweep" in app.tasks


@pytest.mark.django_db
def test_the_sweep_can_be_run_by_hand(world):
    round_left(world, status=MatchingRound.Status.RUNNING, minutes_ago=600)
    out = StringIO()

    call_command("sweep", stdout=out)

    assert "rounds failed past their deadline: 1" in out.getvalue()
    assert "unsent tasks sent: 0" in out.getvalue()


# ---------------------------------------------------------------------------------------------
# The "please try again" page.


@pytest.mark.django_db
def test_the_please_try_again_page_needs_no_database(django_assert_num_queries, rf):
    with django_assert_num_queries(0):
        response = service_unavailable(rf.get("/"))

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "<h1>Sorry, the service is not available right now</h1>" in html
    assert "Anything you saved before this happened is safe." in html
    assert 'lang="en-GB"' in html and 'href="#main"' in html


@pytest.mark.django_db
def test_it_still_answers_an_error_for_anything_that_is_not_an_outage(world, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr("matching.views.services.round_start", broken)
    sign_in(client, world.coordinator)

    with pytest.raises(RuntimeError):
        client.post(reverse("matching:coordinator_rounds", args=["north"]))
