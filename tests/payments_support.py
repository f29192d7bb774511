"""Small helpers for payments tests: a rate card, an approved session, a mentor's bank
details. Everything goes through the real services, so the tests see what people see."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from mentoring import services as mentoring_services
from mentoring.models import Session
from payments import services as payments_services
from payments.models import RateCard
from tests.test_permissions import _match

# The first day of the 2026-27 tax year: the usual start of a programme's first card.
TAX_YEAR_2026 = date(2026, 4, 6)


def rate_card(w, **overrides) -> RateCard:
    """A rate card for the world's programme, made by its coordinator. Defaults: £20 an
    hour from 6 April 2026, 30 minutes' paid preparation, no online allowance, receipts
    needed over £50. Any RateCard field can be overridden, as can `programme` and `by`."""
    terms = {
        "programme": w.programme,
        "by": w.coordinator,
        "effective_from": TAX_YEAR_2026,
        "hourly_rate": Decimal("20.00"),
        "preparation_minutes": 30,
        "online_allowance": Decimal("0.00"),
        "receipt_needed_over": Decimal("50.00"),
    }
    terms.update(overrides)
    return payments_services.rate_card_create(**terms)


def earlier_today() -> datetime:
    """A moment that has passed and is still today in London, whatever the time of day:
    halfway between local midnight and now."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + (now - midnight) / 2


def approved_session(w, **details) -> Session:
    """A session of Sam and Priya's match, logged by Sam, confirmed by Priya and approved
    by coordinator Jo (which adds Sam's ledger lines if a card is in force). Details go to
    mentoring.services.session_log; defaults: two days ago, 60 minutes, in person."""
    details = {
        "starts_at": timezone.now() - timedelta(days=2),
        "duration_minutes": 60,
        "meeting_mode": "in_person",
        **details,
    }
    session = mentoring_services.session_log(match=_match(w), by=w.mentor, **details)
    mentoring_services.session_confirm(session=session, by=w.mentee)
    assert mentoring_services.session_approve(session=session, by=w.coordinator)
    session.refresh_from_db()
    return session


def confirmed_session(w, **details) -> Session:
    """Like approved_session, but left confirmed and waiting for a coordinator."""
    details = {
        "starts_at": timezone.now() - timedelta(days=2),
        "duration_minutes": 60,
        "meeting_mode": "in_person",
        **details,
    }
    session = mentoring_services.session_log(match=_match(w), by=w.mentor, **details)
    mentoring_services.session_confirm(session=session, by=w.mentee)
    return session


def paid_by_bank(mentor, **overrides):
    """Record that `mentor` wants paying by bank transfer (or `method=...`), with details."""
    choice = {
        "method": "bank",
        "account_name": mentor.display_name or "A Mentor",
        "sort_code": "30-94-57",
        "account_number": "12345678",
        **overrides,
    }
    return payments_services.preference_set(mentor=mentor, **choice)
