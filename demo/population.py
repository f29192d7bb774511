"""Writing the demo's people: accounts they could sign in to, memberships and profiles, in
bulk for the made-up population and one at a time for the people whose logins we publish."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import CommandError
from django.db import models

from accounts.models import MenteeProfile, MentorProfile, User
from core.choices import Role
from core.models import LocalAuthority
from demo.people import Person
from programmes.models import Membership, Programme
from programmes.services import membership_add

# Enough rows per query to be quick, few enough that SQLite's limit on parameters holds.
CHUNK = 500


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pks_by(model: type[models.Model], key: str, values: Iterable) -> dict:
    """Map `key` to primary key for the rows whose `key` is among `values`, a chunk at a time
    so no query passes more parameters than SQLite accepts."""
    found = {}
    for chunk in _chunks(list(values)):
        found.update(model.objects.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    return found


class SharedLists:
    """Slug-to-id maps of the topic library and the other shared lists, read once each."""

    def __init__(self) -> None:
        self._ids: dict[type[models.Model], dict[str, int]] = {}

    def ids(self, model: type[models.Model], slugs: Iterable[str]) -> list[int]:
        if model not in self._ids:
            self._ids[model] = dict(model.objects.values_list("slug", "pk"))
        known = self._ids[model]
        missing = [slug for slug in slugs if slug not in known]
        if missing:
            raise CommandError(
                f"These {model._meta.verbose_name_plural} are missing: {', '.join(missing)}. "
                "Run `manage.py migrate`, or add them back in the admin."
            )
        return [known[slug] for slug in slugs]


def _profile_model(role: str) -> type[MentorProfile] | type[MenteeProfile]:
    return MentorProfile if role == Role.MENTOR else MenteeProfile


def _completion_stamp(model, group: list[Person], user_ids: dict[str, int]) -> None:
    """Complete profiles were completed a day after their person joined, as a real profile
    is stamped by the profile service when it is saved complete."""
    joined = {user_ids[person.email]: person.joined_at for person in group}
    relations = [
        field.name for field in model._meta.many_to_many if field.name != "topics_off_limits"
    ]
    done = []
    for chunk in _chunks(list(joined)):
        for profile in model.objects.filter(user_id__in=chunk).prefetch_related(*relations):
            if profile.is_complete:
                profile.completed_at = joined[profile.user_id] + timedelta(days=1)
                done.append(profile)
    model.objects.bulk_update(done, ["completed_at"], batch_size=CHUNK)


def profiles_create(*, people: list[Person], user_ids: dict[str, int], lists: SharedLists):
    """Bulk-create the profiles and their many-to-many rows: a few queries per thousand."""
    for role in (Role.MENTOR, Role.MENTEE):
        model = _profile_model(role)
        group = [person for person in people if person.role == role]
        if not group:
            continue
        profiles = []
        for person in group:
            values = dict(person.profile)
            if "employer" in values:
                employer = values.pop("employer")
                values["employer_id"] = (
                    lists.ids(LocalAuthority, [employer])[0] if employer else None
                )
            profiles.append(model(user_id=user_ids[person.email], **values))
        model.objects.bulk_create(profiles, batch_size=CHUNK)
        profile_ids = _pks_by(model, "user_id", [user_ids[person.email] for person in group])
        for name in sorted({name for person in group for name in person.relations}):
            relation = model._meta.get_field(name)
            through = relation.remote_field.through
            own = f"{relation.m2m_field_name()}_id"
            other = f"{relation.m2m_reverse_field_name()}_id"
            rows = [
                through(**{own: profile_ids[user_ids[person.email]], other: related_id})
                for person in group
                for related_id in lists.ids(relation.related_model, person.relations.get(name, []))
            ]
            through.objects.bulk_create(rows, batch_size=CHUNK)
        _completion_stamp(model, group, user_ids)


def population_create(
    *, programme: Programme, people: list[Person], password_hash: str, lists: SharedLists
) -> int:
    """Create everyone in the plan who is not here yet: an account they could sign in to, a
    membership and a profile. Bulk writes only, so tens of thousands take seconds.

    Memberships are written directly rather than through membership_add: nobody gave these
    made-up people their roles, and an audit row for each would bury the real events."""
    existing = _pks_by(User, "email", [person.email for person in people])
    new = [person for person in people if person.email not in existing]
    users = [
        User(
            email=person.email,
            display_name=person.display_name,
            password=password_hash,
            date_joined=person.joined_at,
        )
        for person in new
    ]
    User.objects.bulk_create(users, batch_size=CHUNK)
    user_ids = _pks_by(User, "email", [person.email for person in new])
    addresses = [
        EmailAddress(user_id=user_ids[p.email], email=p.email, verified=True, primary=True)
        for p in new
    ]
    EmailAddress.objects.bulk_create(addresses, batch_size=CHUNK)
    memberships = [
        Membership(
            programme=programme,
            person_id=user_ids[person.email],
            role=person.role,
            joined_at=person.joined_at,
            # The made-up mentors had their induction when they joined, so rounds include
            # them (demo/induction.py adds one still waiting).
            inducted_on=person.joined_at.date() if person.role == Role.MENTOR else None,
        )
        for person in new
    ]
    Membership.objects.bulk_create(memberships, batch_size=CHUNK)
    profiles_create(people=new, user_ids=user_ids, lists=lists)
    return len(new)


def login_ensure(*, email: str, display_name: str, password_hash: str) -> User:
    """Someone who can sign in: the demo password when first made, and a verified primary
    email, because allauth asks everyone else to confirm their address first."""
    user, _ = User.objects.get_or_create(
        email=email, defaults={"display_name": display_name, "password": password_hash}
    )
    address, created = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if not created and not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    return user


def two_factor_ensure(user: User) -> None:
    # allauth keeps one authenticator of each type per person, so add only what is missing.
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    if Authenticator.Type.TOTP not in types:
        TOTP.activate(user, settings.DEMO_TOTP_SECRET)
    if Authenticator.Type.RECOVERY_CODES not in types:
        RecoveryCodes.activate(user)


def member_ensure(*, person: Person, user: User, programme: Programme, lists: SharedLists):
    membership = membership_add(programme=programme, person=user, role=person.role, by=None)
    if membership.joined_at > person.joined_at:
        # They joined when their story says, not when the demo was seeded.
        Membership.objects.filter(pk=membership.pk).update(joined_at=person.joined_at)
        User.objects.filter(pk=user.pk, date_joined__gt=person.joined_at).update(
            date_joined=person.joined_at
        )
    if person.role == Role.MENTOR and membership.inducted_on is None:
        # The published mentors had their induction when they joined.
        Membership.objects.filter(pk=membership.pk).update(inducted_on=person.joined_at.date())
    # A profile someone has edited in the demo is theirs; only a missing one is made.
    if not _profile_model(person.role).objects.filter(user=user).exists():
        profiles_create(people=[person], user_ids={user.email: user.pk}, lists=lists)
