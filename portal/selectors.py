"""Reads for the customer portal. Every query is scoped to the signed-in customer."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from claims.eligibility import open_claims as blocking_claims
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, Evidence
from marketplace.models import Customer, Order, OrderLine

# What the customer sees of the timeline: status changes, their files and messages. Internal
# notes and assignments stay with the staff.
CUSTOMER_EVENT_KINDS = (EventKind.STATUS, EventKind.EVIDENCE, EventKind.MESSAGE)


def customer_claims(*, customer: Customer) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(customer=customer)
        .select_related("order_line__product", "order_line__order", "seller", "region")
        .order_by("-submitted_at")
    )


def customer_orders(*, customer: Customer) -> QuerySet[Order]:
    open_claims = blocking_claims().only("id", "reference", "order_line_id", "status")
    lines = OrderLine.objects.select_related("product", "seller").prefetch_related(
        Prefetch("claims", queryset=open_claims, to_attr="open_claims")
    )
    return (
        Order.objects.filter(customer=customer)
        .select_related("region")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-placed_at")
    )


def customer_order_line(*, customer_id: int, line_id: int) -> OrderLine:
    """The customer's own order line, or 404 (never 403: no hint that it exists)."""
    try:
        # get(), not first(): no ORDER BY over the joined order's default ordering.
        return OrderLine.objects.select_related("order__region", "product", "seller").get(
            pk=line_id, order__customer_id=customer_id
        )
    except OrderLine.DoesNotExist:
        raise Http404 from None


def customer_claim(*, customer: Customer, reference: str) -> Claim:
    try:
        return (
            customer_claims(customer=customer)
            .prefetch_related("losses", "evidence")
            .order_by()
            .get(reference=reference)
        )
    except Claim.DoesNotExist:
        raise Http404 from None


def customer_evidence(*, customer: Customer, reference: str, evidence_id: int) -> Evidence:
    try:
        return Evidence.objects.select_related("claim").get(
            pk=evidence_id, claim__reference=reference, claim__customer=customer
        )
    except Evidence.DoesNotExist:
        raise Http404 from None


def claim_timeline(*, claim: Claim) -> list[ClaimEvent]:
    return list(
        ClaimEvent.objects.filter(claim=claim, kind__in=CUSTOMER_EVENT_KINDS).order_by(
            "created_at", "id"
        )
    )


def claim_info_request(*, claim: Claim) -> str:
    """What staff asked for in the latest information request."""
    return (
        ClaimEvent.objects.filter(claim=claim, to_status=ClaimStatus.NEEDS_INFO)
        .order_by("-created_at", "-id")
        .values_list("reason", flat=True)
        .first()
        or ""
    )


def party_payment_for(*, claim):
    """The seller's (or insurer's) own payment of this claim, if they pay it."""
    from sellers.models import PartyPayment

    return PartyPayment.objects.filter(claim=claim).first()
