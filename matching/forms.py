from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from matching.models import DEFAULT_WEIGHTS, ClosingSurvey, Proposal
from matching.selectors import FITS, LOOKS, SORTS, ReviewFilters
from programmes.models import Programme

WEIGHT_LABELS = {
    "goals": (
        "Learning goals the mentor offers",
        "How much it counts that the mentor offers what the mentee wants to learn.",
    ),
    "experience": (
        "Relevant lived experience",
        "How much it counts that the mentor's care experience fits the mentee's work.",
    ),
    "availability": ("Free at the same times", "How much shared free times count."),
    "region": ("Same region", "How much living or working in the same region counts."),
    "waiting": ("Time waiting", "How much priority people who have waited longer get."),
    "load_spread": (
        "Spreading the load",
        "How much less a mentor's second and third mentee count, so nobody is overloaded.",
    ),
}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why are you rejecting this proposal?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by coordinators only. This pair will not be proposed again.",
        error_messages={"required": "Enter a reason, so other coordinators know why."},
    )


class SwapForm(forms.Form):
    mentor = forms.TypedChoiceField(
        label="Choose another mentor",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a mentor from the list."},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [
            (c["mentor_id"], f"{c['name']} ({c['fit_words'].lower()})") for c in candidates
        ]


class AnswerForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only your coordinator sees this. The other person is never told why.",
    )


class MatchingSettingsForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["matching_mode", "matching_schedule", "max_candidates_per_mentee", "quiet_weeks"]
        labels = {
            "matching_mode": "How matches are made",
            "max_candidates_per_mentee": "Possible mentors to keep for each mentee",
            "quiet_weeks": "Weeks without a session before we check in",
        }
        widgets = {"matching_mode": forms.RadioSelect, "matching_schedule": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weights = DEFAULT_WEIGHTS | (self.instance.matching_weights or {})
        candidates = self.fields["max_candidates_per_mentee"]
        candidates.validators.append(MinValueValidator(1))
        candidates.validators.append(MaxValueValidator(500))
        candidates.help_text = "A whole number from 1 to 500. 50 suits most programmes."
        candidates.error_messages["invalid"] = "Enter a whole number from 1 to 500."
        quiet = self.fields["quiet_weeks"]
        quiet.validators += [MinValueValidator(1), MaxValueValidator(52)]
        quiet.help_text = (
            "A whole number from 1 to 52. After this many weeks with no session, both people "
            "and the coordinators are asked how things are. After twice as long, coordinators "
            "are told they may end the match. Nothing is ended automatically."
        )
        quiet.error_messages["invalid"] = "Enter a whole number of weeks from 1 to 52."
        for key, (label, help_text) in WEIGHT_LABELS.items():
            self.fields[f"weight_{key}"] = forms.DecimalField(
                label=label,
                help_text=f"{help_text} A number from 0 to 10.",
                min_value=0,
                max_value=10,
                decimal_places=2,
                initial=weights[key],
                error_messages={
                    "invalid": "Enter a number from 0 to 10, like 2 or 0.5.",
                    "required": "Enter a number from 0 to 10. Use 0 to ignore this.",
                },
            )

    def save(self, commit=True):
        programme = super().save(commit=False)
        programme.matching_weights = {
            key: float(self.cleaned_data[f"weight_{key}"]) for key in WEIGHT_LABELS
        }
        if commit:
            programme.save()
        return programme


class PauseForm(forms.Form):
    reason = forms.CharField(
        label="Why are you pausing this match?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by coordinators only. The mentor and mentee are not shown this.",
    )


class ClosingSurveyForm(forms.ModelForm):
    class Meta:
        model = ClosingSurvey
        fields = ["rating", "recommend", "reason", "comments"]
        widgets = {
            "rating": forms.RadioSelect,
            "recommend": forms.RadioSelect,
            "reason": forms.RadioSelect,
            "comments": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "rating": "1 means not well at all, 5 means very well.",
            "reason": "You do not have to say why.",
            "comments": "Only coordinators see your answers.",
        }
        error_messages = {
            "rating": {"required": "Choose how it went, from 1 to 5."},
            "recommend": {"required": "Choose yes, no or not sure."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A model field with choices adds an empty "---------" choice; radios need none.
        for name in ("rating", "recommend", "reason"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]


class ReviewFilterForm(forms.Form):
    """The review queue's filters, read from the query string. A value it does not know is
    left out, so the queue shows more rather than an error page."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Proposal.Status.choices]
    )
    fit = forms.ChoiceField(label="Fit", required=False, choices=[("", "Any fit"), *FITS.items()])
    look = forms.ChoiceField(
        label="Needs a look",
        required=False,
        choices=[("", "Every pair"), ("any", "Needs a look, for any reason"), *LOOKS.items()],
    )
    q = forms.CharField(label="Name of the mentor or mentee", required=False, max_length=100)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS])

    def filters(self) -> ReviewFilters:
        self.is_valid()
        chosen = {name: value for name, value in self.cleaned_data.items() if value}
        return ReviewFilters(**chosen)

    def ignored(self) -> list[str]:
        """The labels of the filters that were left out because their value was not one we
        know, to say so on the page."""
        self.is_valid()
        return [str(self.fields[name].label or name) for name in self.errors]
