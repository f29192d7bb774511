from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

PENDING_INVITATION_KEY = "alongside.pending_invitation"


class AccountAdapter(DefaultAccountAdapter):
    """The one place allauth is customised for Alongside."""

    error_messages = DefaultAccountAdapter.error_messages | {
        "too_many_login_attempts": (
            "Too many attempts to sign in to this account. To keep it safe, wait five "
            "minutes and try again, or reset your password."
        ),
    }

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "").strip()
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        # Someone who opened an invitation link before signing up goes back to it.
        token = request.session.get(PENDING_INVITATION_KEY)
        if token:
            return reverse("invitation_accept", args=[token])
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)
