"""The seller journey in the demo: sellers mid-response, overdue, escalated and in recovery;
big claims the seller or its insurer accepted, paid by them or, when they did not pay, by the
marketplace.

Called once from ``claims.demo._demo_seed`` after the claims exist, inside its transaction and
``recorded_only()``: the e-mails are recorded as history, not sent.
"""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from claims.actors import Actor
from claims.calendar import claim_add_business_days
from claims.demo_documents import document_pdf, medical_invoice_attach
from claims.lifecycle import Via
from claims.links import link_issue
from claims.models import (
    Claim,
    ClaimEvent,
    ClaimStatus,
    IncidentKind,
    LinkPurpose,
    LossKind,
)
from claims.services import LossInput, claim_create, claim_transition
from marketplace.models import OrderLine
from payouts.models import PayeeDetails
from payouts.services import payee_set
from payouts.services.decisions import approval_second, decision_approve
from payouts.services.pipeline import payouts_create_for_claims
from sellers.models import (
    CertificateStatus,
    InsurerRating,
    PartyPayment,
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
from sellers.services.party_payments import (
    party_payment_answer,
    party_payment_day,
    party_payment_record,
    party_payments_sweep,
)
from sellers.services.recoveries import recovery_appeal, withholding_record
from sellers.services.responses import link_actor, seller_response_submit


def demo_seller_notices() -> None:
    """Every demo claim that reached its seller was notified when it got there (the demo marks
    its outbox done, so the notification's own record is written here): the seller journey's
    claims, then, called again at the end of ``claims.demo.demo_seed``, the claims the later
    demos (other regions, party payments) sent to their sellers."""
    reached = (
        ClaimEvent.objects.filter(to_status=ClaimStatus.AWAITING_SELLER)
        .exclude(claim__seller_notice__isnull=False)
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


def seller_link(claim: Claim, now: dt.datetime):
    """The seller's response link, as the seller notification would have issued it."""
    link, _token = link_issue(
        purpose=LinkPurpose.SELLER_RESPONSE,
        email=claim.seller.email,
        expires_in=claim.seller_respond_by - now + dt.timedelta(days=45),
        claim=claim,
        seller=claim.seller,
    )
    return link


def _approve(claim: Claim, *, users: dict, note: str) -> Claim:
    """Approve everything claimed through the decision service, as ``supervisor``; above the
    four-eyes limit the demo ``admin`` signs as the second approver."""
    result = decision_approve(
        claim=claim,
        actor=Actor.staff(users["supervisor"]),
        approved={item.pk: item.claimed_minor for item in claim.losses.all()},
        note=note,
    )
    if result.request is not None:
        return approval_second(
            request=result.request,
            actor=Actor.staff(users["admin"]),
            note="Second approval: the invoices match the amounts.",
        )
    return result.claim


def _months_before(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` calendar months before ``today``'s, oldest first."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _certificate_pdf(seller: Seller, policy: str, insurer: str) -> bytes:
    """A one-page scan of the certificate, as a seller would upload it."""
    return document_pdf(
        [
            "CERTIFICATE OF LIABILITY INSURANCE",
            f"Insured: {seller.legal_name}",
            f"Insurer: {insurer}   Policy: {policy}",
            "Commercial general liability, occurrence-based",
            "Each occurrence 1,000,000   General aggregate 2,000,000",
            "Additional insured: the marketplace   Notice of cancellation: 30 days",
        ]
    )


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


def demo_seed_sellers(*, now: dt.datetime, users: dict) -> dict:
    insurance = demo_seed_insurance(now=now, staff_user=users["supervisor"])
    demo_seller_notices()
    staff_user = users["supervisor"]
    staff = Actor.staff(staff_user)
    awaiting = list(
        Claim.objects.filter(status=ClaimStatus.AWAITING_SELLER)
        .select_related("seller", "region")
        .order_by("seller_respond_by")
    )
    # Three claims reached their sellers this morning: their deadlines are still ahead.
    fresh = awaiting[-3:]
    for claim in fresh:
        claim.seller_respond_by = claim_add_business_days(
            claim=claim, start=now, days=claim.region.seller_response_business_days
        )
        Claim.objects.filter(pk=claim.pk).update(seller_respond_by=claim.seller_respond_by)
    # Mid-response: one seller handed the claim to their insurer (still awaiting an answer),
    # one disputed and then changed their answer (both versions kept).
    if len(fresh) == 3:
        handed, disputed, overdue = fresh
        seller_response_submit(
            link=seller_link(handed, now),
            decision=ResponseDecision.INSURER,
            insurer_name="Harbor Mutual",
            insurer_email="claims@harbor-mutual.example",
            now=now - dt.timedelta(hours=2),
        )
        link = seller_link(disputed, now)
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
        claim = claim_transition(
            claim=recoveries[0].claim,
            to=ClaimStatus.UNDER_REVIEW,
            actor=staff,
            reason="The seller let the deadline pass: deciding the step-in.",
        )
        # The policy's funding (a step-in); the decision fixes the recovery's amount.
        medical_invoice_attach(claim)
        _approve(claim, users=users, note="Medical bills checked against the ER invoice.")
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


# --- claims the seller (or its insurer) accepted: who pays them -----------------------------

INSURER_EMAIL = "claims@harbor-mutual.example"


def _accepted_claim(
    line: OrderLine, *, filed: dt.datetime, medical: int, users: dict, insurer: str = ""
) -> tuple[Claim, object]:
    """A big injury claim filed ``filed``, sent to its seller, accepted (by the seller, or by
    the insurer it handed the claim to) and approved through the decision service.

    Returns the claim and the link the accepting party answered through."""
    customer = line.order.customer
    claim = claim_create(
        order_line=line,
        incident_date=max(line.delivered_on, (filed - dt.timedelta(days=1)).date()),
        incident_kind=IncidentKind.PERSONAL_INJURY,
        description="The product overheated in use and burned my arm; I needed urgent care.",
        people_injured=1,
        losses=[
            LossInput(kind=LossKind.PURCHASE_PRICE, amount_minor=line.total_minor),
            LossInput(kind=LossKind.MEDICAL, amount_minor=medical, description="Urgent care"),
        ],
        actor=Actor.customer(customer),
        now=filed,
    )
    # Screened, scored low and sent to the seller, as the workers do.
    for to, via, after in (
        (ClaimStatus.SCREENING, Via.SCREENING, dt.timedelta(minutes=5)),
        (ClaimStatus.AWAITING_SELLER, Via.FRAUD, dt.timedelta(hours=1)),
    ):
        claim = claim_transition(
            claim=claim, to=to, actor=Actor.system(via), now=filed + after, via=via
        )
    at = filed + dt.timedelta(days=2)
    link = seller_link(claim, timezone.now())
    if insurer:
        seller_response_submit(
            link=link,
            decision=ResponseDecision.INSURER,
            insurer_name=insurer,
            insurer_email=INSURER_EMAIL,
            now=at,
        )
        # The insurer's own link, as the insurer notification issues it.
        link, _token = link_issue(
            purpose=LinkPurpose.INSURER_RESPONSE,
            email=INSURER_EMAIL,
            expires_in=dt.timedelta(days=45),
            claim=claim,
            seller=claim.seller,
        )
        at += dt.timedelta(days=2)
    seller_response_submit(link=link, decision=ResponseDecision.ACCEPT, now=at)
    claim = claim_transition(
        claim=claim,
        to=ClaimStatus.UNDER_REVIEW,
        actor=Actor.staff(users["supervisor"]),
        reason="Accepted by the payer: checking the amounts.",
        now=at + dt.timedelta(hours=20),
    )
    # The policy's funding: the seller (or insurer) that accepted pays, watched until paid.
    # The invoice the approver checked, on the claim.
    medical_invoice_attach(
        claim,
        heading="URGENT CARE CLINIC - ITEMISED INVOICE",
        filename="urgent-care-invoice.pdf",
    )
    claim = _approve(claim, users=users, note="Urgent-care invoice checked.")
    return claim, link


def _recorded(claim: Claim, link) -> PartyPayment:
    """The accepting party records its payment through its link."""
    payment = PartyPayment.objects.get(claim=claim)
    return party_payment_record(
        payment=payment,
        actor=link_actor(link),
        amount_minor=payment.amount_minor,
        paid_on=party_payment_day(payment, timezone.now()),
        reference=f"ACH-{claim.reference[-6:]}",
    )


def demo_seed_party_payments(
    *, now: dt.datetime, users: dict, customer_email: str, keep_free: str
) -> dict:
    """One claim per way an accepted claim is paid, on order lines nobody claimed yet (the
    demo customer's ``keep_free`` order is left alone; the demo customer owns the claim whose
    recorded payment awaits their confirmation):

    - the seller paid and the customer confirmed it (paid, no marketplace payout);
    - the insurer the seller handed the claim to accepted, paid, and the customer confirmed it;
    - the seller did not pay by the deadline: the payment watch steps in (a step-in, the
      marketplace's payout, a recovery against the seller);
    - a payment still due, its deadline ahead;
    - a payment the seller recorded, that the demo customer is asked to confirm.
    """
    free = list(
        OrderLine.objects.filter(claims__isnull=True)
        .exclude(order__number=keep_free)
        .select_related("order__customer", "seller")
        .order_by("-pk")
    )
    mine = next(line for line in free if line.order.customer.email == customer_email)
    others = [line for line in free if line.order.customer.email != customer_email]
    insured = next(
        line
        for line in others
        if line.seller.certificates.filter(status=CertificateStatus.VALID).exists()
    )
    others = [line for line in others if line != insured]
    paid_line, unpaid_line, due_line = others[:3]
    insurer = insured.seller.certificates.filter(status=CertificateStatus.VALID).first()

    # Paid by the seller, confirmed by the customer.
    paid, link = _accepted_claim(
        paid_line, filed=now - dt.timedelta(days=20), medical=184_000, users=users
    )
    payment = _recorded(paid, link)
    party_payment_answer(payment=payment, actor=Actor.customer(paid.customer), received=True)
    # Handed to the insurer, who accepted and paid; confirmed by the customer.
    insured_claim, link = _accepted_claim(
        insured,
        filed=now - dt.timedelta(days=18),
        medical=412_000,
        users=users,
        insurer=insurer.insurer_name,
    )
    payment = _recorded(insured_claim, link)
    party_payment_answer(
        payment=payment, actor=Actor.customer(insured_claim.customer), received=True
    )
    # Accepted, never paid: the payment watch steps in once the deadline has passed (it runs
    # here as beat would then, so its step is dated after the deadline), and the marketplace's
    # payout is created as the outbox handler would.
    unpaid, _link = _accepted_claim(
        unpaid_line, filed=now - dt.timedelta(days=16), medical=236_000, users=users
    )
    if not PayeeDetails.objects.filter(customer=unpaid.customer).exists():
        payee_set(
            customer=unpaid.customer,
            actor=Actor.customer(unpaid.customer),
            kind="bank_account",
            holder_name=unpaid.customer.name,
            bank_code="021000021",
            account_number=f"44{unpaid.customer.pk:06d}17",
        )
    after = PartyPayment.objects.get(claim=unpaid).due_at + dt.timedelta(minutes=1)
    party_payments_sweep(now=after)
    payouts_create_for_claims(claim_ids=[unpaid.pk], now=after)
    # Approved today: the seller's payment is due, its deadline ahead.
    due, _link = _accepted_claim(
        due_line, filed=now - dt.timedelta(days=9), medical=158_000, users=users
    )
    # The demo customer's claim: the seller recorded paying it; "Did the money arrive?"
    asked, link = _accepted_claim(
        mine, filed=now - dt.timedelta(days=12), medical=129_000, users=users
    )
    _recorded(asked, link)
    return {
        "seller_paid": paid.reference,
        "insurer_paid": insured_claim.reference,
        "stepped_in": unpaid.reference,
        "due": due.reference,
        "to_confirm": asked.reference,
    }
