"""Reminders and notifications: each kind once per person per event, emailed at most once
and never lost, shown only to their own person, and email choices respected."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from matching import services as matching_services
from matching.models import Match, Proposal
from mentoring import services
from mentoring.models import CoproductionCheck, Session
from notifications import reminders
from notifications import services as notifications
from notifications.models import EmailOptOut, Kind, Notification
from notifications.reminders import due_reminders
from notifications.tasks import send_email, send_reminders
from tests.factories import MembershipFactory, UserFactory
from tests.test_matching_app import at_once, postgres_only
from tests.test_permissions import _match

LONDON = ZoneInfo("Europe/London")
# A Wednesday in June: far from the CPD deadline, so only the rule under test fires.
JUNE = datetime(2026, 6, 17, 12, 0, tzinfo=LONDON)


@pytest.fixture
def match(world) -> Match:
    return _match(world)


def started(match, *, weeks=0, days=0, now=None):
    now = now or timezone.now()
    Match.objects.filter(pk=match.pk).update(started_at=now - timedelta(weeks=weeks, days=days))
    match.refresh_from_db()
    return match


def log(match, by, *, starts_at=None, **fields) -> Session:
    values = {
        "starts_at": starts_at or timezone.now() - timedelta(days=2),
        "duration_minutes": 60,
        "meeting_mode": "online",
    } | fields
    return services.session_log(match=match, by=by, **values)


def of_kind(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters)


def people(kind) -> list[str]:
    return sorted(of_kind(kind).values_list("person__display_name", flat=True))


def scan(now=None, **kwargs) -> int:
    return notifications.reminders_scan(now=now, **kwargs)


# Each kind, once


def test_it_asks_the_other_person_to_confirm_a_session_once_per_version(world, match):
    session = log(match, world.mentor)
    scan()
    scan()
    confirm = of_kind(Kind.SESSION_CONFIRM)
    assert [n.person for n in confirm] == [world.mentee]
    assert confirm.get().event_key == f"session:{session.pk}:v1:confirm"
    assert confirm.get().url == reverse("mentoring:session_detail", args=[session.pk])
    # Editing the session asks again: a confirmation is for the details as they are now.
    Session.objects.filter(pk=session.pk).update(version=F("version") + 1)
    scan()
    assert of_kind(Kind.SESSION_CONFIRM).count() == 2


def test_it_asks_both_people_for_feedback_once(world, match):
    log(match, world.mentor)
    scan()
    scan()
    assert people(Kind.FEEDBACK) == ["Priya", "Sam"]


def test_it_reminds_about_a_proposal_only_two_days_after_asking(world):
    from tests.test_permissions import _approved_proposal_id

    proposal = Proposal.objects.get(pk=_approved_proposal_id(world))
    Proposal.objects.filter(pk=proposal.pk).update(asked_at=timezone.now())
    scan()
    assert people(Kind.PROPOSAL) == []
    Proposal.objects.filter(pk=proposal.pk).update(asked_at=timezone.now() - timedelta(days=3))
    scan()
    scan()
    assert people(Kind.PROPOSAL) == ["Priya", "Sam"]


def test_it_asks_to_log_last_weeks_session_once_per_match_per_week(
    world, match, django_capture_on_commit_callbacks
):
    started(match, weeks=3, now=JUNE)
    with django_capture_on_commit_callbacks(execute=True):
        scan(JUNE)
    assert "Log last week's session" in [m.subject for m in mail.outbox]
    scan(JUNE + timedelta(days=1))  # the same ISO week
    assert people(Kind.SESSION_LOG) == ["Priya", "Sam"]
    assert of_kind(Kind.SESSION_LOG).first().event_key == f"match:{match.pk}:log:2026-W25"
    scan(JUNE + timedelta(days=7))
    assert of_kind(Kind.SESSION_LOG).count() == 4


def test_it_does_not_ask_to_log_when_a_session_was_logged_this_week(world, match):
    started(match, weeks=3)
    log(match, world.mentor, starts_at=timezone.now() - timedelta(days=3))
    scan()
    assert people(Kind.SESSION_LOG) == []


def test_it_tells_the_coordinators_about_approvals_once_a_day(world, match):
    session = log(match, world.mentor)
    services.session_confirm(session=session, by=world.mentee)
    now = timezone.now()
    scan(now)
    scan(now)
    assert people(Kind.APPROVALS) == ["Jo"]
    assert "1 session in North Star has been confirmed" in of_kind(Kind.APPROVALS).get().body
    scan(now + timedelta(days=1))
    assert of_kind(Kind.APPROVALS).count() == 2


def test_it_asks_both_people_for_the_quarterly_check(world, match):
    started(match, weeks=14)
    scan()
    scan()
    checks = of_kind(Kind.COPRODUCTION_CHECK)
    assert people(Kind.COPRODUCTION_CHECK) == ["Priya", "Sam"]
    assert {n.event_key for n in checks} == {f"match:{match.pk}:check:q1"}


def test_it_stops_asking_for_the_quarterly_check_once_given(world, match):
    started(match, weeks=14)
    CoproductionCheck.objects.create(
        match=match,
        programme=match.programme,
        person=world.mentor,
        role="mentor",
        occasion="quarterly",
        quarter=1,
        equality=4,
        diversity=4,
        accessibility=4,
        reciprocity=4,
        rung=5,
    )
    scan()
    assert people(Kind.COPRODUCTION_CHECK) == ["Priya"]


def test_it_reminds_practitioners_about_cpd_in_november_only(world, match):
    scan(JUNE)
    assert people(Kind.CPD) == []
    november = datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)
    scan(november)
    scan(november + timedelta(days=3))
    cpd = of_kind(Kind.CPD).get()
    assert cpd.person == world.mentee
    assert cpd.event_key == "cpd:2026"
    assert "30 November" in cpd.title


def test_it_checks_in_on_a_quiet_match_and_never_ends_it(world, match):
    started(match, weeks=5, now=JUNE)
    scan(JUNE)
    scan(JUNE)
    assert people(Kind.QUIET) == ["Jo", "Priya", "Sam"]
    assert people(Kind.QUIET_WARNING) == []
    # Twice the programme's four weeks: the coordinators hear again, the people do not.
    later = JUNE + timedelta(weeks=4)
    scan(later)
    scan(later)
    assert people(Kind.QUIET) == ["Jo", "Priya", "Sam"]
    assert people(Kind.QUIET_WARNING) == ["Jo"]
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE


def test_it_starts_the_quiet_count_again_after_a_session(world, match):
    now = timezone.now()
    started(match, weeks=10, now=now)
    scan(now)
    assert of_kind(Kind.QUIET, person=world.mentor).count() == 1
    log(match, world.mentor, starts_at=now - timedelta(weeks=5))
    scan(now)
    assert of_kind(Kind.QUIET, person=world.mentor).count() == 2


def test_it_follows_the_programmes_quiet_weeks(world, match):
    world.programme.quiet_weeks = 8
    world.programme.save()
    started(match, weeks=5, now=JUNE)
    scan(JUNE)
    assert people(Kind.QUIET) == []


def test_it_leaves_paused_matches_alone(world, match):
    started(match, weeks=10, now=JUNE)
    matching_services.match_pause(match=match, by=world.coordinator)
    scan(JUNE)
    assert people(Kind.QUIET) == [] and people(Kind.SESSION_LOG) == []


def test_it_shows_the_quiet_flag_on_the_coordinators_list(world, match, login_as):
    started(match, weeks=9, days=2)
    response = login_as("coordinator").get(reverse("mentoring:coordinator_matches", args=["north"]))
    assert "No session for 9 weeks" in response.content.decode()
    log(match, world.mentor, starts_at=timezone.now() - timedelta(days=2))
    response = login_as("coordinator").get(reverse("mentoring:coordinator_matches", args=["north"]))
    assert "No session for" not in response.content.decode()


def test_it_lets_coordinators_set_the_quiet_weeks(world, login_as):
    client = login_as("coordinator")
    url = reverse("matching:coordinator_matching_settings", args=["north"])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data["quiet_weeks"] = "53"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "from 1 to 52" in response.content.decode()
    data["quiet_weeks"] = "6"
    assert client.post(url, data).status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.quiet_weeks == 6


# Once, and one email, however often it runs


def test_it_makes_nothing_twice_and_sends_one_email_each(
    world, match, django_capture_on_commit_callbacks
):
    log(match, world.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        first = scan()
    with django_capture_on_commit_callbacks(execute=True):
        second = scan()
    assert first == Notification.objects.count() >= 3
    assert second == 0
    assert len(mail.outbox) == Notification.objects.filter(email_wanted=True).count() == first
    assert all(n.emailed_at for n in Notification.objects.all())
    # And running every email task again sends nothing more.
    for notification in Notification.objects.all():
        send_email(notification.pk)
    assert len(mail.outbox) == first


def test_the_scheduled_task_runs_the_scan(world, match):
    log(match, world.mentor)
    assert send_reminders.delay().get(timeout=5) >= 3
    assert send_reminders.delay().get(timeout=5) == 0


def test_it_notifies_inside_a_transaction_without_breaking_it(world):
    with transaction.atomic():
        first, new = notifications.notify(
            person=world.mentor, kind=Kind.CPD, event_key="cpd:2026", title="Record your CPD"
        )
        again, new_again = notifications.notify(
            person=world.mentor, kind=Kind.CPD, event_key="cpd:2026", title="Record your CPD"
        )
        # The transaction is still usable after the refused insert.
        assert Notification.objects.count() == 1
    assert (new, new_again) == (True, False)
    assert again.pk == first.pk


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_make_each_reminder_once(world, match):
    log(match, world.mentor)
    expected = {(r.person.pk, r.kind, r.event_key) for r in due_reminders(timezone.now())}
    # Starting the match told both people already; only what the scans make is counted.
    before = Notification.objects.count()
    created = at_once(4, lambda: notifications.reminders_scan())
    assert sum(created) == len(expected) == Notification.objects.count() - before


# Email choices and who gets emails


def test_it_shows_but_does_not_email_kinds_a_person_turned_off(
    world, match, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(person=world.mentee, kind=Kind.SESSION_CONFIRM)
    log(match, world.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        scan()
    confirm = of_kind(Kind.SESSION_CONFIRM).get()
    assert confirm.person == world.mentee and not confirm.email_wanted
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert (world.mentee.email, "Please confirm a session") not in subjects
    assert (world.mentee.email, "Tell us how a session went") in subjects


def test_it_emails_nobody_whose_account_is_closed(world, match, django_capture_on_commit_callbacks):
    log(match, world.mentor)
    type(world.mentee).objects.filter(pk=world.mentee.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        scan()
    assert world.mentee.email not in [m.to[0] for m in mail.outbox]
    assert not Notification.objects.filter(person=world.mentee).exists()


def test_it_checks_the_choice_again_when_sending(world):
    notification, _ = notifications.notify(
        person=world.mentor, kind=Kind.CPD, event_key="cpd:2026", title="Record your CPD"
    )
    assert notification.email_wanted
    EmailOptOut.objects.create(person=world.mentor, kind=Kind.CPD)
    assert send_email(notification.pk) is False
    assert mail.outbox == []
    notification.refresh_from_db()
    assert not notification.email_wanted


def test_its_emails_are_plain_and_carry_no_details(
    world, match, django_capture_on_commit_callbacks
):
    session = log(match, world.mentee, note="Talked about my own time in care")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_dispute(session=session, by=world.mentor, reason="It was 30 minutes")
    [email] = [m for m in mail.outbox if m.to == [world.mentee.email]]
    assert email.subject == "Someone said a session you logged is wrong"
    assert "Sam said the session on" in email.body  # plain text, not HTML-escaped
    assert f"http://testserver/sessions/{session.pk}/" in email.body or (
        f"/sessions/{session.pk}/" in email.body
    )
    assert "30 minutes" not in email.body and "own time in care" not in email.body
    assert reverse("portal:email_choices") in email.body
    html = email.alternatives[0][0]
    assert "It was 30 minutes" not in html and f"/sessions/{session.pk}/" in html


# A worker that dies mid-email: nothing lost, nothing sent twice


def test_a_claim_left_by_a_dead_worker_is_sent_by_the_next_scan(world):
    notification, _ = notifications.notify(
        person=world.mentor, kind=Kind.CPD, event_key="cpd:2026", title="Record your CPD"
    )
    claimed = Notification.objects.filter(pk=notification.pk)
    # A worker claimed it and died before sending.
    claimed.update(email_claimed_until=timezone.now() + notifications.EMAIL_LEASE)
    assert send_email(notification.pk) is False  # the redelivered task respects the lease
    assert notifications.emails_resend_unsent(now=timezone.now()) == 0
    assert mail.outbox == []
    # The lease runs out; the next scan hands it to a new task, which sends it once.
    claimed.update(email_claimed_until=timezone.now() - timedelta(seconds=1))
    assert notifications.emails_resend_unsent(now=timezone.now()) == 1
    assert len(mail.outbox) == 1
    assert notifications.emails_resend_unsent(now=timezone.now()) == 0
    notification.refresh_from_db()
    assert notification.emailed_at and notification.email_claimed_until is None


def test_an_email_whose_message_was_lost_is_sent_by_a_later_scan(world):
    # Made, but the message to the worker never arrived (no on_commit here).
    notification, _ = notifications.notify(
        person=world.mentor, kind=Kind.CPD, event_key="cpd:2026", title="Record your CPD"
    )
    now = timezone.now()
    assert notifications.emails_resend_unsent(now=now) == 0  # its task may just be queued
    assert notifications.emails_resend_unsent(now=now + timedelta(minutes=11)) == 1
    assert notifications.emails_resend_unsent(now=now + timedelta(days=3)) == 0
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_lets_the_retry_send_it(world, settings, monkeypatch):
    notification, _ = notifications.notify(
        person=world.mentor, kind=Kind.CPD, event_key="cpd:2026", title="Record your CPD"
    )

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(OSError):
        notifications.notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_claimed_until is None and notification.emailed_at is None
    monkeypatch.undo()
    assert notifications.notification_email_send(notification_id=notification.pk)
    assert len(mail.outbox) == 1


# Events: sent at once, not by the scan


def test_a_disputed_session_tells_the_person_who_logged_it(
    world, match, django_capture_on_commit_callbacks
):
    session = log(match, world.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_dispute(session=session, by=world.mentor, reason="Wrong day")
    disputed = of_kind(Kind.SESSION_DISPUTED).get()
    assert disputed.person == world.mentee
    assert [m.to for m in mail.outbox] == [[world.mentee.email]]


def test_pausing_and_restarting_tell_the_people_each_time(
    world, match, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_pause(match=match, by=world.coordinator, reason="Leave")
        matching_services.match_resume(match=match, by=world.coordinator)
        matching_services.match_pause(match=match, by=world.mentor)
    paused = of_kind(Kind.MATCH_PAUSED)
    # Both people twice (paused, restarted), then the mentee once: Sam paused it himself.
    assert paused.filter(person=world.mentor).count() == 2
    assert paused.filter(person=world.mentee).count() == 3
    assert len(mail.outbox) == 5
    assert all("Leave" not in m.body for m in mail.outbox)


def test_ending_a_match_tells_the_other_person(world, match, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_close(
            match=match, by=world.mentor, rating=4, recommend="yes", reason="goals_reached"
        )
        matching_services.match_close(
            match=match, by=world.mentor, rating=4, recommend="yes", reason="goals_reached"
        )
    ended = of_kind(Kind.MATCH_ENDED).get()
    assert ended.person == world.mentee
    assert ended.url == reverse("mentoring:match_ended", args=[match.pk])
    assert [m.to for m in mail.outbox] == [[world.mentee.email]]


# Pages


def make(person, count, **fields):
    now = timezone.now()
    return Notification.objects.bulk_create(
        [
            Notification(
                person=person,
                kind=Kind.FEEDBACK,
                event_key=f"test:{n}",
                title=f"Reminder number {n}",
                url="/dashboard/",
                created_at=now - timedelta(minutes=n),
                **fields,
            )
            for n in range(count)
        ]
    )


def test_it_lists_a_persons_own_notifications_newest_first(world, login_as):
    make(world.mentor, 2)
    make(world.mentee, 1)
    page = login_as("mentor").get(reverse("notifications:notifications")).content.decode()
    assert page.index("Reminder number 0") < page.index("Reminder number 1")
    assert page.count(">New<") == 2  # unread is said in words, not by colour alone
    assert "Reminder number 0" in page and page.count("Reminder number") == 2


def test_opening_one_marks_it_read_and_goes_to_its_page(world, login_as):
    [notification] = make(world.mentor, 1)
    client = login_as("mentor")
    response = client.post(reverse("notifications:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert (
        client.get(reverse("notifications:notification_open", args=[notification.pk])).status_code
        == 405
    )


def test_it_never_opens_someone_elses_notification(world, login_as):
    [notification] = make(world.mentee, 1)
    response = login_as("mentor").post(
        reverse("notifications:notification_open", args=[notification.pk])
    )
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_never_follows_an_address_to_another_site(world, login_as):
    [notification] = make(world.mentor, 1)
    Notification.objects.filter(pk=notification.pk).update(url="https://evil.example/")
    response = login_as("mentor").post(
        reverse("notifications:notification_open", args=[notification.pk])
    )
    assert response["Location"] == reverse("notifications:notifications")


def test_it_marks_all_read(world, login_as):
    make(world.mentor, 3)
    make(world.mentee, 1)
    client = login_as("mentor")
    assert client.post(reverse("notifications:notifications_read")).status_code == 302
    assert not Notification.objects.unread().filter(person=world.mentor).exists()
    assert Notification.objects.unread().filter(person=world.mentee).count() == 1


def test_it_counts_new_ones_in_the_navigation(world, login_as):
    make(world.mentor, 3)
    client = login_as("mentor")
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert 'Notifications <span class="nav-badge">' in page
    assert "3 new" in page
    client.post(reverse("notifications:notifications_read"))
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "3 new" not in page and ">Notifications<" in page


def test_it_pages_the_list(world, login_as):
    make(world.mentor, 30)
    client = login_as("mentor")
    first = client.get(reverse("notifications:notifications")).content.decode()
    assert first.count("Reminder number") == 25 and "Page 1 of 2" in first
    second = client.get(reverse("notifications:notifications") + "?page=2").content.decode()
    assert second.count("Reminder number") == 5
    assert client.get(reverse("notifications:notifications") + "?page=junk").status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_it_keeps_the_list_to_a_fixed_number_of_queries(
    world, login_as, django_assert_max_num_queries, count
):
    make(world.mentor, count)
    client = login_as("mentor")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("notifications:notifications")).status_code == 200


def test_it_saves_email_choices(world, login_as):
    client = login_as("mentee")
    url = reverse("portal:email_choices")
    page = client.get(url).content.decode()
    assert "still show everything" in page
    # Changes to how someone is paid are always emailed: not a choice on this page. Nor are
    # an application's answer and a concern (tests/test_messaging.py).
    always = {Kind.PAYMENT_DETAILS, Kind.APPLICATION_DECISION}
    always |= {Kind.CONCERN_RAISED, Kind.CONCERN_UNREAD}
    choosable = [k for k in Kind.values if k not in always]
    wanted = [k for k in choosable if k not in (Kind.FEEDBACK, Kind.CPD)]
    assert client.post(url, {"wanted": wanted}).status_code == 302
    assert set(EmailOptOut.objects.filter(person=world.mentee).values_list("kind", flat=True)) == {
        Kind.FEEDBACK,
        Kind.CPD,
    }
    assert client.post(url, {"wanted": choosable}).status_code == 302
    assert not EmailOptOut.objects.filter(person=world.mentee).exists()


def test_it_keeps_email_choices_on_bad_input(world, login_as):
    response = login_as("mentee").post(reverse("portal:email_choices"), {"wanted": ["nonsense"]})
    assert response.status_code == 200
    assert "Choose only from the list below." in response.content.decode()
    assert not EmailOptOut.objects.exists()


def test_it_links_email_choices_from_account_settings(world, login_as):
    page = login_as("mentor").get(reverse("portal:account_settings")).content.decode()
    assert reverse("portal:email_choices") in page


# Demo data


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_notifications_and_a_second_run_adds_none(settings):
    call_command("seed_demo", stdout=StringIO())
    count = Notification.objects.count()
    assert count > 0
    assert Notification.objects.filter(read_at__isnull=False).exists()
    # Demo addresses are made up: nothing made for them is emailed.
    assert not Notification.objects.filter(email_wanted=True).exists()
    call_command("seed_demo", stdout=StringIO())
    assert Notification.objects.count() == count


def test_other_people_never_see_a_coordinator_reminder(world, match):
    MembershipFactory(programme=world.other_programme, person=UserFactory(), role="mentee")
    session = log(match, world.mentor)
    services.session_confirm(session=session, by=world.mentee)
    scan()
    assert not Notification.objects.filter(person=world.other_coordinator).exists()


def test_it_finds_every_apps_reminders_by_itself():
    """Each app registers its own rules in its reminders.py, found when Django starts
    (notifications/reminders.py), so notifications never imports the apps above it."""
    found = {f"{rule.__module__}.{rule.__name__}" for rule in reminders.rules()}

    assert found == {
        "matching.reminders.proposals_waiting",
        "mentoring.reminders.sessions_to_confirm",
        "mentoring.reminders.plans_tomorrow",
        "mentoring.reminders.feedback_missing",
        "mentoring.reminders.sessions_to_log",
        "mentoring.reminders.approvals_waiting",
        "mentoring.reminders.coproduction_checks",
        "mentoring.reminders.quiet_matches",
        "journal.reminders.cpd_deadline",
    }
