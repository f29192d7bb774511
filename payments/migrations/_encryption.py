"""Encrypting the bank details that were stored in plain text before migration 0005, and
marking in each mentor's log where their bank details changed. Kept apart from the
migration so a test can run it on rows written the old way."""

PREFERENCE_FIELDS = ["account_name", "sort_code", "account_number"]
PAYEE_FIELDS = ["payee_name", "sort_code", "account_number"]


def encrypt_existing(apps, schema_editor):
    """Read every row (a value that is not encrypted yet comes back as it is) and write it
    again, which encrypts it. Safe to run twice: encrypted values are read, then written
    under the current key."""
    PaymentPreference = apps.get_model("payments", "PaymentPreference")
    RunPayee = apps.get_model("payments", "RunPayee")
    for model, fields in ((PaymentPreference, PREFERENCE_FIELDS), (RunPayee, PAYEE_FIELDS)):
        rows = list(model.objects.only("pk", *fields).order_by("pk"))
        model.objects.bulk_update(rows, fields, batch_size=500)
    _mark_changes(PaymentPreference)


def _mark_changes(PaymentPreference):
    changed, previous = [], {}
    for preference in PaymentPreference.objects.order_by("mentor_id", "chosen_at", "id"):
        details = (preference.account_name, preference.sort_code, preference.account_number)
        before = previous.get(preference.mentor_id)
        if details != before and (preference.sort_code or (before and before[1])):
            preference.bank_details_changed = True
            changed.append(preference)
        previous[preference.mentor_id] = details
    PaymentPreference.objects.bulk_update(changed, ["bank_details_changed"], batch_size=500)
