"""What notifications hold about a person: what they were told and the emails they turned
off (see portal/privacy.py for how every app's privacy module is composed)."""

from accounts.models import User
from notifications.models import EmailOptOut, Notification


def export(user: User) -> dict:
    return {
        "notifications": [
            {
                "what": item.title,
                "sent": item.created_at.isoformat(),
                "read": item.read_at.isoformat() if item.read_at else None,
            }
            for item in Notification.objects.filter(person=user)
        ],
        "emails_you_turned_off": [
            item.get_kind_display() for item in EmailOptOut.objects.filter(person=user)
        ],
    }


def erase(user: User) -> None:
    """Notifications are only for the person, and so are their email choices."""
    Notification.objects.filter(person=user).delete()
    EmailOptOut.objects.filter(person=user).delete()
