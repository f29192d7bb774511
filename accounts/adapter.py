from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ValidationError
from django.urls import reverse

PENDING_INVITATION_KEY = "alongside.pending_invitation"


class AccountAdapter(DefaultAccountAdapter):
    """The one place allauth is customised for Alongside."""

    # allauth's messages, in plain words that say what to do next.
    error_messages = DefaultAccountAdapter.error_messages | {
        "account_inactive": "This account has been closed. Ask your coordinator for help.",
        "duplicate_email": "This is already your email address.",
        "email_password_mismatch": (
            "The email address or password is not right. Check them and try again."
        ),
        "email_taken": (
            "There is already an account with this email address. Sign in instead, or "
            "reset your password if you have forgotten it."
        ),
        "enter_current_password": "Enter your current password.",
        "incorrect_code": "That code is not right. Check it and try again.",
        "incorrect_password": "That password is not right. Check it and try again.",
        "invalid_or_expired_key": "This link has expired or has been used. Ask for a new one.",
        "invalid_login": "We could not sign you in. Check your details and try again.",
        "invalid_password_reset": (
            "This password reset link has expired or has been used. Ask for a new one."
        ),
        "too_many_login_attempts": (
            "Too many attempts to sign in to this account. To keep it safe, wait five "
            "minutes and try again, or reset your password."
        ),
        "unknown_email": "There is no account with this email address.",
        "unverified_primary_email": "Check your email address first, using the link we sent.",
        "same_as_current": "This is the same as before. Enter a different one.",
        "rate_limited": "You have tried this too many times. Wait a few minutes and try again.",
    }

    def clean_email(self, email: str) -> str:
        # Django accepts addresses up to 320 characters, but the address must fit our
        # 254-character column whole: cutting it short would send mail to someone else.
        if len(email) > 254:
            raise ValidationError("Enter an email address of 254 characters or fewer.")
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "").strip()
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        # Someone who opened an invitation link before signing up goes back to it.
        token = request.session.get(PENDING_INVITATION_KEY)
        if token:
            return reverse("programmes:invitation_accept", args=[token])
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)

    def get_reauthentication_methods(self, user):
        # With two-factor on, confirming it is you takes the code from your app (or a
        # recovery code): a password alone is what a thief who phished it would have.
        methods = super().get_reauthentication_methods(user)
        from accounts.access import has_two_factor

        if user.is_authenticated and has_two_factor(user):
            return [m for m in methods if m["id"].startswith("mfa_")] or methods
        return methods


class MFAAdapter(DefaultMFAAdapter):
    error_messages = DefaultMFAAdapter.error_messages | {
        "add_email_blocked": (
            "To change your email address, turn off two-factor authentication first, then "
            "turn it back on once the new address is checked."
        ),
        "incorrect_code": (
            "That code is not right. Type the 6 numbers your app shows now, or a recovery code."
        ),
        "unverified_email": (
            "Check your email address first, using the link we sent. Then set up two-factor "
            "authentication."
        ),
    }
