"""The demo's money agrees with its claims, and the reconciliation says so."""

import pytest
from django.core.management import call_command

from claims.models import Claim, ClaimStatus
from payouts.adapters.sandbox import SandboxAdapter
from payouts.ledger import ledger_unbalanced
from payouts.models import (
    ApprovalRequest,
    PayeeChange,
    PayeeChangeStatus,
    Payout,
    PayoutStatus,
    RequestStatus,
)
from payouts.reconcile import reconcile

pytestmark = pytest.mark.django_db


def test_demo_shows_approved_awaiting_second_paid_failed_and_reversed(capsys):
    call_command("seed_demo")
    assert Claim.objects.filter(status=ClaimStatus.APPROVED).exists()
    assert ApprovalRequest.objects.filter(status=RequestStatus.PENDING).count() == 2
    assert Payout.objects.filter(status=PayoutStatus.FAILED, failure_code="AC04").count() == 1
    returned = Payout.objects.get(status=PayoutStatus.RETURNED)
    assert returned.claim.status == ClaimStatus.UNDER_REVIEW
    # every claim past payout pending has its one payout, in the state its claim implies
    for claim in Claim.objects.filter(status__in=[ClaimStatus.PAID, ClaimStatus.CLOSED]):
        assert claim.payouts.get().status == PayoutStatus.PAID
    for claim in Claim.objects.filter(status=ClaimStatus.PAYOUT_PENDING):
        assert claim.payouts.get().status in (PayoutStatus.PENDING, PayoutStatus.FAILED)
    # a customer is asked for payment details, and a staff change awaits a second approver
    asked = Claim.objects.get(status=ClaimStatus.APPROVED, customer__payee__isnull=True)
    assert not Payout.objects.filter(claim__customer=asked.customer, status="failed").exists()
    change = PayeeChange.objects.get(status=PayeeChangeStatus.PENDING)
    assert change.requested_by.username == "agent" and change.account_number == "7700112233"
    assert ledger_unbalanced() == []
    assert reconcile(statement=SandboxAdapter().statement(), adapter_name="sandbox") == []
