from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from accounts.forms import IdChoiceField
from core.choices import MeetingMode
from core.models import Topic
from mentoring.models import PREPARATION_MINUTES, SESSION_MINUTES, CheckIn, Concern, Session
from programmes.models import Programme


class SessionTimeForm(forms.Form):
    """When a session is and how long: the date and time are read in the programme's time
    zone and put together as `starts_at`."""

    date = forms.DateField(
        label="Date of the session",
        help_text="For example, 2026-03-03.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the session.",
            "invalid": "Enter a real date, like 2026-03-03.",
        },
    )
    time = forms.TimeField(
        label="Start time",
        help_text="For example, 18:00 for 6pm.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time the session started.",
            "invalid": "Enter a time like 18:00.",
        },
    )
    duration_minutes = forms.IntegerField(
        label="How long it lasted, in minutes",
        min_value=SESSION_MINUTES[0],
        max_value=SESSION_MINUTES[1],
        help_text="From 15 to 480 minutes. An hour is 60.",
        error_messages={
            "required": "Enter how long the session lasted, in minutes.",
            "invalid": "Enter a whole number of minutes, like 60.",
            "min_value": "A session lasts at least 15 minutes.",
            "max_value": "A session lasts at most 480 minutes (8 hours).",
        },
    )
    meeting_mode = forms.ChoiceField(
        label="How you met",
        choices=MeetingMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you met."},
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = ZoneInfo(programme.time_zone)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value.year < 2000:
            raise forms.ValidationError("Enter a date from 2000 onwards.")
        return value

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day and time:
            cleaned["starts_at"] = datetime.combine(day, time, tzinfo=self.time_zone)
        return cleaned


class SessionForm(SessionTimeForm):
    """A session's details, logged once it has happened."""

    topics = IdChoiceField(
        label="What you talked about",
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick any that fit.",
    )
    preparation_minutes = forms.IntegerField(
        label="Time you spent preparing, in minutes",
        min_value=PREPARATION_MINUTES[0],
        max_value=PREPARATION_MINUTES[1],
        required=False,
        initial=0,
        help_text="From 0 to 240 minutes. You are paid for this time too.",
        error_messages={
            "invalid": "Enter a whole number of minutes, like 30.",
            "min_value": "Enter 0 if you did not prepare.",
            "max_value": "Preparation time is at most 240 minutes (4 hours).",
        },
    )
    note = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything the other person or your coordinator should know. Up to 2000 "
        "characters.",
    )

    def __init__(self, *args, programme: Programme, is_mentor: bool, **kwargs):
        super().__init__(*args, programme=programme, **kwargs)
        self.fields["topics"].widget.choices = self.fields["topics"].choices
        if not is_mentor:
            del self.fields["preparation_minutes"]

    @classmethod
    def initial_for(cls, session, programme: Programme) -> dict:
        """The form filled from a session, or from a plan (which has no topics or notes)."""
        local = session.starts_at.astimezone(ZoneInfo(programme.time_zone))
        initial = {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": session.duration_minutes,
            "meeting_mode": session.meeting_mode,
        }
        if isinstance(session, Session):
            initial |= {
                "topics": list(session.topics.all()),
                "preparation_minutes": session.preparation_minutes,
                "note": session.note,
            }
        return initial

    def clean(self):
        cleaned = super().clean()
        starts_at = cleaned.get("starts_at")
        if starts_at and starts_at > timezone.now():
            self.add_error("date", "Log a session once it has happened: this is in the future.")
        if cleaned.get("preparation_minutes") is None:
            cleaned["preparation_minutes"] = 0
        return cleaned


class PlanForm(SessionTimeForm):
    """A session arranged in advance."""

    note = forms.CharField(
        label="Where or how you will meet",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. For example, the café's address or the video call link. Up to 500 "
        "characters. Only the two of you see this.",
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, programme=programme, **kwargs)
        fields = self.fields
        fields["time"].error_messages["required"] = "Enter the time the session starts."
        fields["duration_minutes"].label = "How long it should last, in minutes"
        fields["duration_minutes"].initial = 60
        fields["duration_minutes"].error_messages["required"] = (
            "Enter how long the session should last, in minutes."
        )
        fields["meeting_mode"].label = "How you will meet"
        fields["meeting_mode"].error_messages["required"] = "Choose how you will meet."

    def clean(self):
        cleaned = super().clean()
        starts_at = cleaned.get("starts_at")
        if starts_at and starts_at <= timezone.now():
            self.add_error(
                "date", "Plan a session for a time still to come. To record one, log it instead."
            )
        return cleaned


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the date or how long it lasted. The other person and your "
        "coordinator will see this.",
        error_messages={"required": "Say what is wrong, so it can be put right."},
    )


