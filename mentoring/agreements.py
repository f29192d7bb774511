"""Our agreement: the services and reads for a match's shared agreement. Either person of a
live match writes the next version; nothing is ever overwritten. Coordinators never read it:
access goes through matching.access.get_match_for_person, which answers 404 to them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from mentoring.models import AgreementVersion
from notifications.models import Kind
from notifications.services import notify


class AgreementChanged(Exception):
    """The agreement changed since the person opened it: their change would overwrite it
    without them seeing it, so it is not saved. `latest` is the version they did not see."""

    def __init__(self, latest: AgreementVersion | None) -> None:
        super().__init__("The agreement changed while you were writing.")
        self.latest = latest


def agreement_current(match) -> AgreementVersion | None:
    """The agreement as it stands: its newest version, or None until someone fills it."""
    return AgreementVersion.objects.of(match).first()


def agreement_history(match) -> list[dict]:
    """Every version, newest first, each with the parts it changed from the one before."""
    versions = list(AgreementVersion.objects.of(match))
    return [
        {
            "version": version,
            "changed": version.changed_since(versions[i + 1] if i + 1 < len(versions) else None),
        }
        for i, version in enumerate(versions)
    ]


def agreement_filled(match_ids) -> set[int]:
    """Which of these matches have an agreement, in one query (none for no matches)."""
    match_ids = list(match_ids)
    if not match_ids:
        return set()
    return set(
        AgreementVersion.objects.filter(match_id__in=match_ids)
        .values_list("match_id", flat=True)
        .distinct()
    )


@transaction.atomic
def agreement_save(*, match, by: User, based_on: int, **values: str) -> AgreementVersion | None:
    """Either person of a live match fills in the agreement or changes it, from version
    `based_on` (0 when it was empty). Writes the next version and tells the other person.
    None when nothing changed. AgreementChanged when someone saved a newer version since
    `based_on`: nothing is overwritten without being seen."""
    if not match.is_open_to(by):
        raise PermissionDenied("Only the two people of a match can change its agreement.")
    if not match.is_live:
        raise ValidationError("This match has ended, so its agreement can no longer change.")
    unknown = set(values) - set(AgreementVersion.FIELDS)
    if unknown:
        raise TypeError(f"Not part of an agreement: {sorted(unknown)}")
    values = {name: (values.get(name) or "").strip() for name in AgreementVersion.FIELDS}
    if not values["how_we_meet"]:
        raise ValidationError("Say how and how often you will meet.")
    latest = agreement_current(match)
    if based_on != (latest.number if latest else 0):
        raise AgreementChanged(latest)
    if latest is not None and latest.values() == values:
        return None
    try:
        # The unique (match, number) is what stops two people who opened the same version
        # from both saving over it at the same moment: the second insert is refused.
        with transaction.atomic():
            version = AgreementVersion.objects.create(
                match=match, number=based_on + 1, written_by=by, **values
            )
    except IntegrityError:
        raise AgreementChanged(agreement_current(match)) from None
    changed = version.changed_since(latest)
    # The words stay between the two people: the audit row says only which parts changed.
    audit_record(
        action=AuditEvent.Action.AGREEMENT_CHANGED,
        actor=by,
        obj=match,
        programme=match.programme,
        new={"version": version.number, "changed": changed},
    )
    other = match.other_party(by)
    first = version.number == 1
    notify(
        person=other,
        kind=Kind.AGREEMENT,
        event_key=f"agreement:{match.pk}:v{version.number}",
        title=(
            f"{by.display_name} filled in your agreement"
            if first
            else f"{by.display_name} changed your agreement"
        ),
        body=(
            "Read it and change anything you see differently. "
            + ("" if first else "Changed: " + ", ".join(part.lower() for part in changed) + ".")
        ).strip(),
        url=reverse("mentoring:agreement", args=[match.pk]),
    )
    return version


def agreement_is_filled(match) -> bool:
    return AgreementVersion.objects.filter(match=match).exists()
