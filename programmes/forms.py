from django import forms

from core.choices import Role
from programmes.models import Application, Invitation


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
        label="Reason (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the application. Write it kindly: the person can read it if they "
        "download their data.",
    )
