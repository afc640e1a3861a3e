"""The seller journey in the demo: sellers mid-response, overdue, escalated and in recovery.

Called once from ``claims.demo._demo_seed`` after the claims exist, inside its transaction and
``recorded_only()``: the e-mails are recorded as history, not sent.
"""

import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal

from django.db.models import Min
from PIL import Image, ImageDraw

from claims.actors import Actor
from claims.calendar import add_business_days
from claims.links import link_issue
from claims.models import Claim, ClaimEvent, ClaimStatus, Funding, LinkPurpose
from claims.services import claim_approve, claim_transition
from sellers.models import (
    InsurerRating,
    Recovery,
    RecoveryReason,
    ResponseDecision,
    Seller,
    SellerNotice,
)
from sellers.services.certificates import (
    CertificateInput,
    certificate_refuse,
    certificate_submit,
    certificate_verify,
)
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


def _months_before(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` calendar months before ``today``'s, oldest first."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _certificate_pdf(seller: Seller, policy: str, insurer: str) -> bytes:
    """A one-page scan of the certificate, as a seller would upload it."""
    page = Image.new("RGB", (850, 400), "white")
    draw = ImageDraw.Draw(page)
    for row, text in enumerate(
        [
            "CERTIFICATE OF LIABILITY INSURANCE",
            f"Insured: {seller.legal_name}",
            f"Insurer: {insurer}   Policy: {policy}",
            "Commercial general liability, occurrence-based",
            "Each occurrence 1,000,000   General aggregate 2,000,000",
            "Additional insured: the marketplace   Notice of cancellation: 30 days",
        ]
    ):
        draw.text((30, 30 + 40 * row), text, fill="black")
    out = io.BytesIO()
    page.save(out, "PDF")
    return out.getvalue()


# Monthly gross proceeds (USD cents) by seller position, oldest month first: the first and third
# of every four were over the region's USD 10,000 months ago and must carry insurance; the
# second went over only last month (30 days to get insured); the fourth never did.
DEMO_GROSS = [
    (1_250_000, 1_180_000, 1_320_000),
    (450_000, 520_000, 1_840_000),
    (2_400_000, 2_650_000, 2_210_000),
    (310_000, 280_000, 295_000),
]


def demo_seed_insurance(*, now: dt.datetime, staff_user) -> dict:
    """Monthly gross imported for every demo seller (through the importer, as in production),
    and certificates in each state: verified, awaiting verification, refused, failing policy."""
    from marketplace.importer import orders_import

    sellers = list(Seller.objects.order_by("marketplace_id"))
    lines = ["seller_id,month,currency,gross_proceeds"]
    for i, seller in enumerate(sellers):
        for month, minor in zip(_months_before(now.date(), 3), DEMO_GROSS[i % 4], strict=True):
            lines.append(
                f"{seller.marketplace_id},{month:%Y-%m},{seller.currency},{Decimal(minor).scaleb(-2):.2f}"
            )
    orders_import(data=None, fmt="csv", gross="\n".join(lines), gross_fmt="csv")
    counts = {"verified": 0, "awaiting": 0, "refused": 0}
    today = now.date()
    for i, seller in enumerate(sellers):
        kind = i % 4  # verified, awaiting verification, refused, none
        if kind == 3:
            continue
        insurer = ("Harbor Mutual", "Keystone Casualty", "Northwind Indemnity")[i % 3]
        policy = f"GL-{4_100_000 + i * 7919}"
        data = CertificateInput(
            insurer_name=insurer,
            policy_number=policy,
            occurrence_based=True,
            currency=seller.currency,
            per_occurrence_minor=100_000_000,
            aggregate_minor=200_000_000,
            # The seller typed the deductible wrong; staff correct it from the document.
            deductible_minor=50_000 if kind == 0 else 500_000,
            insurer_rating=InsurerRating.A,
            marketplace_additional_insured=True,
            cancellation_notice_days=30,
            effective_date=today - dt.timedelta(days=120 + i),
            expiry_date=today + dt.timedelta(days=245 - i),
        )
        certificate = certificate_submit(
            seller=seller,
            data=data,
            document=_certificate_pdf(seller, policy, insurer),
            now=now - dt.timedelta(days=12 - i, hours=i),
        )
        if kind == 0:
            certificate_verify(
                certificate=certificate,
                user=staff_user,
                confirmed=replace(data, deductible_minor=500_000),
                now=now - dt.timedelta(days=2),
            )
            counts["verified"] += 1
        elif kind == 2 and i % 8 == 2:
            certificate_refuse(
                certificate=certificate,
                user=staff_user,
                reason="The document names a different business than yours.",
                now=now - dt.timedelta(days=1),
            )
            counts["refused"] += 1
        elif kind == 2:
            # Staff read a claims-made policy with 10 days' notice on the document.
            certificate_verify(
                certificate=certificate,
                user=staff_user,
                confirmed=replace(data, occurrence_based=False, cancellation_notice_days=10),
                now=now - dt.timedelta(days=1),
            )
            counts["refused"] += 1
        else:
            counts["awaiting"] += 1
    return counts


def demo_seed_sellers(*, now: dt.datetime, staff_user) -> dict:
    insurance = demo_seed_insurance(now=now, staff_user=staff_user)
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
        "certificates": insurance,
    }
