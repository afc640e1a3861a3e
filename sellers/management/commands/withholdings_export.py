from django.core.management.base import BaseCommand

from sellers.exports import csv_lines, withholding_rows


class Command(BaseCommand):
    help = "Print, as CSV, what to withhold from seller disbursements (open, decided recoveries)."

    def add_arguments(self, parser):
        parser.add_argument("--currency", help="Only recoveries in this currency (e.g. USD).")

    def handle(self, *args, currency=None, **options):
        for line in csv_lines(withholding_rows(currency=currency)):
            self.stdout.write(line, ending="")
