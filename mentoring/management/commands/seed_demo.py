"""`python manage.py seed_demo`: demo logins and a believable population to try Alongside with.

Running it again changes nothing. People are keyed by email and programmes by slug, and every
random choice comes from one generator seeded with the same number, so each run draws the same
plan and writes only what is missing. North Star also gets one matching round, run, reviewed
and answered through the matching services on the first run only, with the named mentor and
mentee left out of it so they can be matched live. `--people N` adds a large made-up
programme for load tests.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile, User
from core import taxonomy_data
from core.choices import AVAILABILITY_SLOTS, PaymentPreference, PractitionerRole, Role
from core.models import LocalAuthority, Topic
from matching import services as matching_services
from matching.models import MatchingRound, Proposal
from programmes.models import Application, Invitation, Membership, Organisation, Programme
from programmes.services import (
    administrator_add,
    application_create,
    invitation_create,
    membership_add,
)

DEMO_PASSWORD = "alongside-demo-2026"
SEED = 2026
# Enough rows per query to be quick, few enough that SQLite's limit on parameters holds.
CHUNK = 500

# ---------------------------------------------------------------------------------------------
# The organisation, its programmes and the people whose logins we publish.

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
        "Care-experienced adults in Leeds, Bradford and Sheffield mentor practitioners in "
        "fostering and leaving care teams.",
    ),
    NATIONAL_PILOT: (
        "National Pilot",
        "A large practice programme for trying Alongside with many people at once. "
        "Everyone in it is made up.",
    ),
}


@dataclass(frozen=True)
class Login:
    email: str
    display_name: str
    label: str


ADMIN = Login("admin@example.org", "Helen Brooks", "Administrator, Northern Care Partnership")
COORDINATOR = Login("coordinator@example.org", "Jo Whitfield", "Coordinator, North Star")
COORDINATOR_B = Login("coordinator-b@example.org", "Amir Hussain", "Coordinator, Riverside")
MENTOR = Login("mentor@example.org", "Sam Okafor", "Expert by experience (mentor), North Star")
MENTEE = Login("mentee@example.org", "Priya Shah", "Practitioner (mentee), North Star")
MENTOR_B = Login("mentor-b@example.org", "Kasia Nowak", "Expert by experience (mentor), Riverside")
MENTEE_B = Login("mentee-b@example.org", "Daniel Mensah", "Practitioner (mentee), Riverside")
OPERATOR = Login(
    "operator@example.org", "Olu Adeyemi", "Runs the Alongside service (the Django admin)"
)
STAFF = [OPERATOR, ADMIN, COORDINATOR, COORDINATOR_B]

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
    (Role.MENTOR, "marcus.bell@example.org", "Marcus, from the care leavers' forum"),
    (Role.MENTEE, "", "For new starters in the Bolton fostering team"),
]

# ---------------------------------------------------------------------------------------------
# What the made-up people are drawn from.


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class NamePool:
    weight: int
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    # Languages some people from this background also speak, as Language slugs.
    languages: tuple[str, ...] = ()


# Names that sound like the North of England today, from many backgrounds.
NAME_POOLS = [
    NamePool(
        38,
        _words(
            "Oliver Amelia Jack Emily Harry Sophie Charlotte George Chloe Liam Megan Ryan Hannah "
            "Lewis Bethany Connor Lauren Jordan Kayleigh Dean Stacey Nathan Gemma Paul Karen"
        ),
        _words(
            "Smith Jones Taylor Brown Wilson Walker Wright Thompson Robinson Hughes Hall Wood "
            "Turner Hargreaves Ashworth Whittaker Lomax Barker Holt Kershaw Sutcliffe Fletcher"
        ),
    ),
    NamePool(
        16,
        _words(
            "Aisha Zain Imran Fatima Priya Ravi Sana Bilal Nadia Arjun Hamza Ayesha Yasmin Amrit "
            "Harpreet Sunita Tariq Samina Rohan Farhana Kiran Asif Shabana Jaspreet"
        ),
        _words(
            "Khan Hussain Ahmed Ali Patel Begum Iqbal Shah Akhtar Mahmood Rahman Uddin Singh "
            "Kaur Sandhu Chowdhury Mistry Malik Sharma Islam"
        ),
        ("ur", "pa", "bn", "gu"),
    ),
    NamePool(
        13,
        _words(
            "Kemi Tunde Chiamaka Kwame Abena Jerome Marcia Tyrone Shanice Nia Femi Adaeze Kofi "
            "Aaliyah Malachi Precious Blessing Tobi Simone Delroy Chidi Amara"
        ),
        _words(
            "Okafor Mensah Adeyemi Boateng Campbell Williams Johnson Asante Okonkwo Owusu "
            "Francis Thomas Grant Bailey Nwosu Agyeman Clarke Reid"
        ),
        ("fr", "pt"),
    ),
    NamePool(
        7,
        _words("Kasia Tomasz Agnieszka Marta Piotr Ola Kamil Zuzanna Jakub Magda Bartek Natalia"),
        _words("Nowak Wójcik Mazur Kaczmarek Zając Król Wróbel Sikora Dudek Pawlak Michalak"),
        ("pl",),
    ),
    NamePool(
        3,
        _words("Andrei Ioana Mihai Elena Alexandru Bianca Cristian Diana"),
        _words("Popescu Ionescu Dumitru Stan Constantin Marin Radu"),
        ("ro",),
    ),
    NamePool(
        5,
        _words("Hodan Abdi Amina Mohamed Fadumo Yusuf Ifrah Hassan Saida Liban"),
        _words("Ali Warsame Farah Jama Osman Abdullahi Hersi Noor"),
        ("so", "ar"),
    ),
    NamePool(
        2,
        _words("Filmon Senait Yonas Helen Semhar Dawit"),
        _words("Tesfay Gebremedhin Haile Berhane Kidane"),
        ("ti", "ar"),
    ),
    NamePool(
        5,
        _words("Ahmad Shirin Karwan Darya Omid Zahra Hevi Layla Sami Rojin"),
        _words("Karimi Ahmadi Rahimi Hosseini Barzani Saleh Haddad Noori Mustafa"),
        ("ku", "fa", "ps", "ar"),
    ),
    NamePool(
        6,
        _words("Rhys Cerys Dylan Seren Aoife Ciaran Niamh Declan Siobhan Callum Eilidh Fraser"),
        _words("Evans Davies Morgan Griffiths Pritchard Murphy O'Brien Kelly Doyle MacDonald"),
        ("cy",),
    ),
    NamePool(
        5,
        _words("Mei Wei Jun Lina Kevin Hoa Minh Anh Grace Daniel"),
        _words("Chen Wong Li Nguyen Tran Lam Cheung Ho"),
    ),
]

# Councils near each region, as LocalAuthority slugs. Regions missing here draw from NATIONAL.
COUNCILS_BY_REGION = {
    "north-west": _words(
        "manchester salford trafford stockport bolton oldham rochdale wigan liverpool lancashire"
    ),
    "yorkshire": _words("leeds bradford sheffield"),
    "north-east": _words("newcastle"),
    "west-midlands": _words("birmingham"),
    "east-midlands": _words("leicester nottingham"),
    "london": _words("hackney camden lambeth croydon"),
    "south-east": _words("kent"),
    "south-west": _words("bristol devon"),
    "wales": _words("cardiff"),
    "scotland": _words("glasgow"),
}
NATIONAL = ("barnardos", "independent-fostering", "other-organisation")
ALL_COUNCILS = tuple(slug for slugs in COUNCILS_BY_REGION.values() for slug in slugs)

# The made-up programme spreads across the country; the others stay mostly local.
PILOT_REGIONS = {
    "north-west": 14, "yorkshire": 11, "north-east": 5, "west-midlands": 11,
    "east-midlands": 9, "east": 8, "london": 16, "south-east": 11, "south-west": 7,
    "wales": 4, "scotland": 3, "northern-ireland": 1,
}  # fmt: skip

TOPICS = tuple(slug for slug, *_ in taxonomy_data.TOPICS)

LIVED_EXPERIENCE = {
    "foster-care": 30, "residential-care": 14, "kinship-care": 10, "adoption": 6,
    "leaving-care": 24, "youth-justice": 5, "unaccompanied-asylum": 5,
    "disabled-childrens-services": 3, "child-protection": 6, "parent-with-social-worker": 4,
}  # fmt: skip

# What a mentor might choose to let their mentee read, in their own words.
SHARED_WITH_MENTEE = {
    "foster-care": "I grew up in foster care from the age of nine and lived with three "
    "families. I'm happy to talk about what helped me feel settled, and what didn't.",
    "residential-care": "I lived in a children's home as a teenager. I'd like to help you see "
    "reviews and meetings from the young person's side of the table.",
    "kinship-care": "My nan brought me up after things went wrong at home. Ask me what support "
    "for family carers looked like for us.",
    "adoption": "I was adopted when I was six. Life-story work mattered a lot to me, and I'm "
    "glad to talk about it.",
    "leaving-care": "I left care at eighteen and set up my first flat on my own. I can share "
    "what I wish someone had told me then.",
    "youth-justice": "I spent time with the youth offending team when I was younger. I'm open "
    "about what made a difference to me and what got in the way.",
    "unaccompanied-asylum": "I came to the UK on my own when I was fifteen. I'm happy to talk "
    "about starting again in a new country and a new language.",
    "disabled-childrens-services": "I had a social worker through disabled children's "
    "services. I care about children being asked what they think, not just their parents.",
    "child-protection": "There was a child protection plan for me and my brothers. I can talk "
    "about what it felt like when social workers came to the house.",
    "parent-with-social-worker": "I'm a mum who has had a social worker. Small things, like "
    "being on time and explaining letters, mattered more than you'd think.",
}

PRACTICE_AREAS = {
    "children-in-care": 22, "fostering": 16, "leaving-care": 14, "child-protection": 14,
    "family-support": 8, "adoption": 5, "kinship-care": 6, "residential-care": 5,
    "youth-justice": 4, "disabled-children": 4, "asylum": 3,
}  # fmt: skip

TEAMS = {
    "children-in-care": "Children in care team",
    "fostering": "Fostering team",
    "leaving-care": "Leaving care team",
    "child-protection": "Child protection team",
    "family-support": "Early help team",
    "adoption": "Adoption team",
    "kinship-care": "Kinship care team",
    "residential-care": "Children's home",
    "youth-justice": "Youth justice service",
    "disabled-children": "Disabled children's team",
    "asylum": "Unaccompanied children's team",
}

# How often each practitioner role comes up, and the years in practice that go with it.
PRACTITIONER_ROLES = {
    PractitionerRole.SOCIAL_WORKER: 45,
    PractitionerRole.NEWLY_QUALIFIED: 15,
    PractitionerRole.STUDENT: 11,
    PractitionerRole.MANAGER: 10,
    PractitionerRole.SUPERVISING: 12,
    PractitionerRole.OTHER: 7,
}
YEARS_IN_PRACTICE = {
    PractitionerRole.SOCIAL_WORKER: (2, 15),
    PractitionerRole.NEWLY_QUALIFIED: (0, 1),
    PractitionerRole.STUDENT: (0, 0),
    PractitionerRole.MANAGER: (7, 25),
    PractitionerRole.SUPERVISING: (3, 20),
    PractitionerRole.OTHER: (1, 20),
}

MEETING_MODES = {
    ("online",): 25,
    ("online", "phone"): 25,
    ("online", "in_person"): 20,
    ("online", "phone", "in_person"): 15,
    ("phone",): 5,
    ("in_person",): 5,
    ("phone", "in_person"): 5,
}

SLOT_ORDER = [key for key, _ in AVAILABILITY_SLOTS]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# Practitioners mostly meet in work time; mentors are spread across the week.
DAYTIME = tuple(f"{day}-{part}" for day in WEEKDAYS for part in ("am", "pm"))
EVENINGS = tuple(f"{day}-eve" for day in WEEKDAYS) + ("sat-am", "sat-pm", "sun-pm")
WEEKENDS = tuple(f"{day}-{part}" for day in ("sat", "sun") for part in ("am", "pm", "eve"))

ACCESSIBILITY_NEEDS = (
    "I use a screen reader, so please send documents as Word files rather than PDFs.",
    "Captions on video calls, please. I am hard of hearing.",
    "Step-free access for meetings in person. I use a wheelchair.",
    "I am dyslexic. Plain writing and a little extra time help me.",
    "Loud, busy places are hard for me. A quiet room or a video call works best.",
    "Short breaks every 45 minutes help me concentrate.",
    "I lip-read, so please face the camera and do not cover your mouth.",
)

PAYMENT_PREFERENCES = {
    PaymentPreference.BANK_TRANSFER: 75,
    PaymentPreference.VOUCHER: 17,
    PaymentPreference.UNPAID: 8,
}

DRAFT_SHARE = 0.1
PAUSED_SHARE = 0.08


# ---------------------------------------------------------------------------------------------
# The plan: who to create, drawn without touching the database.


@dataclass
class Person:
    email: str
    display_name: str
    role: str
    joined_at: datetime
    # Plain profile fields, except `employer`, which is a LocalAuthority slug.
    profile: dict = field(default_factory=dict)
    # Many-to-many profile fields, as slugs of the shared lists.
    relations: dict[str, list[str]] = field(default_factory=dict)


def _weighted(rng: random.Random, weights: dict):
    """One of the keys of `weights`, chosen in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _some(rng: random.Random, options, low: int, high: int, exclude=()) -> list:
    """Between `low` and `high` different options; weighted when `options` is a dict."""
    weights = options if isinstance(options, dict) else dict.fromkeys(options, 1)
    pool = {option: weight for option, weight in weights.items() if option not in exclude}
    chosen = []
    for _ in range(rng.randint(low, min(high, len(pool)))):
        choice = _weighted(rng, pool)
        del pool[choice]
        chosen.append(choice)
    return chosen


