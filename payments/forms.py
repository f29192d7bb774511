from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.models import ActivityKind
from payments.models import (
    ADVANCE_KINDS,
    ActivityRate,
    CapPeriod,
    Currency,
    EmploymentStatus,
    ExpenseKind,
    PaymentMethod,
    PaymentSchedule,
    RateCard,
)
from payments.money import money
from payments.receipts import RECEIPT_ACCEPT, receipt_check

AMOUNT_HINT = "In pounds and pence, like 12.50."


def amount_field(label: str, *, low: str, high: str, required: bool = True, **extra):
    """A money box: plain messages for words, negatives, too many pence and huge sums."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(low),
        max_value=Decimal(high),
        max_digits=9,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter an amount in numbers, like 12.50.",
            "min_value": f"Enter an amount of {money(Decimal(low))} or more.",
            "max_value": f"Enter an amount of {money(Decimal(high))} or less.",
            "max_digits": f"Enter an amount of {money(Decimal(high))} or less.",
            "max_decimal_places": "Enter pounds and pence only, like 12.50.",
            "max_whole_digits": f"Enter an amount of {money(Decimal(high))} or less.",
        },
        **extra,
    )


def whole_number(label: str, *, low: int, high: int, required: bool = True, **extra):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"Enter a whole number from {low} to {high}.",
            "min_value": f"Enter a number from {low} to {high}.",
            "max_value": f"Enter a number from {low} to {high}.",
        },
        **extra,
    )


def date_field(label: str, *, hint: str = "For example, 2026-03-03.", **extra):
    return forms.DateField(
        label=label,
        help_text=hint,
        # A date box's value is always year-month-day, whatever the language of the page.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date, like 2026-03-03.",
        },
        **extra,
    )


def reason_field(label: str, hint: str = "", *, max_length: int = 1000):
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter a reason.",
            "max_length": f"Keep it to {max_length} characters or fewer.",
        },
    )


class RateCardForm(forms.Form):
    effective_from = date_field(
        "In force from",
        hint="The first card may start in the past, to pay sessions already approved. "
        "Later cards start today or later, so past pay never changes.",
    )
    hourly_rate = amount_field(
        "Pay for each hour", low="0.00", high="1000.00", help_text=AMOUNT_HINT
    )
    preparation_minutes = whole_number(
        "Paid preparation time for each session, in minutes",
        low=0,
        high=240,
        help_text="From 0 to 240. Paid at the same hourly rate.",
    )
    online_allowance = amount_field(
        "Extra for each online or phone session",
        low="0.00",
        high="100.00",
        help_text="To help with data or call costs. Enter 0 for none.",
    )
    cancellation_fee = amount_field(
        "Paid to the mentor for a session cancelled at short notice",
        low="0.00",
        high="1000.00",
        help_text="Paid when the mentee, or anyone but the mentor, cancels within the notice "
        "below, or when a coordinator confirms the mentee did not come. Enter 0 for none.",
    )
    cancellation_notice_hours = whole_number(
        "Notice needed to cancel without the fee, in hours",
        low=1,
        high=336,
        help_text="From 1 to 336 (two weeks). 24 is usual.",
    )
    mileage_rate = amount_field(
        "Pay for each mile driven", low="0.00", high="5.00", help_text="For example, 0.45."
    )
    expense_kinds = forms.MultipleChoiceField(
        label="Expenses mentors can claim",
        choices=ExpenseKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose from the list."},
    )
    receipt_needed_over = amount_field(
        "A receipt is needed for claims over",
        low="0.00",
        high="10000.00",
        help_text="Enter 0 if every claim needs a receipt. Mileage never needs one.",
    )
    currency = forms.ChoiceField(
        choices=Currency.choices,
        initial=Currency.GBP,
        error_messages={"invalid_choice": "Choose pounds or euros."},
    )
    slow_payment_days = whole_number(
        "Days before a payment counts as slow",
        low=1,
        high=90,
        help_text="Payments waiting longer than this are flagged to you. 14 is usual.",
    )

    def __init__(self, *args, card: RateCard | None = None, **kwargs):
        # Start from the card in force, so a new rate changes only what differs.
        initial = {"effective_from": timezone.localdate()}
        if card is not None:
            initial |= {
                name: getattr(card, name)
                for name in self.base_fields
                if name != "effective_from" and not name.startswith("activity_")
            }
            for rate in card.activity_rates.all():
                initial[f"activity_{rate.kind}_rate"] = rate.amount
                initial[f"activity_{rate.kind}_basis"] = rate.basis
        else:
            initial |= {
                "preparation_minutes": 30,
                "online_allowance": "0.00",
                "cancellation_fee": "0.00",
                "cancellation_notice_hours": 24,
                "mileage_rate": "0.45",
                "expense_kinds": ExpenseKind.values,
                "receipt_needed_over": "10.00",
                "slow_payment_days": 14,
            }
        super().__init__(*args, initial=initial, **kwargs)

    def terms(self) -> dict:
        """What rate_card_create takes: the card's own terms, and `activity_rates`, each
        kind of activity given a rate mapped to (basis, amount)."""
        data = self.cleaned_data
        terms = {name: value for name, value in data.items() if not name.startswith("activity_")}
        terms["activity_rates"] = {
            kind: (data.get(f"activity_{kind}_basis") or ActivityRate.Basis.HOURLY, amount)
            for kind in ActivityKind.values
            if (amount := data.get(f"activity_{kind}_rate")) is not None
        }
        return terms


def _activity_rate_fields() -> dict:
    """For each kind of activity: its rate (empty for the hourly rate) and what it is for."""
    fields = {}
    for kind, label in ActivityKind.choices:
        name = "Any other kind of activity" if kind == ActivityKind.OTHER else label
        fields[f"activity_{kind}_rate"] = amount_field(
            f"{name}: pay",
            low="0.00",
            high="2000.00",
            required=False,
            help_text="Leave empty to pay the hourly rate above. " + AMOUNT_HINT,
        )
        fields[f"activity_{kind}_basis"] = forms.ChoiceField(
            label=f"{name}: paid for each",
            choices=ActivityRate.Basis.choices,
            initial=ActivityRate.Basis.HOURLY,
            required=False,
            help_text="A half day is up to 4 hours; a longer activity is paid for each "
            "started half day.",
            error_messages={"invalid_choice": "Choose an hour or a half day."},
        )
    return fields


# Rates for paid activities, after the card's own terms.
RateCardForm.base_fields.update(_activity_rate_fields())


class ExpenseForm(forms.Form):
    programme = forms.TypedChoiceField(
        label="Which programme is this for?",
        coerce=int,
        error_messages={"required": "Choose a programme.", "invalid_choice": "Choose a programme."},
    )
    kind = forms.ChoiceField(
        label="What was it for?",
        choices=ExpenseKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the expense was for.",
            "invalid_choice": "Choose what the expense was for.",
        },
    )
    spent_on = date_field("Date you spent it")
    description = forms.CharField(
        label="What you spent it on",
        max_length=200,
        help_text="For example, 'Bus to the family centre and back'.",
        error_messages={
            "required": "Say what you spent it on.",
            "max_length": "Keep it to 200 characters or fewer.",
        },
    )
    miles = forms.DecimalField(
        label="Miles driven, there and back",
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        max_digits=5,
        decimal_places=1,
        help_text="Only for travel by car. We work out the amount.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter the miles as a number, like 12.5.",
            "min_value": "Enter the miles as a number more than 0.",
            "max_value": "Enter 1,000 miles or fewer.",
            "max_digits": "Enter 1,000 miles or fewer.",
            "max_whole_digits": "Enter 1,000 miles or fewer.",
            "max_decimal_places": "Enter miles to one decimal place, like 12.5.",
        },
    )
    amount = amount_field(
        "Amount you spent",
        low="0.01",
        high="10000.00",
        required=False,
        help_text="Not needed for travel by car. " + AMOUNT_HINT,
    )
    receipt = forms.FileField(
        label="Photo or PDF of your receipt",
        required=False,
        help_text="A photo (JPEG, PNG or WebP) or a PDF, up to 10 MB. We take out where and "
        "when a photo was taken before we keep it.",
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_ACCEPT}),
        error_messages={
            "invalid": "The file could not be read. Try choosing it again.",
            "empty": "The file is empty. Choose another file.",
            "missing": "Choose a file.",
        },
    )
    session = forms.TypedChoiceField(
        label="Which session was it for?",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of your sessions, or leave it empty."},
    )
    activity_place = forms.TypedChoiceField(
        label="Which activity was it for?",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of your activities, or leave it empty."},
    )

    def __init__(self, *args, programmes, sessions=(), places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.pk, p.name) for p in programmes]
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0].pk
        self.fields["session"].choices = [("", "Not for one session")] + [
            (s.pk, s.label) for s in sessions
        ]
        self.fields["activity_place"].choices = [("", "Not for an activity")] + [
            (p.pk, p.label) for p in places
        ]
        self.receipt_type = None

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt:
            self.receipt_type = receipt_check(receipt)
        return receipt

    def clean(self):
        data = super().clean()
        if data.get("kind") == ExpenseKind.MILEAGE:
            if data.get("miles") is None and "miles" not in self.errors:
                self.add_error("miles", "Enter how many miles you drove.")
        elif data.get("kind") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Enter the amount you spent.")
        if data.get("session") and data.get("activity_place"):
            self.add_error(
                "activity_place",
                "Choose a session or an activity, not both. Claim twice if it was for both.",
            )
        return data


def _spending_kind(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[(kind.value, kind.label) for kind in ADVANCE_KINDS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what it is for.",
            "invalid_choice": "Choose what it is for.",
        },
    )


def _description(label: str, hint: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=200,
        help_text=hint,
        error_messages={
            "required": f"Say {label.lower()}.",
            "max_length": "Keep it to 200 characters or fewer.",
        },
    )


class AdvanceForm(forms.Form):
    programme = forms.TypedChoiceField(
        label="Which programme is this for?",
        coerce=int,
        error_messages={"required": "Choose a programme.", "invalid_choice": "Choose a programme."},
    )
    kind = _spending_kind("What is it for?")
    needed_on = date_field("Date you will spend it", hint="Today or later, like 2026-03-03.")
    description = _description(
        "What you will spend it on", "For example, 'Train to Manchester and back'."
    )
    amount = amount_field("Amount you need", low="0.01", high="10000.00", help_text=AMOUNT_HINT)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.pk, p.name) for p in programmes]
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0].pk


class SettleForm(forms.Form):
    spent = amount_field(
        "Amount you really spent",
        low="0.00",
        high="10000.00",
        help_text="Enter 0 if you did not spend any of it. " + AMOUNT_HINT,
    )
    spent_on = date_field("Date you spent it")
    receipt = forms.FileField(
        label="Photo or PDF of your receipt",
        required=False,
        help_text="A photo (JPEG, PNG or WebP) or a PDF, up to 10 MB. We take out where and "
        "when a photo was taken before we keep it.",
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_ACCEPT}),
        error_messages={
            "invalid": "The file could not be read. Try choosing it again.",
            "empty": "The file is empty. Choose another file.",
            "missing": "Choose a file.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.receipt_type = None

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt:
            self.receipt_type = receipt_check(receipt)
        return receipt


class PurchaseForm(forms.Form):
    kind = _spending_kind("What was it for?")
    bought_on = date_field("Date it was bought")
    description = _description(
        "What was bought",
        "For example, 'Train ticket to the panel in Leeds'. The mentor sees this.",
    )
    amount = amount_field("Amount it cost", low="0.01", high="10000.00", help_text=AMOUNT_HINT)


class DecisionForm(forms.Form):
    reason = reason_field(
        "Why are you not approving it?",
        "The mentor sees this. Say what they can do, for example send a clearer receipt.",
    )


class PreferenceForm(forms.Form):
    method = forms.ChoiceField(
        label="How would you like to be paid?",
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you would like to be paid.",
            "invalid_choice": "Choose how you would like to be paid.",
        },
    )
    account_name = forms.CharField(
        label="Name on the bank account",
        required=False,
        help_text="Needed for a bank transfer or a reduced fee, and to pay your expenses back.",
        max_length=70,
        error_messages={"max_length": "Keep it to 70 characters or fewer."},
    )
    sort_code = forms.CharField(
        label="Sort code",
        required=False,
        max_length=8,
        help_text="6 numbers, like 30-94-57. Needed with the name on the account.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"max_length": "Enter a sort code of 6 numbers, like 30-94-57."},
    )
    account_number = forms.CharField(
        label="Account number",
        required=False,
        max_length=8,
        help_text="6 to 8 numbers. Needed with the name on the account.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"max_length": "Enter an account number of 6 to 8 numbers."},
    )
    reduced_percent = whole_number(
        "How much of each fee would you like, in percent?",
        low=1,
        high=99,
        required=False,
        help_text="Only for a reduced fee. For example, 50 for half.",
    )
    charity_name = forms.CharField(
        label="Name of the charity",
        required=False,
        help_text="Only for payment to a charity.",
        max_length=120,
        error_messages={"max_length": "Keep it to 120 characters or fewer."},
    )
    charity_number = forms.CharField(
        label="Charity number",
        required=False,
        max_length=20,
        help_text="If you know it. It helps finance find the right charity.",
        error_messages={"max_length": "Keep it to 20 characters or fewer."},
    )

    def clean_sort_code(self):
        value = self.cleaned_data["sort_code"]
        if value and not value.replace("-", "").replace(" ", "").isdigit():
            raise ValidationError("Enter a sort code of 6 numbers, like 30-94-57.")
        return value

    def clean_account_number(self):
        value = self.cleaned_data["account_number"]
        if value and not value.replace(" ", "").isdigit():
            raise ValidationError("Enter an account number of 6 to 8 numbers.")
        return value


class EarningsAlertForm(forms.Form):
    monthly_amount = amount_field(
        "Tell me when my fees in a month reach",
        low="1.00",
        high="100000.00",
        required=False,
        help_text="In pounds, like 300. Leave it empty to have no alert.",
    )


class BenefitsSettingsForm(forms.Form):
    """What a mentor tells us about their benefits: whether they get Universal Credit (and
    the day their assessment period starts), and a limit on the fees paid to them."""

    universal_credit = forms.ChoiceField(
        label="Do you get Universal Credit?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose yes or no.",
            "invalid_choice": "Choose yes or no.",
        },
    )
    assessment_day = whole_number(
        "The day of the month your assessment period starts",
        low=1,
        high=31,
        required=False,
        help_text="It is on your Universal Credit statement in your online account. If your "
        "assessment period runs from 12 March to 11 April, enter 12.",
    )
    cap_period = forms.ChoiceField(
        label="Would you like us to keep your fees under a limit?",
        choices=[("", "No, pay me everything I am owed"), *CapPeriod.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text="Pay that would go over the limit waits for a later pay day. It is never lost.",
        error_messages={"invalid_choice": "Choose one of the options."},
    )
    cap_amount = amount_field(
        "The most you want paid in fees in each period",
        low="1.00",
        high="100000.00",
        required=False,
        help_text="In pounds, like 180. Expenses do not count: they are not earnings.",
    )

    def clean(self):
        data = super().clean()
        universal_credit = data.get("universal_credit") == "yes"
        if (
            universal_credit
            and data.get("assessment_day") is None
            and "assessment_day" not in (self.errors)
        ):
            self.add_error(
                "assessment_day", "Enter the day of the month your assessment period starts."
            )
        if not universal_credit:
            data["assessment_day"] = None
        period = data.get("cap_period")
        if period == CapPeriod.ASSESSMENT_PERIOD and data.get("universal_credit") == "no":
            self.add_error(
                "cap_period",
                "Assessment periods are for Universal Credit. Choose a month or a week, or "
                "say that you get Universal Credit.",
            )
        if period and data.get("cap_amount") is None and "cap_amount" not in self.errors:
            self.add_error("cap_amount", "Enter the most you want paid in fees in each period.")
        return data


class ReverseForm(forms.Form):
    reason = reason_field(
        "Why is this line wrong?",
        "The mentor sees this on their statement. For example, 'The session was 45 minutes, "
        "not 90'.",
    )


class RunPaidForm(forms.Form):
    paid_on = date_field("Date finance paid it")


class PayeeFailedForm(forms.Form):
    reason = reason_field(
        "What went wrong?",
        "For example, 'Account closed'. The mentor is asked to check their details.",
        max_length=300,
    )


class PayeeRemoveForm(forms.Form):
    reason = reason_field(
        "Why are you taking this payment out?",
        "For example, 'Asked us to hold this payment'. Other coordinators see this.",
        max_length=300,
    )
    finance_told = forms.BooleanField(
        label="I have told finance not to pay this from the file they have",
        required=False,
        help_text="Tick this once you have told finance. Otherwise they may pay it from the "
        "file, and again in the next run.",
    )

    def __init__(self, *args, exported: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only once finance may hold a file that lists the payment.
        if not exported:
            del self.fields["finance_told"]


class EmploymentStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="How has the organisation decided to pay them?",
        choices=EmploymentStatus.choices,
        widget=forms.RadioSelect,
        help_text="A volunteer is paid back their expenses only: their fees wait. A worker's "
        "fees go to payroll in a file of their own.",
        error_messages={
            "required": "Choose how the organisation has decided to pay them.",
            "invalid_choice": "Choose how the organisation has decided to pay them.",
        },
    )
    decided_on = date_field("Date of the decision")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="For example, who made the decision, or where it is written down.",
        error_messages={"max_length": "Keep it to 300 characters or fewer."},
    )


# A radio button needs a value: "none" stands for the schedule's empty frequency.
NO_SCHEDULE = "none"


class PaymentScheduleForm(forms.Form):
    frequency = forms.ChoiceField(
        label="How often should pay days be prepared?",
        choices=[
            (value or NO_SCHEDULE, label) for value, label in PaymentSchedule.Frequency.choices
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often to pay.",
            "invalid_choice": "Choose how often to pay.",
        },
    )
    first_run_on = date_field(
        "Day of the first run",
        hint="Later runs fall on the same day of the week, or of the month. For a monthly "
        "run, pick a day from the 1st to the 28th. For example, 2026-03-03.",
        required=False,
    )

    def clean_frequency(self):
        value = self.cleaned_data["frequency"]
        return "" if value == NO_SCHEDULE else value

    def clean(self):
        data = super().clean()
        if (
            data.get("frequency")
            and not data.get("first_run_on")
            and not self.has_error("first_run_on")
        ):
            self.add_error("first_run_on", "Enter the date of the first pay day.")
        return data
