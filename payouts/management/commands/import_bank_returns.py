from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.actors import Actor
from payouts.adapters.pain001 import returns_parse
from payouts.exceptions import PayoutError
from payouts.models import Payout
from payouts.services import payout_return


class Command(BaseCommand):
    help = (
        "Import the bank's pain.002 return file: every rejected transfer is recorded as a "
        "returned payout (reversing entries, the claim re-opened). Safe to import twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            returns = returns_parse(Path(file).read_bytes())
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.") from exc
        unknown = [
            r.end_to_end_id
            for r in returns
            if not Payout.objects.filter(idempotency_key=r.end_to_end_id).exists()
        ]
        if unknown:
            raise CommandError(
                f"{file}: unknown transfer(s) {', '.join(unknown)}. Nothing was imported."
            )
        actor = Actor.system("bank returns")
        done = 0
        for returned in returns:
            payout = Payout.objects.get(idempotency_key=returned.end_to_end_id)
            try:
                payout_return(
                    payout=payout,
                    actor=actor,
                    reason_code=returned.reason_code,
                    reason=returned.reason,
                )
            except PayoutError as exc:
                self.stderr.write(f"{returned.end_to_end_id}: {exc}")
                continue
            done += 1
        self.stdout.write(f"{done} of {len(returns)} returned transfer(s) recorded.")