def _name_and_languages(rng: random.Random) -> tuple[str, list[str]]:
    pool = rng.choices(NAME_POOLS, weights=[pool.weight for pool in NAME_POOLS])[0]
    name = f"{rng.choice(pool.first_names)} {rng.choice(pool.surnames)}"
    languages = ["en"]
    if pool.languages and rng.random() < 0.45:
        languages.append(rng.choice(pool.languages))
    if rng.random() < 0.03:
        languages.append("bsl")
    return name, languages


def _availability(rng: random.Random, pools: dict[tuple[str, ...], int]) -> list[str]:
    pool = _weighted(rng, pools)
    return sorted(_some(rng, pool, 2, 6), key=SLOT_ORDER.index)


def _common_profile(rng: random.Random, region: str, availability: dict) -> dict:
    return {
        "region": region,
        "meeting_modes": list(_weighted(rng, MEETING_MODES)),
        "availability": _availability(rng, availability),
        "accessibility_needs": rng.choice(ACCESSIBILITY_NEEDS) if rng.random() < 0.12 else "",
    }


def _council_near(rng: random.Random, region: str) -> str:
    councils = COUNCILS_BY_REGION.get(region)
    if councils and rng.random() < 0.85:
        return rng.choice(councils)
    return rng.choice(NATIONAL)