class MissedTurnDownForm(forms.Form):
    reason = forms.CharField(
        label="Why are you not confirming it?",
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The mentor sees this. For example, 'Priya says she came and waited'.",
        error_messages={
            "required": "Say why, so the mentor understands.",
            "max_length": "Keep it to 600 characters or fewer.",
        },
    )


class ConcernForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of concern is it?",
        choices=Concern.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of concern this is."},
    )
    what_happened = forms.CharField(
        label="What happened?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say what you saw or heard, when, and who it is about. Only the coordinators "
        "of your programme will read this.",
        error_messages={"required": "Say what happened, so a coordinator can help."},
    )


class ConcernActionForm(forms.Form):
    note = forms.CharField(
        label="What did you do?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, who you spoke to and what was agreed. Other coordinators of "
        "this programme will see this; the person who raised it will not.",
        error_messages={"required": "Say what you did, so others can follow it."},
    )
    new_status = forms.ChoiceField(
        label="Where does the concern stand now?",
        choices=[
            (Concern.Status.IN_PROGRESS.value, "Still being dealt with"),
            (Concern.Status.CLOSED.value, "Closed: nothing more to do"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the concern stands now."},
    )


# Feedback after a session and the co-production check. Each question is a row of radio
# buttons in a fieldset, its legend the statement to agree or disagree with.


def _agreement(label: str) -> forms.TypedChoiceField:
    from mentoring.models import AGREEMENT

    return forms.TypedChoiceField(
        label=label,
        choices=AGREEMENT,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Choose how much you agree with \u201c{label}\u201d.",
            "invalid_choice": "Choose one of the answers given.",
        },
    )


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _comments(model, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=_label(model, "comments"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
    )


class FeedbackForm(forms.Form):
    """Both people answer the same questions; mentors also answer three about co-production."""

    def __init__(self, *args, is_mentor: bool, **kwargs):
        from mentoring.feedback import FEEDBACK_QUESTIONS
        from mentoring.models import SessionFeedback

        super().__init__(*args, **kwargs)
        questions = FEEDBACK_QUESTIONS + (SessionFeedback.MENTOR_QUESTIONS if is_mentor else ())
        for name in questions:
            self.fields[name] = _agreement(_label(SessionFeedback, name))
        self.fields["comments"] = _comments(SessionFeedback, "Up to 2000 characters.")


class CoproductionCheckForm(forms.Form):
    """SCIE's four principles as statements, then the ladder of co-production."""

    def __init__(self, *args, **kwargs):
        from mentoring.feedback import PRINCIPLES
        from mentoring.models import CoproductionCheck, LadderRung

        super().__init__(*args, **kwargs)
        for name in PRINCIPLES:
            self.fields[name] = _agreement(_label(CoproductionCheck, name))
        self.fields["rung"] = forms.TypedChoiceField(
            label=_label(CoproductionCheck, "rung"),
            choices=LadderRung.choices,
            coerce=int,
            widget=forms.RadioSelect,
            help_text="From the bottom of the ladder to the top. Choose the one closest to how "
            "it felt.",
            error_messages={
                "required": "Choose the one that is closest to how it felt.",
                "invalid_choice": "Choose one of the answers given.",
            },
        )
        self.fields["comments"] = _comments(CoproductionCheck, "Up to 2000 characters.")


# Support: a mentor's check-in after a session, asking a coordinator for a chat, and the
# coordinator recording that they talked (mentoring/support.py).


class CheckInForm(forms.Form):
    feeling = forms.ChoiceField(
        label="How was that for you?",
        choices=CheckIn.Feeling.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the session was for you."},
    )
    note = forms.CharField(
        label="Anything you want to add? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you see this, unless you ask for a chat below: then your "
        "coordinator sees it too. Your mentee never sees it.",
        error_messages={"max_length": "Keep it to 2000 characters or fewer."},
    )
    wants_chat = forms.BooleanField(
        label="I'd like a chat with the coordinator",
        required=False,
        help_text="No concern is needed. A coordinator will get in touch.",
    )


class TalkRequestForm(forms.Form):
    note = forms.CharField(
        label="Anything you want to tell the coordinator first? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the coordinators of your programme read this.",
        error_messages={"max_length": "Keep it to 2000 characters or fewer."},
    )


class TalkRecordForm(forms.Form):
    talked_on = forms.DateField(
        label="When did you talk?",
        help_text="For example, 2026-03-03.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the day you talked.",
            "invalid": "Enter a real date, like 2026-03-03.",
        },
    )
