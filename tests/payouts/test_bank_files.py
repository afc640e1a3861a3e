"""The real default adapter: ISO 20022 pain.001 files out, pain.002 returns in; reconciliation."""

import pytest
from defusedxml.ElementTree import fromstring
from django.core.management import CommandError, call_command

from claims.models import ClaimStatus
from payouts.adapters.pain001 import (
    NS,
    Pain001FileAdapter,
    ReturnedTransfer,
    batch_write,
    returns_document,
)
from payouts.models import Payout, PayoutStatus, ProviderRecord
from payouts.reconcile import reconcile
from payouts.services import payouts_send_due
from tests.payouts.helpers import approved_claim, deliver_payout_messages

pytestmark = pytest.mark.django_db
Q = f"{{{NS}}}"


@pytest.fixture(autouse=True)
def _bank(settings, tmp_path):
    settings.PAYOUT_ADAPTER = "payouts.adapters.pain001.Pain001FileAdapter"
    settings.PAYOUT_BANK_DIR = str(tmp_path / "bank")
    return tmp_path / "bank"


def _paid(n: int) -> list[Payout]:
    for i in range(n):
        approved_claim(amount_minor=250_00 + i)
    deliver_payout_messages()
    payouts_send_due(adapter=Pain001FileAdapter())
    payouts_send_due(adapter=Pain001FileAdapter())  # a second run sends nothing twice
    return list(Payout.objects.order_by("id"))


def test_transfers_go_into_one_pain001_file_per_run_keyed_by_the_payout(_bank):
    payouts = _paid(3)
    assert {p.status for p in payouts} == {PayoutStatus.PAID}
    assert [p.provider_reference for p in payouts] == [p.idempotency_key for p in payouts]
    assert ProviderRecord.objects.filter(adapter="pain001").count() == 3
    # when
    path = batch_write()
    # then: one valid pain.001 with the three transfers; the next run has nothing to write
    assert path.parent == _bank / "outgoing"
    doc = fromstring(path.read_bytes())
    assert doc.findtext(f"{Q}CstmrCdtTrfInitn/{Q}GrpHdr/{Q}NbOfTxs") == "3"
    ids = [e.text for e in doc.iter(f"{Q}EndToEndId")]
    assert ids == [p.idempotency_key for p in payouts]
    amounts = [(e.text, e.get("Ccy")) for e in doc.iter(f"{Q}InstdAmt")]
    # each transfer carries its own payout's amount, whatever order the payouts were made in
    assert amounts == [
        (f"{p.amount_minor // 100}.{p.amount_minor % 100:02d}", p.currency) for p in payouts
    ]
    assert sorted(amounts) == [("250.00", "USD"), ("250.01", "USD"), ("250.02", "USD")]
    assert doc.findtext(f".//{Q}CtrlSum") == "750.03"
    assert batch_write() is None
    # the file carries the full account numbers; the records kept them sealed meanwhile
    assert [e.text for e in doc.iter(f"{Q}Id") if e.text == "12345678"]
    assert all(r.payee.startswith("enc1$") for r in ProviderRecord.objects.all())


def test_bank_returns_are_imported_once_and_reconcile(tmp_path):
    payouts = _paid(2)
    batch_write()
    returned = payouts[0]
    file = tmp_path / "returns.xml"
    file.write_bytes(
        returns_document([ReturnedTransfer(returned.idempotency_key, "AC04", "Account closed")])
    )
    # before the import, reconciliation names the difference
    diffs = reconcile(
        statement=Pain001FileAdapter().statement(),
        adapter_name="pain001",
        returns=[ReturnedTransfer(returned.idempotency_key, "AC04", "")],
    )
    assert [d.kind for d in diffs] == ["returns"]
    with pytest.raises(CommandError, match="1 difference"):
        call_command("reconcile_payouts", "--returns", str(file))
    # when: the return file is imported (twice)
    call_command("import_bank_returns", str(file))
    call_command("import_bank_returns", str(file))
    # then
    returned.refresh_from_db()
    assert returned.status == PayoutStatus.RETURNED and returned.failure_code == "AC04"
    assert returned.claim.status == ClaimStatus.UNDER_REVIEW
    assert returned.transactions.count() == 4
    call_command("reconcile_payouts", "--returns", str(file))  # no difference left


def test_a_bad_return_file_changes_nothing(tmp_path):
    payouts = _paid(1)
    bad = tmp_path / "bad.xml"
    bad.write_text("<Document><NotAReport/></Document>")
    with pytest.raises(CommandError, match="Not a pain.002.*Nothing was imported"):
        call_command("import_bank_returns", str(bad))
    unknown = tmp_path / "unknown.xml"
    unknown.write_bytes(returns_document([ReturnedTransfer("PO-NOPE-1", "AC04", "")]))
    with pytest.raises(CommandError, match="unknown transfer"):
        call_command("import_bank_returns", str(unknown))
    payouts[0].refresh_from_db()
    assert payouts[0].status == PayoutStatus.PAID


def test_reconciliation_reports_every_difference():
    payouts = _paid(2)
    # the provider paid a key nobody here knows, and forgot one of ours
    ProviderRecord.objects.create(
        adapter="pain001",
        idempotency_key="PO-GHOST-1",
        reference="X",
        amount_minor=5,
        currency="USD",
        payee="?",
    )
    ProviderRecord.objects.filter(idempotency_key=payouts[1].idempotency_key).delete()
    # and a payout lost its payment posting's twin: it claims paid but is pending here
    Payout.objects.filter(pk=payouts[0].pk).update(status=PayoutStatus.PENDING)
    diffs = reconcile(statement=Pain001FileAdapter().statement(), adapter_name="pain001")
    text = "\n".join(map(str, diffs))
    assert "PO-GHOST-1: paid by the provider, no payout" in text
    assert f"{payouts[1].idempotency_key}: paid here, not on the provider's statement" in text
    assert f"{payouts[0].idempotency_key}: paid by the provider but pending here" in text
    assert f"{payouts[0].idempotency_key}: pending payout has 1 payout posting(s)" in text


def test_card_tokens_cannot_go_by_bank_transfer():
    from claims.actors import Actor
    from payouts.services import payee_set

    claim = approved_claim(account=None)
    payee_set(
        customer=claim.customer,
        actor=Actor.system(),
        kind="card_token",
        holder_name="Pat",
        card_token="tok_visa_4242abcd",
    )
    deliver_payout_messages()
    payouts_send_due(adapter=Pain001FileAdapter())
    payout = Payout.objects.get(claim=claim)
    assert payout.status == PayoutStatus.FAILED and payout.failure_code == "NOAC"
