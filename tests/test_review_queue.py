"""The review queue: a round's suggested pairs a page at a time, with filters, a search, the
main reason of each pair and the rest on demand; the mentees left without a match, grouped by
why; and approving a page, or every strong pair, in the background."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, MenteeProfile, MentorProfile, User
from core.choices import Role
from core.models import Language
from matching import engine, services, tasks
from matching.models import ApprovalBatch, Match, MatchingRound, Proposal
from matching.selectors import (
    FITS,
    REVIEW_PAGE_SIZE,
    best_score,
    fit_filter,
    fit_of,
    reason_words,
    unmatched_groups,
)
from programmes.models import Membership
from tests import hostile
from tests.factories import (
    MembershipFactory,
    UserFactory,
    complete_mentee_profile,
    complete_mentor_profile,
    round_with_data,
    sign_in,
)

# The weights a round is solved with by default: a pair can score at most 8.
WEIGHTS = {
    "goals": 3,
    "experience": 2,
    "availability": 1,
    "region": 1,
    "waiting": 1,
    "load_spread": 0.5,
}
STRONG, GOOD, WEAKER = 6.0, 4.0, 1.0
REASONS = [
    {"code": "goals", "topics": ["bias"], "of": 1},
    {"code": "languages", "languages": ["en"]},
    {"code": "times", "slots": ["tue-eve"]},
]


def a_round(programme, *, unmatched=(), created_at=None) -> MatchingRound:
    """A finished round, solved with the default weights, to hang proposals on."""
    stats = {"mentors_with_room": 1, "mentees": 1, "unmatched": len(unmatched)}
    matching_round = round_with_data(
        programme,
        status=MatchingRound.Status.FINISHED,
        weights=WEIGHTS,
        stats=stats,
        snapshot={"weights": WEIGHTS, "labels": {}, "mentors": [], "mentees": []},
        result={"pairs": [], "unmatched": list(unmatched), "stats": stats},
    )
    if created_at:
        MatchingRound.objects.filter(pk=matching_round.pk).update(created_at=created_at)
        matching_round.refresh_from_db()
    return matching_round


def person(programme, role, name) -> User:
    user = UserFactory(display_name=name, email=f"{name.lower().replace(' ', '.')}@example.test")
    MembershipFactory(programme=programme, person=user, role=role)
    return user


def pairs(matching_round, count, *, mentor, score=GOOD, status="proposed", name="Mentee"):
    """`count` proposals of `mentor` with new mentees, named "<name> 0", "<name> 1", ..."""
    mentees = User.objects.bulk_create(
        User(email=f"{name.lower()}{n}@example.test", display_name=f"{name} {n}")
        for n in range(count)
    )
    return Proposal.objects.bulk_create(
        Proposal(
            round=matching_round,
            mentor=mentor,
            mentee=mentee,
            score=score,
            reasons=REASONS,
            status=status,
        )
        for mentee in mentees
    )


def queue(client, matching_round, **query):
    url = reverse(
        "matching:coordinator_round_detail", args=[matching_round.programme.slug, matching_round.pk]
    )
    response = client.get(url, query)
    assert response.status_code == 200, response.status_code
    return response


def rows_of(response) -> list[Proposal]:
    return response.context["proposals"]


def mentees_of(response) -> list[str]:
    return [p.mentee.display_name for p in rows_of(response)]


# ---------------------------------------------------------------------------------------------
# Pages and filters.


def test_it_shows_fifty_pairs_a_page_and_falls_back_for_pages_out_of_range(world, login_as):
    matching_round = a_round(world.programme)
    pairs(matching_round, 120, mentor=world.mentor)
    client = login_as("coordinator")

    first = queue(client, matching_round)
    third = queue(client, matching_round, page=3)

    assert len(rows_of(first)) == REVIEW_PAGE_SIZE
    assert "Showing pairs 1 to 50 of 120" in first.content.decode()
    assert "Page 1 of 3" in first.content.decode()
    assert len(rows_of(third)) == 20
    for page, shown in [("abc", 1), ("0", 3), ("-1", 3), ("999999", 3), ("9" * 40, 3), ("", 1)]:
        assert queue(client, matching_round, page=page).context["page"].number == shown, page


def test_it_filters_by_status_fit_and_name(world, login_as):
    matching_round = a_round(world.programme)
    pairs(matching_round, 3, mentor=world.mentor, score=STRONG, name="Strong")
    pairs(matching_round, 2, mentor=world.mentor, score=WEAKER, name="Weak")
    pairs(matching_round, 4, mentor=world.mentor, score=WEAKER, status="approved", name="Done")
    client = login_as("coordinator")

    waiting = queue(client, matching_round, status="proposed")
    weaker_waiting = queue(client, matching_round, status="proposed", fit="weaker")
    strong = queue(client, matching_round, fit="strong")
    by_name = queue(client, matching_round, q="weak 1")
    by_mentor = queue(client, matching_round, q="SAM")

    assert len(rows_of(waiting)) == 5
    assert sorted(mentees_of(weaker_waiting)) == ["Weak 0", "Weak 1"]
    assert sorted(mentees_of(strong)) == ["Strong 0", "Strong 1", "Strong 2"]
    assert mentees_of(by_name) == ["Weak 1"]
    assert len(rows_of(by_mentor)) == 9
    assert "Strong fit" in strong.content.decode()
    assert "Weaker fit" in weaker_waiting.content.decode()


def test_it_keeps_the_filters_when_paging_and_sorting(world, login_as):
    matching_round = a_round(world.programme)
    pairs(matching_round, 60, mentor=world.mentor, score=WEAKER)
    client = login_as("coordinator")

    html = queue(client, matching_round, fit="weaker", sort="mentee").content.decode()

    assert "?fit=weaker&amp;sort=mentee&amp;page=2" in html
    assert "?fit=weaker&amp;sort=mentor" in html


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense", "fit": "best", "look": "everything", "sort": "height"},
        {"q": "x" * 500},
        {"q": "a\x00b"},
        {"page": "１"},
        {"page": "1e3"},
        *({"q": value} for value in hostile.TEXT + hostile.UNICODE),
        *({"status": value, "page": value} for value in hostile.UNKNOWN_IDS),
    ],
)
def test_it_answers_any_query_string_with_a_page(world, login_as, query):
    matching_round = a_round(world.programme)
    pairs(matching_round, 3, mentor=world.mentor)

    response = queue(login_as("coordinator"), matching_round, **query)

    html = response.content.decode()
    for marker in hostile.XSS_MARKERS:
        assert marker not in html


def test_it_says_which_filters_it_did_not_recognise(world, login_as):
    matching_round = a_round(world.programme)
    pairs(matching_round, 3, mentor=world.mentor)

    response = queue(login_as("coordinator"), matching_round, status="nonsense", fit="strong")

    assert "We did not recognise what was asked for in Status" in response.content.decode()
    assert len(rows_of(response)) == 0  # the fit filter still applies: none is strong


def test_it_finds_the_pairs_that_need_a_look(world, login_as):
    north = world.programme
    matching_round = a_round(north, created_at=timezone.now())
    # Sam has mentored before; Ola never has.
    old_round = a_round(north)
    earlier = Proposal.objects.create(
        round=old_round, mentor=world.mentor, mentee=person(north, Role.MENTEE, "Old"), score=1
    )
    Match.objects.create(
        programme=north, proposal=earlier, mentor=world.mentor, mentee=earlier.mentee
    )
    ola = person(north, Role.MENTOR, "Ola")
    complete_mentor_profile(ola)

    def mentee(name, **changes):
        user = person(north, Role.MENTEE, name)
        profile = complete_mentee_profile(user)
        languages = changes.pop("languages", None)
        MenteeProfile.objects.filter(pk=profile.pk).update(**changes)
        if languages:
            profile.languages.set(Language.objects.filter(slug__in=languages))
        return user

    plain = mentee("Plain")
    waited = mentee("Waited")
    Membership.objects.filter(person=waited).update(joined_at=timezone.now() - timedelta(days=200))
    far = mentee("Far", region="london")
    signs = mentee("Signs", languages=["en", "bsl"])
    polish = mentee("Polish", languages=["pl"])
    needs = mentee("Needs", accessibility_needs="Captions on video calls, please.")
    for user in (plain, waited, far, signs, polish, needs):
        Proposal.objects.create(
            round=matching_round, mentor=world.mentor, mentee=user, score=GOOD, reasons=REASONS
        )
    first = mentee("First")
    Proposal.objects.create(
        round=matching_round, mentor=ola, mentee=first, score=GOOD, reasons=REASONS
    )
    client = login_as("coordinator")

    def looked(look):
        return sorted(mentees_of(queue(client, matching_round, look=look)))

    assert looked("first_match") == ["First"]
    assert looked("long_wait") == ["Waited"]
    assert looked("far_away") == ["Far"]
    assert looked("language_need") == ["Polish", "Signs"]
    assert looked("access_need") == ["Needs"]
    assert looked("any") == ["Far", "First", "Needs", "Polish", "Signs", "Waited"]
    html = queue(client, matching_round, look="any").content.decode()
    assert "First match for the mentor" in html and "Access need" in html
    # A mentor's own access needs count too.
    MentorProfile.objects.filter(user=world.mentor).update(accessibility_needs="Step-free.")
    assert "Plain" in looked("access_need")
    # The filter still finds decided pairs, but only a pair waiting for review is tagged.
    matching_round.proposals.update(status="approved")
    decided = queue(client, matching_round, look="any")
    assert len(rows_of(decided)) == 7
    assert '<span class="tag">' not in decided.content.decode()


def test_it_shows_the_main_reason_and_the_rest_on_demand_in_a_coordinators_words(world, login_as):
    matching_round = a_round(world.programme)
    Proposal.objects.create(
        round=matching_round,
        mentor=world.mentor,
        mentee=world.mentee,
        score=STRONG,
        reasons=REASONS,
    )

    html = queue(login_as("coordinator"), matching_round).content.decode()

    main, rest = html.split('<details class="reasons-more">', 1)
    assert "Sam can help with Priya&#x27;s learning goal: bias." in main
    assert 'All 3 reasons<span class="visually-hidden"> for Sam and Priya</span>' in rest
    assert "Sam and Priya both speak en." in rest
    assert "Sam and Priya are both free on Tuesday evenings." in rest


def test_it_writes_every_reason_to_a_coordinator_in_the_third_person():
    """No sentence a coordinator reads says "you": each reason names the two people."""
    reasons = [
        {"code": "goals", "topics": ["bias"], "of": 1},
        {"code": "goals", "topics": ["bias", "power"], "of": 2},
        {"code": "goals", "topics": ["bias"], "of": 3},
        {"code": "experience", "experience": ["foster-care"], "practice_areas": ["fostering"]},
        {"code": "languages", "languages": ["en"]},
        {"code": "times", "slots": ["tue-eve"]},
        {"code": "modes", "modes": ["online", "in_person"]},
        {"code": "region", "region": "north-west"},
        {"code": "waiting", "days": 40},
        {"code": "no_mentors"},
        {"code": "no_good_fit", "mentors": 2},
        {"code": "needed_elsewhere", "mentors": 1},
        {"code": "needed_elsewhere", "mentors": 3},
        *(
            {"code": "ruled_out", "rule": rule, "mentors": count, "of": of}
            for rule in engine.explain.RULES_TO_COORDINATOR
            for count, of in ((1, 1), (1, 4), (3, 4))
        ),
    ]

    for mentor, mentee in (("Sam", "Priya"), ("", "")):
        said = reason_words(reasons, reader="coordinator", mentor=mentor, mentee=mentee, labels={})
        assert len(said) >= len(reasons)
        for sentence in said:
            words = sentence.lower().replace(".", " ").replace(",", " ").split()
            assert not {"you", "your", "you're", "yourself"} & set(words), sentence


def test_it_defines_fit_once_for_words_and_queries(world):
    best = best_score(WEIGHTS)
    assert best == 8
    assert [fit_of(score, best) for score in (8, 4.8, 4.79, 3.2, 3.19, 0)] == [
        "strong",
        "strong",
        "good",
        "good",
        "weaker",
        "weaker",
    ]
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 1, mentor=world.mentor, score=4.8, name="Edge")
    made += pairs(matching_round, 1, mentor=world.mentor, score=3.2, name="Middle")
    made += pairs(matching_round, 1, mentor=world.mentor, score=3.19, name="Low")
    for fit in FITS:
        chosen = set(matching_round.proposals.filter(fit_filter(fit, best)))
        assert chosen == {p for p in made if fit_of(p.score, best) == fit}, fit


# ---------------------------------------------------------------------------------------------
# The same few queries, however long the round.


@pytest.mark.parametrize("count", [50, 400, 20_000])
def test_it_shows_the_queue_in_the_same_queries_however_many_pairs(
    world, login_as, django_assert_max_num_queries, count
):
    matching_round = a_round(world.programme, unmatched=[{"mentee": "1", "reasons": []}])
    mentors = [world.mentor, person(world.programme, Role.MENTOR, "Ola")]
    for n, mentor in enumerate(mentors):
        for status in ("proposed", "approved", "declined", "rejected"):
            pairs(
                matching_round,
                count // 8,
                mentor=mentor,
                status=status,
                score=(STRONG, WEAKER)[n],
                name=f"{status}{n}",
            )
    # An approval running, so the page reports on it too.
    ApprovalBatch.objects.create(
        round=matching_round, by=world.coordinator, scope="page", proposal_ids=[1], total=1
    )
    client = login_as("coordinator")
    last = (count // 8 * 8 - 1) // REVIEW_PAGE_SIZE + 1
    queries = [
        {},
        {"page": last},
        {"status": "proposed", "fit": "weaker"},
        {"look": "any"},
        {"q": "proposed"},
        {"sort": "mentor"},
    ]

    for query in queries:
        with django_assert_max_num_queries(15):
            response = queue(client, matching_round, **query)
        assert rows_of(response), query
        assert "approval-" in response.content.decode()
    # A page past the end shows the last, counting the pairs on their own first.
    with django_assert_max_num_queries(15):
        response = queue(client, matching_round, page=last + 1)
    assert response.context["page"].number == last


# ---------------------------------------------------------------------------------------------
# Approving a page, or every strong pair, in the background.


def approve_all(client, matching_round, **data):
    url = reverse(
        "matching:coordinator_round_approve_all",
        args=[matching_round.programme.slug, matching_round.pk],
    )
    return client.post(url, data)


def test_it_approves_every_waiting_pair_on_a_page_in_the_background(
    world, login_as, django_capture_on_commit_callbacks
):
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 4, mentor=world.mentor)
    decided = pairs(matching_round, 1, mentor=world.mentor, status="approved", name="Done")
    client = login_as("coordinator")
    ids = [p.pk for p in made + decided]

    with django_capture_on_commit_callbacks(execute=True):
        response = approve_all(client, matching_round, scope="page", proposal=ids, back="fit=good")

    assert response.status_code == 302
    assert response["Location"].endswith("?fit=good")
    batch = ApprovalBatch.objects.get()
    assert batch.proposal_ids == sorted(p.pk for p in made)
    assert (batch.status, batch.total, batch.checked, batch.approved) == ("finished", 4, 4, 4)
    assert set(matching_round.proposals.values_list("status", flat=True)) == {"approved"}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PROPOSAL_APPROVED).count() == 4
    # Each pair is asked for their answer, as when approved one by one.
    assert len(mail.outbox) == 8
    html = client.get(response["Location"]).content.decode()
    assert "Finished approving every waiting pair on one page." in html
    assert "Approved 4 of 4 pairs, and asked each pair for their answer." in html


def test_it_approves_each_pair_once_however_often_the_task_runs(world):
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 60, mentor=world.mentor)
    batch = services.approval_batch_start(
        matching_round=matching_round,
        by=world.coordinator,
        scope=ApprovalBatch.Scope.PAGE,
        proposal_ids=[p.pk for p in made],
    )
    assert batch.total == REVIEW_PAGE_SIZE  # a page's worth at most

    # Someone approves one by hand meanwhile; the task then runs twice.
    services.proposal_approve(proposal=made[3], by=world.administrator)
    tasks.approve_batch(batch.pk)
    tasks.approve_batch(batch.pk)

    batch.refresh_from_db()
    assert (batch.checked, batch.approved, batch.skipped) == (50, 49, 1)
    assert matching_round.proposals.filter(status="approved").count() == 50
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.PROPOSAL_APPROVED, actor=world.coordinator
        ).count()
        == 49
    )


def test_it_carries_on_where_it_stopped_after_a_worker_dies(world, monkeypatch):
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 50, mentor=world.mentor)
    batch = services.approval_batch_start(
        matching_round=matching_round,
        by=world.coordinator,
        scope="page",
        proposal_ids=[p.pk for p in made],
    )
    real = services.proposal_approve
    calls = []

    def dies_on_the_thirtieth(*, proposal, by):
        calls.append(proposal.pk)
        if len(calls) == 30:
            raise SystemExit("worker killed")
        return real(proposal=proposal, by=by)

    monkeypatch.setattr(services, "proposal_approve", dies_on_the_thirtieth)
    with pytest.raises(SystemExit):
        services.approval_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    # The first chunk committed with its progress; the second rolled back whole.
    assert (batch.status, batch.checked, batch.approved) == ("running", 25, 25)
    assert matching_round.proposals.filter(status="approved").count() == 25

    monkeypatch.setattr(services, "proposal_approve", real)
    old = timezone.now() + services.APPROVAL_RESEND_AFTER + timedelta(minutes=1)
    assert services.approval_batches_resend(now=old) == 1

    batch.refresh_from_db()
    assert (batch.status, batch.checked, batch.approved) == ("finished", 50, 50)
    assert matching_round.proposals.filter(status="approved").count() == 50
    assert services.approval_batches_resend(now=old) == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL: two runs of one batch at once take turns on its row lock, which "
    "SQLite does not have. CI runs it with DATABASE_URL=postgres://…",
)
@pytest.mark.django_db(transaction=True)
def test_it_approves_each_pair_once_when_two_runs_of_a_batch_meet(world):
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 50, mentor=world.mentor)
    batch = services.approval_batch_start(
        matching_round=matching_round,
        by=world.coordinator,
        scope="page",
        proposal_ids=[p.pk for p in made],
    )
    start, errors = threading.Barrier(3), []

    def run():
        try:
            start.wait(timeout=10)
            services.approval_batch_run(batch_id=batch.pk)
        except Exception as error:  # any failure in a thread fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    batch.refresh_from_db()
    assert (batch.status, batch.checked, batch.approved) == ("finished", 50, 50)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PROPOSAL_APPROVED).count() == 50


def test_it_approves_every_strong_pair_but_never_the_coordinators_own(
    world, login_as, django_capture_on_commit_callbacks
):
    north = world.programme
    matching_round = a_round(north)
    strong = pairs(matching_round, 70, mentor=world.mentor, score=STRONG, name="Strong")
    pairs(matching_round, 5, mentor=world.mentor, score=GOOD, name="Good")
    # Jo the coordinator also mentors here: their own pair goes to someone else.
    MembershipFactory(programme=north, person=world.coordinator, role=Role.MENTOR)
    own = pairs(matching_round, 1, mentor=world.coordinator, score=STRONG, name="Own")[0]
    client = login_as("coordinator")
    html = queue(client, matching_round).content.decode()
    assert "Approve every waiting pair with a strong fit (70)" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = approve_all(client, matching_round, scope="strong")

    assert response.status_code == 302
    batch = ApprovalBatch.objects.get()
    assert (batch.scope, batch.total, batch.approved) == ("strong", 70, 70)
    statuses = dict(matching_round.proposals.values_list("pk", "status"))
    assert {statuses[p.pk] for p in strong} == {"approved"}
    assert statuses[own.pk] == "proposed"
    assert list(statuses.values()).count("proposed") == 6
    # And the service refuses one of theirs even if asked for it by id.
    assert (
        services.approval_batch_start(
            matching_round=matching_round, by=world.coordinator, scope="page", proposal_ids=[own.pk]
        )
        is None
    )
    with pytest.raises(PermissionDenied):
        services.proposal_approve(proposal=own, by=world.coordinator)


def test_it_starts_nothing_twice_on_a_double_click(world, login_as, monkeypatch):
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 3, mentor=world.mentor)
    sent = []
    monkeypatch.setattr(services, "_enqueue_approvals", lambda batch: sent.append(batch.pk))
    client = login_as("coordinator")

    for _ in range(2):
        approve_all(client, matching_round, scope="page", proposal=[p.pk for p in made])

    assert ApprovalBatch.objects.count() == 1
    assert sent == [ApprovalBatch.objects.get().pk]


def test_it_stops_approving_once_the_coordinator_no_longer_runs_the_programme(world):
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 30, mentor=world.mentor)
    batch = services.approval_batch_start(
        matching_round=matching_round,
        by=world.coordinator,
        scope="page",
        proposal_ids=[p.pk for p in made],
    )
    Membership.objects.filter(person=world.coordinator).update(ended_at=timezone.now())

    services.approval_batch_run(batch_id=batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.approved) == ("finished", 0)
    assert not matching_round.proposals.filter(status="approved").exists()


def test_it_refuses_to_start_without_knowing_which_pairs(world, login_as):
    matching_round = a_round(world.programme)
    pairs(matching_round, 3, mentor=world.mentor)
    client = login_as("coordinator")

    response = client.post(
        reverse("matching:coordinator_round_approve_all", args=["north", matching_round.pk]),
        {"scope": "all of them", "proposal": ["x", "9" * 40, "１"]},
        follow=True,
    )

    assert "Choose which pairs to approve." in response.content.decode()
    with pytest.raises(ValidationError):
        services.approval_batch_start(
            matching_round=matching_round, by=world.coordinator, scope="everything"
        )
    response = approve_all(client, matching_round, scope="page", proposal=["x", "9" * 40])
    assert response.status_code == 302
    assert not ApprovalBatch.objects.exists()


def test_it_shows_how_far_a_batch_has_got_with_and_without_javascript(world, login_as):
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 40, mentor=world.mentor)
    batch = ApprovalBatch.objects.create(
        round=matching_round,
        by=world.coordinator,
        scope="page",
        proposal_ids=[p.pk for p in made],
        total=40,
        checked=25,
        approved=24,
        status="running",
    )
    client = login_as("coordinator")
    progress = reverse(
        "matching:coordinator_round_approval", args=["north", matching_round.pk, batch.pk]
    )

    html = queue(client, matching_round).content.decode()
    own_page = client.get(progress).content.decode()

    for page in (html, own_page):
        assert f'role="status" id="approval-{batch.pk}"' in page
        assert f'data-progress-from="{progress}"' in page
        assert "Approving every waiting pair on one page: 25 of 40 pairs done so far." in page
        assert "data-progress-done" not in page
        assert "js/progress.js" in page
    assert f'<a href="{progress}">Follow this approval on its own page</a>' in html

    ApprovalBatch.objects.filter(pk=batch.pk).update(
        checked=40, approved=39, status="finished", finished_at=timezone.now()
    )
    done = client.get(progress).content.decode()
    assert "data-progress-done" in done
    assert "Approved 39 of 40 pairs" in done
    assert "1 had been decided by someone else in the meantime." in done
    # Someone else's batch, or one finished long ago, is not reported on the queue.
    ApprovalBatch.objects.filter(pk=batch.pk).update(
        finished_at=timezone.now() - timedelta(hours=1)
    )
    assert "approval-" not in queue(client, matching_round).content.decode()


def test_it_shows_another_coordinators_running_approval_but_not_their_finished_one(world, login_as):
    matching_round = a_round(world.programme)
    made = pairs(matching_round, 10, mentor=world.mentor)
    batch = ApprovalBatch.objects.create(
        round=matching_round,
        by=world.coordinator,
        scope="strong",
        proposal_ids=[p.pk for p in made],
        total=10,
        checked=5,
        status="running",
    )
    client = login_as("administrator")

    running = queue(client, matching_round).content.decode()
    ApprovalBatch.objects.filter(pk=batch.pk).update(
        checked=10, status="finished", finished_at=timezone.now()
    )
    finished = queue(client, matching_round).content.decode()

    assert "Jo is approving every waiting pair with a strong fit: 5 of 10 pairs" in running
    assert f"approval-{batch.pk}" not in finished


def test_it_answers_404_for_another_rounds_or_programmes_batch(world, login_as):
    matching_round = a_round(world.programme)
    other_round = a_round(world.programme)
    batch = ApprovalBatch.objects.create(
        round=other_round, by=world.coordinator, scope="page", proposal_ids=[], total=0
    )
    client = login_as("coordinator")
    wrong_round = reverse(
        "matching:coordinator_round_approval", args=["north", matching_round.pk, batch.pk]
    )
    assert client.get(wrong_round).status_code == 404
    sign_in(client, world.other_coordinator)
    for slug in ("north", "south"):
        url = reverse("matching:coordinator_round_approval", args=[slug, other_round.pk, batch.pk])
        assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------------------------
# Mentees without a match.


def unmatched(mentee, code, **fields):
    return {"mentee": str(mentee.pk), "reasons": [{"code": code, **fields}]}


def test_it_groups_the_mentees_without_a_match_by_why_with_counts_and_pages(world, login_as):
    north = world.programme
    nobody_speaks = [person(north, Role.MENTEE, f"Lang {n}") for n in range(55)]
    no_room = [person(north, Role.MENTEE, f"Room {n}") for n in range(3)]
    entries = [
        *(unmatched(m, "ruled_out", rule="language", mentors=1, of=1) for m in nobody_speaks),
        *(unmatched(m, "needed_elsewhere", mentors=2) for m in no_room),
        {"mentee": "999999", "reasons": ["An old sentence."]},
    ]
    matching_round = a_round(north, unmatched=entries)
    client = login_as("coordinator")
    url = reverse("matching:coordinator_round_unmatched", args=["north", matching_round.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"reason": "ruled_out-language", "page": "2"}).content.decode()
    elsewhere = client.get(url, {"reason": "needed_elsewhere"}).content.decode()
    other = client.get(url, {"reason": "other"}).content.decode()

    assert "59 mentees were left without a suggested pair" in first
    assert "most do not speak their languages</a>: 55 mentees" in first
    assert "needed for other people</a>: 3 mentees" in first
    assert "Other reasons</a>: 1 mentee" in first
    assert "Page 1 of 2" in first and "Lang 0" in first and "Lang 54" not in first
    assert "The one mentor in this round does not speak any of Lang 0&#x27;s languages." in first
    assert "Lang 54" in second and "Lang 0<" not in second
    assert "2 mentors meet all the rules for Room 1, but they were all needed" in elsewhere
    assert "Deleted person" in other and "An old sentence." in other
    for query in ({"reason": "nonsense"}, {"page": "abc"}, {"reason": "other", "page": "99"}):
        assert client.get(url, query).status_code == 200
    assert [g["count"] for g in unmatched_groups(matching_round)] == [55, 3, 1]


def test_it_links_the_queue_to_the_mentees_without_a_match(world, login_as):
    matching_round = a_round(world.programme, unmatched=[unmatched(world.mentee, "no_mentors")])
    pairs(matching_round, 1, mentor=world.mentor)

    html = queue(login_as("coordinator"), matching_round).content.decode()

    url = reverse("matching:coordinator_round_unmatched", args=["north", matching_round.pk])
    assert f'<a href="{url}">1 mentee without a match, and why</a>' in html
