"""Demo money: payee details, payouts and ledger postings that agree with the demo claims.

Called once from ``claims.demo._demo_seed``. The claims the demo walked into payout pending,
paid or closed get the payout and postings they would have had; then, through the services,
two big claims await a second approver, one payout has failed (closed account) for staff to fix
and resend, and one paid payout came back from the bank (reversed, the claim re-opened).
"""

import datetime as dt

from claims.actors import Actor
from claims.demo_documents import medical_invoice_attach
from claims.models import MARKETPLACE_FUNDING, Claim, ClaimEvent, ClaimStatus
from claims.services import claim_transition
from payouts.bank_details import bank_details_parse
from payouts.ledger import accrual_lines, ledger_post, payment_lines
from payouts.models import PayeeDetails, Payout, PayoutStatus, ProviderRecord, TransactionKind
from payouts.services import (
    decision_approve,
    payee_change_request,
    payout_mark_failed,
    payout_return,
)
from payouts.services.payees import fingerprint_of

S = ClaimStatus
CLOSED_ACCOUNT = "4400120000"  # the sandbox declines accounts ending in 0000 (AC04)


def _asked_for_details(claims: list[Claim]) -> Claim | None:
    """The approved claim whose customer is asked for payment details: the demo customer's
    (Jamie Rivera, who signs in with the demo order) when one is approved, else the first."""
    from claims.demo import DEMO_CUSTOMER_EMAIL

    approved = [c for c in claims if c.status == S.APPROVED and c.funding in MARKETPLACE_FUNDING]
    mine = [c for c in approved if c.customer.email == DEMO_CUSTOMER_EMAIL]
    return (mine or approved or [None])[0]


def _payees(claims: list[Claim], *, skip: set[int]) -> None:
    seen = set(skip)
    rows = []
    for i, claim in enumerate(claims):
        customer = claim.customer
        if customer.pk in seen:
            continue
        seen.add(customer.pk)
        if i % 7 == 3:
            kind, bank_code, account, token = "card_token", "", "", f"tok_demo_{customer.pk:06d}x"
        else:
            kind, bank_code, account, token = (
                "bank_account",
                "021000021",
                f"44{customer.pk:06d}17",
                "",
            )
        rows.append(
            PayeeDetails(
                customer=customer,
                kind=kind,
                scheme="us_aba" if account else "",
                holder_name=customer.name,
                bank_code=bank_code,
                account_number=account,
                card_token=token,
                last4=(account or token)[-4:],
                fingerprint=fingerprint_of(
                    kind=kind, bank_code=bank_code, account_number=account, card_token=token
                ),
                confirmed_by_customer=True,
            )
        )
    PayeeDetails.objects.bulk_create(rows)


def _paid_at(claim: Claim) -> dt.datetime:
    at = (
        ClaimEvent.objects.filter(claim=claim, to_status=S.PAID)
        .values_list("created_at", flat=True)
        .first()
    )
    return at or claim.status_changed_at


def _payout(claim: Claim, *, paid: bool) -> Payout:
    key = f"PO-{claim.reference}-1"
    payout = Payout.objects.create(
        claim=claim,
        idempotency_key=key,
        amount_minor=claim.approved_total_minor,
        currency=claim.currency,
        funding=claim.funding,
        status=PayoutStatus.PAID if paid else PayoutStatus.PENDING,
        adapter="sandbox" if paid else "",
        provider_reference=f"sbx_demo_{claim.pk:06d}" if paid else "",
        attempts=1 if paid else 0,
        created_at=claim.status_changed_at,
        paid_at=_paid_at(claim) if paid else None,
    )
    ledger_post(
        kind=TransactionKind.ACCRUAL,
        currency=payout.currency,
        lines=accrual_lines(funding=payout.funding, amount=payout.amount_minor),
        idempotency_key=f"{key}:accrual",
        claim=claim,
        payout=payout,
        memo=f"{claim.reference} approved ({claim.funding})",
    )
    if paid:
        ProviderRecord.objects.create(
            adapter="sandbox",
            idempotency_key=key,
            reference=payout.provider_reference,
            amount_minor=payout.amount_minor,
            currency=payout.currency,
            payee=claim.customer.name,
            created_at=payout.paid_at,
        )
        ledger_post(
            kind=TransactionKind.PAYOUT,
            currency=payout.currency,
            lines=payment_lines(amount=payout.amount_minor),
            idempotency_key=f"{key}:paid",
            claim=claim,
            payout=payout,
            memo=f"{claim.reference} paid, sandbox {payout.provider_reference}",
        )
    return payout


