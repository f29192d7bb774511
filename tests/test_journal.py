"""The reflective journal, the CPD record and learning goals.

Privacy first: a journal entry is the mentee's own. Their mentor reads only what the mentee
shared, and only while they may; coordinators, other mentors and other programmes never do."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.choices import Role
from core.models import PCFDomain
from journal import services
from journal.models import Goal, GoalNote, JournalEntry
from journal.selectors import cpd_deadline_near, session_date
from matching import services as matching_services
from matching.models import Match
from mentoring import services as mentoring_services
from mentoring.models import Session
from tests.factories import MembershipFactory, UserFactory, complete_mentee_profile, sign_in

# Helpers


def make_match(world) -> Match:
    """Sam and Priya's match, made through the matching services."""
    matching_round = matching_services.round_start(programme=world.programme, by=world.coordinator)
    matching_services.round_run(round_id=matching_round.pk)
    proposal = matching_round.proposals.get()
    matching_services.proposal_approve(proposal=proposal, by=world.coordinator)
    for person in (world.mentor, world.mentee):
        matching_services.proposal_answer(proposal=proposal, person=person, accept=True)
    return Match.objects.get(proposal=proposal)


def make_session(match, *, days_ago=3) -> Session:
    return mentoring_services.session_log(
        match=match,
        by=match.mentee,
        starts_at=timezone.now() - timedelta(days=days_ago),
        duration_minutes=60,
        meeting_mode="online",
    )


def write(mentee, text="We talked about a review meeting.", *, session=None, day=None, **answers):
    return services.journal_entry_create(
        mentee=mentee,
        session=session,
        activity_date=day or timezone.localdate(),
        answers={"description": text, **answers},
    )


def other_mentee(world, name="Lee"):
    person = UserFactory(display_name=name, email=f"{name.lower()}@example.test")
    MembershipFactory(programme=world.programme, person=person, role=Role.MENTEE)
    return person


@pytest.fixture
def match(world):
    return make_match(world)


# The CPD deadline reminder


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 31), None),
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 11, 15), date(2026, 11, 30)),
        (date(2026, 11, 30), date(2026, 11, 30)),
        (date(2026, 12, 1), None),
        (date(2027, 1, 1), None),
        (date(2028, 11, 1), date(2028, 11, 30)),
        (date(2026, 6, 30), None),
    ],
)
def test_it_reminds_about_the_cpd_deadline_only_in_november(today, expected):
    assert cpd_deadline_near(today) == expected


