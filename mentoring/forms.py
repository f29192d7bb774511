from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from accounts.forms import IdChoiceField
from core.choices import MeetingMode
from core.models import Topic
from mentoring.meeting import LINK_MAX, PLACE_MAX, check_where
from mentoring.models import (
    MESSAGE_CHARACTERS,
    PREPARATION_MINUTES,
    SESSION_MINUTES,
    AgreementVersion,
    CheckIn,
    Concern,
    Message,
    Session,
)
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
    """A session arranged in advance, or a change to one: when, how long, how, and where (a
    place or a meeting link, as suits how they meet; mentoring.meeting)."""

    place = forms.CharField(
        label="Where you will meet (for a session in person)",
        required=False,
        max_length=PLACE_MAX,
        help_text="For example, the library café, 12 High Street. Only the two of you see this.",
        error_messages={"max_length": f"Keep the place to {PLACE_MAX} characters or fewer."},
    )
    meeting_link = forms.CharField(
        label="Meeting link (for an online session)",
        required=False,
        max_length=LINK_MAX,
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
        help_text="Paste the link to the video call. It must start with https://. If you do "
        "not have it yet, you can add it later.",
        error_messages={
            "max_length": f"This link is too long. A meeting link has at most {LINK_MAX} "
            "characters."
        },
    )
    note = forms.CharField(
        label="Anything else to know",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, what you would like to talk about. Up to 500 characters. Only "
        "the two of you see this.",
        error_messages={"max_length": "Keep the note to 500 characters or fewer."},
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, programme=programme, **kwargs)
        fields = self.fields
        fields["date"].error_messages["required"] = "Enter the date of the session."
        fields["time"].error_messages["required"] = "Enter the time the session starts."
        fields["duration_minutes"].label = "How long it should last, in minutes"
        fields["duration_minutes"].initial = 60
        fields["duration_minutes"].error_messages["required"] = (
            "Enter how long the session should last, in minutes."
        )
        fields["meeting_mode"].label = "How you will meet"
        fields["meeting_mode"].error_messages["required"] = "Choose how you will meet."

    @classmethod
    def initial_for(cls, plan, programme: Programme) -> dict:
        local = plan.starts_at.astimezone(ZoneInfo(programme.time_zone))
        return {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": plan.duration_minutes,
            "meeting_mode": plan.meeting_mode,
            "place": plan.place,
            "meeting_link": plan.meeting_link,
            "note": plan.note,
        }

    def clean(self):
        cleaned = super().clean()
        starts_at = cleaned.get("starts_at")
        if starts_at and starts_at <= timezone.now():
            self.add_error(
                "date", "Plan a session for a time still to come. To record one, log it instead."
            )
        mode = cleaned.get("meeting_mode")
        if mode:
            try:
                cleaned |= check_where(
                    meeting_mode=mode,
                    place=cleaned.get("place") or "",
                    meeting_link=cleaned.get("meeting_link") or "",
                )
            except forms.ValidationError as error:
                for name, messages in error.message_dict.items():
                    if name not in self.errors:
                        self.add_error(name, messages)
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


class OneIdChoiceField(forms.ModelChoiceField):
    """One row by its id. Refuses ids no database could hold before it asks the database,
    as accounts.forms.IdChoiceField does for several."""

    def to_python(self, value):
        try:
            too_big = abs(int(str(value))) >= 2**63
        except (TypeError, ValueError):
            too_big = False
        if too_big:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ConcernMessageChoiceField(OneIdChoiceField):
    """A message of the match, named by who sent it, when, and how it starts."""

    def __init__(self, *args, person=None, time_zone: str = "Europe/London", **kwargs):
        self.person = person
        self.zone = ZoneInfo(time_zone)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, message: Message) -> str:
        who = "You" if self.person and message.sender_id == self.person.pk else message.sender
        who = who or "Someone whose account was deleted"
        when = timezone.localtime(message.sent_at, self.zone)
        start = message.text if len(message.text) <= 60 else message.text[:57].rstrip() + "..."
        return f"{who}, {when:%-d %B %Y, %H:%M}: {start}"


