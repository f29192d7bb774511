"""What matching holds about a person: their matches and closing surveys, and their place in
stored rounds (see portal/privacy.py for how every app's privacy module is composed)."""

from django.db.models import Q

from accounts.models import User
from matching import services
from matching.models import ClosingSurvey, Match


def other_name(match: Match, user: User) -> str:
    """The name of the other person in `user`'s match."""
    return match.other_party(user).display_name


def export(user: User) -> dict:
    """Their matches and the closing surveys they gave: what they said, never what the other
    person said about them."""
    mine = Q(mentor=user) | Q(mentee=user)
    return {
        "matches": [
            {
                "programme": match.programme.name,
                "with": other_name(match, user),
                "as": "mentor" if match.mentor_id == user.pk else "mentee",
                "status": match.get_status_display(),
                "started": match.started_at.isoformat(),
                "ended": match.ended_at.isoformat() if match.ended_at else None,
            }
            for match in Match.objects.filter(mine).select_related("programme", "mentor", "mentee")
        ],
        "closing_surveys": [
            {
                "match_with": other_name(survey.match, user),
                "how_it_went": survey.get_rating_display(),
                "would_recommend": survey.get_recommend_display(),
                "why_it_ended": survey.get_reason_display(),
                "comments": survey.comments,
                "given": survey.created_at.isoformat(),
            }
            for survey in ClosingSurvey.objects.filter(person=user).select_related(
                "match__mentor", "match__mentee"
            )
        ],
    }


def erase(user: User) -> None:
    """Someone who leaves is proposed to nobody and matched with nobody any more; the other
    person goes back into the pool. Their matches end through the match-ending service, as
    when a role ends (the pair excluded, audit rows, the other person told), so this runs
    once their roles have ended (programmes first). Then they are taken out of every stored
    round, and their closing surveys stay in the totals without their words: free text can
    name people."""
    services.matching_leave(person=user, by=user, why="account_deleted")
    services.person_scrub(user=user)
    ClosingSurvey.objects.filter(person=user).update(comments="")
