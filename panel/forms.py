from django import forms

from accounts.models import User
from mentoring.models import ProgrammeQuestion
from panel.models import Proposal


def _text(label: str, hint: str = "", required: bool = True, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=Proposal.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": message or f"Write {label.lower()}.",
            "max_length": f"Keep it to {Proposal.TEXT_MAX_LENGTH} characters or fewer.",
        },
    )


class QuestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProgrammeQuestion) -> str:
        return f"{obj.text} ({obj.get_asks_in_display().lower()}; {obj.get_who_display().lower()})"


class ProposalForm(forms.Form):
    about = forms.ChoiceField(
        label="What do you want to change?",
        choices=Proposal.About.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what your proposal is about.",
            "invalid_choice": "Choose what your proposal is about.",
        },
    )
    change = _text(
        "What should change",
        "Say it so that someone new to the programme would understand.",
        message="Write what should change.",
    )
    why = _text("Why", "What people told you, or what you have seen.", message="Say why.")
    question_text = forms.CharField(
        label="The new statement",
        required=False,
        max_length=ProgrammeQuestion.TEXT_MAX_LENGTH,
        help_text="Only for a new question. One short sentence people can agree or disagree "
        'with, such as "My mentor explained things in a way I understood".',
        error_messages={
            "max_length": f"Keep the statement to {ProgrammeQuestion.TEXT_MAX_LENGTH} "
            "characters or fewer."
        },
    )
    asks_in = forms.ChoiceField(
        label="Where is it asked?",
        required=False,
        choices=ProgrammeQuestion.AsksIn.choices,
        widget=forms.RadioSelect,
        help_text="Only for a new question.",
        error_messages={"invalid_choice": "Choose where the question is asked."},
    )
    who = forms.ChoiceField(
        label="Who is asked?",
        required=False,
        choices=ProgrammeQuestion.Who.choices,
        widget=forms.RadioSelect,
        help_text="Only for a new question.",
        error_messages={"invalid_choice": "Choose who is asked."},
    )
    question = QuestionChoiceField(
        label="Which question should we stop asking?",
        required=False,
        queryset=ProgrammeQuestion.objects.none(),
        empty_label="Choose a question",
        help_text="Only to stop asking one of the programme's own questions.",
        error_messages={"invalid_choice": "Choose a question the programme asks now."},
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = ProgrammeQuestion.objects.filter(
            programme=programme, retired_at__isnull=True
        )

    def clean(self):
        data = super().clean()
        about = data.get("about")
        if about == Proposal.About.QUESTION_NEW:
            if not data.get("question_text") and "question_text" not in self.errors:
                self.add_error("question_text", "Write the statement people will rate.")
            if not data.get("asks_in") and "asks_in" not in self.errors:
                self.add_error("asks_in", "Choose where the question is asked.")
            if not data.get("who") and "who" not in self.errors:
                self.add_error("who", "Choose who is asked.")
        stop = about == Proposal.About.QUESTION_STOP
        if stop and not data.get("question") and "question" not in self.errors:
            self.add_error("question", "Choose a question the programme asks now.")
        return data


class VoteForm(forms.Form):
    vote = forms.ChoiceField(
        label="Your vote",
        choices=[("for", "For"), ("against", "Against")],
        widget=forms.RadioSelect,
        help_text="You can change your vote while the proposal is open. Nobody sees how you "
        "voted: the panel sees the counts only.",
        error_messages={
            "required": "Choose for or against.",
            "invalid_choice": "Choose for or against.",
        },
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did you decide?",
        choices=[("accept", "Accept it"), ("decline", "Decline it")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you accept or decline it.",
            "invalid_choice": "Choose whether you accept or decline it.",
        },
    )
    decision = _text(
        "What was done, or why not",
        "If you accept it, say what was done. If you decline it, explain why. The panel and "
        "the person who proposed it will read this.",
        message="Say what was done, or why not.",
    )
    # Only for a new question: its words, which the coordinator may put right before
    # accepting. A refusal (mentoring.questions) is shown next to them.
    question_text = forms.CharField(
        label="The statement people will rate",
        required=False,
        max_length=ProgrammeQuestion.TEXT_MAX_LENGTH,
        help_text="As the panel wrote it. You can change the words before you accept it.",
        error_messages={
            "max_length": f"Keep the statement to {ProgrammeQuestion.TEXT_MAX_LENGTH} "
            "characters or fewer."
        },
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal.about == Proposal.About.QUESTION_NEW:
            self.fields["question_text"].initial = proposal.question_text
        else:
            del self.fields["question_text"]


class EntryForm(forms.Form):
    said = _text(
        "What people said",
        'Start with what members told the panel. For example, "Some mentors said they were '
        'paid late."',
        message="Write what people said.",
    )
    did = _text(
        "What was done",
        'For example, "Pay day is now every two weeks."',
        message="Write what was done.",
    )
    proposal = forms.ModelChoiceField(
        label="From a decided proposal",
        required=False,
        queryset=Proposal.objects.none(),
        empty_label="None",
        error_messages={"invalid_choice": "Choose a decided proposal of this programme, or none."},
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = Proposal.objects.decided().filter(programme=programme)


class AddMemberForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Who should sit on the panel?",
        queryset=User.objects.none(),
        empty_label="Choose an expert by experience",
        help_text="Experts by experience (mentors) of the programme, now or before.",
        error_messages={
            "required": "Choose who should sit on the panel.",
            "invalid_choice": "Choose an expert by experience of this programme.",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates
