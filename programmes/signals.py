"""What programmes tells the apps above it, so that it never imports them.

- role_ending is sent by programmes.services.why_not_end_role before a mentor's or
  mentee's role is ended (and to show whether it may be). Receivers take `membership` and
  `by` and return a sentence for `by` saying why they may not end it, or "" when they may:
  matching refuses while the two are in a live match together (matching/receivers.py).
- role_ended is sent by programmes.services.membership_end inside its transaction, once a
  mentor's, mentee's or panel member's role has ended. Receivers take `membership` and
  `by`; matching ends the person's live matches and withdraws their proposals there (for a
  mentor or mentee); activities gives up the places still to come of someone who is no
  longer an expert by experience there; the panel tells a panel member their seat ended. A
  receiver that raises
  rolls the ending back, so nothing of the role stays open once it has ended."""

from django.dispatch import Signal

role_ending = Signal()
role_ended = Signal()
