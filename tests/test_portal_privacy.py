"""'Download my data' and 'delete my account' composed from each app's privacy module
(portal/privacy.py)."""

from importlib import import_module

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import module_has_submodule

from accounts.models import AuditEvent, User
from core.choices import Role
from matching.models import Match, MatchingRound, PairExclusion, Proposal
from notifications.models import Kind, Notification
from portal import privacy
from tests.factories import PASSWORD, MembershipFactory, UserFactory, live_match, sign_in


def test_it_composes_every_app_that_holds_personal_data_in_both_orders():
    holders = {
        config.label
        for config in apps.get_app_configs()
        if config.label != "portal" and module_has_submodule(config.module, "privacy")
    }
    assert set(privacy.EXPORT_ORDER) == holders
    assert set(privacy.ERASE_ORDER) == holders
    # Roles end before matches do: the match-ending service checks the role has ended.
    assert privacy.ERASE_ORDER.index("programmes") < privacy.ERASE_ORDER.index("matching")
    assert privacy.ERASE_ORDER[-1] == "accounts"


def test_it_gives_each_part_of_the_download_to_one_app_only(world):
    live_match(world.programme, world.mentor, world.mentee)
    seen: dict[str, str] = {}
    for app in privacy.EXPORT_ORDER:
        for key in import_module(f"{app}.privacy").export(world.mentor):
            assert key not in seen, f"{app} and {seen.get(key)} both export {key!r}"
            seen[key] = app


def test_it_ends_a_deleted_persons_match_and_proposals_through_the_matching_services(world, client):
    match = live_match(world.programme, world.mentor, world.mentee)
    # Sam has also been proposed to another mentee, who has not answered yet.
    waiting = UserFactory(display_name="Rosa", email="rosa@example.test")
    MembershipFactory(programme=world.programme, person=waiting, role=Role.MENTEE)
    matching_round = MatchingRound.objects.create(
        programme=world.programme, status=MatchingRound.Status.FINISHED
    )
    proposal = Proposal.objects.create(
        round=matching_round,
        mentor=world.mentor,
        mentee=waiting,
        score=1,
        status=Proposal.Status.APPROVED,
    )

    sign_in(client, world.mentor)
    response = client.post(reverse("portal:account_delete"), {"password": PASSWORD})
    assert response.status_code == 302

    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED and match.ended_at is not None
    closed = AuditEvent.objects.get(action=AuditEvent.Action.MATCH_CLOSED)
    assert closed.new_values["reason"] == "account_deleted"
    assert PairExclusion.objects.filter(mentor=world.mentor, mentee=world.mentee).exists()
    # Priya is told her match ended; the person who left is told nothing.
    assert Notification.objects.filter(person=world.mentee, kind=Kind.MATCH_ENDED).exists()
    assert not Notification.objects.filter(person=world.mentor).exists()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PROPOSAL_WITHDRAWN).count() == 1
    # All in one go, with the account itself anonymised last.
    assert User.objects.get(pk=world.mentor.pk).display_name == "Deleted person"