def _on(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_it_shows_the_cpd_reminder_on_the_dashboard_in_november(world, login_as, monkeypatch):
    _on(monkeypatch, date(2026, 11, 1))
    page = login_as("mentee").get(reverse("portal:dashboard")).content.decode()
    assert "Record your CPD by 30 November" in page
    assert reverse("journal:journal_cpd") in page


def test_it_shows_no_cpd_reminder_in_december(world, login_as, monkeypatch):
    _on(monkeypatch, date(2026, 12, 1))
    page = login_as("mentee").get(reverse("portal:dashboard")).content.decode()
    assert "Record your CPD" not in page
    assert reverse("journal:journal_list") in page


def test_it_shows_mentors_no_cpd_reminder(world, login_as, monkeypatch):
    _on(monkeypatch, date(2026, 11, 10))
    page = login_as("mentor").get(reverse("portal:dashboard")).content.decode()
    assert "Record your CPD" not in page
    assert reverse("journal:journal_list") not in page


# Navigation and links


def test_it_puts_the_journal_and_goals_in_a_mentees_navigation(world, login_as):
    page = login_as("mentee").get(reverse("portal:dashboard")).content.decode()
    assert 'href="/journal/"' in page and 'href="/goals/"' in page
    page = login_as("mentor").get(reverse("portal:dashboard")).content.decode()
    assert 'href="/journal/"' not in page and 'href="/goals/"' not in page


def test_it_offers_a_journal_entry_on_the_session_page_to_the_mentee_only(
    world, match, login_as, client
):
    session = make_session(match)
    link = f"{reverse('journal:journal_new')}?session={session.pk}"
    assert (
        link
        in login_as("mentee")
        .get(reverse("mentoring:session_detail", args=[session.pk]))
        .content.decode()
    )
    client.logout()
    assert (
        link
        not in login_as("mentor")
        .get(reverse("mentoring:session_detail", args=[session.pk]))
        .content.decode()
    )


def test_it_links_the_mentor_to_shared_entries_and_goals_from_the_match(world, match, login_as):
    page = (
        login_as("mentor").get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    )
    assert reverse("journal:journal_shared_with_me") in page
    assert reverse("journal:match_goals", args=[match.pk]) in page
    assert "Priya's goals" in page


# Writing entries


def test_it_saves_an_entry_with_only_what_happened(world, login_as):
    response = login_as("mentee").post(
        reverse("journal:journal_new"), {"description": "A hard visit."}
    )
    entry = JournalEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("journal:journal_detail", args=[entry.pk])
    assert entry.mentee == world.mentee
    assert entry.activity_date == timezone.localdate()
    assert entry.session is None and not entry.is_shared
    assert entry.activity_type == "Reflection"


def test_it_asks_for_what_happened_and_keeps_the_rest(world, login_as):
    response = login_as("mentee").post(
        reverse("journal:journal_new"), {"description": "", "feelings": "Worried, then relieved."}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_description_error"' in page
    assert "Worried, then relieved." in page
    assert not JournalEntry.objects.exists()


def test_it_refuses_a_date_in_the_future(world, login_as):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = login_as("mentee").post(
        reverse("journal:journal_new"),
        {"description": "Soon.", "activity_date": tomorrow.isoformat()},
    )
    assert 'id="id_activity_date_error"' in response.content.decode()
    assert not JournalEntry.objects.exists()


def test_it_writes_about_a_session_dated_like_the_session(world, match, login_as):
    session = make_session(match, days_ago=10)
    client = login_as("mentee")
    form = client.get(f"{reverse('journal:journal_new')}?session={session.pk}").content.decode()
    assert f'<option value="{session.pk}" selected>' in form
    domains = list(PCFDomain.objects.all()[:2])
    client.post(
        reverse("journal:journal_new"),
        {
            "session": str(session.pk),
            "description": "We practised a review.",
            "pcf_domains": [str(d.pk) for d in domains],
        },
    )
    entry = JournalEntry.objects.get()
    assert entry.session == session
    assert entry.activity_date == timezone.localtime(session.starts_at).date()
    assert set(entry.pcf_domains.all()) == set(domains)
    assert entry.activity_type == "Mentoring session with an expert by experience"


def test_it_refuses_another_persons_session(world, match, login_as):
    lee = other_mentee(world)
    session = make_session(match)
    client = login_as("mentee")
    sign_in(client, lee)
    response = client.post(
        reverse("journal:journal_new"), {"session": str(session.pk), "description": "Not mine."}
    )
    # Lee has no sessions, so the one named is not theirs to write about: it is ignored.
    assert response.status_code == 302
    entry = JournalEntry.objects.get()
    assert (entry.mentee, entry.session) == (lee, None)


def test_it_changes_and_deletes_an_entry(world, login_as):
    entry = write(world.mentee, "First go.")
    client = login_as("mentee")
    response = client.post(
        reverse("journal:journal_edit", args=[entry.pk]),
        {"description": "Second go.", "impact": "I will ask children first."},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.description, entry.impact) == ("Second go.", "I will ask children first.")
    assert client.get(reverse("journal:journal_delete", args=[entry.pk])).status_code == 200
    assert JournalEntry.objects.filter(pk=entry.pk).exists()
    client.post(reverse("journal:journal_delete", args=[entry.pk]))
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()


# Privacy


ENTRY_PAGES = ["journal:journal_detail", "journal:journal_edit", "journal:journal_delete"]


@pytest.mark.parametrize("name", ENTRY_PAGES)
@pytest.mark.parametrize("persona", ["mentor", "coordinator", "other_coordinator", "administrator"])
def test_it_hides_an_entry_from_everyone_but_its_writer(name, persona, world, match, login_as):
    entry = write(world.mentee)
    services.journal_entry_share(entry=entry, by=world.mentee)
    # Even shared, the writer's own pages are theirs alone.
    assert login_as(persona).get(reverse(name, args=[entry.pk])).status_code == 404


def test_it_hides_another_mentees_entry(world, login_as, client):
    lee = other_mentee(world)
    entry = write(lee)
    client = login_as("mentee")
    for name in ENTRY_PAGES:
        assert client.get(reverse(name, args=[entry.pk])).status_code == 404
    assert (
        client.post(
            reverse("journal:journal_share", args=[entry.pk]), {"action": "share"}
        ).status_code
        == 404
    )
    assert not JournalEntry.objects.get(pk=entry.pk).is_shared


def test_it_shows_the_mentor_only_what_is_shared_and_only_until_unshared(world, match, login_as):
    entry = write(world.mentee, "Power in the room.")
    mentee = login_as("mentee")
    url = reverse("journal:journal_shared_detail", args=[entry.pk])

    sign_in(mentee, world.mentor)
    assert mentee.get(url).status_code == 404
    assert (
        "Power in the room."
        not in mentee.get(reverse("journal:journal_shared_with_me")).content.decode()
    )

    sign_in(mentee, world.mentee)
    response = mentee.post(reverse("journal:journal_share", args=[entry.pk]), {"action": "share"})
    assert response.status_code == 302
    assert JournalEntry.objects.get(pk=entry.pk).is_shared

    sign_in(mentee, world.mentor)
    assert "Power in the room." in mentee.get(url).content.decode()
    listing = mentee.get(reverse("journal:journal_shared_with_me")).content.decode()
    assert url in listing

    sign_in(mentee, world.mentee)
    mentee.post(reverse("journal:journal_share", args=[entry.pk]), {"action": "unshare"})
    sign_in(mentee, world.mentor)
    assert mentee.get(url).status_code == 404
    assert url not in mentee.get(reverse("journal:journal_shared_with_me")).content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "other_coordinator", "administrator", "mentee"])
