"""Fixed lists the product uses in more than one place, in the words people see."""

from django.db import models


class Role(models.TextChoices):
    MENTOR = "mentor", "Expert by experience (mentor)"
    MENTEE = "mentee", "Practitioner (mentee)"
    COORDINATOR = "coordinator", "Coordinator"
    # Experts by experience who have a say in how the programme runs (panel/).
    PANEL = "panel", "Lived-experience panel member"


# The roles held by experts by experience: mentors, and members of a lived-experience
# panel (who may hold no other role). Both are paid for activities and see their pay;
# programmes.models.MembershipQuerySet.experts() is the one place that reads this.
EXPERT_ROLES = (Role.MENTOR, Role.PANEL)


class Region(models.TextChoices):
    NORTH_EAST = "north-east", "North East"
    NORTH_WEST = "north-west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east-midlands", "East Midlands"
    WEST_MIDLANDS = "west-midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class MeetingMode(models.TextChoices):
    ONLINE = "online", "Online (video call)"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


DAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]
PARTS_OF_DAY = [("am", "morning"), ("pm", "afternoon"), ("eve", "evening")]
# Slots look like "tue-eve": the matcher's own format, so profiles feed it unchanged.
AVAILABILITY_SLOTS = [
    (f"{day}-{part}", f"{day_name} {part_name}")
    for day, day_name in DAYS
    for part, part_name in PARTS_OF_DAY
]
AVAILABILITY_SLOT_KEYS = frozenset(key for key, _ in AVAILABILITY_SLOTS)


class PractitionerRole(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    STUDENT = "student", "Student social worker"
    NEWLY_QUALIFIED = "newly_qualified", "Newly qualified social worker"
    MANAGER = "manager", "Team manager or senior practitioner"
    SUPERVISING = "supervising", "Supervising social worker (fostering)"
    OTHER = "other", "Other practitioner"
