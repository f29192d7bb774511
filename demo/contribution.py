"""Demo kind words: two mentees of the paid demo mentor wrote a few words about them, and
the mentor put one in their record of contribution (portal/contribution.py). Safe to run
again: it adds nothing to a mentor who has kind words."""

from __future__ import annotations

from matching.models import Match
from mentoring import services
from mentoring.models import KindWords

MENTOR = "mentor-007@north-star.example.org"  # the accessibility crawl's paid mentor
WORDS = (
    (
        "I used to rush visits to get the forms done. After our sessions I slow down and ask "
        "young people what they want me to write. My manager noticed the difference.",
        True,
    ),
    (
        "Thank you for being honest about what helped you and what did not. I think about it "
        "every time I plan family time.",
        False,
    ),
)


def seed_kind_words(stdout=None) -> int:
    matches = list(
        Match.objects.filter(mentor__email=MENTOR).select_related("mentor", "mentee").order_by("pk")
    )
    if not matches or KindWords.objects.filter(match__mentor__email=MENTOR).exists():
        return 0
    added = 0
    for match, (words, in_record) in zip(matches, WORDS, strict=False):
        kind_words = services.kind_words_write(match=match, by=match.mentee, words=words)
        if in_record:
            services.kind_words_choose(kind_words=kind_words, by=match.mentor, in_record=True)
        added += 1
    if stdout is not None and added:
        stdout.write(f"Kind words: {added} for {MENTOR}'s record of contribution.")
    return added
