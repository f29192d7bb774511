"""Paid partnership: rate cards, the ledger, expenses, payment preferences and payment runs.

Money is Decimal, in the programme's currency, rounded to pence in one place (payments/money.py).
The ledger is append-only: a mistake is put right with a reversing line, never by changing or
deleting one. The model refuses changes here, and on PostgreSQL a trigger refuses them too
(migration 0002), so not even a stray SQL statement can rewrite what someone was paid.
"""

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from secured_fields import EncryptedCharField

from activities.models import ActivityKind
from payments.receipts import receipt_upload_to

MONEY = {"max_digits": 10, "decimal_places": 2}


class Currency(models.TextChoices):
    GBP = "GBP", "Pounds (£)"
    EUR = "EUR", "Euros (€)"


SYMBOLS = {"GBP": "£", "EUR": "€"}


class ExpenseKind(models.TextChoices):
    MILEAGE = "mileage", "Travel by car, by the mile"
    FARE = "fare", "Travel fares: bus, train or taxi"
    CHILDCARE = "childcare", "Childcare"
    CARER = "carer", "A replacement carer"
    PHONE_DATA = "phone_data", "Phone or data for online sessions"
    OTHER = "other", "Something else"


def all_expense_kinds() -> list[str]:
    return list(ExpenseKind.values)


class RateCardQuerySet(models.QuerySet["RateCard"]):
    def in_force_on(self, programme, day) -> "RateCard | None":
        """The card that applies to something that happened on `day`: the latest one that
        had started by then. A new card never changes what older sessions earned."""
        return (
            self.filter(programme=programme, effective_from__lte=day)
            .order_by("-effective_from")
            .first()
        )


