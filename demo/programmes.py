"""The demo organisation, its programmes, and who is waiting to join North Star."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from core.choices import Role
from demo.population import login_ensure
from programmes.models import Application, Invitation, Organisation, Programme
from programmes.services import application_create, invitation_create

ORGANISATION = ("northern-care", "Northern Care Partnership")

NORTH_STAR = "north-star"
RIVERSIDE = "riverside"
NATIONAL_PILOT = "national-pilot"

PROGRAMMES = {
    NORTH_STAR: (
        "North Star",
        "Adults who grew up in care across Greater Manchester mentor social workers and other "
        "practitioners in children's services. Mentors are paid for their time. Most pairs meet "
        "online once a fortnight for six months.",
    ),
    RIVERSIDE: (
        "Riverside",
        "Adults who grew up in care in Leeds, Bradford and Sheffield. They mentor social "
        "workers in fostering teams and in teams that help young people leave care.",
    ),
    NATIONAL_PILOT: (
        "National Pilot",
        "A large practice programme for trying Alongside with many people at once. "
        "Everyone in it is made up.",
    ),
}


# People who have asked to join North Star and are waiting for the coordinator.
APPLICANTS = [
    (
        "tomasz.wojcik@example.org",
        "Tomasz Wójcik",
        Role.MENTOR,
        "I was in foster care in Bolton and now help out at a boxing club for young people. "
        "I'd like to help social workers see things from our side.",
    ),
    (
        "grace.adeyemi@example.org",
        "Grace Adeyemi",
        Role.MENTEE,
        "I'm a newly qualified social worker in a children in care team. I want to get better "
        "at writing records that children could read one day.",
    ),
    (
        "rhys.evans@example.org",
        "Rhys Evans",
        Role.MENTEE,
        "My manager suggested this. I supervise foster carers and want to understand moving "
        "homes from a young person's point of view.",
    ),
    (
        "hodan.ali@example.org",
        "Hodan Ali",
        Role.MENTOR,
        "I came to Manchester on my own at sixteen. I speak Somali and English and would like "
        "to mentor people who work with young people seeking asylum.",
    ),
]

# Open invitation links the North Star coordinator has made: role, email, note.
INVITATIONS = [
    (Role.MENTOR, "marcus.bell@example.org", "Marcus, from the care-experienced adults' forum"),
    (Role.MENTEE, "", "For new starters in the Bolton fostering team"),
]


def programme_ensure(organisation: Organisation, slug: str) -> Programme:
    name, description = PROGRAMMES[slug]
    programme, _ = Programme.objects.get_or_create(
        slug=slug,
        defaults={"organisation": organisation, "name": name, "description": description},
    )
    return programme


def applications_ensure(*, programme: Programme, password_hash: str) -> None:
    for email, name, role, message in APPLICANTS:
        person = login_ensure(email=email, display_name=name, password_hash=password_hash)
        # Once a coordinator has decided, the application stays decided on a rerun.
        if not Application.objects.filter(programme=programme, person=person).exists():
            application_create(programme=programme, person=person, role=role, message=message)


def invitations_ensure(*, programme: Programme, by: User) -> None:
    for role, email, note in INVITATIONS:
        still_open = Invitation.objects.filter(
            programme=programme,
            note=note,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        if not still_open.exists():
            invitation_create(programme=programme, role=role, email=email, note=note, by=by)
