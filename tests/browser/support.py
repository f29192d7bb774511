"""What the browser tests share: signing in like a person, time-based codes, and a log of
everything that went wrong in the browser while a test ran."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from playwright.sync_api import Page, expect

from demo.people import DEMO_PASSWORD

TOTP_PERIOD = 30

EMAIL_LABEL = re.compile(r"^email", re.IGNORECASE)
CODE_LABEL = re.compile(r"code", re.IGNORECASE)


@dataclass
class TotpCodes:
    """Hands out time-based codes the way an authenticator app shows them.

    allauth refuses a code a person has already used (it remembers it in the cache for one
    period) and accepts the codes for the previous, current and next period. So a second
    sign-in in the same test takes the next period's code, and a third waits for the clock."""

    used: set[tuple[str, int]] = field(default_factory=set)

    def code_for(self, email: str, secret: str | None = None) -> str:
        secret = secret or settings.DEMO_TOTP_SECRET
        while True:
            now = int(time.time()) // TOTP_PERIOD
            for counter in (now, now + 1):
                if (email, counter) not in self.used:
                    self.used.add((email, counter))
                    return format_hotp_value(hotp_value(secret, counter))
            time.sleep(1)


@dataclass
class BrowserProblems:
    """Console errors (CSP violations among them), uncaught exceptions and server errors."""

    items: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.items.append(f"{page.url}: uncaught {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            location = message.location.get("url", "") if message.location else ""
            self.items.append(f"console error on {location or 'page'}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 500:
            self.items.append(f"{response.status} from {response.url}")

    def take(self) -> list[str]:
        taken, self.items = self.items, []
        return taken


def sign_in(
    page: Page, email: str, password: str = DEMO_PASSWORD, *, codes: TotpCodes | None = None
):
    """Sign in through the real pages. Pass `codes` for people with two-factor set up."""
    page.goto("/account/login/")
    main = page.get_by_role("main")
    main.get_by_label(EMAIL_LABEL).fill(email)
    main.get_by_label("Password", exact=True).fill(password)
    main.get_by_role("button", name="Sign in", exact=True).click()
    if codes is not None:
        code_box = page.get_by_role("main").get_by_label(CODE_LABEL)
        expect(code_box).to_be_visible()
        code_box.fill(codes.code_for(email))
        page.get_by_role("main").get_by_role("button", name="Sign in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/account/(login|2fa/authenticate)/"))


def sam_and_priya(demo):
    """The published mentor and mentee's match: the demo made it a year ago."""
    from matching.models import Match

    return (
        Match.objects.live()
        .select_related("mentor", "mentee", "programme")
        .get(mentor__email=demo.mentor, mentee__email=demo.mentee)
    )
