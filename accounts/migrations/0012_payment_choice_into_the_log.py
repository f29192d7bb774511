"""How a mentor is paid has one record: the payments app's dated log of payment choices
(payments.PaymentPreference). The profile's older field goes; first, the choices it holds
that the log can carry are copied into the log, for mentors who have never chosen there.

How the profile's values map onto the log's methods:
- "voucher" ("Voucher (this still counts as income)") is the log's "voucher" ("Shopping
  vouchers"). Vouchers need no bank details.
- "unpaid" ("I volunteer and do not want to be paid") is the log's "none" ("No payment":
  "You give your time for free. Sessions are still recorded, at no cost.").
- "bank_transfer" is not copied. In the log a bank choice is the account to pay into
  (preference_set refuses one without it, and until payments 0005 the database did too),
  and the profile never held an account. A bank row without one would tell the mentor
  "you are paid by bank transfer" while a payment run put them in the finance file with
  no account to pay. Left without a row, they are asked on their dashboard and pay page
  to choose and give their details, which they had to do before being paid anyway.
- "" (never said) has nothing to copy.
A mentor who already has a row in the log keeps the log as it is: it is what payments
have gone by, so it wins over the profile.

Any other value stops the migration, naming it, rather than lose it with the column.

The copied rows are dated now, when the migration runs, not when the profile was last
saved. Until now the profile's choice changed nobody's pay (payments read only the log),
so this is when it comes into force; and the profile's updated_at moves whenever any part
of the profile is saved, so it does not say when the choice was made either. Dating the
rows earlier would make the log claim, for example, that "no payment" was in force while
the ledger already holds full fees earned in that time.

No audit event is written: nobody changed their choice, and no email goes out for the same
reason (preference_set sends one for every real change)."""

from django.db import migrations
from django.utils import timezone

# The profile's value -> the log's method, for the values the log can carry (see above).
COPIED = {"voucher": "voucher", "unpaid": "none"}
NOT_COPIED = {"", "bank_transfer"}


def copy_choices(apps, schema_editor):
    profile_model = apps.get_model("accounts", "MentorProfile")
    log = apps.get_model("payments", "PaymentPreference")
    unknown = sorted(
        set(
            profile_model.objects.exclude(payment_preference__in=[*COPIED, *NOT_COPIED])
            .values_list("payment_preference", flat=True)
            .distinct()
        )
    )
    if unknown:
        raise ValueError(
            f"Mentor profiles hold payment choices this migration does not know: {unknown}. "
            "Dropping the column would lose them. Record each of these mentors' choice in "
            "the payments log (or set the profile's value to one listed in "
            "accounts/migrations/0012_payment_choice_into_the_log.py), then migrate again."
        )
    now = timezone.now()
    to_copy = (
        profile_model.objects.filter(payment_preference__in=COPIED)
        .exclude(user_id__in=log.objects.values("mentor_id"))
        .order_by("user_id")
        .values_list("user_id", "payment_preference")
    )
    log.objects.bulk_create(
        log(mentor_id=user_id, method=COPIED[choice], chosen_at=now)
        for user_id, choice in to_copy
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_programmes_and_lists_moved"),
        # The log is made by payments 0001; its latest migration gives it the shape used
        # here (bank details encrypted, no database check on them).
        ("payments", "0007_programmes_moved"),
    ]

    operations = [
        # Going back brings the column back empty and leaves the log as it is: the log
        # stays the record, and migrating forward again copies nothing twice.
        migrations.RunPython(copy_choices, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="mentorprofile",
            name="payment_preference",
        ),
    ]
