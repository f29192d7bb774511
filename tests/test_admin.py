"""The Django admin: every model of ours is there, searchable and filterable."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin

from tests.factories import service_operator, sign_in

ROOT = Path(__file__).resolve().parent.parent


def _ours(config) -> bool:
    """An app of this project (a folder at its top level), not Django's or a library's: each
    new app is checked without being listed here."""
    return Path(config.path).resolve().parent == ROOT


def our_models():
    return [
        model
        for config in apps.get_app_configs()
        if _ours(config)
        for model in config.get_models()
        if not model._meta.auto_created
    ]


# Rows recorded inside another model's page rather than on their own.
SHOWN_INLINE = {
    "mentoring.concernaction",
    "payments.activityrate",
    "activities.place",
    "journal.goalnote",
}
# Kept out of the admin on purpose: bank details, alerts and the run snapshots (which hold
# bank details too) are seen only where they are needed, masked.
KEPT_OUT = {
    "payments.paymentpreference",
    "payments.earningsalert",
    "payments.runpayee",
    "payments.runitem",
    # An internal list that the payment services keep in step; the ledger is the record.
    "payments.waitingline",
    # What a mentor told us about their benefits (Universal Credit, a cap on their pay), and
    # the pay a run held back because of it: seen by the mentor, and by coordinators only as
    # "waits at the mentor's request", never why.
    "payments.benefitssettings",
    "payments.runhold",
    # A round's input and output, compressed: everyone's profiles as the round read them. The
    # coordinator's export (audited) is the way to read them; the round itself is in the admin.
    "matching.rounddata",
    # Part of a round's output, one row per mentee it left without a pair: read on the
    # round's own page of them, grouped and paged, as the output is read in the export.
    "matching.unmatchedmentee",
    # What people answer about their sessions and matches. They are told only coordinators
    # see it (feedback and checks only added together with other people's), so the Django
    # admin never lists one person's answers; even without a name, an answer beside its
    # session or match says whose it is. The statistics show them, suppressed.
    "mentoring.sessionfeedback",
    "mentoring.coproductioncheck",
    "matching.closingsurvey",
    # What someone needs to read a page (large print, easy read, another language) can say
    # something about their health: the programme's coordinators read it, nobody else.
    "programmes.formatrequest",
    # The two people of a match are told only they read their agreement.
    "mentoring.agreementversion",
    # Messages: the two people are told nobody else reads them, except one attached to a
    # concern, which the concern's coordinators read on the concern's page.
    "mentoring.message",
    "mentoring.concernmessage",
    # A mentee's words for their mentor's record: the mentor reads them, nobody else.
    "mentoring.kindwords",
    # A mentor's check-in is private ("only a chat request reaches a coordinator"), and a
    # request to talk is read by the coordinators who handle it, on their own pages.
    "mentoring.checkin",
    "mentoring.talkrequest",
    # Answers to a programme's own questions are feedback like the rest: only added together.
    "mentoring.programmeanswer",
    # The panel is told the counts are shown, never who voted which way.
    "panel.vote",
}


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label_lower)
def test_it_offers_every_model_with_search_and_filters(model):
    if model._meta.label_lower in SHOWN_INLINE:
        return
    if model._meta.label_lower in KEPT_OUT:
        assert model not in admin.site._registry
        return
    assert model in admin.site._registry, f"{model._meta.label} is not in the admin"
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model._meta.label} has no search"
    assert model_admin.list_filter, f"{model._meta.label} has no filters"


def test_it_opens_every_admin_list_for_an_operator_of_the_service(db, client):
    sign_in(client, service_operator())
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url


def test_it_never_shows_one_named_persons_feedback_in_the_admin(world, client):
    """Feedback, co-production checks and closing surveys are promised to be seen only
    added together (or, for a closing survey, by the programme's coordinators). The people
    who run the service see none of them one by one, with a name or without."""
    from matching.models import ClosingSurvey
    from mentoring.models import CoproductionCheck, Session, SessionFeedback
    from tests.test_permissions import _closed_match_id, _session

    said = "Sam talked over me the whole time"
    session = Session.objects.get(pk=_session(world, by="mentee"))
    match = session.match
    answers = [
        SessionFeedback.objects.create(
            session=session,
            programme=match.programme,
            person=world.mentee,
            role="mentee",
            useful=1,
            listened_to=1,
            plain_language=1,
            comments=said,
        ),
        CoproductionCheck.objects.create(
            match=match,
            programme=match.programme,
            person=world.mentee,
            role="mentee",
            occasion="quarterly",
            quarter=1,
            equality=1,
            diversity=1,
            accessibility=1,
            reciprocity=1,
            rung=1,
            comments=said,
        ),
        ClosingSurvey.objects.create(
            match_id=_closed_match_id(world),
            person=world.mentee,
            rating=1,
            recommend="no",
            reason="not_a_good_fit",
            comments=said,
        ),
    ]
    sign_in(client, service_operator())
    for answer in answers:
        base = f"/admin/{answer._meta.app_label}/{answer._meta.model_name}/"
        for url in (base, f"{base}?q=Priya", f"{base}{answer.pk}/change/"):
            response = client.get(url, follow=True)
            page = response.content.decode()
            assert "Priya" not in page and said not in page, url
            assert response.status_code == 404 or "Runner" in page, url
