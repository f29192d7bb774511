from accounts.models import MenteeProfile, MentorProfile
from core.choices import Role
from programmes.models import Membership


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


def coordinators_by_programme(programme_ids) -> dict[int, list]:
    """Active coordinators of each programme, by programme id, in one query."""
    found: dict[int, list] = {}
    for membership in (
        Membership.objects.current()
        .filter(programme_id__in=programme_ids, role=Role.COORDINATOR, person__is_active=True)
        .select_related("person")
        .order_by("person_id")
    ):
        found.setdefault(membership.programme_id, []).append(membership.person)
    return found
