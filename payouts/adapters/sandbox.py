"""A sandbox payment provider for the demo and the tests.

It behaves like a real provider where it matters: it simulates latency, timeouts (before the
payment, and after it, when the payment went through but the answer was lost) and declines, and
it remembers every idempotency key it paid, in its own table (``ProviderRecord``) so that every
worker process sees the same memory. A key it already paid returns the first payment's
reference and never pays again.

Settings (``PAYOUT_SANDBOX``): ``latency_ms`` (min, max), ``timeout_rate`` and
``lost_response_rate`` (0.0-1.0). Declines are deterministic so the demo can show them: an
account number ending in ``0000`` is closed (``AC04``), a card token containing ``declined`` is
refused (``AG01``).
"""

import random
import time
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from payouts.adapters.base import (
    PaymentAdapter,
    PaymentInstruction,
    PaymentResult,
    PermanentFailure,
    StatementLine,
    TemporaryFailure,
)
from payouts.models import ProviderRecord


def in_transaction() -> bool:
    """Whether the caller holds a transaction open (the test case's own one does not count)."""
    connection = transaction.get_connection()
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class SandboxAdapter(PaymentAdapter):
    name = "sandbox"

    def __init__(self, **options):
        config = {**getattr(settings, "PAYOUT_SANDBOX", {}), **options}
        low, high = config.get("latency_ms", (0, 0))
        self.latency = (low / 1000, high / 1000)
        self.timeout_rate = float(config.get("timeout_rate", 0.0))
        self.lost_response_rate = float(config.get("lost_response_rate", 0.0))
        self.rng = random.Random(config.get("seed"))

    def _wait(self) -> None:
        low, high = self.latency
        if high > 0:
            time.sleep(self.rng.uniform(low, high))

    def send(self, instruction: PaymentInstruction) -> PaymentResult:
        if in_transaction():
            # A real provider is outside our database: never call it inside a transaction.
            raise RuntimeError("the payment provider was called inside a database transaction")
        self._wait()
        if self.rng.random() < self.timeout_rate:
            raise TemporaryFailure("sandbox: timed out before reaching the provider")
        if instruction.account_number.endswith("0000"):
            raise PermanentFailure("AC04", "The bank account is closed.")
        if "declined" in instruction.card_token:
            raise PermanentFailure("AG01", "The card issuer declined the payment.")
        payee = instruction.account_number[-4:] or instruction.card_token[-4:]
        try:
            with transaction.atomic():
                record = ProviderRecord.objects.create(
                    adapter=self.name,
                    idempotency_key=instruction.idempotency_key,
                    reference=f"sbx_{uuid.uuid4().hex[:20]}",
                    amount_minor=instruction.amount_minor,
                    currency=instruction.currency,
                    payee=f"{instruction.holder_name[:150]} ••••{payee}",
                )
        except IntegrityError:
            # Seen this key before: answer with the first payment, pay nothing.
            ProviderRecord.objects.filter(
                adapter=self.name, idempotency_key=instruction.idempotency_key
            ).update(calls=F("calls") + 1)
            record = ProviderRecord.objects.get(
                adapter=self.name, idempotency_key=instruction.idempotency_key
            )
            if (record.amount_minor, record.currency) != (
                instruction.amount_minor,
                instruction.currency,
            ):
                raise PermanentFailure(
                    "DU01", "This idempotency key was used for a different amount."
                ) from None
        if self.rng.random() < self.lost_response_rate:
            raise TemporaryFailure("sandbox: the payment went through but the answer was lost")
        return PaymentResult(reference=record.reference)

    def statement(self) -> list[StatementLine]:
        return [
            StatementLine(r.idempotency_key, r.reference, r.amount_minor, r.currency)
            for r in ProviderRecord.objects.filter(adapter=self.name).order_by("id")
        ]
