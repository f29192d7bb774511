"""'Download my data' and 'delete my account', composed from a `privacy.py` in each app that
holds a person's data, as Django's admin finds each app's admin.py: lower apps never know
this module. Each has `export(user) -> dict`, its part of the download under keys of its
own, and `erase(user) -> None`, what deleting the account does to its data.

Erasure runs inside one transaction (portal.services.account_delete), in ERASE_ORDER,
because later steps rely on earlier ones:

1. programmes: every role ends, and they run no organisation. First, because a match ends
   for someone who left only once their role has ended (matching.services.match_close
   checks it), exactly as when a coordinator ends a role.
2. matching: live matches end through the match-ending service (the pair excluded, an
   audit row, the other person told) and open proposals are withdrawn; then stored rounds
   are scrubbed and closing-survey comments go.
3. mentoring: feedback and co-production checks lose the person and their words; sessions
   and concerns belong to the match and stay; check-ins and requests to talk are deleted.
   activities: nothing more; places still to come were given up as the roles ended, and
   the places taken stay with their pay. panel: votes on open proposals go; proposals,
   decisions and "You said, we did" entries stay as the programme's record, naming nobody.
4. journal: entries and goals are deleted. They point at sessions, which stay, so nothing
   points at them once they are gone.
5. notifications: after matching and mentoring, so nothing written to the person while
   their matches end is left behind.
6. payments: bank details, the earnings alert and what they wrote about expenses go; what
   they were paid stays, under the anonymised account.
7. accounts: profiles, email addresses and authenticators, last but for the account row
   itself, which portal anonymises after every app (accounts.services.account_anonymise):
   every step above finds the person's rows through it, and payment records and the audit
   log keep pointing at it. Nothing deletes a row that another step still reads.
"""

from importlib import import_module

from accounts.models import User

# The download reads like the person's story: their account, their roles, their matches,
# what happened in them, their own notes, then messages and money.
EXPORT_ORDER = (
    "accounts",
    "programmes",
    "matching",
    "mentoring",
    "activities",
    "panel",
    "journal",
    "notifications",
    "payments",
)
ERASE_ORDER = (
    "programmes",
    "matching",
    "mentoring",
    "activities",
    "panel",
    "journal",
    "notifications",
    "payments",
    "accounts",
)


def _privacy(app: str):
    return import_module(f"{app}.privacy")


def export(user: User) -> dict:
    """Everything Alongside holds about a person, in a form they can read and keep."""
    data: dict = {"about": "Everything Alongside holds about you, downloaded on request."}
    for app in EXPORT_ORDER:
        data.update(_privacy(app).export(user))
    return data


def erase(user: User) -> None:
    """Every app's part of deleting an account, in ERASE_ORDER. The caller holds the
    transaction, so a failure part-way leaves everything as it was."""
    for app in ERASE_ORDER:
        _privacy(app).erase(user)
