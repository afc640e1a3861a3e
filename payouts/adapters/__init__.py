"""Payment adapters: one interface, a real default on one machine, a sandbox for the demo."""

from django.conf import settings
from django.utils.module_loading import import_string

from payouts.adapters.base import (
    PaymentAdapter,
    PaymentInstruction,
    PaymentResult,
    PermanentFailure,
    TemporaryFailure,
)

__all__ = [
    "PaymentAdapter",
    "PaymentInstruction",
    "PaymentResult",
    "PermanentFailure",
    "TemporaryFailure",
    "get_adapter",
]


def get_adapter() -> PaymentAdapter:
    """The adapter named by ``settings.PAYOUT_ADAPTER`` (a dotted path to a class)."""
    return import_string(settings.PAYOUT_ADAPTER)()
