"""Staff pages, downloads and the Django admin: one rule for all of them. A coordinator or
administrator gets in only with a session that used the code from their authenticator app in
this sign-in, and the Django admin never signs anyone in itself."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, service_operator, sign_in
from tests.test_permissions import LOGIN, MATRIX

# Rows whose page a coordinator may open and a mentee may not: the staff pages, including
# downloads (finance CSV, statistics CSV and JSON, round exports) and receipts.
STAFF_ROWS = sorted(
    name
    for name, row in MATRIX.items()
    if row.expect["coordinator"] not in (404, LOGIN) and row.expect["mentee"] in (404, LOGIN)
)


def test_it_finds_the_staff_rows():
    assert {
        "payments:coordinator_pay",
        "payments:coordinator_run_export",
        "payments:expense_receipt",
    } <= set(STAFF_ROWS)
    assert "reporting:statistics_csv" in STAFF_ROWS


@pytest.mark.parametrize("name", STAFF_ROWS)
def test_it_asks_staff_for_their_code_when_this_sign_in_did_not_use_it(name, world, client):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(world) if row.kwargs else {})
    sign_in(client, world.coordinator, with_code=False)
    response = getattr(client, row.method)(url, row.data)
    assert response.status_code == 302, f"{url}: {response.status_code}"
    assert response["Location"].startswith(reverse("mfa_reauthenticate")), response["Location"]


def test_it_opens_staff_pages_once_the_code_is_typed(world, client):
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from django.conf import settings

    url = reverse("programmes:coordinator_members", args=[world.programme.slug])
    sign_in(client, world.coordinator, with_code=False)
    asked = client.get(url)
    assert asked["Location"].startswith(reverse("mfa_reauthenticate"))
    code = format_hotp_value(hotp_value(settings.DEMO_TOTP_SECRET, int(time.time()) // 30))
    answered = client.post(asked["Location"], {"code": code})
    assert answered.status_code == 302
    assert answered["Location"] == url
    assert client.get(url).status_code == 200


def test_it_keeps_staff_without_an_authenticator_from_receipts(world, client):
    from allauth.mfa.models import Authenticator

    kwargs = MATRIX["payments:expense_receipt"].kwargs(world)
    Authenticator.objects.filter(user=world.coordinator).delete()
    sign_in(client, world.coordinator)
    response = client.get(reverse("payments:expense_receipt", kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_it_still_gives_a_mentor_their_own_receipt_without_a_code(world, client):
    kwargs = MATRIX["payments:expense_receipt"].kwargs(world)
    sign_in(client, world.mentor, with_code=False)
    assert client.get(reverse("payments:expense_receipt", kwargs=kwargs)).status_code == 200


def test_it_never_signs_a_signed_in_mentor_in_as_someone_else_through_the_admin(world, client):
    admin = service_operator()
    sign_in(client, world.mentor)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD}
    )
    assert response.status_code in (302, 404)
    assert client.session[SESSION_KEY] == str(world.mentor.pk)
    assert client.get("/admin/").status_code != 200


def test_it_never_signs_an_anonymous_visitor_in_through_the_admin(db, client):
    admin = service_operator()
    for password in ["wrong-password-1"] * 15 + [PASSWORD]:
        client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": password})
    assert SESSION_KEY not in client.session
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_sends_visitors_to_the_one_sign_in_page_from_the_admin(db, client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/admin/" in response["Location"]


def test_it_asks_an_operator_for_their_code_before_the_admin(db, client):
    sign_in(client, service_operator(), with_code=False)
    response = client.get("/admin/", follow=False)
    assert response.status_code == 302
    assert reverse("mfa_reauthenticate") in response["Location"]


def test_it_lets_an_operator_with_their_code_into_the_admin(db, client):
    sign_in(client, service_operator())
    assert client.get("/admin/").status_code == 200


def test_it_keeps_organisation_administrators_out_of_the_django_admin(world, client):
    """The Django admin shows every organisation's data: it is for the people who run the
    service. Administrators run their own organisation from its pages."""
    world.administrator.refresh_from_db()
    assert not world.administrator.is_superuser
    sign_in(client, world.administrator)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/accounts/user/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_it_records_the_code_typed_when_setting_up_two_factor(world, client):
    """Someone who has just set up their authenticator app typed a code from it: staff pages
    open without asking for another one straight away."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    Authenticator.objects.filter(user=world.coordinator).delete()
    sign_in(client, world.coordinator)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    # A real transaction: allauth tells its receivers once the new authenticator is saved.
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    url = reverse("programmes:coordinator_members", args=[world.programme.slug])
    assert client.get(url).status_code == 200


# Administrators appoint coordinators from their organisation's pages, not the Django admin.


def test_it_lets_an_administrator_invite_a_coordinator(world, client):
    from programmes.models import Invitation, Programme

    sign_in(client, world.administrator)
    url = reverse("programmes:coordinator_invitations", args=[world.programme.slug])
    page = client.get(url).content.decode()
    assert 'value="coordinator"' in page
    response = client.post(url, {"role": "coordinator", "email": "lee@example.test", "note": ""})
    assert response.status_code == 302
    invitation = Invitation.objects.get(role="coordinator")
    lee = UserFactory(email="lee@example.test")
    sign_in(client, lee)
    client.post(reverse("programmes:invitation_accept", args=[invitation.token]))
    assert list(Programme.objects.coordinated_by(lee)) == [world.programme]


def test_it_keeps_coordinators_from_appointing_coordinators(world, client):
    from programmes.models import Invitation

    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_invitations", args=[world.programme.slug])
    assert 'value="coordinator"' not in client.get(url).content.decode()
    response = client.post(url, {"role": "coordinator", "email": "lee@example.test", "note": ""})
    assert response.status_code == 200
    assert "Choose whether you are inviting a mentor or a mentee" in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_sends_a_coordinator_invitation_only_to_one_named_person(world, client):
    from programmes.models import Invitation

    sign_in(client, world.administrator)
    url = reverse("programmes:coordinator_invitations", args=[world.programme.slug])
    response = client.post(url, {"role": "coordinator", "email": "", "note": ""})
    assert response.status_code == 200
    assert "works only for them. Enter their email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_refuses_a_coordinator_invitation_from_anyone_but_an_administrator(world):
    from django.core.exceptions import PermissionDenied

    from programmes.services import invitation_create

    with pytest.raises(PermissionDenied):
        invitation_create(
            programme=world.programme,
            role="coordinator",
            email="x@example.test",
            by=world.coordinator,
        )


# Staff sessions end after a while without activity: an office computer left signed in
# shows every member's personal information.


def test_it_ends_a_staff_session_after_half_an_hour_without_activity(world, client, settings):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_members", args=[world.programme.slug])
    assert client.get(url).status_code == 200
    assert client.session.get_expiry_age() <= settings.STAFF_IDLE_MINUTES * 60
    session = client.session
    session["alongside.last_seen"] -= settings.STAFF_IDLE_MINUTES * 60 + 1
    session.save()
    response = client.get(url, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert "signed you out" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_it_keeps_a_busy_staff_session(world, client, settings):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_members", args=[world.programme.slug])
    client.get(url)
    session = client.session
    session["alongside.last_seen"] -= settings.STAFF_IDLE_MINUTES * 60 - 60
    session.save()
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200


def test_it_leaves_mentors_signed_in_for_longer(world, client, settings):
    sign_in(client, world.mentor)
    client.get(reverse("portal:dashboard"))
    assert client.session.get_expiry_age() > settings.STAFF_IDLE_MINUTES * 60
