"""Mixed load on Alongside: mentors, mentees, coordinators and administrators signing in as
the demo's made-up people and reading their pages, 1 to 3 seconds apart. Started by
bench/load.py, which runs the server and reads the results; see its docstring.

Every request is named by its page type (`dashboard`, `pay`, `match`...), so results come out
per page type. Each simulated person presents an address of their own in LOAD_CLIENT_HEADER,
which the server trusts for this run only, so the sign-in rate limits see many people, as
they would in real use, and stay on.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import re
import struct
import time

from locust import HttpUser, between, events, task

PASSWORD = os.environ["LOAD_PASSWORD"]
TOTP_SECRET = os.environ["LOAD_TOTP_SECRET"]
CLIENT_HEADER = os.environ.get("LOAD_CLIENT_HEADER", "X-Load-Client")
PILOT = os.environ.get("LOAD_PILOT", "national-pilot")
PILOT_MENTORS = int(os.environ.get("LOAD_PILOT_MENTORS", "5000"))
PILOT_MENTEES = int(os.environ.get("LOAD_PILOT_MENTEES", "15000"))
STAFF = {
    "coordinator": ["coordinator@example.org", "coordinator-b@example.org"],
    "administrator": ["admin@example.org"],
}
COORDINATED = {"coordinator@example.org": "north-star", "coordinator-b@example.org": "riverside"}

_numbers = itertools.count(1)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MATCH_LINK = re.compile(r'href="(/matches/\d+/)"')


# Every request as it happened (when it started, its page type, how long it took, whether it
# failed), and when the last simulated person had started, written to LOAD_RECORDS when the
# run ends: bench/load.py reports the pages apart from the sign-in rush at the start.
RECORDS_PATH = os.environ.get("LOAD_RECORDS")
_records: list[tuple[float, str, float, bool]] = []
_everyone_started: list[float] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    _records.append((time.time() - response_time / 1000, name, response_time, bool(exception)))


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    _everyone_started.append(time.time())


@events.quitting.add_listener
def _write_records(environment, **kwargs):
    if RECORDS_PATH:
        with open(RECORDS_PATH, "w") as out:
            json.dump({"everyone_started": _everyone_started[:1], "requests": _records}, out)


def totp(secret: str, at: float) -> str:
    """The six-digit code an authenticator app shows at `at` (RFC 6238, SHA-1, 30 s)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def on_start(self):
        number = next(_numbers)
        self.client.headers[CLIENT_HEADER] = (
            f"10.{number // 65536}.{number // 256 % 256}.{number % 256}"
        )
        self.number = number
        self.sign_in(self.email())

    def email(self) -> str:
        raise NotImplementedError

    def _csrf(self, path: str, name: str) -> str:
        page = self.client.get(path, name=name)
        found = CSRF.search(page.text)
        return found.group(1) if found else ""

    def sign_in(self, email: str) -> None:
        token = self._csrf("/account/login/", "sign-in page")
        response = self.client.post(
            "/account/login/",
            {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/account/login/"},
            name="sign in",
        )
        # Staff are asked for the code from their authenticator app. A code is accepted once,
        # so someone who finds theirs used waits for the next one, as a person would.
        for _ in range(4):
            if "/2fa/authenticate" not in response.url:
                break
            token = CSRF.search(response.text).group(1)
            response = self.client.post(
                response.url,
                {"code": totp(TOTP_SECRET, time.time()), "csrfmiddlewaretoken": token},
                headers={"Referer": response.url},
                name="sign in: code",
            )
            if "/2fa/authenticate" in response.url:
                time.sleep(30 - time.time() % 30 + 1)

    def page(self, path: str, name: str):
        return self.client.get(path, name=name)

    def dashboard_then_match(self) -> None:
        """The dashboard, then the person's match from its link, as a mentor or mentee would."""
        found = MATCH_LINK.search(self.page("/dashboard/", "dashboard").text)
        if found:
            self.page(found.group(1), "match")


class Mentor(Person):
    weight = 35

    def email(self):
        return f"mentor-{1 + self.number * 7919 % PILOT_MENTORS:05d}@{PILOT}.example.org"

    @task(4)
    def dashboard(self):
        self.dashboard_then_match()

    @task(2)
    def pay(self):
        self.page("/pay/", "pay")

    @task(1)
    def profile(self):
        self.page("/profile/", "profile")

    @task(1)
    def notifications(self):
        self.page("/notifications/", "notifications")


class Mentee(Person):
    weight = 45

    def email(self):
        return f"mentee-{1 + self.number * 7919 % PILOT_MENTEES:05d}@{PILOT}.example.org"

    @task(4)
    def dashboard(self):
        self.dashboard_then_match()

    @task(2)
    def journal(self):
        self.page("/journal/", "journal")

    @task(1)
    def goals(self):
        self.page("/goals/", "goals")

    @task(1)
    def profile(self):
        self.page("/profile/", "profile")


class Coordinator(Person):
    weight = 15

    def email(self):
        return STAFF["coordinator"][self.number % len(STAFF["coordinator"])]

    def on_start(self):
        super().on_start()
        self.slug = COORDINATED[self.email()]

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "dashboard (staff)")

    @task(2)
    def matches(self):
        self.page(f"/coordinate/{self.slug}/matches/", "coordinator: matches")

    @task(2)
    def sessions(self):
        self.page(f"/coordinate/{self.slug}/sessions/", "coordinator: sessions")

    @task(1)
    def members(self):
        self.page(f"/coordinate/{self.slug}/members/", "coordinator: members")

    @task(1)
    def pay(self):
        self.page(f"/coordinate/{self.slug}/pay/", "coordinator: pay")

    @task(1)
    def rounds(self):
        self.page(f"/coordinate/{self.slug}/matching/", "coordinator: matching")


class Administrator(Person):
    weight = 5

    def email(self):
        return STAFF["administrator"][0]

    @task(2)
    def dashboard(self):
        self.page("/dashboard/", "dashboard (staff)")

    @task(1)
    def statistics(self):
        self.page("/statistics/", "statistics")

    @task(1)
    def national(self):
        self.page(f"/statistics/{PILOT}/people/", "statistics: section")
