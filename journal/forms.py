from django import forms
from django.utils import timezone

from accounts.forms import IdChoiceField
from core.models import PCFDomain
from journal.models import REFLECTION_QUESTIONS, TEXT_LIMIT, JournalEntry
from journal.selectors import session_date

DATE_HINT = "For example, 2026-03-03."


def long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def _text_field(label: str, prompt: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=prompt,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write what happened, even in a sentence or two.",
            "max_length": f"Keep this to {TEXT_LIMIT} characters or fewer.",
        },
    )


def _session_label(session) -> str:
    return f"{long_date(session_date(session))}, with {session.match.mentor}"


class JournalEntryForm(forms.Form):
    """A journal entry. Only 'what happened' is needed; every other answer is optional."""

    session = forms.ChoiceField(
        label="Is this about a session?",
        required=False,
        help_text="Choose a session with your mentor, or leave it as it is for an entry "
        "about something else.",
        error_messages={"invalid_choice": "Choose one of your sessions from the list."},
    )
    activity_date = forms.DateField(
        label="Date",
        required=False,
        help_text=f"When it happened. Leave it empty to use the date of the session, or "
        f"today. {DATE_HINT}",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 2026-03-03."},
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = {str(session.pk): session for session in sessions}
        self.fields["session"].choices = [("", "No, it is not about a session")] + [
            (key, _session_label(session)) for key, session in self.sessions.items()
        ]
        if not self.sessions:
            del self.fields["session"]
        for name, label, prompt in REFLECTION_QUESTIONS:
            self.fields[name] = _text_field(label, prompt, required=name == "description")
        self.fields["pcf_domains"] = IdChoiceField(
            label="Which PCF domains does this touch on?",
            queryset=PCFDomain.objects.all(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="The Professional Capabilities Framework. Tick any that fit.",
            error_messages={
                "invalid_choice": "Choose from the list.",
                "invalid_pk_value": "Choose from the list.",
            },
        )
        self.fields["pcf_domains"].widget.choices = self.fields["pcf_domains"].choices

    @classmethod
    def initial_for(cls, entry: JournalEntry) -> dict:
        return {
            "session": str(entry.session_id or ""),
            "activity_date": entry.activity_date,
            **{name: getattr(entry, name) for name, _, _ in REFLECTION_QUESTIONS},
            "pcf_domains": list(entry.pcf_domains.all()),
        }

    def clean_activity_date(self):
        value = self.cleaned_data["activity_date"]
        if value is None:
            return value
        if value.year < 2000:
            raise forms.ValidationError("Enter a date from 2000 onwards.")
        if value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value

    def clean(self):
        cleaned = super().clean()
        session = self.sessions.get(cleaned.get("session") or "")
        cleaned["session_obj"] = session
        if "activity_date" in cleaned and cleaned["activity_date"] is None:
            cleaned["activity_date"] = session_date(session) if session else timezone.localdate()
        return cleaned

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _, _ in REFLECTION_QUESTIONS}


class KnownChoicesField(forms.MultipleChoiceField):
    """Ticked entries. Ids that are not one of the choices, such as another person's, are
    dropped rather than refused: they are never exported either way."""

    def clean(self, value):
        value = self.to_python(value)
        known = {str(key) for key, _ in self.choices}
        value = [item for item in value if item in known]
        if not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return value


class CpdChoiceForm(forms.Form):
    entry = KnownChoicesField(
        label="Which entries do you want in your CPD record?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each entry to include.",
        error_messages={"required": "Tick at least one entry to put in your CPD record."},
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [
            (str(entry.pk), f"{long_date(entry.activity_date)}: {entry.short_description}")
            for entry in entries
        ]


class CpdFilterForm(forms.Form):
    date_from = forms.DateField(
        label="From",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 2025-12-01."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 2026-11-30."},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The 'To' date must be on or after the 'From' date.")
        return cleaned


class GoalForm(forms.Form):
    title = forms.CharField(
        label="Add a goal of your own",
        max_length=200,
        help_text="In a few words. For example: Write records a child could read.",
        error_messages={
            "required": "Write your goal in a few words.",
            "max_length": "Keep your goal to 200 characters or fewer.",
        },
    )


class GoalNoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note on your progress",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write a note before you add it.",
            "max_length": "Keep your note to 2000 characters or fewer.",
        },
    )
    session = forms.ChoiceField(
        label="Which session was this about?",
        required=False,
        error_messages={"invalid_choice": "Choose one of the sessions from the list."},
    )

    def __init__(self, *args, sessions=(), label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        self.sessions = {str(session.pk): session for session in sessions}
        if self.sessions:
            self.fields["session"].choices = [("", "Not about one session")] + [
                (key, _session_label(session)) for key, session in self.sessions.items()
            ]
        else:
            del self.fields["session"]

    def session_chosen(self):
        return self.sessions.get(self.cleaned_data.get("session") or "")
