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
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from payouts.adapters.base import (
    Outcome,
    PaymentAdapter,
    PaymentInstruction,
    PaymentResult,
    PermanentFailure,
    StatementLine,
    TemporaryFailure,
    outcome_or_raise,
    records_upsert,
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
        return outcome_or_raise(self.send_many([instruction])[0])

    def send_many(self, instructions: Sequence[PaymentInstruction]) -> list[Outcome]:
        """The whole batch in one round trip (one latency, one statement for the records); the
        faults are drawn for each payment, as a provider's batch API reports them."""
        if in_transaction():
            # A real provider is outside our database: never call it inside a transaction.
            raise RuntimeError("the payment provider was called inside a database transaction")
        self._wait()
        outcomes: list[Outcome | None] = []
        accepted = []
        for instruction in instructions:
            outcome = None
            if self.rng.random() < self.timeout_rate:
                outcome = TemporaryFailure("sandbox: timed out before reaching the provider")
            elif instruction.account_number.endswith("0000"):
                outcome = PermanentFailure("AC04", "The bank account is closed.")
            elif "declined" in instruction.card_token:
                outcome = PermanentFailure("AG01", "The card issuer declined the payment.")
            else:
                payee = instruction.account_number[-4:] or instruction.card_token[-4:]
                accepted.append(
                    (
                        instruction,
                        f"sbx_{uuid.uuid4().hex[:20]}",
                        f"{instruction.holder_name[:150]} ••••{payee}",
                    )
                )
            outcomes.append(outcome)
        # Seen a key before: the first payment answers, nothing is paid again.
        records = records_upsert(adapter=self.name, rows=accepted)
        for i, instruction in enumerate(instructions):
            if outcomes[i] is not None:
                continue
            record = records[instruction.idempotency_key]
            if (record.amount_minor, record.currency) != (
                instruction.amount_minor,
                instruction.currency,
            ):
                outcomes[i] = PermanentFailure(
                    "DU01", "This idempotency key was used for a different amount."
                )
            elif self.rng.random() < self.lost_response_rate:
                outcomes[i] = TemporaryFailure(
                    "sandbox: the payment went through but the answer was lost"
                )
            else:
                outcomes[i] = PaymentResult(reference=record.reference)
        return outcomes

    def statement(self) -> list[StatementLine]:
        return [
            StatementLine(r.idempotency_key, r.reference, r.amount_minor, r.currency)
            for r in ProviderRecord.objects.filter(adapter=self.name).order_by("id")
        ]