def _payee_change_waiting(*, users: dict, claims: list[Claim], skip: set[int]) -> int:
    target = next(
        (c for c in claims if c.status == S.UNDER_REVIEW and c.customer_id not in skip), None
    )
    if target is None:
        return 0
    details = bank_details_parse(
        scheme="us_aba",
        data={
            "holder_name": target.customer.name,
            "routing_number": "011000015",
            "account_number": "7700112233",
        },
    )
    payee_change_request(
        customer=target.customer,
        user=users["agent"],
        details=details,
        reason="Customer phoned: new account at another bank.",
    )
    return 1


def demo_seed_payouts(*, users: dict, now: dt.datetime) -> dict:
    claims = list(Claim.objects.select_related("customer", "region").order_by("id"))
    # One approved claim waits for its customer's payment details (its payout waits too; the
    # beat job reminds the customer).
    asked = _asked_for_details(claims)
    skip = {asked.customer_id} if asked else set()
    _payees(claims, skip=skip)
    pending = [
        c for c in claims if c.status == S.PAYOUT_PENDING and c.funding in MARKETPLACE_FUNDING
    ]
    # The marketplace's own payouts; a claim its seller or insurer paid has none.
    paid = [
        c for c in claims if c.status in (S.PAID, S.CLOSED) and c.funding in MARKETPLACE_FUNDING
    ]
    for claim in pending:
        _payout(claim, paid=False)
    paid_payouts = [_payout(claim, paid=True) for claim in paid]

    # A payout that failed: the customer's bank account is closed; staff fix it and resend.
    failed = Payout.objects.filter(status=PayoutStatus.PENDING).order_by("id").first()
    if failed:
        PayeeDetails.objects.filter(customer=failed.claim.customer).update(
            account_number=CLOSED_ACCOUNT,
            kind="bank_account",
            bank_code="021000021",
            card_token="",
            last4=CLOSED_ACCOUNT[-4:],
            fingerprint=fingerprint_of(
                kind="bank_account",
                bank_code="021000021",
                account_number=CLOSED_ACCOUNT,
                card_token="",
            ),
        )
        # Its one attempt, which the bank refused (the demo's history is recorded, not sent: the
        # sandbox is never called inside the seeding's transaction).
        Payout.objects.filter(pk=failed.pk).update(attempts=1)
        payout_mark_failed(payout_id=failed.pk, code="AC04", message="The bank account is closed.")
    # A payout the bank sent back: reversed in the ledger, the claim re-opened for review.
    returned = next((p for p in paid_payouts if p.claim.status == S.PAID), None)
    if returned:
        payout_return(
            payout=returned,
            actor=Actor.system("bank returns"),
            reason_code="AC01",
            reason="Incorrect account number.",
        )
    # Big escalated claims taken up and approved by a supervisor, awaiting a second approver;
    # the funding is the policy's (the seller let the deadline pass: a step-in).
    supervisor = Actor.staff(users["supervisor"])
    waiting = 0
    for claim in Claim.objects.filter(status=S.ESCALATED).order_by("-claimed_total_minor")[:2]:
        if claim.claimed_total_minor <= claim.region.threshold_minor:
            break
        claim = claim_transition(
            claim=claim, to=S.UNDER_REVIEW, actor=supervisor, reason="Stepping in.", now=now
        )
        medical_invoice_attach(claim)
        decision_approve(
            claim=claim,
            actor=supervisor,
            approved={i.pk: i.claimed_minor for i in claim.losses.all()},
            note="Medical bills checked against the ER invoice.",
        )
        waiting += 1
    # Four eyes on payee details: an agent asked to change a customer's bank account; a
    # supervisor other than the agent approves or rejects it (admin: Payee change requests).
    requested = _payee_change_waiting(users=users, claims=claims, skip=skip)
    return {
        "asked_for_payment_details": asked.reference if asked else "",
        "payee_change_waiting": requested,
        "payouts": Payout.objects.count(),
        "failed": 1 if failed else 0,
        "returned": 1 if returned else 0,
        "awaiting_second_approver": waiting,
    }
