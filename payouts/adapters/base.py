"""The payment adapter interface.

``send`` moves money once per idempotency key: calling it again with the same key must never
pay twice (it returns the first payment's reference). It raises ``TemporaryFailure`` when the
outcome is unknown or the provider is unavailable (the caller retries with the same key later)
and ``PermanentFailure`` when the provider refuses (staff must act: correct the payee details,
then resend with the same key).
"""

import abc
from dataclasses import dataclass


class TemporaryFailure(Exception):
    """Timeout, connection error, provider unavailable: retry later with the same key."""


class PermanentFailure(Exception):
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


class PaymentAdapter(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def send(self, instruction: PaymentInstruction) -> PaymentResult: ...

    @abc.abstractmethod
    def statement(self) -> list[StatementLine]:
        """Every payment the provider made, for the reconciliation command."""