class RateCard(models.Model):
    """What a programme pays, from a date. Cards are never changed once made: a new rate is
    a new card from a later date."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="rate_cards"
    )
    effective_from = models.DateField("in force from")
    hourly_rate = models.DecimalField("pay for each hour", max_digits=7, decimal_places=2)
    preparation_minutes = models.PositiveSmallIntegerField(
        "paid preparation time for each session, in minutes", default=30
    )
    online_allowance = models.DecimalField(
        "extra for each online or phone session",
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="To help with the cost of data or calls. Leave at 0 for none.",
    )
    mileage_rate = models.DecimalField(
        "pay for each mile driven", max_digits=4, decimal_places=2, default=Decimal("0.45")
    )
    expense_kinds = models.JSONField("expenses mentors can claim", default=all_expense_kinds)
    receipt_needed_over = models.DecimalField(
        "a receipt is needed for claims over",
        max_digits=7,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="0 means every claim needs a receipt, except mileage.",
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)
    cancellation_fee = models.DecimalField(
        "paid to the mentor for a session cancelled at short notice",
        max_digits=7,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Also paid when the mentee did not come. Leave at 0 for none.",
    )
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        "notice needed to cancel without the fee, in hours", default=24
    )
    slow_payment_days = models.PositiveSmallIntegerField(
        "days before a payment counts as slow",
        default=14,
        help_text="Payments waiting longer than this are flagged to coordinators.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RateCardQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "effective_from"], name="rate_card_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0, hourly_rate__lte=1000),
                name="rate_card_hourly_rate_in_range",
            ),
            models.CheckConstraint(
                condition=Q(preparation_minutes__lte=240), name="rate_card_preparation_in_range"
            ),
            models.CheckConstraint(
                condition=Q(
                    online_allowance__gte=0, mileage_rate__gte=0, receipt_needed_over__gte=0
                ),
                name="rate_card_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(slow_payment_days__gte=1, slow_payment_days__lte=90),
                name="rate_card_slow_days_in_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    cancellation_fee__gte=0,
                    cancellation_fee__lte=1000,
                    cancellation_notice_hours__gte=1,
                    cancellation_notice_hours__lte=336,
                ),
                name="rate_card_cancellation_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.hourly_rate} an hour from {self.effective_from}"

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.currency, "")

    def allows(self, kind: str) -> bool:
        return kind in self.expense_kinds


class ActivityRate(models.Model):
    """What a rate card pays for one kind of activity: by the hour, or by the half day
    (each started half day of HALF_DAY_MINUTES counts as one, payments/money.py). A kind
    without a rate is paid at the card's hourly rate. Part of its card, so never changed."""

    class Basis(models.TextChoices):
        HOURLY = "hourly", "An hour"
        HALF_DAY = "half_day", "A half day (up to 4 hours)"

    rate_card = models.ForeignKey(RateCard, on_delete=models.PROTECT, related_name="activity_rates")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.HOURLY)
    amount = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["rate_card", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["rate_card", "kind"], name="activity_rate_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=2000), name="activity_rate_in_range"
            ),
            models.CheckConstraint(
                condition=Q(basis__in=["hourly", "half_day"]), name="activity_rate_basis_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} {self.get_basis_display().lower()}"


def receipt_storage():
    # Receipts live apart from static and public media, and are only ever served through
    # a view that checks who is asking.
    return storages["receipts"]


class ExpenseQuerySet(models.QuerySet["Expense"]):
    def waiting(self) -> "ExpenseQuerySet":
        return self.filter(status=Expense.Status.CLAIMED)


class Expense(models.Model):
    """Money a mentor spent to take part, claimed back. Repaying it is not income."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="expenses"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expenses"
    )
    session = models.ForeignKey(
        "mentoring.Session",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenses",
    )
    # A claim for an activity rather than a session: the person's place on it.
    activity_place = models.ForeignKey(
        "activities.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenses",
    )
    kind = models.CharField("what it was for", max_length=20, choices=ExpenseKind.choices)
    spent_on = models.DateField("date you spent it")
    description = models.CharField("what you spent it on", max_length=200)
    miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)
    receipt = models.FileField(
        storage=receipt_storage, upload_to=receipt_upload_to, blank=True, max_length=200
    )
    receipt_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CLAIMED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        ordering = ["-spent_on", "-id"]
        indexes = [models.Index(fields=["programme", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=10000), name="expense_amount_in_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["claimed", "approved", "rejected", "withdrawn"]),
                name="expense_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="expense_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind="mileage") | Q(miles__gt=0),
                name="expense_mileage_has_miles",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.spent_on}: {self.amount}"

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.currency, "")


# Kinds of spending that can be paid in advance or bought for a mentor: everything but
# mileage, which is worked out from the miles once they are driven.
ADVANCE_KINDS = [kind for kind in ExpenseKind if kind != ExpenseKind.MILEAGE]


class AdvanceQuerySet(models.QuerySet["Advance"]):
    def waiting(self) -> "AdvanceQuerySet":
        return self.filter(status=Advance.Status.ASKED)


class Advance(models.Model):
    """Money paid to a mentor before they spend it, so nobody is out of pocket. The mentor
    asks; a coordinator approves it, which adds an advance line; after the session the
    mentor settles it with what they really spent and the receipt, which adds one
    settlement line for the difference (more spent: the rest; less: a negative line, taken
    off their next payment). Settled once: a conditional update on the status, and a
    partial unique index on the settlement line."""

    class Status(models.TextChoices):
        ASKED = "asked", "Waiting for a decision"
        APPROVED = "approved", "Approved: settle it with your receipt once you have spent it"
        REJECTED = "rejected", "Not approved"
        SETTLED = "settled", "Settled"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="advances"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="advances"
    )
    kind = models.CharField("what it is for", max_length=20, choices=ExpenseKind.choices)
    needed_on = models.DateField("date you will spend it")
    description = models.CharField("what you will spend it on", max_length=200)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ASKED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(max_length=1000, blank=True)
    # The settlement: what the mentor really spent, when, and the receipt.
    spent = models.DecimalField(null=True, blank=True, **MONEY)
    spent_on = models.DateField(null=True, blank=True)
    receipt = models.FileField(
        storage=receipt_storage, upload_to=receipt_upload_to, blank=True, max_length=200
    )
    receipt_type = models.CharField(max_length=40, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AdvanceQuerySet.as_manager()

    class Meta:
        ordering = ["-needed_on", "-id"]
        indexes = [models.Index(fields=["programme", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=10000), name="advance_amount_in_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["asked", "approved", "rejected", "settled"]),
                name="advance_status_known",
            ),
            models.CheckConstraint(condition=~Q(kind="mileage"), name="advance_not_mileage"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="advance_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="settled")
                | Q(
                    spent__isnull=False,
                    spent__gte=0,
                    spent__lte=10000,
                    spent_on__isnull=False,
                    settled_at__isnull=False,
                ),
                name="advance_settled_has_spending",
            ),
        ]

    def __str__(self) -> str:
        return f"Advance for {self.get_kind_display()} on {self.needed_on}: {self.amount}"

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.currency, "")

    @property
    def difference(self) -> Decimal | None:
        """What the settlement adds: positive when more was spent, negative when less."""
        from payments.money import settlement_difference

        if self.spent is None:
            return None
        return settlement_difference(advanced=self.amount, spent=self.spent)

    @property
    def difference_size(self) -> Decimal | None:
        """The difference without its sign, for sentences that say which way it goes."""
        return None if self.difference is None else abs(self.difference)


class Purchase(models.Model):
    """Something the programme bought for a mentor so they did not have to: a train ticket,
    a childminder paid directly. Recorded and shown to the mentor, never paid to them: it
    is not a ledger line, so no payment run, statement total or earnings figure counts it."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="purchases"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases"
    )
    kind = models.CharField("what it was for", max_length=20, choices=ExpenseKind.choices)
    bought_on = models.DateField("date it was bought")
    description = models.CharField("what was bought", max_length=200)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-bought_on", "-id"]
        indexes = [models.Index(fields=["mentor", "bought_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=10000), name="purchase_amount_in_range"
            ),
            models.CheckConstraint(condition=~Q(kind="mileage"), name="purchase_not_mileage"),
        ]

    def __str__(self) -> str:
        return f"Bought for {self.mentor_id} on {self.bought_on}: {self.amount}"

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.currency, "")


