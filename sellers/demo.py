"""The seller journey in the demo: sellers mid-response, overdue, escalated and in recovery.

Called once from ``claims.demo._demo_seed`` after the claims exist, inside its transaction and
``recorded_only()``: the e-mails are recorded as history, not sent.
"""

import datetime as dt

from django.db.models import Min

from claims.actors import Actor
from claims.calendar import add_business_days
from claims.links import link_issue
from claims.models import Claim, ClaimEvent, ClaimStatus, Funding, LinkPurpose
from claims.services import claim_approve, claim_transition
from sellers.models import Recovery, RecoveryReason, ResponseDecision, SellerNotice
from sellers.services.escalation import claim_escalate_overdue, insurance_window_close
from sellers.services.recoveries import recovery_appeal, recovery_sync, withholding_record
from sellers.services.responses import seller_response_submit


def _notices(now: dt.datetime) -> None:
    """Every demo claim that reached its seller was notified when it got there."""
    reached = (
        ClaimEvent.objects.filter(to_status=ClaimStatus.AWAITING_SELLER)
        .values("claim_id")
        .annotate(at=Min("created_at"))
    )
    claims = Claim.objects.in_bulk([row["claim_id"] for row in reached])
    SellerNotice.objects.bulk_create(
        SellerNotice(
            claim_id=row["claim_id"],
            seller_id=claims[row["claim_id"]].seller_id,
            notified_at=row["at"],
            insurance_proof_due=row["at"]
            + dt.timedelta(days=claims[row["claim_id"]].region.insurance_proof_days),
        )
        for row in reached
    )


def _link(claim: Claim, now: dt.datetime):
    link, _token = link_issue(
        purpose=LinkPurpose.SELLER_RESPONSE,
        email=claim.seller.email,
        expires_in=claim.seller_respond_by - now + dt.timedelta(days=45),
        claim=claim,
        seller=claim.seller,
    )
    return link


def demo_seed_sellers(*, now: dt.datetime, staff_user) -> dict:
    _notices(now)
    staff = Actor.staff(staff_user)
    awaiting = list(
        Claim.objects.filter(status=ClaimStatus.AWAITING_SELLER)
        .select_related("seller", "region")
        .order_by("seller_respond_by")
    )
    # Three claims reached their sellers this morning: their deadlines are still ahead.
    fresh = awaiting[-3:]
    for claim in fresh:
        claim.seller_respond_by = add_business_days(
            region=claim.region, start=now, days=claim.region.seller_response_business_days
        )
        Claim.objects.filter(pk=claim.pk).update(seller_respond_by=claim.seller_respond_by)
    # Mid-response: one seller handed the claim to their insurer (still awaiting an answer),
    # one disputed and then changed their answer (both versions kept).
    if len(fresh) == 3:
        handed, disputed, overdue = fresh
        seller_response_submit(
            link=_link(handed, now),
            decision=ResponseDecision.INSURER,
            insurer_name="Harbor Mutual",
            insurer_email="claims@harbor-mutual.example",
            now=now - dt.timedelta(hours=2),
        )
        link = _link(disputed, now)
        seller_response_submit(
            link=link,
            decision=ResponseDecision.DISPUTE,
            reasons="The heater was used outdoors, against the manual.",
            now=now - dt.timedelta(hours=3),
        )
        seller_response_submit(
            link=link,
            decision=ResponseDecision.DISPUTE,
            reasons="The heater was used outdoors and left on overnight, against the manual.",
            now=now - dt.timedelta(hours=1),
        )
    # Overdue: the sellers who did not answer are escalated by the job, as beat would do.
    escalated = 0
    while True:
        run = claim_escalate_overdue(now=now)
        escalated += run.escalated
        if not run.more:
            break
    # One claim is left overdue: `make run`'s beat escalates it in its first minute.
    still = fresh[2:]
    for claim in still:
        Claim.objects.filter(pk=claim.pk).update(seller_respond_by=now - dt.timedelta(hours=2))
    # In recovery: a step-in claim approved and partly withheld; another under appeal.
    recoveries = list(
        Recovery.objects.filter(reason=RecoveryReason.STEP_IN).select_related("claim")[:2]
    )
    if recoveries:
        claim = recoveries[0].claim
        claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=staff)
        claim_approve(
            claim=claim,
            actor=staff,
            approved={item.pk: item.claimed_minor for item in claim.losses.all()},
            funding=Funding.STEP_IN,
        )
        recovery_sync(claim_id=claim.pk)
        recovery = Recovery.objects.get(pk=recoveries[0].pk)
        withholding_record(
            recovery=recovery,
            amount_minor=recovery.amount_minor // 3,
            currency=recovery.currency,
            disbursement_reference="DISB-2026-11-0001",
            recorded_by=staff_user,
        )
    if len(recoveries) > 1:
        recovery_appeal(
            recovery=recoveries[1],
            actor=Actor.seller(recoveries[1].claim.seller),
            reason="The customer bought it second-hand; we are not the seller of this unit.",
        )
    # Concessions whose insurance-proof window closed without valid proof.
    uninsured = insurance_window_close(now=now, limit=1000)
    return {
        "escalated": escalated,
        "recoveries": Recovery.objects.count(),
        "uninsured_recoveries": uninsured,
        "overdue": len(still),
    }