def _draft(rng: random.Random, person: Person) -> None:
    """Leave out one or two things, the way people save a form half-filled and come back."""
    if person.role == Role.MENTOR:
        gaps = [
            "availability",
            "meeting_modes",
            "languages",
            "topics_offered",
            "payment_preference",
        ]
    else:
        gaps = ["availability", "meeting_modes", "languages", "learning_goals", "employer"]
    for gap in _some(rng, gaps, 1, 2):
        if gap in person.relations:
            person.relations[gap] = []
        else:
            person.profile[gap] = [] if gap in ("availability", "meeting_modes") else ""


def _mentor(rng: random.Random, email: str, region: str, now: datetime) -> Person:
    name, languages = _name_and_languages(rng)
    joined_at = now - timedelta(days=rng.randint(7, 420))
    profile = _common_profile(rng, region, {DAYTIME: 4, EVENINGS: 4, WEEKENDS: 2})
    # Sharing care experience needs consent; without it we hold none of it.
    consented = rng.random() < 0.9
    experience = _some(rng, LIVED_EXPERIENCE, 1, 2) if consented else []
    looked_after_by = []
    if consented and rng.random() < 0.6:
        nearby = COUNCILS_BY_REGION.get(region, ALL_COUNCILS)
        looked_after_by = [rng.choice(nearby if rng.random() < 0.7 else ALL_COUNCILS)]
    shared = SHARED_WITH_MENTEE[experience[0]] if consented and rng.random() < 0.4 else ""
    paused = rng.random() < PAUSED_SHARE
    offered = _some(rng, TOPICS, 2, 5)
    profile |= {
        "consent_given_at": joined_at + timedelta(hours=1) if consented else None,
        "happy_to_mentor_own_council": bool(looked_after_by) and rng.random() < 0.3,
        "shared_with_mentee": shared,
        "capacity": _weighted(rng, {1: 50, 2: 35, 3: 15}),
        "payment_preference": _weighted(rng, PAYMENT_PREFERENCES),
        "paused_at": now - timedelta(days=rng.randint(1, 30)) if paused else None,
    }
    relations = {
        "languages": languages,
        "lived_experience": experience,
        "looked_after_by": looked_after_by,
        "topics_offered": offered,
        # Boundaries are the mentor's own; a topic is never both offered and off limits.
        "topics_off_limits": _some(rng, TOPICS, 0, 2, exclude=offered),
    }
    return Person(email, name, Role.MENTOR, joined_at, profile, relations)


