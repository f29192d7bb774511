"""A staff session starts its idle clock when the person signs in (portal/middleware.py)."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.middleware import is_staff_session, staff_session_touch


@receiver(user_logged_in)
def staff_clock_start(sender, request, user, **kwargs) -> None:
    # Started now, so a staff session's first page writes nothing more.
    if request is not None and hasattr(request, "session") and is_staff_session(user):
        staff_session_touch(request, now=int(time.time()))
