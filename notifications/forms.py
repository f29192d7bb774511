from django import forms

from notifications.models import Kind


class EmailChoicesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label="Email me when",
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick anything you do not want by email. Your dashboard and your "
        "notifications page still show everything.",
        error_messages={"invalid_choice": "Choose only from the list below."},
    )

    def unwanted(self) -> set[str]:
        return set(Kind.values) - set(self.cleaned_data["wanted"])