class AppendOnly(Exception):
    """Someone tried to change or delete a ledger line."""


class LedgerLineQuerySet(models.QuerySet["LedgerLine"]):
    def update(self, **kwargs):
        raise AppendOnly("Ledger lines are never changed. Add a reversing line instead.")

    def delete(self):
        raise AppendOnly("Ledger lines are never deleted. Add a reversing line instead.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnly("Ledger lines are never changed. Add a reversing line instead.")

    def fees(self) -> "LedgerLineQuerySet":
        return self.filter(category=LedgerLine.Category.FEE)

    def expenses(self) -> "LedgerLineQuerySet":
        return self.filter(category=LedgerLine.Category.EXPENSE)

    def unpaid(self) -> "LedgerLineQuerySet":
        """Lines not (yet) paid, nor on their way in a run: those waiting (see WaitingLine).
        A line whose payment failed waits again, so the next run picks it up."""
        return self.filter(waiting__isnull=False)


SESSION_KINDS = ("session", "preparation", "online")
# Lines that may be negative: a correction, and a settlement where less was spent than
# was advanced (the mentor owes the rest back, taken off their next payment).
NEGATIVE_KINDS = ("reversal", "settlement")


def ledger_key(obj: models.Model) -> str:
    """The key a cancellation fee is paid once for: the object cancelled (a planned
    session, or anything else with a row), as "app.model:pk"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


ACTIVITY_KINDS = ("activity", "activity_preparation")


class LedgerLine(models.Model):
    """One amount owed to a mentor: for a session's time, its preparation, an online
    allowance, a short-notice cancellation, an activity attended and its preparation, an
    approved expense, an advance or its settlement, or a correction of an earlier line."""

    class Kind(models.TextChoices):
        SESSION = "session", "Session"
        PREPARATION = "preparation", "Preparation time"
        ONLINE = "online", "Online session allowance"
        CANCELLATION = "cancellation", "Cancelled at short notice, or the mentee did not come"
        EXPENSE = "expense", "Expense"
        ADVANCE = "advance", "Expense paid in advance"
        SETTLEMENT = "settlement", "Advance settled with the receipt"
        REVERSAL = "reversal", "Correction"
        ACTIVITY = "activity", "Activity"
        ACTIVITY_PREPARATION = "activity_preparation", "Preparation for an activity"

    class Category(models.TextChoices):
        FEE = "fee", "Fee"
        EXPENSE = "expense", "Expense (not income)"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="ledger_lines"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_lines"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    category = models.CharField(max_length=10, choices=Category.choices)
    session = models.ForeignKey(
        "mentoring.Session",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_lines",
    )
    expense = models.ForeignKey(
        Expense, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_lines"
    )
    advance = models.ForeignKey(
        Advance, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_lines"
    )
    # For a cancellation fee: what was cancelled (ledger_key), paid once.
    key = models.CharField(max_length=80, blank=True)
    # For an activity's lines (and their corrections): the place of the person who attended.
    activity_place = models.ForeignKey(
        "activities.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_lines",
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    rate_card = models.ForeignKey(
        RateCard, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes = models.PositiveIntegerField(null=True, blank=True)
    rate = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)
    # The day of the session or the spending, which statements and tax years go by.
    earned_on = models.DateField()
    description = models.CharField(max_length=200)
    reason = models.TextField(max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = LedgerLineQuerySet.as_manager()

    class Meta:
        ordering = ["-earned_on", "-id"]
        indexes = [
            models.Index(fields=["mentor", "earned_on"]),
            models.Index(fields=["programme", "earned_on"]),
        ]
        constraints = [
            # Pay once: whatever the double clicks, retries or concurrent approvals, a
            # session has one line of each kind and an expense one line.
            models.UniqueConstraint(
                fields=["session", "kind"],
                condition=Q(kind__in=SESSION_KINDS),
                name="ledger_session_paid_once",
            ),
            models.UniqueConstraint(
                fields=["expense"], condition=Q(kind="expense"), name="ledger_expense_paid_once"
            ),
            # One cancellation fee for each thing cancelled, whoever calls and however often.
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(kind="cancellation"),
                name="ledger_cancellation_paid_once",
            ),
            # An advance is paid once and settled once.
            models.UniqueConstraint(
                fields=["advance"], condition=Q(kind="advance"), name="ledger_advance_paid_once"
            ),
            models.UniqueConstraint(
                fields=["advance"],
                condition=Q(kind="settlement"),
                name="ledger_advance_settled_once",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cancellation") | ~Q(key=""),
                name="ledger_cancellation_has_key",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["advance", "settlement"]) | Q(advance__isnull=False),
                name="ledger_advance_line_has_advance",
            ),
            # The same for an activity: an attended place has one line of each kind.
            models.UniqueConstraint(
                fields=["activity_place", "kind"],
                condition=Q(kind__in=ACTIVITY_KINDS),
                name="ledger_activity_paid_once",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=ACTIVITY_KINDS) | Q(activity_place__isnull=False),
                name="ledger_activity_line_has_place",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=SESSION_KINDS) | Q(session__isnull=False),
                name="ledger_session_line_has_session",
            ),
            models.CheckConstraint(
                condition=~Q(kind="expense") | Q(expense__isnull=False),
                name="ledger_expense_line_has_expense",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | (Q(reverses__isnull=False) & ~Q(reason="")),
                name="ledger_reversal_has_line_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NEGATIVE_KINDS) | Q(amount__gte=0),
                name="ledger_only_corrections_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "session",
                        "preparation",
                        "online",
                        "cancellation",
                        "expense",
                        "advance",
                        "settlement",
                        "reversal",
                        "activity",
                        "activity_preparation",
                    ]
                ),
                name="ledger_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"

    def save(self, *args, **kwargs):
        # Append-only: a line is written once. Corrections are new, reversing lines.
        if not self._state.adding:
            raise AppendOnly("Ledger lines are never changed. Add a reversing line instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Ledger lines are never deleted. Add a reversing line instead.")

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.currency, "")

    @property
    def is_income(self) -> bool:
        return self.category == self.Category.FEE


class WaitingLine(models.Model):
    """A ledger line waiting to be paid. The services keep it in step: made with the line
    (unless it is for nothing), removed when a payment run takes the line, made again when
    that payment fails. So finding what is owed reads this short list, never the whole
    ledger, which at national scale holds millions of paid lines. The ledger and the run
    items stay the record; `waiting_lines_rebuild` recomputes this list from them."""

    line = models.OneToOneField(
        LedgerLine, primary_key=True, on_delete=models.PROTECT, related_name="waiting"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    earned_on = models.DateField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        indexes = [models.Index(fields=["programme", "earned_on"])]

    def __str__(self) -> str:
        return f"Line {self.line_id} waiting"

    @classmethod
    def of(cls, line: "LedgerLine") -> "WaitingLine":
        return cls(
            line=line,
            programme_id=line.programme_id,
            mentor_id=line.mentor_id,
            earned_on=line.earned_on,
            amount=line.amount,
        )


class PaymentMethod(models.TextChoices):
    BANK = "bank", "Bank transfer"
    VOUCHER = "voucher", "Shopping vouchers"
    REDUCED = "reduced", "A reduced fee, by bank transfer"
    CHARITY = "charity", "Payment to a charity of your choice"
    NONE = "none", "No payment"


# A payee's way of paying in a run: the mentor's choice, or payroll for the fees of a
# worker paid through payroll (EmploymentStatus.PAYROLL), which finance pays from a file of
# its own. Never a choice a mentor makes, so not one of PaymentMethod.
PAYROLL = "payroll"
PAYEE_METHODS = [*PaymentMethod.choices, (PAYROLL, "Through payroll")]


class PaymentPreference(models.Model):
    """How a mentor wants to be paid, from when they chose it. Never changed: a new choice
    is a new row, so the log shows what was in force at any time."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_preferences"
    )
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    # Only what finance needs to pay: encrypted in the database (settings'
    # FIELD_ENCRYPTION_KEYS), shown masked everywhere but the finance export.
    account_name = EncryptedCharField("name on the account", max_length=70, blank=True)
    sort_code = EncryptedCharField(max_length=6, blank=True)
    account_number = EncryptedCharField(max_length=8, blank=True)
    # Set when this choice's bank details differ from the one before: the next payment
    # run shows coordinators that they changed since the mentor was last paid.
    bank_details_changed = models.BooleanField(default=False)
    reduced_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    charity_name = models.CharField(max_length=120, blank=True)
    charity_number = models.CharField("charity number", max_length=20, blank=True)
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-chosen_at", "-id"]
        indexes = [models.Index(fields=["mentor", "-chosen_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=["bank", "voucher", "reduced", "charity", "none"]),
                name="preference_method_known",
            ),
            # Bank details are encrypted, so the database cannot check they are there:
            # preference_set does.
            models.CheckConstraint(
                condition=~Q(method="reduced") | Q(reduced_percent__gte=1, reduced_percent__lte=99),
                name="preference_reduced_has_percent",
            ),
            models.CheckConstraint(
                condition=~Q(method="charity") | ~Q(charity_name=""),
                name="preference_charity_has_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} from {self.chosen_at:%Y-%m-%d}"

    @property
    def has_bank_details(self) -> bool:
        return bool(self.account_number and self.sort_code)

    @property
    def bank_details(self) -> tuple[str, str, str]:
        return (self.account_name, self.sort_code, self.account_number)

    @property
    def masked_account(self) -> str:
        return masked_account(self.account_number)

    @property
    def masked_sort_code(self) -> str:
        return masked_sort_code(self.sort_code)


def masked_account(number: str) -> str:
    """How an account number is shown anywhere but the finance file: its last 4 digits."""
    return f"ending {number[-4:]}" if number else ""


def masked_sort_code(code: str) -> str:
    return f"**-**-{code[-2:]}" if code else ""


class EmploymentStatus(models.TextChoices):
    """How the organisation has decided a mentor is paid, for tax and employment law."""

    VOLUNTEER = "volunteer", "Volunteer: expenses only"
    SELF_EMPLOYED = "self_employed", "Self-employed: paid a fee"
    PAYROLL = "payroll", "Worker: fees paid through payroll"


class EmploymentDecision(models.Model):
    """The organisation's decision on how a mentor is paid: a volunteer (expenses only), a
    fee as a self-employed person, or a worker through payroll. A dated log, like the
    payment choice: never changed, a new decision is a new row, and the latest recorded is
    in force (payments.selectors.employment_status_current, which everything reads)."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employment_decisions"
    )
    organisation = models.ForeignKey(
        "programmes.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=EmploymentStatus.choices)
    # The day the organisation decided, which may be before it was recorded here.
    decided_on = models.DateField("date of the decision")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["mentor", "organisation", "-recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["volunteer", "self_employed", "payroll"]),
                name="employment_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.decided_on}"

    @property
    def words(self) -> str:
        """The decision in plain words, for the mentor it is about."""
        return employment_status_words(self.status, self.organisation.name)


def employment_status_words(status: str, organisation: str) -> str:
    """The decision in plain words, for the mentor it is about."""
    return {
        EmploymentStatus.VOLUNTEER: (
            f"{organisation} has decided you take part as a volunteer. It pays back what you "
            "spend to take part (your expenses), but no fees. Fees for your sessions stay on "
            "your record and are not paid while this is the decision."
        ),
        EmploymentStatus.SELF_EMPLOYED: (
            f"{organisation} pays you a fee as a self-employed person. Nothing is taken off "
            "for tax, so you may need to tell HMRC about your fees yourself."
        ),
        EmploymentStatus.PAYROLL: (
            f"{organisation} pays your fees through its payroll, as a worker. Tax and National "
            "Insurance may be taken off before you are paid, and you get a payslip. Your "
            "expenses are paid back the way you chose."
        ),
    }.get(status, "")


class PaymentSchedule(models.Model):
    """When a programme's payment runs are prepared: every week, fortnight or month from
    a first day. The scheduler (payments.tasks.prepare_scheduled_runs) prepares each run
    and tells the coordinators, who check and export it. A setting, changed in place: the
    audit log keeps what it was."""

    class Frequency(models.TextChoices):
        NONE = "", "Only when a coordinator starts one"
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Every month"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="payment_schedule"
    )
    frequency = models.CharField(max_length=12, choices=Frequency.choices, blank=True)
    # The first run; later ones fall 7 or 14 days apart, or on the same day of each month.
    first_run_on = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=["", "weekly", "fortnightly", "monthly"]),
                name="payment_schedule_frequency_known",
            ),
            models.CheckConstraint(
                condition=Q(frequency="") | Q(first_run_on__isnull=False),
                name="payment_schedule_has_first_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.get_frequency_display()}"


class EarningsAlert(models.Model):
    """A mentor's own monthly limit: we tell them when their fees in a month reach it."""

    mentor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="earnings_alert"
    )
    monthly_amount = models.DecimalField(**MONEY)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_amount__gt=0, monthly_amount__lte=100000),
                name="earnings_alert_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"Alert at {self.monthly_amount} a month"


class CapPeriod(models.TextChoices):
    """What a mentor's limit on their pay is counted over (payments.periods.Cap)."""

    ASSESSMENT_PERIOD = "assessment_period", "Each Universal Credit assessment period"
    MONTH = "month", "Each calendar month"
    WEEK = "week", "Each week, Monday to Sunday"


class BenefitsSettings(models.Model):
    """What a mentor told us about their benefits, so their pay is shown, and paid, the way
    the benefits count it. Universal Credit counts earnings in the assessment period they
    are paid in: `assessment_day` is the day of the month the mentor's periods start (set
    only for someone who gets Universal Credit). A cap keeps the fees paid to them in each
    period (week, calendar month or assessment period) under an amount they choose:
    payment runs leave what would go over waiting for a later run (services.run_create)."""

    mentor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="benefits_settings"
    )
    assessment_day = models.PositiveSmallIntegerField(null=True, blank=True)
    cap_amount = models.DecimalField(**MONEY, null=True, blank=True)
    cap_period = models.CharField(max_length=20, choices=CapPeriod.choices, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "benefits settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment_day__isnull=True)
                | Q(assessment_day__gte=1, assessment_day__lte=31),
                name="benefits_assessment_day_in_month",
            ),
            # A cap has both an amount and a period, or neither.
            models.CheckConstraint(
                condition=Q(cap_amount__isnull=True, cap_period="")
                | Q(
                    cap_amount__gt=0,
                    cap_amount__lte=100000,
                    cap_period__in=["assessment_period", "month", "week"],
                ),
                name="benefits_cap_complete",
            ),
            models.CheckConstraint(
                condition=~Q(cap_period="assessment_period") | Q(assessment_day__isnull=False),
                name="benefits_cap_period_has_start_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Benefits settings of {self.mentor_id}"

    @property
    def universal_credit(self) -> bool:
        return self.assessment_day is not None

    @property
    def has_cap(self) -> bool:
        return self.cap_amount is not None


class PaymentRun(models.Model):
    """A batch of lines a coordinator sends to finance to pay. Its payees and items are a
    snapshot taken when the run is made, so exporting it again gives the same file."""

    class Status(models.TextChoices):
        READY = "ready", "Ready for finance"
        PAID = "paid", "Paid"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="payment_runs"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)
    # None for a run the schedule prepared (scheduled_for says which of its days).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    scheduled_for = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="run_number_unique"),
            # A scheduled day makes one run, however many schedulers start it at once.
            models.UniqueConstraint(
                fields=["programme", "scheduled_for"],
                condition=Q(scheduled_for__isnull=False),
                name="run_scheduled_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False), name="run_paid_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Pay day {self.reference}"

    @property
    def reference(self) -> str:
        return f"{self.programme.slug[:12].upper()}-{self.number:04d}"

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.currency, "")


