"""Induction and the resources page in the demo: North Star has one mentor waiting for their
induction, so the coordinator sees "Waiting for induction" on the members page and the round
says why they were left out; and both programmes have a resources page to read."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.choices import Role
from demo.people import Person
from demo.population import SharedLists, population_create
from programmes.models import Membership, Programme

WAITING_MENTOR = "mentor-waiting@north-star.example.org"


def waiting_mentor(now: datetime) -> Person:
    return Person(
        WAITING_MENTOR,
        "Reece Holt",
        Role.MENTOR,
        now - timedelta(days=9),
        {
            "region": "north-west",
            "meeting_modes": ["online", "phone"],
            "availability": ["mon-eve", "wed-pm", "thu-eve"],
            "accessibility_needs": "",
            "consent_given_at": now - timedelta(days=9),
            "happy_to_mentor_own_council": False,
            "shared_with_mentee": "I grew up in residential care and now work in a youth club.",
            "capacity": 1,
            "paused_at": None,
        },
        {
            "languages": ["en"],
            "lived_experience": ["residential-care"],
            "looked_after_by": ["bolton"],
            "topics_offered": ["being-heard-in-reviews", "language-that-cares"],
            "topics_off_limits": [],
        },
    )


def waiting_mentor_ensure(
    *, programme: Programme, now: datetime, password_hash: str, lists: SharedLists
) -> None:
    """Reece joined North Star nine days ago with a complete profile; nobody has recorded
    his induction yet. Made once: a coordinator who records it in the demo keeps it."""
    added = population_create(
        programme=programme,
        people=[waiting_mentor(now)],
        password_hash=password_hash,
        lists=lists,
    )
    if added:
        Membership.objects.filter(
            programme=programme, person__email=WAITING_MENTOR, role=Role.MENTOR
        ).update(inducted_on=None)


RESOURCES = {
    "north-star": (
        "Induction\n"
        "Every expert by experience (mentor) meets a coordinator for an induction before their "
        "first match. It takes about an hour, online or in person. We go through what "
        "mentoring involves, how you are paid, and how we support you.\n\n"
        "Who to call\n"
        "Jo Whitfield, coordinator: 0161 496 0000, Monday to Friday, 9am to 5pm.\n"
        "If someone is in danger now, call 999.\n\n"
        "Useful links\n"
        "Language that cares: https://www.tactcare.org.uk/our-work/language-that-cares/\n"
        "Co-production, what it is: https://www.scie.org.uk/co-production/what-how/"
    ),
    "riverside": (
        "Who to call\n"
        "Amir Hussain, coordinator: 0113 496 0000, weekdays, 10am to 4pm.\n"
        "If someone is in danger now, call 999."
    ),
}


def resources_ensure() -> None:
    """A resources page for each demo programme that has none yet."""
    for slug, text in RESOURCES.items():
        Programme.objects.filter(slug=slug, resources="").update(resources=text)
