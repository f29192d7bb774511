"""Changes for notifications: making one (at most once per person per event), emailing it
(at most once, and never lost), reading them, and choosing what comes by email."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from background.services import enqueue, enqueue_now
from notifications.models import ALWAYS_EMAILED, EmailOptOut, Kind, Notification

# How long an email task holds its claim. A task that dies after claiming lets it go when
# this passes; the next reminder scan then hands the email to a new task. It is far longer
# than sending one email takes (EMAIL_TIMEOUT bounds a stuck mail server).
EMAIL_LEASE = timedelta(minutes=10)
# An email not sent within two days is not worth sending late: the app still shows it.
EMAIL_GIVE_UP = timedelta(days=2)
# What the email's link says, where "Sign in to see it" would not say what the page is for.
LINK_TEXT = {
    Kind.PROPOSAL: "Read about the match and answer",
    Kind.APPLICATION_DECISION: "See what you can do next",
    Kind.PLAN: "See your planned sessions",
    Kind.PLAN_REMINDER: "See your planned sessions",
    Kind.CONCERN_RAISED: "Sign in to read it and record what you do",
    Kind.CONCERN_UNREAD: "Open the Django admin",
    Kind.MESSAGE: "Sign in to read it and reply",
}


def wants_email(person: User, kind: str) -> bool:
    return (
        person.is_active
        and bool(person.email)
        and (
            kind in ALWAYS_EMAILED
            or not EmailOptOut.objects.filter(person=person, kind=kind).exists()
        )
    )


@transaction.atomic
def notify(
    *,
    person: User,
    kind: str,
    event_key: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> tuple[Notification, bool]:
    """Make the notification for this event, or find the one already made. Returns it and
    whether it is new. Only a new one is emailed, after the surrounding transaction
    commits, and only when the person wants this kind by email.

    The insert runs in a savepoint: when another run made the row first (even at the same
    moment, in another process), the unique constraint refuses this one, the savepoint is
    rolled back and the surrounding transaction carries on."""
    notification = Notification(
        person=person,
        kind=kind,
        event_key=event_key,
        title=title[:200],
        body=body[:1000],
        url=url,
        email_wanted=email and wants_email(person, kind),
    )
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        existing = Notification.objects.filter(
            person=person, kind=kind, event_key=event_key
        ).first()
        if existing is None:
            raise
        return existing, False
    if notification.email_wanted:
        from notifications.tasks import send_email

        enqueue(send_email, notification.pk)
    return notification, True


def reminders_scan(
    *,
    now: datetime | None = None,
    email: bool = True,
    after_created: Callable[[Notification], None] | None = None,
) -> int:
    """Make every reminder that is due, each in its own transaction, and hand emails that
    a dead worker left unsent to new tasks. Returns how many reminders were new. Running it
    twice, or two at once, makes nothing twice: see notify()."""
    from notifications.reminders import due_reminders

    now = now or timezone.now()
    created = 0
    for reminder in due_reminders(now):
        if not reminder.person.is_active:
            continue
        notification, new = notify(
            person=reminder.person,
            kind=reminder.kind,
            event_key=reminder.event_key,
            title=reminder.title,
            body=reminder.body,
            url=reminder.url,
            email=email,
        )
        if new:
            created += 1
            if after_created is not None:
                after_created(notification)
    emails_resend_unsent(now=now)
    return created


def emails_unsent(*, now: datetime):
    """Emails that should have gone by now: claimed by a task whose lease has run out (the
    worker died mid-send), or never claimed a lease after being made (the message to the
    worker was lost). Recent ones only."""
    return Notification.objects.filter(
        email_wanted=True, emailed_at__isnull=True, created_at__gte=now - EMAIL_GIVE_UP
    ).filter(
        Q(email_claimed_until__lt=now)
        | Q(email_claimed_until__isnull=True, created_at__lt=now - EMAIL_LEASE)
    )


def emails_resend_unsent(*, now: datetime) -> int:
    from notifications.tasks import send_email

    ids = list(emails_unsent(now=now).values_list("pk", flat=True))
    for notification_id in ids:
        enqueue_now(send_email, notification_id)
    return len(ids)


def notification_email_send(*, notification_id: int, now: datetime | None = None) -> bool:
    """Email one notification, at most once. Runs outside any transaction, so the claim is
    committed before the mail server is called.

    The claim is a conditional UPDATE: of two tasks for the same notification (a message
    delivered twice, or a resend from the scan), only the one whose UPDATE changes the row
    sends. The claim is a lease: if the worker dies after claiming and before sending, the
    lease runs out and the next scan gives the email to a new task, so it is never lost.

    What remains: a worker that dies after the mail server accepted the email and before
    the UPDATE marking it sent is committed (a few milliseconds) leaves it unmarked, and it
    is sent again when the lease ends. No mail server can take part in our transaction, so
    this window can be made small but not closed; one repeated email is the better failure
    than one lost."""
    now = now or timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, email_wanted=True, emailed_at__isnull=True)
        .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now))
        .update(email_claimed_until=now + EMAIL_LEASE)
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("person").get(pk=notification_id)
    if not wants_email(notification.person, notification.kind):
        # They said no (or left) since it was made: the app still shows it.
        Notification.objects.filter(pk=notification_id).update(
            email_wanted=False, email_claimed_until=None
        )
        return False
    context = {
        "notification": notification,
        "person": notification.person,
        "site_url": settings.SITE_URL,
        "link_text": LINK_TEXT.get(notification.kind, "Sign in to see it"),
        "choices_url": reverse("portal:email_choices"),
        "can_choose": notification.kind not in ALWAYS_EMAILED,
        "always_why": ALWAYS_EMAILED.get(notification.kind, ""),
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("notifications/email/subject.txt", context).strip(),
        body=render_to_string("notifications/email/notification.txt", context),
        to=[notification.person.email],
        headers={"X-Alongside-Notification": str(notification.pk)},
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    try:
        message.send()
    except OSError:
        # The mail server failed: let the claim go so the retry can send it.
        Notification.objects.filter(pk=notification_id).update(email_claimed_until=None)
        raise
    Notification.objects.filter(pk=notification_id).update(
        emailed_at=timezone.now(), email_claimed_until=None
    )
    return True


def notification_open(*, notification: Notification) -> bool:
    """Mark one of a person's notifications read; reading it again changes nothing."""
    return bool(
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def notifications_read_about(*, person: User, kind: str, url: str) -> int:
    """Mark read a person's notifications of one kind that point at one page, once they
    have opened that page: reading the messages is reading the notice that they came."""
    return (
        Notification.objects.unread()
        .filter(person=person, kind=kind, url=url)
        .update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, person: User) -> int:
    return Notification.objects.unread().filter(person=person).update(read_at=timezone.now())


@transaction.atomic
def email_choices_set(*, person: User, unwanted: set[str]) -> None:
    """Record which kinds this person does not want by email; every other kind is sent."""
    unwanted = unwanted & (set(Kind.values) - set(ALWAYS_EMAILED))
    EmailOptOut.objects.filter(person=person).exclude(kind__in=unwanted).delete()
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(person=person, kind=kind) for kind in sorted(unwanted)],
        ignore_conflicts=True,
    )


