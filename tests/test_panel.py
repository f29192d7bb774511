"""The lived-experience panel: who sits on it, proposals and votes, decisions, and "You
said, we did" (panel/services.py, panel/views.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from core.choices import Role
from mentoring.models import ProgrammeQuestion
from mentoring.questions import programme_question_add
from notifications.models import Kind, Notification
from panel import services
from panel.models import Entry, Proposal, Vote
from programmes.models import Membership
from programmes.services import membership_end
from tests.factories import MembershipFactory, UserFactory
from tests.test_matching_app import at_once, postgres_only


def _propose(world, by=None, **extra):
    fields = {
        "about": Proposal.About.OTHER,
        "change": "Meet in the evening as well as the day.",
        "why": "Some mentors work in the day.",
        **extra,
    }
    return services.proposal_make(programme=world.programme, by=by or world.panel, **fields)


def _new_question(world):
    return _propose(
        world,
        about=Proposal.About.QUESTION_NEW,
        change="Ask mentees whether the mentor explained things well.",
        question_text="My mentor explained things in a way I understood",
        asks_in=ProgrammeQuestion.AsksIn.FEEDBACK,
        who=ProgrammeQuestion.Who.MENTEE,
    )


# Who sits on the panel


def test_it_lets_a_coordinator_add_a_mentor_to_the_panel_and_tells_them(world):
    services.panel_member_add(programme=world.programme, person=world.mentor, by=world.coordinator)

    assert services.panel_programmes(world.mentor).filter(pk=world.programme.pk).exists()
    told = Notification.objects.get(person=world.mentor, kind=Kind.PANEL_ROLE)
    assert "panel of North Star" in told.title


def test_it_lets_a_former_mentor_sit_on_the_panel(world):
    membership_end(
        membership=Membership.objects.get(person=world.mentor, role=Role.MENTOR),
        by=world.coordinator,
    )
    services.panel_member_add(programme=world.programme, person=world.mentor, by=world.coordinator)
    assert services.panel_members(world.programme).filter(pk=world.mentor.pk).exists()


@pytest.mark.parametrize("who", ["mentee", "other_mentor", "coordinator"])
def test_it_refuses_anyone_who_never_mentored_in_the_programme(world, who):
    with pytest.raises(ValidationError):
        services.panel_member_add(
            programme=world.programme, person=getattr(world, who), by=world.coordinator
        )


def test_it_refuses_a_coordinator_of_another_programme(world):
    with pytest.raises(PermissionDenied):
        services.panel_member_add(
            programme=world.programme, person=world.mentor, by=world.other_coordinator
        )


def test_it_ends_access_and_tells_the_person_when_the_panel_role_ends(world, login_as):
    client = login_as("panel")
    url = reverse("panel:panel_home", args=["north"])
    assert client.get(url).status_code == 200

    membership_end(
        membership=Membership.objects.get(person=world.panel, role=Role.PANEL),
        by=world.coordinator,
    )

    assert client.get(url).status_code == 404
    assert client.get(reverse("panel:proposal_new", args=["north"])).status_code == 404
    assert Notification.objects.filter(person=world.panel, kind=Kind.PANEL_ROLE).exists()
    with pytest.raises(PermissionDenied):
        _propose(world)


def test_the_coordinators_panel_page_adds_a_member(world, login_as):
    client = login_as("coordinator")
    response = client.post(
        reverse("panel:coordinator_panel", args=["north"]), {"person": world.mentor.pk}
    )
    assert response.status_code == 302
    assert services.panel_members(world.programme).filter(pk=world.mentor.pk).exists()


def test_the_members_page_offers_the_panel_to_a_mentor(world, login_as):
    client = login_as("coordinator")
    page = client.get(
        reverse("programmes:coordinator_member_detail", args=["north", world.mentor.pk])
    )
    assert "Add Sam to the panel" in page.content.decode()


# Proposals and votes


def test_a_proposal_tells_the_programmes_coordinators(world):
    proposal = _propose(world)

    told = Notification.objects.filter(kind=Kind.PANEL_PROPOSAL)
    assert {n.person for n in told} == {world.coordinator}
    assert proposal.is_open
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PANEL_PROPOSED).count() == 1


def test_a_new_question_needs_its_words_where_and_who(world):
    with pytest.raises(ValidationError) as refused:
        _propose(world, about=Proposal.About.QUESTION_NEW)
    assert set(refused.value.message_dict) == {"asks_in", "who", "question_text"}


def test_stop_asking_names_a_question_of_this_programme(world):
    theirs = programme_question_add(
        programme=world.other_programme,
        asks_in="feedback",
        who="both",
        text="Riverside's question",
        by=world.other_coordinator,
    )
    with pytest.raises(ValidationError):
        _propose(world, about=Proposal.About.QUESTION_STOP, question=theirs)


def test_a_vote_is_one_each_and_changeable_while_open(world):
    proposal = _propose(world)
    services.vote_cast(proposal=proposal, by=world.panel, in_favour=True)
    services.vote_cast(proposal=proposal, by=world.panel, in_favour=False)

    counted = Proposal.objects.with_votes().get(pk=proposal.pk)
    assert (counted.votes_for, counted.votes_against) == (0, 1)


def test_votes_close_once_decided(world):
    proposal = _propose(world)
    services.proposal_decide(proposal=proposal, by=world.coordinator, accept=False, decision="No.")
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, by=world.panel, in_favour=True)


def test_only_panel_members_vote(world):
    proposal = _propose(world)
    with pytest.raises(PermissionDenied):
        services.vote_cast(proposal=proposal, by=world.mentor, in_favour=True)


def test_the_proposal_page_shows_counts_not_who_voted(world, login_as):
    proposal = _propose(world)
    other = UserFactory(display_name="Morgan")
    MembershipFactory(programme=world.programme, person=other, role=Role.MENTOR)
    MembershipFactory(programme=world.programme, person=other, role=Role.PANEL)
    services.vote_cast(proposal=proposal, by=other, in_favour=True)

    client = login_as("panel")
    url = reverse("panel:proposal_detail", args=["north", proposal.pk])
    assert client.post(url, {"vote": "against"}).status_code == 302
    page = client.get(url).content.decode()
    assert "1 for, 1 against" in page
    assert "Morgan" not in page


def test_another_programmes_proposal_answers_404(world, login_as):
    MembershipFactory(programme=world.other_programme, person=world.panel, role=Role.PANEL)
    MembershipFactory(programme=world.other_programme, person=world.other_mentor, role=Role.PANEL)
    theirs = services.proposal_make(
        programme=world.other_programme,
        by=world.other_mentor,
        about="other",
        change="Theirs.",
        why="Theirs.",
    )
    client = login_as("panel")
    assert (
        client.get(reverse("panel:proposal_detail", args=["north", theirs.pk])).status_code == 404
    )
    coordinator = login_as("coordinator")
    assert (
        coordinator.get(
            reverse("panel:coordinator_proposal", args=["north", theirs.pk])
        ).status_code
        == 404
    )


# Decisions


def test_accepting_a_new_question_asks_it_and_tells_the_panel_and_proposer(world):
    proposal = _new_question(world)

    assert services.proposal_decide(
        proposal=proposal, by=world.coordinator, accept=True, decision="Added to feedback."
    )

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    asked = ProgrammeQuestion.objects.asked_of(world.programme, "feedback", "mentee")
    assert [q.text for q in asked] == ["My mentor explained things in a way I understood"]
    assert proposal.question == asked[0]
    told = Notification.objects.get(person=world.panel, kind=Kind.PANEL_DECISION)
    assert "Added to feedback." in told.body


def test_a_refused_question_is_shown_and_nothing_is_decided(world, login_as):
    programme_question_add(
        programme=world.programme,
        asks_in="feedback",
        who="both",
        text="My mentor explained things in a way I understood",
        by=world.coordinator,
    )
    proposal = _new_question(world)
    client = login_as("coordinator")
    response = client.post(
        reverse("panel:coordinator_proposal", args=["north", proposal.pk]),
        {"outcome": "accept", "decision": "Added."},
    )
    assert response.status_code == 200
    assert "already asked" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.is_open


def test_accepting_stop_asking_retires_the_question(world):
    question = programme_question_add(
        programme=world.programme, asks_in="check", who="both", text="Old one", by=world.coordinator
    )
    proposal = _propose(world, about=Proposal.About.QUESTION_STOP, question=question)
    services.proposal_decide(proposal=proposal, by=world.coordinator, accept=True, decision="Done.")
    question.refresh_from_db()
    assert question.retired_at is not None


def test_declining_needs_an_explanation(world, login_as):
    proposal = _propose(world)
    client = login_as("coordinator")
    response = client.post(
        reverse("panel:coordinator_proposal", args=["north", proposal.pk]),
        {"outcome": "decline", "decision": ""},
    )
    assert response.status_code == 200
    assert "Say what was done, or why not." in response.content.decode()
    with pytest.raises(ValidationError):
        services.proposal_decide(
            proposal=proposal, by=world.coordinator, accept=False, decision=" "
        )
    proposal.refresh_from_db()
    assert proposal.is_open


def test_a_proposal_is_decided_once(world):
    proposal = _propose(world)
    assert services.proposal_decide(
        proposal=proposal, by=world.coordinator, accept=False, decision="Not now."
    )
    assert not services.proposal_decide(
        proposal=proposal, by=world.administrator, accept=True, decision="Yes."
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PANEL_DECIDED).count() == 1


def test_nobody_decides_their_own_proposal(world):
    MembershipFactory(programme=world.programme, person=world.coordinator, role=Role.PANEL)
    proposal = _propose(world, by=world.coordinator)
    with pytest.raises(PermissionDenied):
        services.proposal_decide(
            proposal=proposal, by=world.coordinator, accept=True, decision="Mine."
        )


def test_decided_proposals_stay_visible_to_the_panel(world, login_as):
    proposal = _propose(world)
    services.proposal_decide(
        proposal=proposal, by=world.coordinator, accept=False, decision="We have no budget."
    )
    client = login_as("panel")
    page = client.get(reverse("panel:panel_home", args=["north"])).content.decode()
    assert "We have no budget." in page


# You said, we did


def test_an_entry_is_read_by_every_member_and_they_are_told(
    world, login_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_publish(
            programme=world.programme, by=world.panel, said="Pay was late.", did="Pay is weekly."
        )
    told = {n.person for n in Notification.objects.filter(kind=Kind.YOU_SAID_WE_DID)}
    assert told == {world.mentor, world.mentee, world.coordinator, world.administrator}
    for persona in ("mentor", "mentee", "coordinator", "administrator", "panel"):
        page = login_as(persona).get(reverse("panel:you_said_we_did", args=["north"]))
        assert "Pay is weekly." in page.content.decode(), persona
    assert (
        login_as("other_coordinator")
        .get(reverse("panel:you_said_we_did", args=["north"]))
        .status_code
        == 404
    )


def test_only_panel_members_publish(world):
    with pytest.raises(PermissionDenied):
        services.entry_publish(programme=world.programme, by=world.mentor, said="a", did="b")
    assert not Entry.objects.exists()


def test_an_entry_names_only_a_decided_proposal(world):
    proposal = _propose(world)
    with pytest.raises(ValidationError):
        services.entry_publish(
            programme=world.programme, by=world.panel, said="a", did="b", proposal=proposal
        )


def test_the_dashboard_links_you_said_we_did(world, login_as):
    page = login_as("mentee").get(reverse("portal:dashboard")).content.decode()
    assert reverse("panel:you_said_we_did", args=["north"]) in page


def test_the_navigation_leads_panel_members_to_their_panel_and_nobody_else(world):
    from portal.selectors import navigation_for

    def panel_links(person):
        return [
            (item["label"], item["url"])
            for item in navigation_for(person)["main"]
            if item["label"].startswith("The panel")
        ]

    home = reverse("panel:panel_home", args=["north"])
    # A panel member with no other role, and one who mentors as well.
    MembershipFactory(programme=world.programme, person=world.mentor, role=Role.PANEL)
    for person in (world.panel, world.mentor):
        assert panel_links(person) == [("The panel", home)]
    for person in (world.mentee, world.coordinator, world.other_mentor):
        assert panel_links(person) == []
    # Someone on two panels is told which is which.
    MembershipFactory(programme=world.other_programme, person=world.panel, role=Role.PANEL)
    names = sorted([world.programme.name, world.other_programme.name])
    assert [label for label, _ in panel_links(world.panel)] == [
        f"The panel: {name}" for name in names
    ]
    # Ending the role takes the link away at once.
    membership_end(
        membership=Membership.objects.get(
            programme=world.programme, person=world.panel, role=Role.PANEL
        ),
        by=world.coordinator,
    )
    assert panel_links(world.panel) == [("The panel", reverse("panel:panel_home", args=["south"]))]


@pytest.mark.parametrize("rows", [2, 20])
def test_the_panel_home_keeps_its_queries_flat(
    world, login_as, django_assert_max_num_queries, rows
):
    for n in range(rows):
        proposal = _propose(world, change=f"Change {n}")
        services.vote_cast(proposal=proposal, by=world.panel, in_favour=True)
    client = login_as("panel")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("panel:panel_home", args=["north"])).status_code == 200


# At the same moment (PostgreSQL)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_vote_sent_twice_at_once_counts_once(world):
    proposal = _propose(world)

    def vote():
        return services.vote_cast(
            proposal=Proposal.objects.get(pk=proposal.pk), by=world.panel, in_favour=True
        ).pk

    assert len(set(at_once(6, vote))) == 1
    assert Vote.objects.filter(proposal=proposal).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_deciding_at_once_decide_once(world):
    proposal = _new_question(world)
    people = iter([world.coordinator, world.administrator] * 3)

    def decide():
        return services.proposal_decide(
            proposal=Proposal.objects.get(pk=proposal.pk),
            by=next(people),
            accept=True,
            decision="Added.",
        )

    assert sorted(at_once(6, decide)) == [False] * 5 + [True]
    assert ProgrammeQuestion.objects.filter(programme=world.programme).count() == 1


def test_a_coordinator_may_put_the_statements_words_right_before_accepting(world, login_as):
    proposal = _new_question(world)
    client = login_as("coordinator")
    response = client.post(
        reverse("panel:coordinator_proposal", args=["north", proposal.pk]),
        {
            "outcome": "accept",
            "decision": "Added.",
            "question_text": "My mentor explained things clearly",
        },
    )
    assert response.status_code == 302
    asked = ProgrammeQuestion.objects.asked_of(world.programme, "feedback", "mentee")
    assert [q.text for q in asked] == ["My mentor explained things clearly"]


def test_members_are_told_of_an_entry_once_by_a_task_after_it_is_saved(
    world, django_capture_on_commit_callbacks
):
    """Telling every member is a background task, queued once the entry is saved: a second
    run (a message delivered twice, or a retry after a worker died) tells nobody again."""
    with django_capture_on_commit_callbacks() as queued:
        entry = services.entry_publish(
            programme=world.programme, by=world.panel, said="Pay was late.", did="Pay is weekly."
        )
    assert not Notification.objects.filter(kind=Kind.YOU_SAID_WE_DID).exists()
    assert len(queued) == 1
    queued[0]()
    told = sorted(
        Notification.objects.filter(kind=Kind.YOU_SAID_WE_DID).values_list("person", flat=True)
    )
    assert len(told) == 4
    assert services.entry_readers_tell(entry_id=entry.pk) == 0
    assert (
        sorted(
            Notification.objects.filter(kind=Kind.YOU_SAID_WE_DID).values_list("person", flat=True)
        )
        == told
    )


def test_my_data_holds_the_panel_and_deleting_the_account_leaves_no_name(world):
    from portal.privacy import erase, export

    proposal = _propose(world)
    services.vote_cast(proposal=proposal, by=world.panel, in_favour=True)
    services.entry_publish(programme=world.programme, by=world.panel, said="a", did="b")

    data = export(world.panel)
    assert [p["change"] for p in data["panel_proposals"]] == [proposal.change]
    assert data["panel_votes"][0]["vote"] == "for"
    assert data["you_said_we_did"][0]["said"] == "a"

    erase(world.panel)
    assert not Vote.objects.filter(person=world.panel).exists()
    assert not Proposal.objects.filter(proposed_by=world.panel).exists()
    assert not Entry.objects.filter(published_by=world.panel).exists()


@pytest.mark.parametrize("rows", [2, 20])
def test_the_coordinators_page_and_you_said_we_did_keep_their_queries_flat(
    world, login_as, django_assert_max_num_queries, rows
):
    for n in range(rows):
        proposal = _propose(world, change=f"Change {n}")
        services.vote_cast(proposal=proposal, by=world.panel, in_favour=n % 2 == 0)
        services.entry_publish(programme=world.programme, by=world.panel, said=f"{n}", did="b")
    client = login_as("coordinator")
    with django_assert_max_num_queries(30):
        assert client.get(reverse("panel:coordinator_panel", args=["north"])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("panel:you_said_we_did", args=["north"])).status_code == 200
