"""Public pages, error pages and the shared layout."""

import pytest
from django.test import override_settings
from django.urls import reverse


@pytest.mark.django_db
def test_it_tells_a_newcomer_what_alongside_is_and_how_to_join(client):
    page = client.get(reverse("programmes:home")).content.decode()
    assert "Mentoring by people who have lived it" in page
    assert reverse("account_signup") in page
    assert reverse("programmes:programme_list") in page


@pytest.mark.django_db
def test_it_has_one_layout_with_landmarks_and_a_skip_link(client):
    page = client.get(reverse("programmes:home")).content.decode()
    assert '<html lang="en-GB">' in page
    assert 'class="skip-link" href="#main"' in page
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in page
    assert "<script>" not in page, "no inline script under our Content Security Policy"


@pytest.mark.django_db
def test_it_serves_every_asset_from_this_site(client):
    page = client.get(reverse("programmes:home")).content.decode()
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_it_shows_a_plain_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_it_shows_a_plain_500_page_without_touching_the_database(django_assert_num_queries):
    from django.test import RequestFactory

    from config.errors import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_it_shows_a_plain_403_page(client):
    from django.test import RequestFactory

    from config.errors import permission_denied

    response = permission_denied(RequestFactory().get("/"))
    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()


@pytest.mark.django_db
def test_it_sends_the_django_admin_sign_in_through_our_own_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
