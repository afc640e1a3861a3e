from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from payouts.adapters import get_adapter
from payouts.adapters.pain001 import returns_parse
from payouts.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Compare the ledger with the payouts, and the payouts with the payment provider's "
        "statement and the bank's return files. Prints every difference; exits 1 if any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--returns", nargs="*", default=[], help="pain.002 return files from the bank"
        )

    def handle(self, *args, returns, **options):
        adapter = get_adapter()
        returned = []
        for name in returns:
            try:
                returned += returns_parse(Path(name).read_bytes())
            except (OSError, ValueError) as exc:
                raise CommandError(f"{name}: {exc}") from exc
        diffs = reconcile(
            statement=adapter.statement(), adapter_name=adapter.name, returns=returned
        )
        for diff in diffs:
            self.stdout.write(str(diff))
        if diffs:
            raise CommandError(f"{len(diffs)} difference(s) found.")
        self.stdout.write(self.style.SUCCESS("Ledger, payouts and provider agree."))
