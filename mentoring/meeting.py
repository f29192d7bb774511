"""Where a planned session happens, as suits its meeting mode: a place for a session in
person, a meeting link for an online one (a checked https address), nothing for a phone
call. The one rule for it: the plan form and the planning services both call check_where(),
and every sentence that says where a session is comes from where_in_words()."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from core.choices import MeetingMode

PLACE_MAX = 200
LINK_MAX = 500

_https = URLValidator(schemes=["https"])


def check_link(link: str) -> str:
    """The meeting link as it will be kept, or a ValidationError that says, in plain words,
    what is wrong. Only https: a link anyone can open safely, which nobody on the way can
    read or change. Never http, javascript:, data: or any other scheme."""
    link = link.strip()
    if any(character.isspace() or ord(character) < 32 for character in link):
        raise ValidationError(
            "A link has no spaces or line breaks in it. Copy it again from your video call "
            "invitation, and paste only the link."
        )
    if len(link) > LINK_MAX:
        raise ValidationError(
            f"This link is too long. A meeting link has at most {LINK_MAX} characters."
        )
    starts = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", link)
    scheme = starts.group(1).lower() if starts else ""
    if scheme == "http":
        raise ValidationError(
            "This link starts with http://, which is not secure. Use the link that starts "
            "with https://. Your video call service gives one."
        )
    if not scheme:
        raise ValidationError(
            "Paste the whole link, starting with https://. For example, "
            "https://meet.example.org/abc-defg."
        )
    if scheme != "https":
        raise ValidationError(
            "This is not a link to a video call. Paste the web address of the call, starting "
            "with https://."
        )
    link = "https" + link[len(scheme) :]
    parts = urlsplit(link)
    if "@" in parts.netloc:
        # https://zoom.us@elsewhere.example goes to elsewhere.example: a link that hides
        # where it goes is refused, whoever typed it.
        raise ValidationError(
            "This link hides where it really goes (it has an @ in its address). Paste the "
            "link exactly as your video call service gives it."
        )
    try:
        _https(link)
    except ValidationError:
        raise ValidationError(
            "This is not a link we can check. Paste the whole web address of the call, "
            "starting with https://."
        ) from None
    return link


def check_where(*, meeting_mode: str, place: str = "", meeting_link: str = "") -> dict:
    """What to keep for where the two people meet: {"place": …, "meeting_link": …}, only
    the one that suits the mode. A session in person needs a place; an online one may have
    its link added later (people often get it from their work's video service close to the
    day); a phone call needs neither. Errors name their field, so a form shows each next to
    it."""
    place = " ".join(place.split())
    if meeting_mode == MeetingMode.IN_PERSON:
        if not place:
            raise ValidationError(
                {"place": "Say where you will meet, such as the café's name and street."}
            )
        if len(place) > PLACE_MAX:
            raise ValidationError({"place": f"Keep the place to {PLACE_MAX} characters or fewer."})
        return {"place": place, "meeting_link": ""}
    if meeting_mode == MeetingMode.ONLINE:
        link = meeting_link.strip()
        if link:
            try:
                link = check_link(link)
            except ValidationError as error:
                raise ValidationError({"meeting_link": error.messages}) from None
        return {"place": "", "meeting_link": link}
    return {"place": "", "meeting_link": ""}


def where_in_words(plan) -> str:
    """Where a planned session is, as a sentence people read: in a notification, a reminder
    or a calendar event."""
    if plan.meeting_mode == MeetingMode.IN_PERSON:
        return f"In person, at {plan.place}." if plan.place else "In person."
    if plan.meeting_mode == MeetingMode.ONLINE:
        if plan.meeting_link:
            return f"Online, by video call. The link is {plan.meeting_link}"
        return "Online, by video call. The link has not been added yet."
    return "By phone."
