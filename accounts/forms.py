from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.db import models

from accounts.models import MenteeProfile, MentorProfile
from accounts.widgets import AvailabilityGrid
from core.choices import AVAILABILITY_SLOTS, MeetingMode

# What to say when a field of allauth's forms is left empty or is not an email address,
# in place of Django's "This field is required."
_REQUIRED = {
    "login": "Enter your email address",
    "email": "Enter your email address",
    "display_name": "Enter your name",
    "password": "Enter your password",
    "oldpassword": "Enter your current password",
    "password1": "Enter a password",
    "password2": "Enter the same password again",
    "code": "Enter the 6-number code from your authenticator app",
}
_INVALID_EMAIL = "Enter an email address in the right format, like name@example.org"


class PlainMessagesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in _REQUIRED:
                field.error_messages["required"] = _REQUIRED[name]
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = _INVALID_EMAIL


class LoginForm(PlainMessagesMixin, allauth_forms.LoginForm):
    pass


class AddEmailForm(PlainMessagesMixin, allauth_forms.AddEmailForm):
    pass


class ChangePasswordForm(PlainMessagesMixin, allauth_forms.ChangePasswordForm):
    pass


class ResetPasswordForm(PlainMessagesMixin, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(PlainMessagesMixin, allauth_forms.ResetPasswordKeyForm):
    pass


class ReauthenticateForm(PlainMessagesMixin, allauth_forms.ReauthenticateForm):
    pass


class AuthenticateForm(PlainMessagesMixin, mfa_forms.AuthenticateForm):
    pass


class MFAReauthenticateForm(PlainMessagesMixin, mfa_forms.ReauthenticateForm):
    pass


class ActivateTOTPForm(PlainMessagesMixin, totp_forms.ActivateTOTPForm):
    pass


class SignupForm(PlainMessagesMixin, allauth_forms.SignupForm):
    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="The name other people in Alongside will see. A first name is fine.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]


class IdChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no database could hold before it asks the database, which would otherwise
    fail on them (SQLite raises OverflowError for integers past 64 bits)."""

    def _check_values(self, value):
        for item in value:
            try:
                too_big = abs(int(str(item))) >= 2**63
            except (TypeError, ValueError):
                continue  # left to the usual "not one of the choices" check
            if too_big:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)


def _formfield(db_field: models.Field, **kwargs):
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", IdChoiceField)
    return db_field.formfield(**kwargs)


class ProfileModelForm(forms.ModelForm):
    class Meta:
        formfield_callback = staticmethod(_formfield)


class ProfileFormMixin(ProfileModelForm):
    """The fields both profiles share. Every field is optional: a profile saves as a
    draft, and the profile page says what is still missing before matching."""

    meeting_modes = forms.MultipleChoiceField(
        label="How you can meet",
        choices=MeetingMode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick all that suit you.",
    )
    availability = forms.MultipleChoiceField(
        label="When you are usually free",
        choices=AVAILABILITY_SLOTS,
        widget=AvailabilityGrid,
        required=False,
        help_text="Tick the parts of the week when you could usually meet.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("languages",):
            self.fields[name].widget = forms.CheckboxSelectMultiple()
            self.fields[name].widget.choices = self.fields[name].choices
        self.fields["languages"].label = "Languages you can mentor in"
        self.fields["region"].label = "Your region"
        self.fields["region"].choices = [("", "Choose a region")] + list(
            self.fields["region"].choices
        )[1:]
        self.fields["accessibility_needs"].label = "Anything that helps you take part"
        self.fields["accessibility_needs"].widget = forms.Textarea(attrs={"rows": 3})


def _checkboxes(form, *names) -> None:
    for name in names:
        field = form.fields[name]
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)


class MentorProfileForm(ProfileFormMixin):
    class Meta(ProfileModelForm.Meta):
        model = MentorProfile
        fields = [
            "topics_offered",
            "topics_off_limits",
            "capacity",
            "languages",
            "region",
            "meeting_modes",
            "availability",
            "accessibility_needs",
        ]
        labels = {
            "topics_offered": "Topics you would like to mentor on",
            "topics_off_limits": "Topics that are off limits for you",
        }
        help_texts = {
            "topics_offered": "Choose the things you feel ready to talk about.",
            "topics_off_limits": "You will never be matched with someone who wants to learn "
            "about these. You do not have to say why.",
            "capacity": "Between 1 and 3. You can change this at any time.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _checkboxes(self, "topics_offered", "topics_off_limits")

    def clean(self):
        cleaned = super().clean()
        offered = set(cleaned.get("topics_offered") or [])
        off_limits = set(cleaned.get("topics_off_limits") or [])
        both = offered & off_limits
        if both:
            names = ", ".join(sorted(t.name for t in both))
            self.add_error(
                "topics_off_limits",
                f"A topic cannot be both offered and off limits: {names}. "
                "Untick it in one of the two lists.",
            )
        return cleaned


class MentorExperienceForm(ProfileModelForm):
    """Care experience: asked only after consent, and every field is optional."""

    class Meta(ProfileModelForm.Meta):
        model = MentorProfile
        fields = [
            "lived_experience",
            "looked_after_by",
            "happy_to_mentor_own_council",
            "shared_with_mentee",
        ]
        labels = {
            "lived_experience": "Your experience of care",
            "looked_after_by": "Councils you were in care with",
            "happy_to_mentor_own_council": "I am happy to mentor people who work for these "
            "councils",
        }
        help_texts = {
            "lived_experience": "Optional. This helps us match you with practitioners who "
            "work in the same area. Only coordinators see it.",
            "looked_after_by": "Optional. We will not match you with people who work there, "
            "unless you say that is fine below.",
        }
        widgets = {"shared_with_mentee": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _checkboxes(self, "lived_experience", "looked_after_by")


class MenteeProfileForm(ProfileFormMixin):
    class Meta(ProfileModelForm.Meta):
        model = MenteeProfile
        fields = [
            "practitioner_role",
            "employer",
            "team",
            "practice_areas",
            "years_in_practice",
            "learning_goals",
            "languages",
            "region",
            "meeting_modes",
            "availability",
            "accessibility_needs",
        ]
        labels = {
            "employer": "Who you work for",
            "practice_areas": "Your practice area",
            "years_in_practice": "Years in practice",
            "learning_goals": "What you would like to learn",
        }
        help_texts = {
            "practice_areas": "Choose the areas you work in now.",
            "years_in_practice": "A whole number. Put 0 if you are a student or just starting.",
            "learning_goals": "Choose up to five. Your mentor will see these.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _checkboxes(self, "practice_areas", "learning_goals")
        self.fields["practitioner_role"].choices = [("", "Choose your role")] + list(
            self.fields["practitioner_role"].choices
        )[1:]
        self.fields["employer"].empty_label = "Choose who you work for"
        self.fields["years_in_practice"].widget.attrs.update({"min": 0, "max": 60})
        self.fields["years_in_practice"].error_messages["invalid"] = (
            "Enter the number of years as a whole number, like 3"
        )

    def clean_learning_goals(self):
        goals = self.cleaned_data.get("learning_goals")
        if goals is not None and len(goals) > 5:
            raise forms.ValidationError("Choose no more than five goals, so your mentor can focus.")
        return goals


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label="I agree that Alongside may keep what I choose to share about my care experience, "
        "for matching, seen only by my programme's coordinators",
        required=True,
        error_messages={"required": "Tick the box to say you agree, or go back to your profile."},
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="So we know it is really you.",
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not right. Check it and try again.")
        return password
