"""Where receipts are kept: a folder of their own, outside static and media files, with no
URL. Only the receipt view, which checks who is asking, ever reads a file back."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class ReceiptStorage(FileSystemStorage):
    # Read from settings each time (not once at start-up), so tests can point it at a
    # temporary folder with an ordinary settings override.
    @property
    def base_location(self):
        return str(settings.RECEIPTS_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Receipts have no public address; use the receipt view.")