def _mentee(rng: random.Random, email: str, region: str, now: datetime) -> Person:
    name, languages = _name_and_languages(rng)
    joined_at = now - timedelta(days=rng.randint(7, 420))
    profile = _common_profile(rng, region, {DAYTIME: 8, EVENINGS: 2})
    role = _weighted(rng, PRACTITIONER_ROLES)
    if role == PractitionerRole.SUPERVISING:
        areas = ["fostering"]  # supervising social workers support foster carers
    else:
        areas = _some(rng, PRACTICE_AREAS, 1, 2)
    team = TEAMS[areas[0]]
    if role == PractitionerRole.STUDENT:
        team = f"Student placement in the {team[0].lower()}{team[1:]}"
    profile |= {
        "practitioner_role": role,
        "employer": _council_near(rng, region),
        "team": team,
        "years_in_practice": rng.randint(*YEARS_IN_PRACTICE[role]),
    }
    relations = {
        "languages": languages,
        "practice_areas": areas,
        "learning_goals": _some(rng, TOPICS, 1, 4),
    }
    return Person(email, name, Role.MENTEE, joined_at, profile, relations)


def _person(rng: random.Random, *, role: str, email: str, region: str, now: datetime) -> Person:
    make = _mentor if role == Role.MENTOR else _mentee
    person = make(rng, email, region, now)
    if rng.random() < DRAFT_SHARE:
        _draft(rng, person)
    return person


def plan_programme(
    rng: random.Random, *, slug: str, home: str, mentors: int, mentees: int, now: datetime
) -> list[Person]:
    people = []
    for role, count in ((Role.MENTOR, mentors), (Role.MENTEE, mentees)):
        for number in range(1, count + 1):
            # Most people live near the programme; a few join from further away.
            region = home if rng.random() < 0.85 else _weighted(rng, PILOT_REGIONS)
            email = f"{role}-{number:03d}@{slug}.example.org"
            people.append(_person(rng, role=role, email=email, region=region, now=now))
    return people


def plan_pilot(rng: random.Random, *, size: int, now: datetime) -> list[Person]:
    """One mentor for every three mentees. Person k is the same whatever the size, so a larger
    run adds to a smaller one instead of drawing a different crowd."""
    people = []
    numbers = {Role.MENTOR: 0, Role.MENTEE: 0}
    for index in range(size):
        role = Role.MENTOR if index % 4 == 0 else Role.MENTEE
        numbers[role] += 1
        email = f"{role}-{numbers[role]:05d}@{NATIONAL_PILOT}.example.org"
        region = _weighted(rng, PILOT_REGIONS)
        people.append(_person(rng, role=role, email=email, region=region, now=now))
    return people


# The people whose logins we publish get hand-written, complete profiles that suit each
# other, so a matching round in the demo pairs them. The matcher gives scarce mentors to the
# mentees with fewest alternatives, so Priya is free only in work time: among the mentors
# with room after the seeded round, Sam is then by far her best fit, and the next round
# suggests him (tests/test_seed_demo.py checks it).


