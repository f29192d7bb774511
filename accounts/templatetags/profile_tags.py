from django import template

from core.choices import AVAILABILITY_SLOTS, MeetingMode

register = template.Library()

_SLOT_NAMES = dict(AVAILABILITY_SLOTS)
_MODE_NAMES = dict(MeetingMode.choices)


@register.filter
def slot_names(slots) -> list[str]:
    """Turn stored slots like 'tue-eve' into words like 'Tuesday evening', in week order."""
    chosen = set(slots or [])
    return [name for key, name in AVAILABILITY_SLOTS if key in chosen]


@register.filter
def mode_names(modes) -> list[str]:
    return [_MODE_NAMES[m] for m in (modes or []) if m in _MODE_NAMES]


@register.filter
def names(manager) -> str:
    return ", ".join(item.name for item in manager.all())
