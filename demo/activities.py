"""Demo paid activities, called from demo/payments.py once North Star has its rate cards
and its mentors their payment choices, and before the payment runs, so attended places are
paid in the same runs as sessions.

A year of activities of every kind: interview panels, teaching, student assessment,
co-design, a reference group, peer supervision, a meeting of the lived-experience panel and
one the coordinator named (a podcast). The published mentor login (Sam) sat on panels,
helped co-design and recorded the podcast, and is invited to teaching next week; a panel
Sam said yes to was cancelled in good time. Sam also sits on North Star's lived-experience
panel (seated here if nobody has seated them yet), and came to last month's panel meeting
with everyone else on the panel: each is paid for it in the runs.
One activity has happened and waits for the
coordinator to record who attended; one person did not attend another. Everything goes
through the activity services except the answers to activities in the past: answers close
when an activity starts, so the seed writes them as they were given beforehand. Safe to run
again: it adds nothing to a programme that has activities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from activities import services
from activities.models import Activity, ActivityKind, Place
from core.choices import Role
from demo.people import MENTOR
from programmes.access import panel_of
from programmes.models import Membership, Programme
from programmes.services import membership_add

# What North Star's rate cards pay for each kind; the kinds not here are paid by the hour.
ACTIVITY_RATES = {
    ActivityKind.INTERVIEW_PANEL: ("half_day", Decimal("80.00")),
    ActivityKind.TEACHING: ("hourly", Decimal("25.00")),
    ActivityKind.ASSESSMENT: ("hourly", Decimal("25.00")),
    ActivityKind.CO_DESIGN: ("half_day", Decimal("75.00")),
    ActivityKind.PANEL_MEETING: ("hourly", Decimal("25.00")),
}
SAM = "sam"  # the published mentor login, in `people` below
PANEL = "panel"  # everyone on the programme's lived-experience panel, in `people` below
PANEL_SINCE_DAYS = 120  # Sam joined the panel this many days ago


@dataclass(frozen=True)
class Plan:
    days: int  # from today: negative for the past
    hour: int
    kind: str
    title: str
    minutes: int
    preparation: int
    where: str  # "" for online
    places: int
    who: str
    people: tuple  # positions in the mentor list, or SAM; the first `places` say yes
    absent: tuple = ()  # of `people`, those who did not attend
    recorded: bool = True  # attendance recorded (for past activities)
    kind_name: str = ""
    answered: int | None = None  # how many of `people` answered (future ones), else all
    cancelled: str = ""  # the coordinator's reason, for one cancelled before it starts


CIVIC = "Civic Centre, Committee Room 2, Barras Bridge, Newcastle NE1 8QH"
UNIVERSITY = "Northumbria University, Coach Lane Campus, Room B104"
PLANS = (
    Plan(-320, 10, ActivityKind.INTERVIEW_PANEL,
         "Interview panel: senior social worker, children in care team", 180, 60, CIVIC, 2,
         "invited", (SAM, 0)),
    Plan(-260, 13, ActivityKind.TEACHING,
         "Teaching first-year social work students: what care felt like", 120, 60,
         UNIVERSITY, 2, "invited", (1, 2)),
    Plan(-200, 9, ActivityKind.ASSESSMENT,
         "Assessing students' direct work role-plays", 240, 30, UNIVERSITY, 3, "invited",
         (0, 3, 4), absent=(4,)),
    Plan(-150, 10, ActivityKind.CO_DESIGN, "Co-designing the leaving-care pathway", 240, 0,
         CIVIC, 6, "open", (SAM, 1, 2, 5, 6)),
    Plan(-95, 18, ActivityKind.REFERENCE_GROUP,
         "Reference group: the children's services plan", 90, 30, "", 8, "open",
         (0, 2, 3, 7)),
    Plan(-45, 18, ActivityKind.PEER_SUPPORT, "Peer supervision for mentors", 90, 0, "", 6,
         "open", (1, 5, 6)),
    Plan(-30, 18, ActivityKind.PANEL_MEETING,
         "Lived-experience panel: this term's feedback questions", 120, 30, "", 8,
         "invited", (PANEL,)),
    Plan(-12, 14, ActivityKind.OTHER, "Recording an episode of the council's care podcast",
         60, 30, "Civic Centre recording studio", 2, "invited", (SAM, 3),
         kind_name="Podcast recording"),
    Plan(-2, 10, ActivityKind.INTERVIEW_PANEL, "Interview panel: independent reviewing officer",
         240, 60, CIVIC, 2, "invited", (0, 2), recorded=False),
    Plan(7, 13, ActivityKind.TEACHING, "Co-teaching a practice-learning day for students", 180,
         60, UNIVERSITY, 2, "invited", (1, SAM), answered=1),
    Plan(21, 10, ActivityKind.CO_DESIGN, "Co-designing family time spaces", 240, 30, CIVIC, 8,
         "open", (0, 3, 5), answered=3),
    Plan(12, 10, ActivityKind.INTERVIEW_PANEL, "Interview panel: family support worker", 180,
         30, CIVIC, 2, "invited", (SAM, 4),
         cancelled="The post has been filled from the reserve list, so the panel is not "
         "needed. Thank you for keeping the morning free."),
    Plan(40, 18, ActivityKind.REFERENCE_GROUP, "Reference group: the new foster carer guide",
         90, 30, "", 8, "open", ()),
)  # fmt: skip


def seed_activities(programme: Programme, coordinator: User, mentors: list[User], now) -> int:
    """North Star's year of activities. `mentors` are the seeded mentors of the demo's
    matches, busiest first: they have said how to be paid, so what they attended is paid in
    the runs (a plan's positions wrap round a shorter list). Returns how many activities it
    added."""
    if Activity.objects.filter(programme=programme).exists() or len(mentors) < 4:
        return 0
    sam = User.objects.filter(email=MENTOR.email).first()
    if sam is not None:
        panel_seat_ensure(programme, sam, since=now - timedelta(days=PANEL_SINCE_DAYS))
    panel = list(panel_of(programme).order_by("display_name", "pk"))
    zone = ZoneInfo(programme.time_zone)
    today = timezone.localtime(now, zone).date()
    for plan in PLANS:
        if plan.people == (PANEL,):
            people = panel
        else:
            people = [sam if who == SAM else mentors[who % len(mentors)] for who in plan.people]
        people = list(dict.fromkeys(person for person in people if person is not None))
        starts_at = datetime.combine(today + timedelta(days=plan.days), time(plan.hour), zone)
        activity = services.activity_create(
            programme=programme,
            by=coordinator,
            kind=plan.kind,
            kind_name=plan.kind_name,
            title=plan.title,
            description=_description(plan),
            starts_at=starts_at,
            duration_minutes=plan.minutes,
            preparation_minutes=plan.preparation,
            online=not plan.where,
            place=plan.where,
            places=plan.places,
            who=plan.who,
        )
        Activity.objects.filter(pk=activity.pk).update(created_at=starts_at - timedelta(days=21))
        if plan.who == Activity.Who.INVITED:
            if plan.days > 0:
                services.activity_invite(activity=activity, people=people, by=coordinator)
            else:
                # Invited before it began: the invitations are written as they were then.
                Place.objects.bulk_create(
                    [Place(activity=activity, person=p, invited_by=coordinator) for p in people]
                )
        answering = people if plan.answered is None else people[: plan.answered]
        for person in answering:
            if plan.days > 0:
                services.place_answer(activity=activity, person=person, yes=True)
            else:
                Place.objects.update_or_create(
                    activity=activity,
                    person=person,
                    defaults={
                        "answer": Place.Answer.YES,
                        "answered_at": starts_at - timedelta(days=10),
                    },
                )
        if plan.cancelled:
            # Cancelled well before the rate card's notice: it shows as cancelled, and its
            # calendar file takes it out; in time, so no fee is due.
            services.activity_cancel(activity=activity, by=coordinator, reason=plan.cancelled)
        if plan.days < 0 and plan.recorded:
            absent = {mentors[who % len(mentors)] for who in plan.absent}
            for person in answering:
                place = Place.objects.select_related("activity__programme").get(
                    activity=activity, person=person
                )
                services.attendance_record(
                    place=place, by=coordinator, attended=person not in absent
                )
    return len(PLANS)


def panel_seat_ensure(programme: Programme, person: User, *, since) -> Membership:
    """One seat on the programme's lived-experience panel for `person`, held since `since`
    (kept as it is if they have one)."""
    seat = membership_add(programme=programme, person=person, role=Role.PANEL, by=None)
    Membership.objects.filter(pk=seat.pk, joined_at__gt=since).update(joined_at=since)
    return seat


def _description(plan: Plan) -> str:
    if plan.kind == ActivityKind.PANEL_MEETING:
        return (
            "The panel looks at the questions mentors and social workers are asked after "
            "each session, and says what to change. The papers come a week before."
        )
    if plan.kind == ActivityKind.INTERVIEW_PANEL:
        return (
            "You sit on the panel with the service manager and an HR adviser, and ask two of "
            "the questions. The papers come a week before: reading them is paid preparation."
        )
    if plan.kind in (ActivityKind.TEACHING, ActivityKind.ASSESSMENT):
        return (
            "With the course tutor. You share what you choose to share, and nothing more. "
            "Lunch is provided, and travel can be claimed."
        )
    if plan.kind == ActivityKind.PEER_SUPPORT:
        return "A space for mentors to talk through their mentoring with each other."
    return "Bring your ideas. Nobody needs to prepare anything they do not want to."