def demo_mentor(who: Login, now: datetime) -> Person:
    profile = {
        "region": "north-west",
        "meeting_modes": ["online", "phone"],
        "availability": ["tue-eve", "wed-pm", "thu-eve", "sat-am"],
        "accessibility_needs": "",
        "consent_given_at": now - timedelta(days=120),
        "happy_to_mentor_own_council": False,
        "shared_with_mentee": "I lived with two foster families in Manchester and left care "
        "at eighteen. I'm happy to talk about moving homes and what helped when I set up on "
        "my own. I'd rather not talk about my birth family.",
        "capacity": 2,
        "payment_preference": PaymentPreference.BANK_TRANSFER,
        "paused_at": None,
    }
    relations = {
        "languages": ["en"],
        "lived_experience": ["foster-care", "leaving-care"],
        "looked_after_by": ["manchester"],
        "topics_offered": [
            "moving-to-adulthood",
            "moving-homes",
            "language-that-cares",
            "being-heard-in-reviews",
        ],
        "topics_off_limits": ["family-time"],
    }
    joined_at = now - timedelta(days=120)
    return Person(who.email, who.display_name, Role.MENTOR, joined_at, profile, relations)


def demo_mentee(who: Login, now: datetime) -> Person:
    profile = {
        "region": "north-west",
        "meeting_modes": ["online"],
        "availability": ["wed-am", "wed-pm", "thu-pm"],
        "accessibility_needs": "",
        "practitioner_role": PractitionerRole.SOCIAL_WORKER,
        "employer": "salford",
        "team": "Children in care team",
        "years_in_practice": 4,
    }
    relations = {
        "languages": ["en", "gu"],
        "practice_areas": ["children-in-care", "leaving-care"],
        "learning_goals": ["language-that-cares", "being-heard-in-reviews", "moving-to-adulthood"],
    }
    joined_at = now - timedelta(days=90)
    return Person(who.email, who.display_name, Role.MENTEE, joined_at, profile, relations)


def demo_mentor_b(who: Login, now: datetime) -> Person:
    person = demo_mentor(who, now)
    person.profile |= {
        "region": "yorkshire",
        "meeting_modes": ["online", "in_person"],
        "availability": ["mon-eve", "wed-eve", "sun-pm"],
        "shared_with_mentee": "I lived in a children's home in Leeds from thirteen to "
        "seventeen. I'm glad to talk about school, friendships and being heard in reviews.",
        "capacity": 1,
        "payment_preference": PaymentPreference.VOUCHER,
    }
    person.relations |= {
        "languages": ["en", "pl"],
        "lived_experience": ["residential-care"],
        "looked_after_by": ["leeds"],
        "topics_offered": [
            "education-and-school",
            "being-heard-in-reviews",
            "identity-and-belonging",
        ],
        "topics_off_limits": [],
    }
    return person


def demo_mentee_b(who: Login, now: datetime) -> Person:
    person = demo_mentee(who, now)
    person.profile |= {
        "region": "yorkshire",
        "meeting_modes": ["online", "in_person"],
        "availability": ["mon-pm", "wed-eve", "fri-am"],
        "practitioner_role": PractitionerRole.NEWLY_QUALIFIED,
        "employer": "leeds",
        "team": "Leaving care team",
        "years_in_practice": 1,
    }
    person.relations |= {
        "languages": ["en"],
        "practice_areas": ["leaving-care"],
        "learning_goals": ["education-and-school", "identity-and-belonging"],
    }
    return person


# ---------------------------------------------------------------------------------------------
# Writing the plan.


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
    membership_add(programme=programme, person=user, role=person.role, by=None)
    # A profile someone has edited in the demo is theirs; only a missing one is made.
    if not _profile_model(person.role).objects.filter(user=user).exists():
        profiles_create(people=[person], user_ids={user.email: user.pk}, lists=lists)


def programme_ensure(organisation: Organisation, slug: str) -> Programme:
    name, description = PROGRAMMES[slug]
    programme, _ = Programme.objects.get_or_create(
        slug=slug,
        defaults={"organisation": organisation, "name": name, "description": description},
    )
    return programme


def mentee_choice_ensure(*, programme: Programme, mentor: User) -> None:
    """Riverside lets practitioners choose: one of its made-up mentees has asked the named
    mentor, so the demo shows a request waiting for a mentor's answer."""
    if programme.matching_mode != Programme.MatchingMode.MENTEE_CHOICE:
        programme.matching_mode = Programme.MatchingMode.MENTEE_CHOICE
        programme.save(update_fields=["matching_mode"])
    if MatchingRound.objects.filter(
        programme=programme, kind=MatchingRound.Kind.MENTEE_CHOICE
    ).exists():
        return
    mentees = (
        Membership.objects.current()
        .filter(programme=programme, role=Role.MENTEE)
        .exclude(person__email=MENTEE_B.email)
        .select_related("person")
        .order_by("person__email")
    )
    for membership in mentees:
        suggestions = matching_services.mentee_suggestions(
            programme=programme, mentee=membership.person
        )
        if any(s["mentor_id"] == mentor.pk for s in suggestions):
            proposal = matching_services.mentee_request(
                programme=programme, mentee=membership.person, mentor_id=mentor.pk
            )
            # Marked as asked so seeding emails nobody.
            Proposal.objects.filter(pk=proposal.pk).update(asked_at=timezone.now())
            return


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


# ---------------------------------------------------------------------------------------------
# A matching round that has already happened in North Star.

# How the coordinator and the people in the demo round answered, counted in the order of the
# mentees' emails: the first pairs both said yes, one mentee said no, a few mentors have said
# yes and wait for their mentee, and the last few suggestions still wait for review.
BOTH_ACCEPT = 8
MENTOR_ONLY_ACCEPTS = 3
LEFT_FOR_REVIEW = 4
REJECTION_REASON = "They already know each other from the Salford training days."
DECLINE_REASON = "I would rather have a mentor who can meet in person now and then."


