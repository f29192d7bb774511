"""What a mentee can learn about mentors, walked through the demo as the mentees would.

The consent page promises mentors that "your mentee sees only what you write for them", and
the profile form says of care experience "Only coordinators see it". So nothing a mentee can
reach, on any page or in any email, names a mentor's lived experience or the councils that
looked after them. The mentor's own words for mentees are the exception: they chose them.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core import mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile, User
from core.choices import Role
from core.models import LivedExperienceArea, PracticeArea, Topic
from matching import services as matching_services
from matching.models import Match, MatchingRound, Proposal
from notifications.services import reminders_scan
from programmes.models import Membership, Programme
from tests.demo_copy import demo_seed
from tests.factories import sign_in

# A mentee's crawl never leaves the site or signs itself out; a few pages of each shape
# (the same path with other ids) are enough, since they share a template.
SKIP_PREFIXES = ("/static/", "/admin/", "/account/logout/", "/media/")
MAX_PER_SHAPE = 3
MAX_PAGES = 120
# The footer and home page say "people with lived experience of care": that is about
# everyone, not about one mentor.
CARE_PHRASES = [
    re.compile(r"lived experience of (?!care\b)"),
    re.compile(r"\blooked after by\b"),
    re.compile(r"\bwas looked after\b"),
]


class _Text(HTMLParser):
    """The words a person reads on a page: text and the labels read aloud, leaving out
    scripts, styles and the options of a select (a list of every council to choose one's
    own employer from says nothing about any mentor)."""

    SKIP = {"script", "style", "option"}
    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.SKIP:
            self._skipping += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        self.parts.extend(attributes[name] or "" for name in self.SPOKEN if name in attributes)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def _normal(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).lower()


def page_text(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return _normal(" ".join(parser.parts)), parser.links


class CareDetails:
    """What would reveal a mentor's care history to a mentee, and what a mentee may read
    that uses the same words (their own profile, the practice-area and topic libraries,
    and each mentor's own words for mentees)."""

    def __init__(self) -> None:
        areas = []
        for name in LivedExperienceArea.objects.values_list("name", flat=True):
            areas.append(_normal(name))
            # "Residential care (children's homes)" is also written "residential care".
            short = _normal(name.split("(")[0])
            if short != areas[-1]:
                areas.append(short)
        councils = {
            _normal(name)
            for name in MentorProfile.objects.filter(looked_after_by__isnull=False).values_list(
                "looked_after_by__name", flat=True
            )
        }
        self.words = sorted(set(areas) | councils, key=len, reverse=True)
        shared = MentorProfile.objects.exclude(shared_with_mentee="").values_list(
            "shared_with_mentee", flat=True
        )
        self.everyone_may_read = sorted(
            {_normal(text) for text in shared}
            | {_normal(name) for name in PracticeArea.objects.values_list("name", flat=True)}
            | {_normal(name) for name in Topic.objects.values_list("name", flat=True)}
            | {_normal(text) for text in Topic.objects.values_list("description", flat=True)}
            | {_normal(text) for text in Programme.objects.values_list("description", flat=True)},
            key=len,
            reverse=True,
        )

    def own_words(self, mentee: User) -> list[str]:
        profile = MenteeProfile.objects.filter(user=mentee).select_related("employer").first()
        if profile is None:
            return []
        own = [profile.team, profile.employer.name if profile.employer else ""]
        return sorted({_normal(text) for text in own if text}, key=len, reverse=True)

    def found(self, text: str, mentee: User) -> list[str]:
        for allowed in [*self.own_words(mentee), *self.everyone_may_read]:
            if allowed:
                text = text.replace(allowed, " … ")
        hits = [pattern.pattern for pattern in CARE_PHRASES if pattern.search(text)]
        hits += [word for word in self.words if re.search(rf"\b{re.escape(word)}\b", text)]
        return hits


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(client, starts: list[str]) -> dict[str, str]:
    """Every page a signed-in person reaches by following links within the site, GET only,
    from the given pages. Returns each page's readable text by URL."""
    seen: dict[str, str] = {}
    shapes: dict[str, int] = {}
    queue = list(starts)
    while queue and len(seen) < MAX_PAGES:
        url = urldefrag(queue.pop(0)).url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if url in seen or parts.path.startswith(SKIP_PREFIXES):
            continue
        shape = _shape(url)
        if shapes.get(shape, 0) >= MAX_PER_SHAPE and url not in starts:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            seen[url] = ""
            continue
        if response.status_code != 200 or response.streaming:
            seen[url] = ""
            continue
        content_type = response.get("Content-Type", "")
        body = response.content.decode("utf-8", errors="replace")
        if "html" in content_type:
            text, links = page_text(body)
            queue.extend(links)
        else:
            text = _normal(body)
        seen[url] = text
    return seen


def email_text(message) -> str:
    parts = [message.subject, message.body]
    parts += [content for content, kind in getattr(message, "alternatives", []) if "html" in kind]
    return " ".join(page_text(part)[0] if "<" in part else _normal(part) for part in parts)


@pytest.fixture
def demo(django_capture_on_commit_callbacks, client):
    """The demo, with what a mentee meets in it after seeding: a new round in North Star
    approved by the coordinator (Priya is asked about Sam), a Riverside practitioner who
    chooses a mentor, and a week later the reminders, each sending its emails."""
    demo_seed()  # the per-process copy of the seeded demo (tests/demo_copy.py)
    mail.outbox = []
    north_star = Programme.objects.get(slug="north-star")
    riverside = Programme.objects.get(slug="riverside")
    coordinator = User.objects.get(email="coordinator@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        matching_round = matching_services.round_start(programme=north_star, by=coordinator)
    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.FINISHED
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.proposals_approve(
            proposals=list(matching_round.proposals.all()), by=coordinator
        )
    chooser = next(
        membership.person
        for membership in Membership.objects.current()
        .filter(programme=riverside, role=Role.MENTEE)
        .exclude(person__email="mentee-b@example.org")
        .exclude(person__proposals_as_mentee__isnull=False)
        .select_related("person")
        .order_by("person__email")
        if matching_services.mentee_suggestions(programme=riverside, mentee=membership.person)
    )
    choice = matching_services.mentee_suggestions(programme=riverside, mentee=chooser)[0]
    sign_in(client, chooser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("matching:mentee_choose"),
            {"programme": "riverside", "mentor": choice["mentor_id"]},
        )
    client.logout()
    assert Proposal.objects.filter(mentee=chooser, mentor_id=choice["mentor_id"]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_scan(now=timezone.now() + timedelta(days=8))
    return matching_round


def mentees_to_walk() -> list[User]:
    """The named mentees, and a made-up one in each situation the demo has: proposals and
    matches in each state (asked, answered, chosen, declined, matched, ended). Mentees in
    the same situation see the same pages about other mentors."""
    situations: dict[tuple, User] = {}
    for mentee in (
        User.objects.filter(
            Q(pk__in=Proposal.objects.values("mentee_id"))
            | Q(pk__in=Match.objects.values("mentee_id"))
        )
        .prefetch_related("proposals_as_mentee__round", "matches_as_mentee")
        .order_by("email")
    ):
        situation = (
            tuple(
                sorted(
                    (p.round.kind, p.status, p.mentee_answer)
                    for p in mentee.proposals_as_mentee.all()
                )
            ),
            tuple(sorted(m.status for m in mentee.matches_as_mentee.all())),
        )
        situations.setdefault(situation, mentee)
    named = User.objects.filter(email__in=["mentee@example.org", "mentee-b@example.org"])
    return sorted({*named, *situations.values()}, key=lambda user: user.email)


@pytest.mark.django_db
def test_it_shows_no_mentee_a_mentors_care_experience_on_any_page_or_email(demo, client):
    care = CareDetails()
    daniel = User.objects.get(email="mentee-b@example.org")
    priya = User.objects.get(email="mentee@example.org")
    leaks: dict[str, list[str]] = {}
    walked = mentees_to_walk()
    suggestions_seen = proposals_seen = reasons_seen = 0
    for mentee in walked:
        client.logout()
        sign_in(client, mentee)
        proposals = [
            reverse("matching:proposal_answer", args=[pk])
            for pk in Proposal.objects.filter(mentee=mentee).values_list("pk", flat=True)
        ]
        pages = crawl(
            client, [reverse("portal:dashboard"), reverse("matching:mentee_choose"), *proposals]
        )
        for url, text in pages.items():
            hits = care.found(text, mentee)
            if hits:
                leaks[f"{mentee.email} {url}"] = hits
        suggestions_seen += "ask " in pages.get(reverse("matching:mentee_choose"), "")
        proposals_seen += sum(bool(pages.get(url)) for url in proposals)
        reasons_seen += sum(
            "why you could work well together" in pages.get(url, "") for url in proposals
        )
    # Every email to any mentee of the demo, walked or not.
    mentee_emails = {
        user.email: user for user in User.objects.filter(memberships__role=Role.MENTEE)
    }
    emails_to_mentees = 0
    for message in mail.outbox:
        for address in message.to:
            if address in mentee_emails:
                emails_to_mentees += 1
                hits = care.found(email_text(message), mentee_emails[address])
                if hits:
                    leaks[f"email to {address}: {message.subject}"] = hits

    assert leaks == {}
    # And the walk reached what matters: suggestions, proposals to answer, and emails.
    assert daniel in walked and priya in walked
    assert suggestions_seen, "a mentee in Riverside saw suggestions"
    assert proposals_seen, "mentees opened their proposals"
    assert reasons_seen, "and read why they were suggested"
    assert emails_to_mentees, "mentees were emailed"
