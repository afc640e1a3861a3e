"""Recoveries and withholdings in the double-entry ledger: every step balances."""

import datetime as dt

import pytest

from claims.actors import Actor
from claims.services import claim_withdraw
from payouts.ledger import ledger_unbalanced
from payouts.models import Account, LedgerEntry, TransactionKind
from sellers.models import Recovery
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.ledger import recovery_ledger_sync
from sellers.services.recoveries import (
    recovery_appeal,
    recovery_decide,
    recovery_sync,
    withholding_record,
)
from tests.sellers.helpers import OVER, awaiting, run_outbox
from tests.sellers.test_recoveries import _escalated_and_approved

pytestmark = pytest.mark.django_db


def _receivable(claim) -> int:
    rows = LedgerEntry.objects.filter(transaction__claim=claim, account=Account.SELLER_RECEIVABLE)
    return sum(e.debit_minor - e.credit_minor for e in rows)


def test_nothing_is_owed_in_the_ledger_before_the_claim_is_decided():
    # given: an escalated, undecided claim with a recovery opened at the claimed total
    claim, _ = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    assert Recovery.objects.filter(claim=claim).exists()
    # then
    assert _receivable(claim) == 0


def test_decision_posts_the_receivable_once_even_when_synced_again(supervisor):
    # when
    claim, recovery = _escalated_and_approved(supervisor, approved_minor=200_000)
    recovery_ledger_sync(recovery=recovery)
    recovery_sync(claim_id=claim.pk)
    # then
    assert _receivable(claim) == 200_000
    kinds = set(
        LedgerEntry.objects.filter(transaction__claim=claim).values_list(
            "transaction__kind", flat=True
        )
    )
    assert TransactionKind.RECOVERY in kinds
    assert ledger_unbalanced() == []


def test_withholdings_pay_down_the_receivable(supervisor):
    claim, recovery = _escalated_and_approved(supervisor, approved_minor=200_000)
    withholding_record(
        recovery=recovery, amount_minor=50_000, currency="USD", disbursement_reference="D-1"
    )
    withholding_record(
        recovery=recovery, amount_minor=50_000, currency="USD", disbursement_reference="D-1"
    )  # reported twice: posted once
    assert _receivable(claim) == 150_000
    cash = LedgerEntry.objects.filter(transaction__claim=claim, account=Account.CASH)
    assert sum(e.debit_minor for e in cash) == 50_000
    assert ledger_unbalanced() == []


def test_upheld_appeal_writes_off_what_is_still_outstanding(supervisor):
    claim, recovery = _escalated_and_approved(supervisor, approved_minor=200_000)
    withholding_record(
        recovery=recovery, amount_minor=30_000, currency="USD", disbursement_reference="D-9"
    )
    recovery_appeal(
        recovery=recovery,
        actor=Actor.seller(claim.seller),
        reason="The product was counterfeit, not ours.",
    )
    recovery_decide(
        recovery=recovery, actor=Actor.staff(supervisor), uphold=True, note="Counterfeit confirmed."
    )
    assert _receivable(claim) == 0
    assert ledger_unbalanced() == []


def test_withdrawn_claim_owes_nothing():
    claim, _ = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    claim_withdraw(claim=claim, actor=Actor.customer(claim.customer))
    run_outbox("sellers.recovery_sync")
    assert _receivable(claim) == 0
    assert not LedgerEntry.objects.filter(transaction__claim=claim).exists()