class RunPayeeQuerySet(models.QuerySet["RunPayee"]):
    def live(self) -> "RunPayeeQuerySet":
        """Payees a run pays (or paid): not taken out of it, and not failed. The finance
        file, the run page's totals and the statistics all count these and no others."""
        return self.filter(status__in=RunPayee.LIVE)

    def paid(self) -> "RunPayeeQuerySet":
        """Payments finance made that reached the mentor."""
        return self.filter(status=RunPayee.Status.PAID, run__status=PaymentRun.Status.PAID)


class RunPayee(models.Model):
    """One row of the finance export: a mentor and a way of paying them, with the details
    in force when the run was made.

    Before the run is paid, a payee can be taken out of it (REMOVED); after, a payment that
    did not reach the mentor is marked FAILED. Either way its lines wait for the next run,
    and the finance file no longer lists it, so no one is in two files for the same lines."""

    class Status(models.TextChoices):
        READY = "ready", "Ready"
        PAID = "paid", "Paid"
        FAILED = "failed", "Payment failed"
        REMOVED = "removed", "Taken out of this run"

    # The payees a run pays (see RunPayeeQuerySet.live).
    LIVE = (Status.READY, Status.PAID)

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="payees")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=PAYEE_METHODS)
    # The organisation's decision in force when the run was made (EmploymentStatus; empty
    # when none was recorded), for the finance file.
    employment_status = models.CharField(
        max_length=20, choices=EmploymentStatus.choices, blank=True
    )
    reference = models.CharField(max_length=30)
    # Who to pay: for a bank transfer, the name on the account. Encrypted like the bank
    # details, which are removed once the run is paid and finance has had time to check
    # (payments.services.run_bank_details_drop).
    payee_name = EncryptedCharField(max_length=120, blank=True)
    sort_code = EncryptedCharField(max_length=6, blank=True)
    account_number = EncryptedCharField(max_length=8, blank=True)
    # When the mentor's bank details changed, if that was after the last run that paid
    # them: shown to coordinators, who check it before finance pays.
    bank_details_changed_at = models.DateTimeField(null=True, blank=True)
    # Retention (payments.services): when the bank details were taken out, once the run
    # was paid and finance had time to check; and, for someone who deleted their account,
    # when the name paid to was taken out at the end of the retention period.
    bank_details_dropped_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    fees = models.DecimalField(**MONEY)
    expenses = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    failed_reason = models.CharField(max_length=300, blank=True)
    removed_reason = models.CharField(max_length=300, blank=True)

    objects = RunPayeeQuerySet.as_manager()

    class Meta:
        ordering = ["reference", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentor", "method"], name="run_payee_unique"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failed_reason=""),
                name="run_payee_failed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="removed") | ~Q(removed_reason=""),
                name="run_payee_removed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["ready", "paid", "failed", "removed"]),
                name="run_payee_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee_name} in {self.run}"

    @property
    def masked_account(self) -> str:
        return masked_account(self.account_number)


class RunItem(models.Model):
    """A ledger line in a run. A line is in at most one run where it was not failed or
    taken out: the partial unique index makes a second, concurrent run unable to take it
    too."""

    class Status(models.TextChoices):
        INCLUDED = "included", "On its way"
        PAID = "paid", "Paid"
        FAILED = "failed", "Payment failed"
        REMOVED = "removed", "Taken out of the run"

    # Items whose line is not paid by this run: the line waits for another.
    GONE = (Status.FAILED, Status.REMOVED)

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="items")
    payee = models.ForeignKey(RunPayee, on_delete=models.CASCADE, related_name="items")
    line = models.ForeignKey(LedgerLine, on_delete=models.PROTECT, related_name="run_items")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INCLUDED)
    # Recorded when the run is marked paid: days from the session (or spending) to payment.
    days_to_payment = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=~Q(status__in=["failed", "removed"]),
                name="line_in_one_run",
            ),
        ]

    def __str__(self) -> str:
        return f"Line {self.line_id} in run {self.run_id}"


class RunHold(models.Model):
    """Pay a run left waiting for a later run, to keep a mentor under the cap they set
    (BenefitsSettings). The lines stay on the waiting list, unchanged: this row is what the
    run's page and the mentor's notification say about them."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="holds")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lines = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    # The period the run pays in, which the cap is counted over.
    period_start = models.DateField()
    period_end = models.DateField()

    class Meta:
        ordering = ["run", "mentor_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentor"], name="run_hold_one_per_mentor"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} held in {self.run}"
