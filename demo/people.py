"""Who is in the demo, drawn without touching the database.

The people whose logins we publish, with hand-written profiles that suit each other, and the
plan for the made-up population: names, places, topics and availability, every choice drawn
from the generator the command seeds with SEED, so each run draws the same people."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core import taxonomy_data
from core.choices import AVAILABILITY_SLOTS, PractitionerRole, Role

DEMO_PASSWORD = "alongside-demo-2026"
# Every random choice of the demo starts from this number.
SEED = 2026

# ---------------------------------------------------------------------------------------------
# The people whose logins we publish.


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
# A second North Star pair who fit each other and wait to be matched live.
NEW_MENTOR = Login(
    "mentor-new@example.org",
    "Marcia Campbell",
    "Expert by experience (mentor), North Star, waiting to be matched",
)
NEW_MENTEE = Login(
    "mentee-new@example.org",
    "Tom Hargreaves",
    "Practitioner (mentee), North Star, waiting to be matched",
)
MENTOR_B = Login("mentor-b@example.org", "Kasia Nowak", "Expert by experience (mentor), Riverside")
MENTEE_B = Login("mentee-b@example.org", "Daniel Mensah", "Practitioner (mentee), Riverside")
OPERATOR = Login(
    "operator@example.org", "Olu Adeyemi", "Runs the Alongside service (the Django admin)"
)
STAFF = [OPERATOR, ADMIN, COORDINATOR, COORDINATOR_B]

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


def plan_pilot(rng: random.Random, *, slug: str, size: int, now: datetime) -> list[Person]:
    """One mentor for every three mentees. Person k is the same whatever the size, so a larger
    run adds to a smaller one instead of drawing a different crowd."""
    people = []
    numbers = {Role.MENTOR: 0, Role.MENTEE: 0}
    for index in range(size):
        role = Role.MENTOR if index % 4 == 0 else Role.MENTEE
        numbers[role] += 1
        email = f"{role}-{numbers[role]:05d}@{slug}.example.org"
        region = _weighted(rng, PILOT_REGIONS)
        people.append(_person(rng, role=role, email=email, region=region, now=now))
    return people


# The people whose logins we publish get hand-written, complete profiles that suit each
# other, so a matching round in the demo pairs them. The matcher gives scarce mentors to the
# mentees with fewest alternatives, so Priya is free only in work time: among the mentors
# with room after the seeded round, Sam is then by far her best fit, and the next round
# suggests him (tests/test_seed_demo.py checks it).


# Sam and Priya were matched 52 weeks ago (demo/published_pair.py), after joining.
PUBLISHED_PAIR_JOINED_DAYS_AGO = 400


def demo_mentor(who: Login, now: datetime) -> Person:
    profile = {
        "region": "north-west",
        "meeting_modes": ["online", "phone"],
        "availability": ["tue-eve", "wed-pm", "thu-eve", "sat-am"],
        "accessibility_needs": "",
        "consent_given_at": now - timedelta(days=PUBLISHED_PAIR_JOINED_DAYS_AGO),
        "happy_to_mentor_own_council": False,
        "shared_with_mentee": "I lived with two foster families in Manchester and left care "
        "at eighteen. I'm happy to talk about moving homes and what helped when I set up on "
        "my own. I'd rather not talk about my birth family.",
        "capacity": 2,
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
    # Sam joined a few weeks before he and Priya were matched, a year ago.
    joined_at = now - timedelta(days=PUBLISHED_PAIR_JOINED_DAYS_AGO)
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
    joined_at = now - timedelta(days=PUBLISHED_PAIR_JOINED_DAYS_AGO - 7)
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
        "consent_given_at": now - timedelta(days=120),
    }
    person.joined_at = now - timedelta(days=120)
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
    person.joined_at = now - timedelta(days=90)
    person.relations |= {
        "languages": ["en"],
        "practice_areas": ["leaving-care"],
        "learning_goals": ["education-and-school", "identity-and-belonging"],
    }
    return person


def demo_new_mentor(who: Login, now: datetime) -> Person:
    """Marcia: she grew up in children's homes in Bolton and joined North Star last month."""
    profile = {
        "region": "north-west",
        "meeting_modes": ["in_person", "online"],
        "availability": ["mon-eve", "thu-eve", "sat-am"],
        "accessibility_needs": "",
        "consent_given_at": now - timedelta(days=30),
        "happy_to_mentor_own_council": False,
        "shared_with_mentee": "I grew up in two children's homes in Bolton and spent a year "
        "with the youth offending team at fifteen. I'm glad to talk about what made staff "
        "worth trusting, and how it feels to be written about.",
        "capacity": 1,
        "paused_at": None,
    }
    relations = {
        "languages": ["en"],
        "lived_experience": ["residential-care", "youth-justice"],
        "looked_after_by": ["bolton"],
        "topics_offered": [
            "trauma-informed-practice",
            "relationships-that-last",
            "power-and-participation",
            "recording-with-care",
        ],
        "topics_off_limits": [],
    }
    joined_at = now - timedelta(days=30)
    return Person(who.email, who.display_name, Role.MENTOR, joined_at, profile, relations)


def demo_new_mentee(who: Login, now: datetime) -> Person:
    """Tom: newly qualified in Oldham's youth justice service, joined a fortnight ago."""
    profile = {
        "region": "north-west",
        "meeting_modes": ["in_person", "online"],
        "availability": ["mon-eve", "thu-eve"],
        "accessibility_needs": "",
        "practitioner_role": PractitionerRole.NEWLY_QUALIFIED,
        "employer": "oldham",
        "team": "Youth justice service",
        "years_in_practice": 1,
    }
    relations = {
        "languages": ["en"],
        "practice_areas": ["youth-justice", "residential-care"],
        "learning_goals": [
            "trauma-informed-practice",
            "relationships-that-last",
            "power-and-participation",
        ],
    }
    joined_at = now - timedelta(days=14)
    return Person(who.email, who.display_name, Role.MENTEE, joined_at, profile, relations)
