from django import forms

from notifications.models import ALWAYS_EMAILED, Kind

# What a person can choose not to get by email.
CHOOSABLE = [(kind, label) for kind, label in Kind.choices if kind not in ALWAYS_EMAILED]


class EmailChoicesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label="Email me when",
        choices=CHOOSABLE,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick anything you do not want by email. Your dashboard and your "
        "notifications page still show everything.",
        error_messages={"invalid_choice": "Choose only from the list below."},
    )

    def unwanted(self) -> set[str]:
        return {kind for kind, _ in CHOOSABLE} - set(self.cleaned_data["wanted"])
