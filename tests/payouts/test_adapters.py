"""send_many: every adapter sends in batches; the ones with their own memory do it in bulk."""

import pytest
from django.db import transaction

from payouts.adapters import PaymentAdapter, PaymentInstruction, PaymentResult, TemporaryFailure
from payouts.adapters.base import PermanentFailure
from payouts.adapters.pain001 import Pain001FileAdapter
from payouts.adapters.sandbox import SandboxAdapter
from payouts.models import ProviderRecord

pytestmark = pytest.mark.django_db


def _instruction(key: str, amount: int = 1000, account: str = "12345678", **kwargs):
    return PaymentInstruction(
        idempotency_key=key,
        amount_minor=amount,
        currency="USD",
        payee_kind=kwargs.pop("payee_kind", "bank_account"),
        holder_name="J Doe",
        bank_code="021000021",
        account_number=account,
        card_token=kwargs.pop("card_token", ""),
        remittance="Claim PL-1",
    )


class OneAtATime(PaymentAdapter):
    """An adapter that only knows ``send`` (a provider without a batch API)."""

    name = "one"

    def __init__(self):
        self.sent = []

    def send(self, instruction):
        self.sent.append(instruction.idempotency_key)
        if instruction.account_number.endswith("0000"):
            raise PermanentFailure("AC04", "closed")
        if instruction.account_number.endswith("9999"):
            raise TemporaryFailure("timeout")
        return PaymentResult(reference=f"ref-{instruction.idempotency_key}")

    def statement(self):
        return []


def test_default_send_many_calls_send_for_each_and_answers_in_order():
    adapter = OneAtATime()
    outcomes = adapter.send_many(
        [_instruction("a"), _instruction("b", account="10000"), _instruction("c", account="9999")]
    )
    assert adapter.sent == ["a", "b", "c"]
    assert outcomes[0] == PaymentResult("ref-a")
    assert isinstance(outcomes[1], PermanentFailure) and outcomes[1].code == "AC04"
    assert isinstance(outcomes[2], TemporaryFailure)


def test_sandbox_send_many_pays_each_key_once_and_answers_repeats_with_the_first_payment():
    sandbox = SandboxAdapter()
    batch = [_instruction("a"), _instruction("b", account="11110000"), _instruction("c")]
    first = sandbox.send_many(batch)
    again = sandbox.send_many(batch)
    assert isinstance(first[1], PermanentFailure) and first[1].code == "AC04"
    assert again[0] == first[0] and again[2] == first[2]
    records = dict(ProviderRecord.objects.values_list("idempotency_key", "calls"))
    assert records == {"a": 2, "c": 2}
    # the same key for another amount is refused, as a provider would
    (other,) = sandbox.send_many([_instruction("a", amount=999)])
    assert isinstance(other, PermanentFailure) and other.code == "DU01"


def test_sandbox_send_many_refuses_to_run_inside_a_transaction():
    with pytest.raises(RuntimeError, match="inside a database transaction"), transaction.atomic():
        SandboxAdapter().send_many([_instruction("a")])
    assert not ProviderRecord.objects.exists()


def test_bank_file_adapter_records_each_transfer_once_in_bulk():
    adapter = Pain001FileAdapter()
    batch = [_instruction("a"), _instruction("b", payee_kind="card_token", card_token="tok")]
    outcomes = adapter.send_many(batch)
    adapter.send_many(batch)
    assert outcomes[0] == PaymentResult("a")
    assert isinstance(outcomes[1], PermanentFailure) and outcomes[1].code == "NOAC"
    assert list(ProviderRecord.objects.values_list("idempotency_key", "calls")) == [("a", 2)]