def test_it_never_shows_shared_entries_to_anyone_but_the_mentor(persona, world, match, login_as):
    entry = write(world.mentee)
    services.journal_entry_share(entry=entry, by=world.mentee)
    client = login_as(persona)
    assert client.get(reverse("journal:journal_shared_detail", args=[entry.pk])).status_code == 404
    assert client.get(reverse("journal:journal_shared_with_me")).status_code == 404


def test_it_hides_shared_entries_from_another_mentor(world, match, login_as):
    other = UserFactory(display_name="Kim", email="kim@example.test")
    MembershipFactory(programme=world.programme, person=other, role=Role.MENTOR)
    entry = write(world.mentee)
    services.journal_entry_share(entry=entry, by=world.mentee)
    client = login_as("mentor")
    sign_in(client, other)
    assert client.get(reverse("journal:journal_shared_detail", args=[entry.pk])).status_code == 404


def test_it_stops_showing_free_standing_entries_when_the_match_ends(world, match, login_as):
    entry = write(world.mentee)
    services.journal_entry_share(entry=entry, by=world.mentee)
    url = reverse("journal:journal_shared_detail", args=[entry.pk])
    assert login_as("mentor").get(url).status_code == 200
    Match.objects.filter(pk=match.pk).update(status=Match.Status.CLOSED)
    assert login_as("mentor").get(url).status_code == 404


def test_it_shows_a_session_entry_to_the_mentor_of_that_match(world, match, login_as):
    entry = write(world.mentee, session=make_session(match))
    services.journal_entry_share(entry=entry, by=world.mentee)
    assert (
        login_as("mentor")
        .get(reverse("journal:journal_shared_detail", args=[entry.pk]))
        .status_code
        == 200
    )
    assert JournalEntry.objects.shared_with(world.other_mentor).count() == 0


def test_it_does_not_share_when_there_is_no_mentor(world, login_as):
    entry = write(world.mentee)
    response = login_as("mentee").post(
        reverse("journal:journal_share", args=[entry.pk]), {"action": "share"}, follow=True
    )
    assert "there is nobody to share this with" in response.content.decode()
    assert not JournalEntry.objects.get(pk=entry.pk).is_shared