def demo_round_due(programme: Programme) -> bool:
    """The demo round is seeded once, on the run that first puts the named mentor and mentee
    in North Star, just before they join: so the round never includes them, and a coordinator
    can match them live. A database seeded before rounds existed gets none, rather than a
    round that might already have paired them."""
    if MatchingRound.objects.filter(programme=programme).exists():
        return False
    return not (
        Membership.objects.current()
        .filter(programme=programme, person__email__in=[MENTOR.email, MENTEE.email])
        .exists()
    )


def demo_round_seed(*, programme: Programme, by: User) -> MatchingRound:
    """One finished round, solved, reviewed and answered through the real services, as if
    it ran a few weeks ago. Choices follow the mentees' emails, so every run makes the same."""
    matching_round = matching_services.round_start(programme=programme, by=by)
    # Solve it now rather than in the background, so its proposals can be reviewed below.
    # The task queued when this transaction commits finds it finished and does nothing.
    matching_round = matching_services.round_run(round_id=matching_round.pk)
    if matching_round is None or matching_round.status != MatchingRound.Status.FINISHED:
        raise CommandError("The demo matching round could not be solved.")
    proposals = sorted(
        matching_round.proposals.select_related("mentor", "mentee"), key=lambda p: p.mentee.email
    )
    if len(proposals) < BOTH_ACCEPT + MENTOR_ONLY_ACCEPTS + LEFT_FOR_REVIEW + 2:
        raise CommandError(f"The demo matching round made only {len(proposals)} proposals.")
    # The last few stay as the matcher suggested them, for the coordinator to review.
    reviewed = proposals[:-LEFT_FOR_REVIEW]
    rejected, approved = reviewed[-1], reviewed[:-1]
    matching_services.proposal_reject(proposal=rejected, by=by, reason=REJECTION_REASON)
    matching_services.proposals_approve(proposals=approved, by=by)
    # The made-up people were asked back then. Nobody is emailed now: their addresses go
    # nowhere, and a demo seed that prints dozens of emails hides what matters.
    Proposal.objects.filter(pk__in=[p.pk for p in approved]).update(asked_at=timezone.now())

    both, rest = approved[:BOTH_ACCEPT], approved[BOTH_ACCEPT:]
    declined, mentor_only = rest[0], rest[1 : 1 + MENTOR_ONLY_ACCEPTS]
    for proposal in both:
        for person in (proposal.mentor, proposal.mentee):
            matching_services.proposal_answer(proposal=proposal, person=person, accept=True)
    for proposal in [declined, *mentor_only]:
        matching_services.proposal_answer(proposal=proposal, person=proposal.mentor, accept=True)
    matching_services.proposal_answer(
        proposal=declined, person=declined.mentee, accept=False, reason=DECLINE_REASON
    )
    return matching_round


# ---------------------------------------------------------------------------------------------
# Sessions of the demo's matches: a year of them, monthly at first and fortnightly lately,
# mostly approved, the latest of each waiting for the coordinator, and one still waiting for
# the other person to confirm.

MATCH_WEEKS_AGO = 52
SESSION_WEEKS_AGO = (50, 46, 42, 38, 34, 30, 26, 22, 18, 14, 10, 7, 5, 3, 1)
SESSION_NOTES = (
    "We went through a recent review meeting from the young person's side of the table.",
    "Talked about how to explain a change of placement in words a ten-year-old would use.",
    "Practised writing a case note as if the child would read it one day.",
    "",
)
# Local start times, (hour, minute): evenings for most, one lunchtime call.
SESSION_TIMES = ((18, 0), (17, 30), (12, 30), (19, 0))


def demo_sessions_ensure(*, programme: Programme, coordinator: User, now: datetime) -> int:
    """Sessions for the matches of the demo round, made through the session services, for
    each match that has none yet. The demo's named people are matched live, so theirs are
    left alone. Returns how many sessions were added."""
    from zoneinfo import ZoneInfo

    from matching.models import Match
    from mentoring.models import Session
    from mentoring.services import session_approve, session_confirm, session_log

    zone = ZoneInfo(programme.time_zone)
    matches = (
        Match.objects.filter(programme=programme, status=Match.Status.ACTIVE)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .select_related("mentor", "mentee", "programme")
        .order_by("mentee__email")
    )
    added = 0
    for index, match in enumerate(matches):
        if Session.objects.filter(match=match).exists():
            continue
        # The match began before its first session, as it would have.
        Match.objects.filter(pk=match.pk).update(started_at=now - timedelta(weeks=MATCH_WEEKS_AGO))
        goals = list(Topic.objects.filter(menteeprofile__user=match.mentee).order_by("name")[:2])
        for number, weeks in enumerate(SESSION_WEEKS_AGO):
            hour, minute = SESSION_TIMES[(index + number) % len(SESSION_TIMES)]
            day = (now - timedelta(weeks=weeks, days=index % 3)).astimezone(zone).date()
            starts_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            latest = number == len(SESSION_WEEKS_AGO) - 1
            logger, other = (
                (match.mentee, match.mentor)
                if (index + number) % 3 == 0
                else (match.mentor, match.mentee)
            )
            session = session_log(
                match=match,
                by=logger,
                starts_at=starts_at,
                duration_minutes=(60, 75, 90, 45)[(index + number) % 4],
                meeting_mode=("online", "online", "phone", "in_person")[(index + number) % 4],
                topics=goals,
                preparation_minutes=(15, 30, 20)[number % 3] if logger == match.mentor else 0,
                note=SESSION_NOTES[(index + number) % len(SESSION_NOTES)],
            )
            added += 1
            if latest and index == 0:
                continue  # waiting for the other person to confirm
            session_confirm(session=session, by=other)
            if not latest:
                session_approve(session=session, by=coordinator)
    return added


