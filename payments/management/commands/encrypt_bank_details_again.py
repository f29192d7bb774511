"""After a new key is put first in FIELD_ENCRYPTION_KEYS: encrypt every stored bank detail
again with it, so the old key can then be taken out. Safe to run more than once."""

from django.core.management.base import BaseCommand

from payments.services import bank_details_encrypt_again


class Command(BaseCommand):
    help = "Encrypt all bank details again with the first key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        count = bank_details_encrypt_again()
        self.stdout.write(f"Encrypted the bank details of {count} rows with the first key.")
