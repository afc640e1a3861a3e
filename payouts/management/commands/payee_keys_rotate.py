"""Re-wrap every stored account number with the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it), deploy,
run this command, then remove the old key. Rows already under the first key are left alone.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from payouts.crypto import key_id
from payouts.models import PayeeChange, PayeeDetails

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt payee account numbers and card tokens under the current key."

    def handle(self, *args, **options):
        current = settings.FIELD_ENCRYPTION_KEYS[0].partition(":")[0]
        total = 0
        for model in (PayeeDetails, PayeeChange):
            # The ORM would open the values: read the stored envelopes instead.
            stale = [
                pk
                for pk, account, token in _stored(model)
                if (account and key_id(account) != current) or (token and key_id(token) != current)
            ]
            for start in range(0, len(stale), BATCH):
                with transaction.atomic():
                    for row in model.objects.select_for_update().filter(
                        pk__in=stale[start : start + BATCH]
                    ):
                        row.save(update_fields=["account_number", "card_token"])
                        total += 1
        self.stdout.write(f"{total} row(s) re-encrypted under key {current!r}.")


def _stored(model):
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, account_number, card_token FROM {table}")  # noqa: S608
        return cursor.fetchall()