# One demo match ended, with both people's closing surveys, and a concern a mentor raised
# that the coordinator is dealing with.
ENDING = {"rating": 4, "recommend": "yes", "reason": "goals_reached"}
ENDING_COMMENTS = (
    "We did what we set out to do. I feel more confident chairing reviews now.",
    "It was good to see the change in how reports are written. Happy to mentor again.",
)
CONCERN_TEXT = (
    "My mentee mentioned they are off sick with stress and finding the caseload too much. "
    "I am worried about them and said I would let you know."
)
CONCERN_ACTION = "Called the mentee and their manager. Agreed a lighter caseload for a month."


def demo_endings_ensure(*, programme: Programme, coordinator: User, now: datetime) -> None:
    """Close the last demo match (once) and raise one concern (once), through the services."""
    from matching.models import Match
    from mentoring.models import Concern, Session
    from mentoring.services import concern_raise, concern_record_action, session_approve

    matches = list(
        Match.objects.filter(programme=programme, sessions__isnull=False)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .distinct()
        .select_related("mentor", "mentee", "programme")
        .order_by("mentee__email")
    )
    if len(matches) < 3:
        return
    ending = matches[-1]
    if not Match.objects.filter(programme=programme, status=Match.Status.CLOSED).exists():
        for session in ending.sessions.filter(status=Session.Status.CONFIRMED):
            session_approve(session=session, by=coordinator)
        matching_services.match_close(
            match=ending, by=ending.mentee, comments=ENDING_COMMENTS[0], **ENDING
        )
        matching_services.closing_survey_give(
            match=ending, person=ending.mentor, comments=ENDING_COMMENTS[1], **ENDING
        )
        Match.objects.filter(pk=ending.pk).update(ended_at=now - timedelta(days=4))
    if not Concern.objects.filter(match__programme=programme).exists():
        worried = matches[1]
        concern = concern_raise(
            match=worried,
            by=worried.mentor,
            kind=Concern.Kind.WELLBEING,
            what_happened=CONCERN_TEXT,
        )
        # The coordinator read it back then: nobody is emailed now.
        Concern.objects.filter(pk=concern.pk).update(emailed_at=now)
        concern_record_action(
            concern=concern,
            by=coordinator,
            note=CONCERN_ACTION,
            new_status=Concern.Status.IN_PROGRESS,
        )


# ---------------------------------------------------------------------------------------------
# Feedback after the demo's sessions and co-production checks: mostly positive, some
# lukewarm, a few comments. The match whose latest session waits for confirmation keeps that
# session's feedback and its latest check unanswered, so its two people find both forms on
# their dashboard. Of the ended match, only the person who ended it has given the last check.

FEEDBACK_SCORES = {5: 40, 4: 38, 3: 14, 2: 6, 1: 2}
FEEDBACK_COMMENTS = (
    "Really useful. I am going to change how I start home visits.",
    "We ran out of time, but what we covered was good.",
    "It helped to hear how a review felt from the other side of the table.",
    "I felt listened to, and I was not made to feel silly for asking.",
    "A bit rushed today. The call kept dropping.",
    "Good to be asked what I think rather than just told.",
)


