"""`python manage.py seed_demo`: demo logins and a believable population to try Alongside with.

Running it again changes nothing. People are keyed by email and programmes by slug, and every
random choice comes from one generator seeded with the same number, so each run draws the same
plan and writes only what is missing. North Star also gets one matching round, run, reviewed
and answered through the matching services on the first run only. The published mentor and
mentee (Sam and Priya) are left out of it: they were matched with each other a year ago and
have a year of sessions, messages and pay (demo/published_pair.py). A second published pair
(Marcia and Tom) joined since, for a coordinator to match live. `--people N` adds a large
made-up programme for load tests.

The seed data lives beside this command, one module per part of the product (demo/people.py,
programmes.py, matching.py, mentoring.py, support.py, journal.py, payments.py,
messages.py, notifications.py); this command puts them together in order, in one transaction.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.choices import Role
from core.models import Topic
from demo import contribution, journal, messages, notifications, payments
from demo.agreements import demo_agreements_ensure
from demo.induction import resources_ensure, waiting_mentor_ensure
from demo.matching import demo_round_due, demo_round_seed, mentee_choice_ensure
from demo.mentoring import (
    demo_endings_ensure,
    demo_feedback_ensure,
    demo_plans_ensure,
    demo_questions_ensure,
    demo_sessions_ensure,
)
from demo.panel import demo_panel_ensure
from demo.people import (
    DEMO_PASSWORD,
    MENTEE,
    MENTEE_B,
    MENTOR,
    MENTOR_B,
    NEW_MENTEE,
    NEW_MENTOR,
    SEED,
    STAFF,
    Login,
    demo_mentee,
    demo_mentee_b,
    demo_mentor,
    demo_mentor_b,
    demo_new_mentee,
    demo_new_mentor,
    plan_pilot,
    plan_programme,
)
from demo.population import (
    SharedLists,
    login_ensure,
    member_ensure,
    population_create,
    two_factor_ensure,
)
from demo.programmes import (
    NATIONAL_PILOT,
    NORTH_STAR,
    ORGANISATION,
    RIVERSIDE,
    applications_ensure,
    invitations_ensure,
    programme_ensure,
)
from demo.published_pair import published_pair_ensure
from demo.support import demo_support_ensure
from programmes.models import Organisation
from programmes.services import administrator_add, membership_add


def demo_seed(*, pilot_size: int) -> dict[str, int]:
    """Everything the demo needs. Returns how many made-up people each programme gained."""
    rng = random.Random(SEED)
    now = timezone.now()
    lists = SharedLists()
    # Hashing is slow on purpose; every seeded person shares this one hash.
    password_hash = make_password(DEMO_PASSWORD)

    def login(who: Login) -> User:
        return login_ensure(
            email=who.email, display_name=who.display_name, password_hash=password_hash
        )

    organisation, _ = Organisation.objects.get_or_create(
        slug=ORGANISATION[0], defaults={"name": ORGANISATION[1]}
    )
    north_star = programme_ensure(organisation, NORTH_STAR)
    riverside = programme_ensure(organisation, RIVERSIDE)

    operator, admin, coordinator, coordinator_b = (login(who) for who in STAFF)
    # The Django admin is for the people who run the service, not for organisations.
    if not (operator.is_staff and operator.is_superuser):
        operator.is_staff = operator.is_superuser = True
        operator.save(update_fields=["is_staff", "is_superuser"])
    administrator_add(organisation=organisation, person=admin, by=None)
    membership_add(programme=north_star, person=coordinator, role=Role.COORDINATOR, by=None)
    membership_add(programme=riverside, person=coordinator_b, role=Role.COORDINATOR, by=None)
    for user in (operator, admin, coordinator, coordinator_b):
        two_factor_ensure(user)

    named = {who: login(who) for who in (MENTOR, MENTEE, MENTOR_B, MENTEE_B)}
    # Decided before Sam and Priya join North Star: see demo_round_due.
    round_due = demo_round_due(north_star)
    for make, who in ((demo_mentor_b, MENTOR_B), (demo_mentee_b, MENTEE_B)):
        member_ensure(person=make(who, now), user=named[who], programme=riverside, lists=lists)

    added = {}
    # The named mentor and mentee make up the round numbers.
    for programme, home, mentors, mentees in (
        (north_star, "north-west", 40, 120),
        (riverside, "yorkshire", 12, 30),
    ):
        plan = plan_programme(
            rng, slug=programme.slug, home=home, mentors=mentors - 1, mentees=mentees - 1, now=now
        )
        added[programme.name] = population_create(
            programme=programme, people=plan, password_hash=password_hash, lists=lists
        )

    if round_due:
        demo_round_seed(programme=north_star, by=coordinator)
    demo_sessions_ensure(programme=north_star, coordinator=coordinator, now=now)
    demo_endings_ensure(programme=north_star, coordinator=coordinator, now=now)
    demo_plans_ensure(programme=north_star, now=now)
    # Before the feedback, which answers North Star's own question from when it was added.
    demo_questions_ensure(programme=north_star, coordinator=coordinator, now=now)
    demo_feedback_ensure(programme=north_star, now=now)
    demo_support_ensure(programme=north_star, now=now)
    for make, who in ((demo_mentor, MENTOR), (demo_mentee, MENTEE)):
        member_ensure(person=make(who, now), user=named[who], programme=north_star, lists=lists)
    published_pair_ensure(programme=north_star, coordinator=coordinator, now=now)
    # Joined since, and fit each other: for a coordinator to match live.
    for make, who in ((demo_new_mentor, NEW_MENTOR), (demo_new_mentee, NEW_MENTEE)):
        member_ensure(person=make(who, now), user=login(who), programme=north_star, lists=lists)

    mentee_choice_ensure(programme=riverside, mentor=named[MENTOR_B])
    waiting_mentor_ensure(programme=north_star, now=now, password_hash=password_hash, lists=lists)
    resources_ensure()
    demo_agreements_ensure(programme=north_star)
    applications_ensure(programme=north_star, password_hash=password_hash)
    invitations_ensure(programme=north_star, by=coordinator)
    demo_panel_ensure(programme=north_star, coordinator=coordinator)

    if pilot_size:
        pilot = programme_ensure(organisation, NATIONAL_PILOT)
        # Drawn after the demo plans, from the same generator, so it is the same every run.
        plan = plan_pilot(rng, slug=pilot.slug, size=pilot_size, now=now)
        added[pilot.name] = population_create(
            programme=pilot, people=plan, password_hash=password_hash, lists=lists
        )
    return added


class Command(BaseCommand):
    help = (
        "Create the demo organisation, programmes, logins and a believable population of "
        "mentors and mentees. Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=0,
            metavar="N",
            help="Also add N made-up people, one mentor to three mentees, to a programme "
            "called National Pilot, for trying Alongside at scale.",
        )

    def handle(self, *args, people: int, **options) -> None:
        if people < 0:
            raise CommandError("--people must be zero or more.")
        if not Topic.objects.exists():
            raise CommandError("The topic library is empty. Run `manage.py migrate` first.")
        with transaction.atomic():
            added = demo_seed(pilot_size=people)
            # Called through their modules, so a test can leave one part out.
            journal.seed_journal(self.stdout)
            payments.seed_payments(self.stdout)
            contribution.seed_kind_words(self.stdout)
            messages.seed_messages(self.stdout)
            # Last, in the same transaction, so nothing made for demo people is emailed.
            notifications.seed_notifications(self.stdout)
        self.summary(added)

    def summary(self, added: dict[str, int]) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS("The Alongside demo is ready."))
        for programme, count in added.items():
            write(f"{programme}: {count} made-up people added.")
        logins = [*STAFF, MENTOR, MENTEE, NEW_MENTOR, NEW_MENTEE, MENTOR_B, MENTEE_B]
        email_width = max(len(who.email) for who in logins) + 2
        label_width = max(len(who.label) for who in logins) + 2
        write("")
        write(f"{'Email':<{email_width}}{'Role':<{label_width}}Password")
        for who in logins:
            write(f"{who.email:<{email_width}}{who.label:<{label_width}}{DEMO_PASSWORD}")
        write("")
        write(
            "Staff accounts use two-factor authentication. Add the secret "
            f"{settings.DEMO_TOTP_SECRET} to an authenticator app, or use any code it shows."
        )
        write(
            "The made-up people, such as mentor-001@north-star.example.org, share the same "
            "password."
        )
