from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms

from accounts.forms import IdChoiceField
from activities.models import (
    ACTIVITY_MINUTES,
    CANCEL_REASON,
    PLACES,
    PREPARATION_MINUTES,
    Activity,
    ActivityKind,
)
from programmes.models import Programme

HOW = [("in_person", "In person, at a place"), ("online", "Online")]


def _offer(field, people, panel) -> None:
    """Offer `people` in a checkbox list, saying who sits on the programme's
    lived-experience panel."""
    on_panel = set(panel.values_list("pk", flat=True))
    field.queryset = people
    field.label_from_instance = lambda person: (
        f"{person} (on the panel)" if person.pk in on_panel else str(person)
    )
    field.widget.choices = field.choices


def _minutes(label: str, low: int, high: int, hint: str, **extra) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=hint,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a whole number of minutes, like 90.",
            "min_value": f"Enter from {low} to {high} minutes.",
            "max_value": f"Enter from {low} to {high} minutes.",
        },
        **extra,
    )


class ActivityForm(forms.Form):
    """A new activity. The date and time are read in the programme's time zone and put
    together as `starts_at`."""

    kind = forms.ChoiceField(
        label="What kind of activity is it?",
        choices=ActivityKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of activity it is.",
            "invalid_choice": "Choose what kind of activity it is.",
        },
    )
    kind_name = forms.CharField(
        label="Name of this kind of activity",
        required=False,
        max_length=80,
        help_text="Only for 'something else'. For example, 'Podcast recording'.",
        error_messages={"max_length": "Keep it to 80 characters or fewer."},
    )
    title = forms.CharField(
        label="Title",
        max_length=120,
        help_text="What people see in their list. For example, 'Interview panel for a senior "
        "social worker'.",
        error_messages={
            "required": "Enter a title.",
            "max_length": "Keep it to 120 characters or fewer.",
        },
    )
    description = forms.CharField(
        label="What it is about",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What will happen, what to bring, who else will be there. Up to 2000 "
        "characters. Everyone who can take part sees this.",
        error_messages={"max_length": "Keep it to 2000 characters or fewer."},
    )
    date = forms.DateField(
        label="Date",
        help_text="For example, 2026-03-03.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the activity.",
            "invalid": "Enter a real date, like 2026-03-03.",
        },
    )
    time = forms.TimeField(
        label="Start time",
        help_text="For example, 10:00 for 10am.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time the activity starts.",
            "invalid": "Enter a time like 10:00.",
        },
    )
    duration_minutes = _minutes(
        "How long it lasts, in minutes",
        *ACTIVITY_MINUTES,
        "From 15 to 720 minutes. Half a day is 240.",
    )
    preparation_minutes = _minutes(
        "Paid preparation time, in minutes",
        *PREPARATION_MINUTES,
        "From 0 to 480 minutes: reading papers, for example. Everyone taking part is paid "
        "for this time.",
        initial=0,
    )
    how = forms.ChoiceField(
        label="Where is it?",
        choices=HOW,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether it is online or in person.",
            "invalid_choice": "Choose whether it is online or in person.",
        },
    )
    place = forms.CharField(
        label="Address or place",
        required=False,
        max_length=300,
        help_text="Only for in person. For example, 'Room 2, Civic Centre, Newcastle NE1 8QH'.",
        error_messages={"max_length": "Keep it to 300 characters or fewer."},
    )
    places = forms.IntegerField(
        label="Number of places",
        min_value=PLACES[0],
        max_value=PLACES[1],
        help_text="How many experts by experience can take part, from 1 to 100.",
        error_messages={
            "required": "Enter the number of places.",
            "invalid": "Enter a whole number, like 2.",
            "min_value": "Enter from 1 to 100 places.",
            "max_value": "Enter from 1 to 100 places.",
        },
    )
    who = forms.ChoiceField(
        label="Who can take part?",
        choices=Activity.Who.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who can take part.",
            "invalid_choice": "Choose who can take part.",
        },
    )
    people = IdChoiceField(
        label="Who to invite",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Experts by experience of this programme. You can invite more later. "
        "For an open call, everyone is told anyway.",
        error_messages={"invalid_choice": "Choose people from the list."},
    )
    whole_panel = forms.BooleanField(
        label="Invite everyone on the lived-experience panel",
        required=False,
        help_text="For a panel meeting. Everyone on the panel now is invited, as well as "
        "anyone you ticked above.",
    )

    def __init__(self, *args, programme: Programme, mentors, panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = ZoneInfo(programme.time_zone)
        self.panel = panel
        _offer(self.fields["people"], mentors, panel)
        if not panel.exists():
            del self.fields["whole_panel"]

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value.year < 2000 or value.year > 2100:
            raise forms.ValidationError("Enter a date from 2000 to 2100.")
        return value

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day and time:
            cleaned["starts_at"] = datetime.combine(day, time, tzinfo=self.time_zone)
        unnamed = not cleaned.get("kind_name", "").strip()
        if cleaned.get("kind") == ActivityKind.OTHER and unnamed and "kind_name" not in self.errors:
            self.add_error("kind_name", "Give this kind of activity a name.")
        if cleaned.get("whole_panel"):
            chosen = {person.pk: person for person in cleaned.get("people") or []}
            chosen |= {person.pk: person for person in self.panel}
            cleaned["people"] = list(chosen.values())
        nowhere = not cleaned.get("place", "").strip()
        if cleaned.get("how") == "in_person" and nowhere and "place" not in self.errors:
            self.add_error("place", "Say where it is, or choose online.")
        return cleaned


class InviteForm(forms.Form):
    people = IdChoiceField(
        label="Who to invite",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Experts by experience of this programme who are not invited yet.",
        error_messages={
            "required": "Choose at least one person to invite.",
            "invalid_choice": "Choose people from the list.",
        },
    )

    def __init__(self, *args, mentors, panel, **kwargs):
        super().__init__(*args, **kwargs)
        _offer(self.fields["people"], mentors, panel)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Will you take part?",
        choices=[("yes", "Yes, I will take part"), ("no", "No, not this time")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose yes or no.",
            "invalid_choice": "Choose yes or no.",
        },
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        max_length=CANCEL_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Everyone who said yes or has not answered yet is sent this, and sees it on the "
            "activity. For example: 'The candidate withdrew, so the panel is not needed.'"
        ),
        error_messages={
            "required": "Say why it is cancelled. The people invited are sent what you write.",
            "max_length": f"Write the reason in {CANCEL_REASON} characters or fewer.",
        },
    )
