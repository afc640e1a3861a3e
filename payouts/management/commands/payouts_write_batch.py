from django.core.management.base import BaseCommand

from payouts.adapters.pain001 import batch_write


class Command(BaseCommand):
    help = "Write every bank transfer not yet in a file into one ISO 20022 pain.001 file."

    def handle(self, *args, **options):
        path = batch_write()
        self.stdout.write(str(path) if path else "Nothing to write.")