def test_it_answers_a_strange_share_button_with_a_message(world, login_as):
    entry = write(world.mentee)
    response = login_as("mentee").post(
        reverse("journal:journal_share", args=[entry.pk]), {"action": "<script>"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose whether to share" in response.content.decode()


# The CPD record


def _cpd(client, name, **params):
    return client.get(reverse(name), params)


def test_it_sets_out_entries_in_the_cpd_records_fields(world, match, login_as):
    domain = PCFDomain.objects.order_by("position").first()
    entry = write(
        world.mentee,
        "We went through a review.",
        session=make_session(match),
        analysis="Jargon shut the young person out.",
        conclusion="Plain words matter.",
        impact="I now write reports for the child.",
        feelings="Embarrassed.",
    )
    entry.pcf_domains.set([domain])
    page = _cpd(login_as("mentee"), "journal:journal_cpd_print", entry=[entry.pk]).content.decode()
    for text in (
        "Mentoring session with an expert by experience",
        "Description and why it is relevant to my practice",
        "We went through a review.",
        "Jargon shut the young person out.",
        "What I learned",
        "Plain words matter.",
        "Impact on my practice and on the people I work with",
        "I now write reports for the child.",
        domain.name,
        "journal/print.css",
    ):
        assert text in page, text
    assert "Embarrassed." not in page


def test_it_asks_for_at_least_one_entry(world, login_as):
    write(world.mentee)
    for name in ("journal:journal_cpd_print", "journal:journal_cpd_download"):
        response = _cpd(login_as("mentee"), name)
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="id_entry_error"' in page
        assert "Tick at least one entry" in page


@pytest.mark.parametrize("bad", ["abc", "9" * 30, "-1", "", "1.5", "<script>"])
def test_it_survives_strange_entry_ids(bad, world, login_as):
    write(world.mentee)
    for name in ("journal:journal_cpd_print", "journal:journal_cpd_download"):
        response = _cpd(login_as("mentee"), name, entry=[bad])
        assert response.status_code == 200
        assert "Tick at least one entry" in response.content.decode()


def test_it_never_exports_another_persons_entry(world, login_as):
    lee = other_mentee(world)
    theirs = write(lee, "Lee's private thoughts.")
    mine = write(world.mentee, "My own thoughts.")
    client = login_as("mentee")
    only_theirs = _cpd(client, "journal:journal_cpd_download", entry=[theirs.pk])
    assert "text/csv" not in only_theirs["Content-Type"]
    assert "Lee's private thoughts." not in only_theirs.content.decode()
    both = _cpd(client, "journal:journal_cpd_download", entry=[theirs.pk, mine.pk]).content.decode()
    assert "My own thoughts." in both
    assert "Lee's private thoughts." not in both
    printed = _cpd(client, "journal:journal_cpd_print", entry=[theirs.pk, mine.pk]).content.decode()
    assert "Lee's private thoughts." not in printed


def _rows(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_it_downloads_a_csv_with_a_header_and_one_row_per_entry(world, login_as):
    old = write(world.mentee, "Café with a care leaver – names changed.", day=date(2026, 1, 5))
    new = write(world.mentee, "A second entry.", day=date(2026, 2, 9), conclusion="Listen more.")
    rows = _rows(_cpd(login_as("mentee"), "journal:journal_cpd_download", entry=[new.pk, old.pk]))
    assert rows[0] == [
        "Type of activity",
        "Date",
        "Description and why it is relevant to my practice",
        "What I learned",
        "Impact on my practice and on the people I work with",
        "PCF domains",
        "Peer reflection: with whom",
        "Peer reflection: when",
        "Peer reflection: what we discussed",
    ]
    assert rows[1][:4] == [
        "Reflection",
        "2026-01-05",
        "Café with a care leaver – names changed.",
        "",
    ]
    assert rows[2][:4] == ["Reflection", "2026-02-09", "A second entry.", "Listen more."]
    assert len(rows) == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORTED)
    assert event.actor == world.mentee


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_it_keeps_formulas_out_of_the_spreadsheet(start, world, login_as):
    entry = write(
        world.mentee, f'{start}HYPERLINK("http://evil.example")', conclusion=f"{start}1+1"
    )
    rows = _rows(_cpd(login_as("mentee"), "journal:journal_cpd_download", entry=[entry.pk]))
    assert rows[1][2] == f'\'{start}HYPERLINK("http://evil.example")'
    assert rows[1][3] == f"'{start}1+1"


def test_it_filters_the_cpd_choice_by_date(world, login_as):
    write(world.mentee, "In January.", day=date(2026, 1, 10))
    write(world.mentee, "In March.", day=date(2026, 3, 10))
    client = login_as("mentee")
    page = _cpd(
        client, "journal:journal_cpd", date_from="2026-02-01", date_to="2026-12-31"
    ).content.decode()
    assert "In March." in page and "In January." not in page
    page = _cpd(
        client, "journal:journal_cpd", date_from="2026-05-01", date_to="2026-02-01"
    ).content.decode()
    assert 'id="id_date_to_error"' in page
    page = _cpd(client, "journal:journal_cpd", date_from="not a date").content.decode()
    assert 'id="id_date_from_error"' in page and 'value="not a date"' in page


# Learning goals


def test_it_makes_goals_from_the_profile_once(world, login_as):
    client = login_as("mentee")
    page = client.get(reverse("journal:goals")).content.decode()
    assert "Goals from your profile" in page
    client.post(reverse("journal:goals"), {"action": "from_profile"})
    client.post(reverse("journal:goals"), {"action": "from_profile"})
    goal = Goal.objects.get(mentee=world.mentee)
    assert goal.topic.slug == "bias"
    assert "Goals from your profile" not in client.get(reverse("journal:goals")).content.decode()


def test_it_adds_a_goal_a_note_and_marks_it_achieved(world, login_as):
    client = login_as("mentee")
    client.post(reverse("journal:goals"), {"action": "add_goal", "title": "Chair a review well"})
    goal = Goal.objects.get(title="Chair a review well")
    client.post(
        reverse("journal:goals"),
        {"action": "add_note", "note_for": goal.pk, f"note-{goal.pk}-text": "Went better."},
    )
    assert GoalNote.objects.get(goal=goal).author == world.mentee
    client.post(reverse("journal:goals"), {"action": "achieve", "goal": goal.pk})
    goal.refresh_from_db()
    assert goal.is_achieved and goal.achieved_at


def test_it_keeps_a_note_that_needs_fixing(world, login_as):
    goal = Goal.objects.create(mentee=world.mentee, title="Write plainly")
    response = login_as("mentee").post(
        reverse("journal:goals"),
        {"action": "add_note", "note_for": goal.pk, f"note-{goal.pk}-text": "x" * 2001},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_note-{goal.pk}-text_error"' in page
    assert not GoalNote.objects.exists()


def test_it_ignores_goals_that_are_not_yours(world, login_as):
    lee = other_mentee(world)
    theirs = Goal.objects.create(mentee=lee, title="Lee's goal")
    client = login_as("mentee")
    for data in (
        {"action": "achieve", "goal": theirs.pk},
        {"action": "add_note", "note_for": theirs.pk, f"note-{theirs.pk}-text": "Sneaky"},
        {"action": "achieve", "goal": "9" * 30},
    ):
        response = client.post(reverse("journal:goals"), data, follow=True)
        assert "We could not find that goal" in response.content.decode()
    theirs.refresh_from_db()
    assert not theirs.is_achieved and not theirs.notes.exists()


def test_it_lets_the_mentor_add_a_progress_note_about_a_session(world, match, login_as):
    goal = Goal.objects.create(mentee=world.mentee, title="Write plainly")
    session = make_session(match)
    client = login_as("mentor")
    page = client.get(reverse("journal:match_goals", args=[match.pk])).content.decode()
    assert "Write plainly" in page and "what did you review together?" in page
    client.post(
        reverse("journal:match_goals", args=[match.pk]),
        {
            "note_for": goal.pk,
            f"note-{goal.pk}-text": "Reviewed together: much plainer.",
            f"note-{goal.pk}-session": str(session.pk),
        },
    )
    note = GoalNote.objects.get()
    assert (note.author, note.session) == (world.mentor, session)
    page = login_as("mentee").get(reverse("journal:goals")).content.decode()
    assert "Reviewed together: much plainer." in page


@pytest.mark.parametrize("persona", ["coordinator", "other_coordinator", "administrator"])
def test_it_hides_match_goals_from_staff(persona, world, match, login_as):
    assert login_as(persona).get(reverse("journal:match_goals", args=[match.pk])).status_code == 404


def test_it_hides_goals_of_an_ended_match(world, match, login_as):
    Match.objects.filter(pk=match.pk).update(status=Match.Status.CLOSED)
    assert (
        login_as("mentor").get(reverse("journal:match_goals", args=[match.pk])).status_code == 404
    )


def test_it_refuses_notes_from_someone_who_is_not_the_mentor(world, match):
    goal = Goal.objects.create(mentee=world.mentee, title="Write plainly")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.goal_note_add(goal=goal, author=world.other_mentor, text="Hello")
    assert services.goal_note_add(goal=goal, author=world.mentor, text="Hello").pk


# Query budgets


@pytest.mark.parametrize("count", [2, 20])
def test_it_lists_entries_in_a_flat_number_of_queries(
    count, world, match, login_as, django_assert_max_num_queries
):
    session = make_session(match)
    for number in range(count):
        write(world.mentee, f"Entry {number}", session=session if number % 2 else None)
    client = login_as("mentee")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("journal:journal_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("journal:journal_cpd")).status_code == 200
    ids = list(JournalEntry.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(14):
        assert _cpd(client, "journal:journal_cpd_print", entry=ids).status_code == 200
    with django_assert_max_num_queries(14):
        assert _cpd(client, "journal:journal_cpd_download", entry=ids).status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_it_lists_shared_entries_and_goals_in_a_flat_number_of_queries(
    count, world, match, login_as, django_assert_max_num_queries
):
    session = make_session(match)
    for number in range(count):
        entry = write(world.mentee, f"Entry {number}", session=session if number % 2 else None)
        services.journal_entry_share(entry=entry, by=world.mentee)
        goal = Goal.objects.create(mentee=world.mentee, title=f"Goal {number}")
        services.goal_note_add(goal=goal, author=world.mentor, text="Good", session=session)
    complete_mentee_profile(world.mentee)
    mentor = login_as("mentor")
    with django_assert_max_num_queries(14):
        assert mentor.get(reverse("journal:journal_shared_with_me")).status_code == 200
    with django_assert_max_num_queries(16):
        assert mentor.get(reverse("journal:match_goals", args=[match.pk])).status_code == 200
    mentee = login_as("mentee")
    with django_assert_max_num_queries(16):
        assert mentee.get(reverse("journal:goals")).status_code == 200


def test_it_makes_it_safe_to_say_you_struggled_and_asks_about_assumptions_and_power(
    world, login_as
):
    page = login_as("mentee").get(reverse("journal:journal_new")).content.decode()
    assert "It is fine to write &quot;I struggled&quot; or &quot;I got it wrong&quot;" in page
    assert "What did I assume, and was I right?" in page
    assert "How did power work between me and my mentor?" in page


def test_it_puts_only_the_chosen_answers_of_each_entry_in_the_cpd_record(world, login_as):
    first = write(
        world.mentee,
        "A hard visit.",
        conclusion="I got it wrong.",
        assumptions="I assumed the worst.",
        impact="I will ask first.",
    )
    second = write(world.mentee, "A good visit.", conclusion="Listen more.")
    client = login_as("mentee")
    page = _cpd(client, "journal:journal_cpd").content.decode()
    assert f'value="{first.pk}:conclusion"' in page and f'value="{second.pk}:conclusion"' in page
    # Feelings never go in, so they are never offered.
    assert ":feelings" not in page
    params = {
        "entry": [first.pk, second.pk],
        "answers_chosen": "1",
        "answer": [f"{first.pk}:description", f"{first.pk}:impact", f"{second.pk}:conclusion"],
    }
    rows = _rows(_cpd(client, "journal:journal_cpd_download", **params))
    by_date = {row[2] or row[3]: row for row in rows[1:]}
    assert "I got it wrong." not in str(rows) and "I assumed the worst." not in str(rows)
    assert by_date["A hard visit."][4] == "I will ask first."
    assert by_date["Listen more."][2] == "" and "A good visit." not in str(rows)
    printed = _cpd(client, "journal:journal_cpd_print", **params).content.decode()
    assert "I got it wrong." not in printed and "I will ask first." in printed
    # An address without the answer boxes (an older link) puts every answer in.
    everything = _cpd(client, "journal:journal_cpd_print", entry=[first.pk]).content.decode()
    assert "I got it wrong." in everything and "I assumed the worst." in everything


def test_it_offers_a_session_as_peer_reflection_in_the_cpd_record(world, match, login_as):
    session = make_session(match, days_ago=3)
    entry = write(world.mentee, "We talked about plain words in reports.", session=session)
    alone = write(world.mentee, "Read a book on my own.")
    client = login_as("mentee")
    rows = _rows(_cpd(client, "journal:journal_cpd_download", entry=[entry.pk, alone.pk]))
    header, *records = rows
    peer = [header.index(f"Peer reflection: {part}") for part in ("with whom", "when")]
    about_session = next(r for r in records if r[0].startswith("Mentoring session"))
    assert about_session[peer[0]].startswith(f"{world.mentor.display_name}, my mentor")
    assert about_session[peer[1]] == session_date(session).isoformat()
    assert about_session[-1] == "We talked about plain words in reports."
    reflection = next(r for r in records if r[0] == "Reflection")
    assert reflection[-3:] == ["", "", ""]
    printed = _cpd(client, "journal:journal_cpd_print", entry=[entry.pk]).content.decode()
    assert "<h3>Peer reflection</h3>" in printed and "With whom" in printed