def demo_feedback_ensure(*, programme: Programme, now: datetime) -> None:
    """Session feedback and quarterly and closing co-production checks for the demo's
    matches, for each match that has none yet. Each match draws from its own generator,
    seeded with its mentee's email, so every run makes the same answers."""
    from matching.models import Match
    from mentoring.feedback import FEEDBACK_STATUSES, PRINCIPLES, QUARTER
    from mentoring.models import CoproductionCheck, Session, SessionFeedback

    matches = list(
        Match.objects.filter(programme=programme, sessions__isnull=False)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .distinct()
        .select_related("mentor", "mentee")
        .order_by("mentee__email")
    )
    # Whoever has a session to confirm is the pair the accessibility crawl follows.
    waiting = set(
        Session.objects.filter(match__in=matches, status=Session.Status.LOGGED).values_list(
            "match_id", flat=True
        )
    )
    for match in matches:
        if match.pk in waiting and match.status == Match.Status.ACTIVE:
            # Old enough for a check every three months, whatever the sessions above did.
            Match.objects.filter(pk=match.pk, started_at__gt=now - QUARTER).update(
                started_at=now - QUARTER - timedelta(weeks=1)
            )
            match.refresh_from_db(fields=["started_at"])

    def score(rng: random.Random) -> int:
        return rng.choices(list(FEEDBACK_SCORES), weights=list(FEEDBACK_SCORES.values()))[0]

    def stamped(rows: list, when: list[datetime], model) -> None:
        # created_at is set on insert; the demo's answers were given back then.
        model.objects.bulk_create(rows)
        for row, at in zip(rows, when, strict=True):
            row.created_at = min(at, now - timedelta(minutes=5))
        model.objects.bulk_update(rows, ["created_at"])

    for match in matches:
        rng = random.Random(f"{SEED}-feedback-{match.mentee.email}")
        sides = ((Role.MENTOR, match.mentor), (Role.MENTEE, match.mentee))
        if not SessionFeedback.objects.filter(session__match=match).exists():
            sessions = list(
                Session.objects.filter(
                    match=match, status__in=FEEDBACK_STATUSES, starts_at__lte=now
                ).order_by("starts_at", "pk")
            )
            rows, when = [], []
            for number, session in enumerate(sessions):
                latest = number == len(sessions) - 1
                for role, person in sides:
                    skip = rng.random() < (0.3 if latest else 0.1)
                    answers = {
                        "useful": score(rng),
                        "listened_to": score(rng),
                        "plain_language": score(rng),
                    }
                    if role == Role.MENTOR:
                        answers |= {
                            "equal_partner": score(rng),
                            "expertise_valued": score(rng),
                            "paid_fairly": score(rng),
                        }
                    comment = rng.choice(FEEDBACK_COMMENTS) if rng.random() < 0.15 else ""
                    after = timedelta(hours=rng.randint(2, 48))
                    if skip or (latest and match.pk in waiting):
                        continue
                    rows.append(
                        SessionFeedback(
                            session=session,
                            programme_id=match.programme_id,
                            person=person,
                            role=role,
                            comments=comment,
                            **answers,
                        )
                    )
                    when.append(session.starts_at + after)
            stamped(rows, when, SessionFeedback)
        if not CoproductionCheck.objects.filter(match=match).exists():
            until = match.ended_at or now
            quarters = max(0, (until - match.started_at) // QUARTER)
            rows, when = [], []
            for quarter in [*range(1, quarters + 1), 0]:
                if quarter == 0 and match.status != Match.Status.CLOSED:
                    continue
                for role, person in sides:
                    answers = {name: score(rng) for name in PRINCIPLES}
                    rung = rng.choices(range(3, 8), weights=(1, 2, 3, 6, 5))[0]
                    skip = rng.random() < 0.1
                    last_quarter = quarter == quarters and match.status == Match.Status.ACTIVE
                    if quarter == 0:
                        # The mentee ended it and answered; the mentor is still asked.
                        skip = role == Role.MENTOR
                    elif last_quarter and match.pk in waiting:
                        skip = True
                    if skip:
                        continue
                    rows.append(
                        CoproductionCheck(
                            match=match,
                            programme_id=match.programme_id,
                            person=person,
                            role=role,
                            occasion="closing" if quarter == 0 else "quarterly",
                            quarter=quarter,
                            rung=rung,
                            **answers,
                        )
                    )
                    late = timedelta(days=rng.randint(0, 6))
                    given = (
                        until + timedelta(days=1)
                        if quarter == 0
                        else match.started_at + quarter * QUARTER + late
                    )
                    when.append(given)
            stamped(rows, when, CoproductionCheck)


def demo_plans_ensure(*, programme: Programme, now: datetime) -> None:
    """The next session of each of the first two demo matches, planned in advance (once)."""
    from zoneinfo import ZoneInfo

    from matching.models import Match
    from mentoring.models import PlannedSession
    from mentoring.services import session_plan

    if PlannedSession.objects.filter(match__programme=programme).exists():
        return
    zone = ZoneInfo(programme.time_zone)
    matches = (
        Match.objects.filter(programme=programme, status=Match.Status.ACTIVE)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .select_related("programme")
        .order_by("mentee__email")[:2]
    )
    for index, match in enumerate(matches):
        day = (now + timedelta(days=6 + index)).astimezone(zone).date()
        session_plan(
            match=match,
            by=match.mentor,
            starts_at=datetime(day.year, day.month, day.day, 18, 0, tzinfo=zone),
            duration_minutes=60,
            meeting_mode=("online", "in_person")[index],
            note=("Same video link as last time.", "The library café on the high street.")[index],
        )


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
    demo_feedback_ensure(programme=north_star, now=now)
    for make, who in ((demo_mentor, MENTOR), (demo_mentee, MENTEE)):
        member_ensure(person=make(who, now), user=named[who], programme=north_star, lists=lists)

    mentee_choice_ensure(programme=riverside, mentor=named[MENTOR_B])
    applications_ensure(programme=north_star, password_hash=password_hash)
    invitations_ensure(programme=north_star, by=coordinator)

    if pilot_size:
        pilot = programme_ensure(organisation, NATIONAL_PILOT)
        # Drawn after the demo plans, from the same generator, so it is the same every run.
        plan = plan_pilot(rng, size=pilot_size, now=now)
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
            from journal.demo import seed_journal

            seed_journal(self.stdout)
            from payments.demo import seed_payments

            seed_payments(self.stdout)
            from notifications.demo import seed_notifications

            # Last, in the same transaction, so nothing made for demo people is emailed.
            seed_notifications(self.stdout)
        self.summary(added)

    def summary(self, added: dict[str, int]) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS("The Alongside demo is ready."))
        for programme, count in added.items():
            write(f"{programme}: {count} made-up people added.")
        logins = [*STAFF, MENTOR, MENTEE, MENTOR_B, MENTEE_B]
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
