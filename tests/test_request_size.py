"""Requests too big to be a receipt are refused before anything reads them."""

from django.urls import reverse

from payments.models import Expense
from tests.factories import sign_in


def test_it_refuses_a_request_bigger_than_the_limit_unread(world, client, settings):
    sign_in(client, world.mentor)
    declared = (settings.MAX_REQUEST_MB + 1) * 1024 * 1024
    response = client.post(
        reverse("payments:expense_new"),
        data=b"x" * 1000,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(declared),
    )
    assert response.status_code == 413
    assert "That is too big to send" in response.content.decode()
    assert f"up to {settings.MAX_UPLOAD_MB} MB" in response.content.decode()
    assert not Expense.objects.exists()


def test_it_refuses_a_real_upload_that_is_too_big(world, client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in(client, world.mentor)
    settings.MAX_REQUEST_MB = 1
    big = SimpleUploadedFile("receipt.png", b"\\x89PNG" + b"0" * (2 * 1024 * 1024))
    response = client.post(reverse("payments:expense_new"), {"receipt": big, "kind": "fare"})
    assert response.status_code == 413


def test_it_lets_ordinary_requests_through(world, client):
    sign_in(client, world.mentor)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert client.post(reverse("notifications:notifications_read")).status_code == 302
