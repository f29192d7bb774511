from accounts.models import MenteeProfile, MentorProfile
from core.choices import Role


def member_rows(memberships) -> list[dict]:
    """Pair each membership on a page with the profile its role uses, fetching the profiles
    and what their completeness check reads in a fixed number of queries."""
    memberships = list(memberships)
    people = [m.person_id for m in memberships]
    profiles = {
        Role.MENTOR: {
            p.user_id: p
            for p in MentorProfile.objects.filter(user_id__in=people).prefetch_related(
                "languages", "topics_offered"
            )
        },
        Role.MENTEE: {
            p.user_id: p
            for p in MenteeProfile.objects.filter(user_id__in=people).prefetch_related(
                "languages", "practice_areas", "learning_goals"
            )
        },
    }
    return [
        {"membership": m, "profile": profiles.get(m.role, {}).get(m.person_id)} for m in memberships
    ]
