"""Paid activities beyond mentoring: interview panels, co-delivered teaching, student
assessment, co-design workshops, reference groups, peer support for mentors, or a kind the
coordinator names. A coordinator makes one for a programme and either invites experts by
experience of the programme or opens it to all of them; each person has one place row,
with their answer, and the coordinator records who attended. An attended place is paid on
the ledger (payments answers activities.signals.attendance_recorded)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

ACTIVITY_MINUTES = (15, 720)
PREPARATION_MINUTES = (0, 480)
PLACES = (1, 100)
CANCEL_REASON = 500


class ActivityKind(models.TextChoices):
    INTERVIEW_PANEL = "interview_panel", "Interview panel"
    TEACHING = "teaching", "Co-delivered teaching or training"
    ASSESSMENT = "assessment", "Student assessment or exam"
    CO_DESIGN = "co_design", "Co-design workshop"
    REFERENCE_GROUP = "reference_group", "Reference group"
    PEER_SUPPORT = "peer_support", "Peer support or supervision for mentors"
    # The programme's lived-experience panel meets (panel members: Role.PANEL).
    PANEL_MEETING = "panel_meeting", "Lived-experience panel meeting"
    OTHER = "other", "Something else (give it a name)"


class Activity(models.Model):
    class Who(models.TextChoices):
        INVITED = "invited", "Only the experts by experience you invite"
        OPEN = "open", "Any expert by experience of the programme can say yes"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField("kind of activity", max_length=20, choices=ActivityKind.choices)
    # Only for "something else": the coordinator's own name for the kind.
    kind_name = models.CharField("name of the kind", max_length=80, blank=True)
    title = models.CharField(max_length=120)
    description = models.TextField("what it is about", max_length=2000, blank=True)
    starts_at = models.DateTimeField("when it starts")
    duration_minutes = models.PositiveSmallIntegerField("how long it lasts, in minutes")
    preparation_minutes = models.PositiveSmallIntegerField(
        "paid preparation time, in minutes", default=0
    )
    online = models.BooleanField("online", default=False)
    place = models.CharField("where", max_length=300, blank=True)
    places = models.PositiveSmallIntegerField("number of places")
    who = models.CharField("who can take part", max_length=10, choices=Who.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Called off by a coordinator before it started (activities.services.activity_cancel),
    # with a reason the people invited are sent and see.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField("why it is cancelled", max_length=CANCEL_REASON, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["programme", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=ACTIVITY_MINUTES[0])
                & Q(duration_minutes__lte=ACTIVITY_MINUTES[1]),
                name="activity_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(preparation_minutes__lte=PREPARATION_MINUTES[1]),
                name="activity_preparation_in_range",
            ),
            models.CheckConstraint(
                condition=Q(places__gte=PLACES[0]) & Q(places__lte=PLACES[1]),
                name="activity_places_in_range",
            ),
            models.CheckConstraint(
                condition=Q(online=True) | ~Q(place=""), name="activity_online_or_a_place"
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(kind_name=""), name="activity_other_is_named"
            ),
            models.CheckConstraint(
                condition=Q(who__in=["invited", "open"]), name="activity_who_known"
            ),
            # A cancelled activity says who cancelled it and why; one still on says neither.
            models.CheckConstraint(
                condition=(
                    Q(cancelled_at__isnull=True, cancelled_by__isnull=True, cancel_reason="")
                    | (
                        Q(cancelled_at__isnull=False, cancelled_by__isnull=False)
                        & ~Q(cancel_reason="")
                    )
                ),
                name="activity_cancelled_by_whom_and_why",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        """What the kind is called: the coordinator's own name for "something else"."""
        return self.kind_name if self.kind == ActivityKind.OTHER else self.get_kind_display()

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def where(self) -> str:
        return "Online" if self.online else self.place


class PlaceQuerySet(models.QuerySet["Place"]):
    def taken(self) -> "PlaceQuerySet":
        """Places counted against the activity's number of places: people who said yes."""
        return self.filter(answer=Place.Answer.YES)


class Place(models.Model):
    """One person's place on an activity: invited by a coordinator, or asked for by the
    person themselves on an open call. Their answer, then whether they attended."""

    class Answer(models.TextChoices):
        WAITING = "waiting", "Not answered yet"
        YES = "yes", "Yes"
        NO = "no", "No"
        # The person's role in the programme ended: the place is free for someone else.
        ROLE_ENDED = "role_ended", "No longer in the programme"

    class Attendance(models.TextChoices):
        NOT_RECORDED = "", "Not recorded yet"
        ATTENDED = "attended", "Attended"
        ABSENT = "absent", "Did not attend"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="places_taken")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_places"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField(max_length=12, choices=Answer.choices, default=Answer.WAITING)
    answered_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(
        max_length=10, choices=Attendance.choices, default=Attendance.NOT_RECORDED, blank=True
    )
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attendance_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="place_one_per_person"),
            models.CheckConstraint(
                condition=Q(answer__in=["waiting", "yes", "no", "role_ended"]),
                name="place_answer_known",
            ),
            models.CheckConstraint(
                condition=Q(attendance__in=["", "attended", "absent"]),
                name="place_attendance_known",
            ),
            # Only someone who said yes can be recorded as attending (or not).
            models.CheckConstraint(
                condition=Q(attendance="") | Q(answer="yes"),
                name="place_attendance_needs_yes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.activity}"
