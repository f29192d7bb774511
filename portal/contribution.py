"""A record of contribution for an expert by experience: the mentoring and other paid
co-production work they did, and the kind words they chose to include, as a page and as a
PDF they can use for a CV or a reference.

It reads sessions (approved ones only, as pay does), attended activities and kind words,
which live in mentoring and activities; the portal sits above both. The mentee who wrote
kind words is never named: the record only says a practitioner they mentored wrote them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from accounts.models import User
from activities.models import Place
from core.choices import EXPERT_ROLES, Role
from core.documents import Document, long_date
from mentoring.models import KindWords, Session
from programmes.models import Membership


@dataclass
class ActivityRow:
    day: date
    kind: str
    title: str
    minutes: int

    @property
    def hours(self) -> str:
        return hours(self.minutes)


@dataclass
class Record:
    name: str
    made_on: date
    programmes: list[tuple[str, str, date]] = field(default_factory=list)
    # Whether they have been a mentor: someone only ever on a panel has no mentoring to list.
    mentored: bool = False
    sessions: int = 0
    session_minutes: int = 0
    mentees: int = 0
    first: date | None = None
    last: date | None = None
    activities: list[ActivityRow] = field(default_factory=list)
    kind_words: list[KindWords] = field(default_factory=list)

    @property
    def included_words(self) -> list[KindWords]:
        return [words for words in self.kind_words if words.in_record]

    @property
    def shows_mentoring(self) -> bool:
        """Whether the record has a mentoring part: not for someone only ever on a panel."""
        return self.mentored or bool(self.sessions)

    @property
    def session_hours(self) -> str:
        return hours(self.session_minutes)

    @property
    def activity_minutes(self) -> int:
        return sum(row.minutes for row in self.activities)

    @property
    def is_empty(self) -> bool:
        return not self.sessions and not self.activities


def has_record(user: User) -> bool:
    """An expert by experience: a mentor or on a lived-experience panel in some programme,
    now or before (core.choices.EXPERT_ROLES)."""
    return Membership.objects.filter(person=user, role__in=EXPERT_ROLES).exists()


def record_for(user: User) -> Record:
    """What the person did, in four queries whatever its size."""
    record = Record(name=user.display_name, made_on=timezone.localdate())
    # Each programme once, from the first of their roles there as an expert by experience.
    since: dict[int, tuple[str, str, date]] = {}
    for m in (
        Membership.objects.filter(person=user, role__in=EXPERT_ROLES)
        .select_related("programme__organisation")
        .order_by("joined_at")
    ):
        record.mentored = record.mentored or m.role == Role.MENTOR
        since.setdefault(
            m.programme_id,
            (m.programme.name, m.programme.organisation.name, timezone.localdate(m.joined_at)),
        )
    record.programmes = list(since.values())
    sessions = Session.objects.filter(match__mentor=user, status=Session.Status.APPROVED)
    totals = sessions.aggregate(
        count=Count("pk"),
        minutes=Sum("duration_minutes"),
        mentees=Count("match__mentee", distinct=True),
        first=Min("starts_at"),
        last=Max("starts_at"),
    )
    record.sessions = totals["count"]
    record.session_minutes = totals["minutes"] or 0
    record.mentees = totals["mentees"]
    if totals["first"]:
        record.first = timezone.localdate(totals["first"])
        record.last = timezone.localdate(totals["last"])
    record.activities = [
        ActivityRow(
            day=timezone.localdate(place.activity.starts_at),
            kind=place.activity.kind_label,
            title=place.activity.title,
            minutes=place.activity.duration_minutes,
        )
        for place in Place.objects.filter(person=user, attendance=Place.Attendance.ATTENDED)
        .select_related("activity")
        .order_by("-activity__starts_at")
    ]
    record.kind_words = list(KindWords.objects.filter(match__mentor=user))
    return record


def hours(minutes: int) -> str:
    """90 minutes is "1.5 hours"; whole hours have no decimal point."""
    value = minutes / 60
    text = f"{value:.1f}".removesuffix(".0")
    return "1 hour" if text == "1" else f"{text} hours"


def record_pdf(record: Record) -> bytes:
    pdf = Document(
        title=f"Record of contribution: {record.name}",
        subject="Paid co-production work as an expert by experience",
    )
    pdf.show_page_numbers = True
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.heading(f"Record of contribution: {record.name}")
    what = (
        "mentoring social workers and other practitioners, and other co-production work"
        if record.shows_mentoring
        else "co-production work such as panels, training and consultations"
    )
    pdf.paragraph(
        f"Made by Alongside on {long_date(record.made_on)}. It lists the paid work "
        f"{record.name} did as an expert by experience: {what}. The organisations named "
        "below can confirm it."
    )
    if record.programmes:
        pdf.subheading("Where")
        for programme, organisation, since in record.programmes:
            pdf.paragraph(f"{programme}, {organisation}, since {long_date(since)}.", after=1)
    if record.shows_mentoring:
        _pdf_mentoring(pdf, record)
    pdf.subheading("Other co-production work")
    if record.activities:
        pdf.paragraph(
            f"{len(record.activities)} pieces of work, {hours(record.activity_minutes)} in all:",
            after=1,
        )
        for row in record.activities:
            pdf.paragraph(
                f"{long_date(row.day)}: {row.kind}, {row.title} ({hours(row.minutes)}).", after=1
            )
    else:
        pdf.paragraph("None yet.")
    if record.included_words:
        pdf.subheading("What people said")
        for words in record.included_words:
            pdf.paragraph(f"\u201c{words.words}\u201d")
            pdf.paragraph(
                f"A practitioner {record.name} mentored, "
                f"{timezone.localtime(words.written_at):%B %Y}.",
                after=4,
            )
    return pdf.finish()


def _pdf_mentoring(pdf: Document, record: Record) -> None:
    pdf.subheading("Mentoring")
    if record.sessions:
        people = "1 practitioner" if record.mentees == 1 else f"{record.mentees} practitioners"
        count = "1 session" if record.sessions == 1 else f"{record.sessions} sessions"
        pdf.paragraph(
            f"{record.name} mentored {people} in {count}, {hours(record.session_minutes)} in "
            f"all, between {long_date(record.first)} and {long_date(record.last)}."
        )
    else:
        pdf.paragraph("No mentoring sessions yet.")
