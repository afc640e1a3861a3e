"""The payment adapter interface.

``send`` moves money once per idempotency key: calling it again with the same key must never
pay twice (it returns the first payment's reference). It raises ``TemporaryFailure`` when the
outcome is unknown or the provider is unavailable (the caller retries with the same key later)
and ``PermanentFailure`` when the provider refuses (staff must act: correct the payee details,
then resend with the same key).

``send_many`` does the same for a batch, answering each instruction with its ``PaymentResult``
or the ``TemporaryFailure`` / ``PermanentFailure`` it met. Its default calls ``send`` for each,
so every adapter works in batches; an adapter with a batch API (or its own database) overrides
it. Any other exception is an error nobody expected and propagates: payments already made in
the batch are then paid again under the same keys once the sender's lease runs out, which the
provider answers with the first payments.
"""

import abc
from collections.abc import Sequence
from dataclasses import dataclass


class TemporaryFailure(Exception):
    """Timeout, connection error, provider unavailable: retry later with the same key."""


class PermanentFailure(Exception):
    """The provider (or the bank's return file) refused the payment, with its reason code."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class PaymentInstruction:
    idempotency_key: str
    amount_minor: int
    currency: str
    payee_kind: str
    holder_name: str
    bank_code: str
    account_number: str
    card_token: str
    remittance: str  # what the customer sees on their statement (the claim reference)


@dataclass(frozen=True)
class PaymentResult:
    reference: str


@dataclass(frozen=True)
class StatementLine:
    """One payment as the provider knows it, for reconciliation."""

    idempotency_key: str
    reference: str
    amount_minor: int
    currency: str


Outcome = PaymentResult | TemporaryFailure | PermanentFailure


class PaymentAdapter(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def send(self, instruction: PaymentInstruction) -> PaymentResult: ...

    def send_many(self, instructions: Sequence[PaymentInstruction]) -> list[Outcome]:
        """One outcome per instruction, in order. Never called inside a transaction."""
        outcomes: list[Outcome] = []
        for instruction in instructions:
            try:
                outcomes.append(self.send(instruction))
            except (TemporaryFailure, PermanentFailure) as exc:
                outcomes.append(exc)
        return outcomes

    @abc.abstractmethod
    def statement(self) -> list[StatementLine]:
        """Every payment the provider made, for the reconciliation command."""


def outcome_or_raise(outcome: Outcome) -> PaymentResult:
    """``send`` in terms of ``send_many`` for a batch of one."""
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@dataclass(frozen=True)
class Recorded:
    reference: str
    amount_minor: int
    currency: str


def records_upsert(*, adapter: str, rows: Sequence[tuple[PaymentInstruction, str, str]]) -> dict:
    """The memory of the providers that live in this database (``ProviderRecord``): record each
    ``(instruction, reference, payee)`` once per idempotency key, in one statement; a key seen
    before counts one more call and keeps its first payment. Returns ``{key: Recorded}`` with
    what the provider holds for each key (the first payment's reference and amount)."""
    from django.db import connection
    from django.utils import timezone

    by_key = {
        instruction.idempotency_key: (instruction, ref, payee) for instruction, ref, payee in rows
    }
    if not by_key:
        return {}
    now = timezone.now()
    values, params = [], []
    for instruction, reference, payee in by_key.values():
        values.append("(%s, %s, %s, %s, %s, %s, 1, '', %s)")
        params += [
            adapter,
            instruction.idempotency_key,
            reference,
            instruction.amount_minor,
            instruction.currency,
            payee,
            now,
        ]
    sql = f"""
        INSERT INTO payouts_providerrecord (adapter, idempotency_key, reference, amount_minor,
                                            currency, payee, calls, batch_file, created_at)
        VALUES {", ".join(values)}
        ON CONFLICT (adapter, idempotency_key) DO UPDATE
           SET calls = payouts_providerrecord.calls + 1
        RETURNING idempotency_key, reference, amount_minor, currency
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            key: Recorded(ref, amount, currency) for key, ref, amount, currency in cursor.fetchall()
        }
