"""The demo's money agrees with its claims, shows every funding path, and the reconciliation
says so."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.demo import DEMO_CUSTOMER_EMAIL
from claims.models import MARKETPLACE_FUNDING, Claim, ClaimStatus, Funding
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
from payouts.services.funding import funding_for
from sellers.models import (
    PartyPayment,
    PartyPaymentStatus,
    Recovery,
    RecoveryReason,
    RecoveryStatus,
    ResponseParty,
)

pytestmark = pytest.mark.django_db
S = ClaimStatus
PP = PartyPaymentStatus


def test_demo_shows_every_funding_path_and_reconciles(capsys):
    call_command("seed_demo")
    assert Claim.objects.filter(status=ClaimStatus.APPROVED).exists()
    assert ApprovalRequest.objects.filter(status=RequestStatus.PENDING).count() == 2
    failed = Payout.objects.get(status=PayoutStatus.FAILED)
    # refused by the bank on its one attempt (the payout's page counts it)
    assert (failed.failure_code, failed.attempts) == ("AC04", 1)
    returned = Payout.objects.get(status=PayoutStatus.RETURNED)
    assert returned.claim.status == ClaimStatus.UNDER_REVIEW
    # every claim the marketplace pays, past payout pending, has its one payout, in the state
    # its claim implies; a claim its seller or insurer paid has none
    marketplace = Claim.objects.filter(funding__in=MARKETPLACE_FUNDING)
    for claim in marketplace.filter(status__in=[ClaimStatus.PAID, ClaimStatus.CLOSED]):
        assert claim.payouts.get().status == PayoutStatus.PAID
    for claim in marketplace.filter(status=ClaimStatus.PAYOUT_PENDING):
        assert claim.payouts.get().status in (PayoutStatus.PENDING, PayoutStatus.FAILED)
    assert not Payout.objects.exclude(claim__funding__in=MARKETPLACE_FUNDING).exists()
    # a customer is asked for payment details, and a staff change awaits a second approver
    asked = Claim.objects.get(
        status=ClaimStatus.APPROVED,
        funding__in=MARKETPLACE_FUNDING,
        customer__payee__isnull=True,
    )
    assert not Payout.objects.filter(claim__customer=asked.customer, status="failed").exists()
    change = PayeeChange.objects.get(status=PayeeChangeStatus.PENDING)
    assert change.requested_by.username == "agent" and change.account_number == "7700112233"
    assert ledger_unbalanced() == []
    assert reconcile(statement=SandboxAdapter().statement(), adapter_name="sandbox") == []

    # Every funding path (checked here: seeding the demo takes a while).
    # No claim is funded otherwise than the policy says.
    for claim in Claim.objects.exclude(funding=Funding.UNDECIDED).select_related("region"):
        assert claim.funding == funding_for(claim=claim).funding, claim.reference

    # 1. concessions, paid by the marketplace
    assert Claim.objects.filter(
        funding=Funding.CONCESSION, status=S.PAID, payouts__status=PayoutStatus.PAID
    ).exists()
    # 2. and 4. accepted and paid by the seller, and by the insurer it handed the claim to,
    # confirmed by the customer: paid, with no marketplace payout
    for funding, party in (
        (Funding.SELLER, ResponseParty.SELLER),
        (Funding.INSURER, ResponseParty.INSURER),
    ):
        claim = Claim.objects.get(funding=funding, status=S.PAID)
        assert (claim.party_payment.party, claim.party_payment.status) == (party, PP.CONFIRMED)
        assert claim.approved_total_minor > claim.region.threshold_minor
        assert not claim.payouts.exists()
    # 3. accepted, not paid by the deadline: the marketplace stepped in, pays and recovers
    stepped = PartyPayment.objects.get(status=PP.STEPPED_IN).claim
    assert (stepped.funding, stepped.status) == (Funding.STEP_IN, S.PAYOUT_PENDING)
    assert stepped.payouts.get().amount_minor == stepped.approved_total_minor
    recovery = stepped.recoveries.get(reason=RecoveryReason.STEP_IN)
    assert recovery.amount_minor == stepped.approved_total_minor
    assert recovery.appeal_due is not None
    # 5. a payment still due, its deadline ahead; one recorded, for the demo customer to confirm
    due = PartyPayment.objects.get(status=PP.DUE)
    assert due.due_at > timezone.now() and due.claim.status == S.APPROVED
    asked = PartyPayment.objects.get(status=PP.RECORDED)
    assert asked.claim.customer.email == DEMO_CUSTOMER_EMAIL
    assert asked.claim.status == S.APPROVED and asked.confirm_by > timezone.now()
    # 6. an escalated step-in decided with four eyes, its recovery partly withheld
    withheld = Recovery.objects.get(reason=RecoveryReason.STEP_IN, withheld_minor__gt=0)
    assert (withheld.claim.funding, withheld.claim.status) == (Funding.STEP_IN, S.APPROVED)
    assert withheld.amount_minor == withheld.claim.approved_total_minor
    assert withheld.status == RecoveryStatus.OPEN
    decision = withheld.claim.events.get(to_status=S.APPROVED)
    assert decision.data["four_eyes"] is True and "funding_override" not in decision.data
    # 7. a recovery under appeal
    assert Recovery.objects.filter(status=RecoveryStatus.APPEALED).exists()
    # 8. two step-ins awaiting a second approver, funded as the policy says
    for request in ApprovalRequest.objects.filter(status=RequestStatus.PENDING):
        assert request.funding == Funding.STEP_IN
        assert "funding_override" not in request.policy