# Notifications of events, made in the transaction of the change and emailed after it
# commits. Called from the services that make the change.


def _others(people, by: User | None) -> list[User]:
    by_pk = getattr(by, "pk", None)
    return [person for person in people if person is not None and person.pk != by_pk]


def notify_payment_details_changed(*, person: User, preference) -> None:
    """Tell a mentor their payment details changed: when, and what to do if it was not
    them. Never the details themselves: an email can be read by others."""
    when = timezone.localtime(preference.chosen_at)
    notify(
        person=person,
        kind=Kind.PAYMENT_DETAILS,
        event_key=f"payment-details:{preference.pk}",
        title="Your payment details were changed",
        body=(
            f"How you are paid was changed on {when:%-d %B %Y} at {when:%H:%M}. If you made "
            "this change, there is nothing to do. If you did not, change your password now "
            "and tell your coordinator straight away, so no money goes to the wrong place."
        ),
        url=reverse("payments:payment_preference"),
    )


def notify_session_disputed(*, session, by: User) -> None:
    """Tell the person who logged a session that the other person said it is wrong."""
    for person in _others([session.logged_by], by):
        notify(
            person=person,
            kind=Kind.SESSION_DISPUTED,
            event_key=f"session:{session.pk}:v{session.version}:disputed",
            title="Someone said a session you logged is wrong",
            body=(
                f"{by.display_name} said the session on "
                f"{timezone.localtime(session.starts_at):%-d %B} is not right. Open it to see "
                "what they said, and change the details to put it right."
            ),
            url=reverse("mentoring:session_detail", args=[session.pk]),
        )


def _match_event_number(match, action: str) -> int:
    # The nth pause (or restart) of this match: each is its own event. The conditional
    # update in the matching service makes each happen once, with one audit row.
    return AuditEvent.objects.filter(
        action=action, object_type=match._meta.label_lower, object_id=str(match.pk)
    ).count()


def notify_match_paused(*, match, by: User, restarted: bool = False) -> None:
    """Tell the mentor and the mentee (except whoever did it) that their match was paused,
    or restarted. The reason a coordinator gave stays with the coordinators."""
    action = AuditEvent.Action.MATCH_RESUMED if restarted else AuditEvent.Action.MATCH_PAUSED
    number = _match_event_number(match, action)
    word = "restarted" if restarted else "paused"
    if restarted:
        body = "You can log sessions again. We will remind you if there are none for a while."
    else:
        body = (
            "While it is paused you will not get reminders to log sessions. "
            "Ask your coordinator if you want to know more."
        )
    for person in _others([match.mentor, match.mentee], by):
        notify(
            person=person,
            kind=Kind.MATCH_PAUSED,
            event_key=f"match:{match.pk}:{word}:{number}",
            title=f"Your match in {match.programme.name} was {word}",
            body=body,
            url=reverse("mentoring:match_detail", args=[match.pk]),
        )


def notify_match_ended(*, match, by: User, leaving: User | None = None) -> None:
    """Tell the mentor and the mentee (except whoever ended it, and anyone `leaving`: their
    role ended, so the match is closed to them) that their match ended."""
    for person in _others(_others([match.mentor, match.mentee], by), leaving):
        notify(
            person=person,
            kind=Kind.MATCH_ENDED,
            event_key=f"match:{match.pk}:ended",
            title=f"Your match in {match.programme.name} has ended",
            body=(
                "Thank you for the time you gave. Please tell us how it went: it takes two "
                "minutes and helps the next pairs."
            ),
            url=reverse("mentoring:match_ended", args=[match.pk]),
        )