# How many of the latest messages the concern form offers to attach. An older one is
# attached from the messages page.
CONCERN_MESSAGE_CHOICES = 30


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

    def __init__(self, *args, match=None, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        latest = (
            Message.objects.filter(match=match).select_related("sender").order_by("-sent_at")
            if match is not None
            else Message.objects.none()
        )
        ids = list(latest.values_list("pk", flat=True)[:CONCERN_MESSAGE_CHOICES])
        # Plus the one asked for from the messages page, however old.
        chosen = self.initial.get("message")
        if isinstance(chosen, int) and latest.filter(pk=chosen).exists():
            ids.append(chosen)
        if ids:
            self.fields["message"] = ConcernMessageChoiceField(
                queryset=latest.filter(pk__in=ids),
                required=False,
                person=person,
                time_zone=match.programme.time_zone,
                label="Attach a message",
                empty_label="No message",
                help_text="If a message you and your match sent each other shows what worries "
                "you, choose it here. The coordinators who deal with your concern will read "
                "that message, and no other.",
                error_messages={
                    "invalid_choice": "Choose one of the messages in the list, or no message."
                },
            )


class MessageForm(forms.Form):
    text = forms.CharField(
        label="Your message",
        max_length=MESSAGE_CHARACTERS,
        # No maxlength in the page: a browser would cut a long paste short without a
        # word. The message comes back whole, with what to change.
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Plain text, up to {MESSAGE_CHARACTERS:,} characters.",
        error_messages={
            "required": "Write your message before you send it.",
            "max_length": "Your message is %(show_value)d characters long. Make it "
            "%(limit_value)d characters or fewer, or send it in two parts.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.pop("maxlength", None)


class MessageAttachForm(forms.Form):
    concern = OneIdChoiceField(
        queryset=Concern.objects.none(),
        label="Which concern is it about?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the concern this message is about.",
            "invalid_choice": "Choose one of your concerns in the list.",
        },
    )

    def __init__(self, *args, concerns=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["concern"]
        field.queryset = concerns if concerns is not None else Concern.objects.none()
        field.label_from_instance = lambda concern: (
            f"{concern.get_kind_display()}, raised {concern.created_at:%-d %B %Y}"
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


class OwnQuestionsMixin:
    """The programme's own questions (mentoring.questions), one five-point row each after the
    fixed ones. The form carries the ids of the questions it showed, so a question added or
    retired before it is sent neither loses what was typed nor asks something unseen. Their
    answers reach the service as `own_answers` ({question id: rating})."""

    OWN_PREFIX = "own_"

    def _add_own_questions(self, *, programme, asks_in: str, role: str) -> None:
        from mentoring.questions import questions_for_form

        shown = None
        if self.is_bound and "shown" in self.data:
            shown = [int(part) for part in str(self.data["shown"]).split(",") if part.isdigit()]
        self.own_questions = questions_for_form(
            programme=programme, asks_in=asks_in, role=role, shown=shown
        )
        for question in self.own_questions:
            self.fields[f"{self.OWN_PREFIX}{question.pk}"] = _agreement(question.text)
        self.fields["shown"] = forms.CharField(
            required=False,
            widget=forms.HiddenInput,
            initial=",".join(str(question.pk) for question in self.own_questions),
        )

    @property
    def statement_count(self) -> int:
        """How many sentences to rate, for the page's "There are six short questions"."""
        fields = self.fields.values()
        return sum(1 for field in fields if isinstance(field.widget, forms.RadioSelect))

    def clean(self):
        cleaned = super().clean()
        cleaned.pop("shown", None)
        cleaned["own_answers"] = {
            question.pk: cleaned.pop(f"{self.OWN_PREFIX}{question.pk}")
            for question in self.own_questions
            if f"{self.OWN_PREFIX}{question.pk}" in cleaned
        }
        return cleaned


class FeedbackForm(OwnQuestionsMixin, forms.Form):
    """Both people answer the same questions; mentors also answer three about co-production;
    then the programme's own questions for their side."""

    def __init__(self, *args, is_mentor: bool, programme, **kwargs):
        from core.choices import Role
        from mentoring.feedback import FEEDBACK_QUESTIONS
        from mentoring.models import ProgrammeQuestion, SessionFeedback

        super().__init__(*args, **kwargs)
        questions = FEEDBACK_QUESTIONS + (SessionFeedback.MENTOR_QUESTIONS if is_mentor else ())
        for name in questions:
            self.fields[name] = _agreement(_label(SessionFeedback, name))
        self._add_own_questions(
            programme=programme,
            asks_in=ProgrammeQuestion.AsksIn.FEEDBACK,
            role=Role.MENTOR if is_mentor else Role.MENTEE,
        )
        self.fields["comments"] = _comments(SessionFeedback, "Up to 2000 characters.")


class CoproductionCheckForm(OwnQuestionsMixin, forms.Form):
    """SCIE's four principles as statements, the programme's own questions for this side,
    then the ladder of co-production."""

    def __init__(self, *args, programme, role: str, **kwargs):
        from mentoring.feedback import PRINCIPLES
        from mentoring.models import CoproductionCheck, LadderRung, ProgrammeQuestion

        super().__init__(*args, **kwargs)
        for name in PRINCIPLES:
            self.fields[name] = _agreement(_label(CoproductionCheck, name))
        self._add_own_questions(
            programme=programme, asks_in=ProgrammeQuestion.AsksIn.CHECK, role=role
        )
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


class KindWordsForm(forms.Form):
    words = forms.CharField(
        label="A few words about your mentor",
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, what you learned from them or what changed in your work. Up "
        "to 600 characters.",
        error_messages={
            "required": "Write a few words, or go back without saving.",
            "max_length": "Keep it to 600 characters or fewer. You have written %(show_value)d.",
        },
    )


class AgreementForm(forms.Form):
    """The two people's agreement. `based_on` is the version the person opened, so a
    change saved meanwhile by the other person is never overwritten unseen."""

    how_we_meet = forms.CharField(
        label="How and how often we meet",
        max_length=AgreementVersion.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: online every other Tuesday at 6pm, for an hour. What to do if "
        "one of us has to cancel.",
        error_messages={
            "required": "Say how and how often you will meet.",
            "max_length": "Keep this part to 2,000 characters or fewer.",
        },
    )
    off_limits = forms.CharField(
        label="What is off limits",
        required=False,
        max_length=AgreementVersion.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Things either of you does not want to talk about. Nobody has to give a reason.",
        error_messages={"max_length": "Keep this part to 2,000 characters or fewer."},
    )
    between_us = forms.CharField(
        label="What stays between us",
        required=False,
        max_length=AgreementVersion.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you will both keep to yourselves.",
        error_messages={"max_length": "Keep this part to 2,000 characters or fewer."},
    )
    when_to_tell = forms.CharField(
        label="When a coordinator must be told",
        required=False,
        max_length=AgreementVersion.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything you want to add to the rule above: safeguarding is always shared.",
        error_messages={"max_length": "Keep this part to 2,000 characters or fewer."},
    )
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_based_on(self) -> int:
        raw = self.cleaned_data.get("based_on") or "0"
        if not raw.isdecimal() or len(raw) > 9:
            # Only a changed page gets here: said once, above the form (see clean()).
            self._bad_version = True
            return 0
        return int(raw)

    def clean(self):
        cleaned = super().clean()
        if getattr(self, "_bad_version", False):
            raise forms.ValidationError(
                "This page was out of date. Open the agreement again and make your change."
            )
        return cleaned


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
        label="Anything you want to add?",
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
        label="Anything you want to tell the coordinator first?",
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


class ProgrammeQuestionForm(forms.Form):
    """A statement the programme adds to its feedback or check (mentoring.questions)."""

    asks_in = forms.ChoiceField(
        label="Where to ask it",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where the question is asked.",
            "invalid_choice": "Choose one of the places given.",
        },
    )
    who = forms.ChoiceField(
        label="Who to ask",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who is asked.",
            "invalid_choice": "Choose one of the answers given.",
        },
    )
    text = forms.CharField(
        label="The sentence people rate",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One short sentence people can agree or disagree with, such as "
        "\u201cMy mentor explained things in a way I understood\u201d. Up to 200 characters.",
        error_messages={"required": "Write the sentence people will rate."},
    )

    def __init__(self, *args, **kwargs):
        from mentoring.models import ProgrammeQuestion

        super().__init__(*args, **kwargs)
        self.fields["asks_in"].choices = ProgrammeQuestion.AsksIn.choices
        self.fields["who"].choices = ProgrammeQuestion.Who.choices

    def clean_text(self):
        from mentoring.questions import question_text_clean

        return question_text_clean(self.cleaned_data["text"])
