from django.core.management.base import BaseCommand

from background.services import sweep


class Command(BaseCommand):
    help = (
        "Send again the background tasks the broker did not take, send rounds that have "
        "waited too long, and fail rounds running past their deadline. Beat runs this every "
        "five minutes; it is safe to run by hand at any time."
    )

    def handle(self, *args, **options):
        for what, count in sweep().items():
            self.stdout.write(f"{what}: {count}")
