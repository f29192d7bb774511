from django import forms

from mentoring.models import Application, Invitation


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["role", "message"]
        widgets = {"role": forms.RadioSelect, "message": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"role": {"required": "Choose how you would like to join."}}


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["role", "email", "note"]
        labels = {"role": "Invite them as", "email": "Their email address"}
        widgets = {"role": forms.RadioSelect}
        error_messages = {
            "role": {"required": "Choose whether you are inviting a mentor or a mentee."},
            "email": {
                "invalid": "Enter an email address like name@example.org, or leave it empty."
            },
        }


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the application. Write it kindly: the person can read it if they "
        "download their data.",
    )
