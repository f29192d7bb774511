from django import forms
from django.utils import timezone

from core.choices import Role
from programmes.models import (
    DESCRIPTION_MAX_LENGTH,
    RESOURCES_MAX_LENGTH,
    Application,
    FormatRequest,
    Invitation,
    OrganisationTerm,
)


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["role", "message"]
        widgets = {"role": forms.RadioSelect, "message": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"role": {"required": "Choose how you would like to join."}}


class InvitationForm(forms.ModelForm):
    """An invitation link. Administrators may also invite coordinators, always by email:
    a link that anyone could use must never open staff pages."""

    class Meta:
        model = Invitation
        fields = ["role", "email", "note"]
        labels = {"role": "Invite them as", "email": "Their email address"}
        widgets = {"role": forms.RadioSelect}
        error_messages = {
            "role": {
                "required": "Choose whether you are inviting a mentor or a mentee.",
                "invalid_choice": "Choose whether you are inviting a mentor or a mentee.",
            },
            "email": {
                "invalid": "Enter an email address like name@example.org, or leave it empty."
            },
        }

    def __init__(self, *args, can_invite_coordinators: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        members = [(Role.MENTOR.value, Role.MENTOR.label), (Role.MENTEE.value, Role.MENTEE.label)]
        role = self.fields["role"]
        if can_invite_coordinators:
            role.choices = [*members, (Role.COORDINATOR.value, Role.COORDINATOR.label)]
            role.error_messages["required"] = "Choose which role you are inviting them to."
            role.help_text = (
                "A coordinator runs this programme and sees people's personal information."
            )
        else:
            role.choices = members

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.COORDINATOR and not data.get("email"):
            self.add_error(
                "email",
                "A coordinator sees people's personal information, so their invitation "
                "works only for them. Enter their email address.",
            )
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        # programmes.services.application_decision_tell sends it to the person.
        help_text="We send this to the person, in the message and email that tell them. "
        "Write it kindly. It is also kept with their application.",
    )


class InductionForm(forms.Form):
    inducted_on = forms.DateField(
        label="Day of the induction",
        help_text="The day the induction happened. For example, 2026-03-03.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the day the induction happened.",
            "invalid": "Enter a real date, like 2026-03-03.",
        },
    )

    def clean_inducted_on(self):
        day = self.cleaned_data["inducted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Record an induction once it has happened.")
        if day.year < 2000:
            raise forms.ValidationError("Enter the day the induction happened, like 2026-03-03.")
        return day


class ResourcesForm(forms.Form):
    resources = forms.CharField(
        label="Resources for members",
        required=False,
        max_length=RESOURCES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Induction material, who to call and when, and useful links. Plain text: "
        "addresses starting https:// become links. Leave a blank line between parts.",
        error_messages={"max_length": "Keep the resources to 10,000 characters or fewer."},
    )


class DescriptionForm(forms.Form):
    description = forms.CharField(
        label="About the programme",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A short paragraph: who the programme is for, what people do in it and "
        "that mentors are paid. Plain text.",
        error_messages={
            "max_length": f"Keep it to {DESCRIPTION_MAX_LENGTH} characters or fewer. "
            "Put longer material on the resources page."
        },
    )


class FormatRequestForm(forms.ModelForm):
    """What someone needs instead of a page or document, which one, and how to reach them."""

    class Meta:
        model = FormatRequest
        fields = ["need", "need_details", "about", "contact"]
        widgets = {"need": forms.RadioSelect}
        error_messages = {
            "need": {
                "required": "Choose what you need.",
                "invalid_choice": "Choose what you need from the list.",
            },
            "about": {"required": "Tell us which page or document you need."},
        }

    def clean(self):
        data = super().clean()
        if (
            data.get("need") in (FormatRequest.Need.LANGUAGE, FormatRequest.Need.OTHER)
            and not (data.get("need_details") or "").strip()
        ):
            self.add_error(
                "need_details",
                "Tell us which language you need."
                if data["need"] == FormatRequest.Need.LANGUAGE
                else "Tell us what you need.",
            )
        return data


class TermForm(forms.ModelForm):
    """A word the organisation would rather nobody used, and the kinder one."""

    class Meta:
        model = OrganisationTerm
        fields = ["word", "alternative", "why"]
        error_messages = {
            "word": {
                "required": "Enter the word or phrase to avoid.",
                "max_length": "Keep the word to 80 characters or fewer.",
            },
            "alternative": {
                "required": "Enter the kinder or plainer word to use instead.",
                "max_length": "Keep the kinder word to 120 characters or fewer.",
            },
            "why": {
                "required": "Say in one short sentence why.",
                "max_length": "Keep the reason to 200 characters or fewer.",
            },
        }

    def clean_word(self):
        word = " ".join(self.cleaned_data["word"].split())
        if not any(ch.isalnum() for ch in word):
            raise forms.ValidationError("Enter a word, with at least one letter.")
        return word

    def clean_alternative(self):
        return " ".join(self.cleaned_data["alternative"].split())

    def clean_why(self):
        return " ".join(self.cleaned_data["why"].split())
