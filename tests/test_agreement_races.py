"""The agreement and induction when several people act at the same moment. On PostgreSQL,
where concurrent transactions really overlap."""

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from matching.models import Match
from mentoring.agreements import AgreementChanged, agreement_save
from mentoring.models import AgreementVersion
from notifications.models import Kind, Notification
from programmes import services
from programmes.models import Membership
from tests.test_matching_app import at_once, postgres_only
from tests.test_permissions import _match

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_people_saving_from_the_same_version_at_once_keep_both_versions_seen(world):
    """Both opened the empty agreement and press save together: one becomes version 1, the
    other is told it changed, and nothing is overwritten."""
    match = _match(world)
    people = iter([world.mentor, world.mentee] * 4)

    def save():
        person = next(people)
        try:
            agreement_save(
                match=Match.objects.get(pk=match.pk),
                by=person,
                based_on=0,
                how_we_meet=f"As {person.display_name} would like it.",
            )
        except AgreementChanged:
            return "changed"
        return "saved"

    results = at_once(8, save)

    assert sorted(results) == ["changed"] * 7 + ["saved"]
    assert AgreementVersion.objects.filter(match=match).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.AGREEMENT_CHANGED).count() == 1
    assert Notification.objects.filter(kind=Kind.AGREEMENT).count() == 1


def test_an_induction_recorded_by_several_coordinators_at_once_is_recorded_once(world):
    membership = Membership.objects.get(programme=world.programme, person=world.mentor)
    Membership.objects.filter(pk=membership.pk).update(inducted_on=None)
    recorders = iter([world.coordinator, world.administrator] * 3)

    def record():
        return services.induction_record(
            membership=Membership.objects.get(pk=membership.pk),
            by=next(recorders),
            inducted_on=timezone.localdate(),
        )

    results = at_once(6, record)

    assert sorted(results) == [False] * 5 + [True]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INDUCTION_RECORDED).count() == 1
    assert Notification.objects.filter(kind=Kind.INDUCTION).count() == 1
