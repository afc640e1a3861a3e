import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from claims.money import MACHINE, MoneyError, to_minor
from sellers.exceptions import RecoveryError
from sellers.models import Recovery
from sellers.services.recoveries import withholding_record

REQUIRED = {"recovery_id", "currency", "amount", "disbursement_reference"}


class Command(BaseCommand):
    help = (
        "Record withholdings reported by the disbursement system: a CSV with recovery_id, "
        "currency, amount (e.g. 120.50) and disbursement_reference. All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            handle = file.open(newline="", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        with handle:
            reader = csv.DictReader(handle)
            missing = REQUIRED - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"Missing columns: {', '.join(sorted(missing))}")
            recorded, problems = 0, []
            with transaction.atomic():
                for number, row in enumerate(reader, start=2):
                    try:
                        recovery = Recovery.objects.get(pk=int(row["recovery_id"]))
                        created = withholding_record(
                            recovery=recovery,
                            amount_minor=to_minor(row["amount"], row["currency"], locale=MACHINE),
                            currency=row["currency"],
                            disbursement_reference=row["disbursement_reference"],
                        )
                        recorded += created is not None
                    except (ValueError, Recovery.DoesNotExist, MoneyError, RecoveryError) as exc:
                        problems.append(f"line {number}: {exc or 'unknown recovery'}")
                if problems:
                    transaction.set_rollback(True)
        if problems:
            raise CommandError("Nothing recorded.\n" + "\n".join(problems))
        self.stdout.write(f"{recorded} withholding(s) recorded.")
