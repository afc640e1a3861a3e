"""Reads for the customer portal. Every query is scoped to the signed-in customer."""

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404

from claims.eligibility import open_claims as blocking_claims
from claims.evidence import Looker, Viewer, evidence_visible
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
    """The customer's claim; ``claim.evidence.all()`` holds only the files they may see
    (``claims.evidence``): their own, and those addressed to or shared with them."""
    try:
        claim = customer_claims(customer=customer).order_by().get(reference=reference)
    except Claim.DoesNotExist:
        raise Http404 from None
    visible = evidence_visible(claim=claim, looker=Looker(viewer=Viewer.CUSTOMER))
    prefetch_related_objects([claim], "losses", Prefetch("evidence", queryset=visible))
    return claim


def customer_evidence(*, customer: Customer, reference: str, evidence_id: int) -> Evidence:
    """One file of the customer's claim that they may see, or 404."""
    claim = Claim.objects.filter(reference=reference, customer=customer).first()
    if claim is None:
        raise Http404
    looker = Looker(viewer=Viewer.CUSTOMER)
    evidence = evidence_visible(claim=claim, looker=looker).filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return evidence


def claim_timeline(*, claim: Claim) -> list[ClaimEvent]:
    """What the customer sees of the timeline; a file's event only for a file they may see
    (``claims.evidence``), so the seller's evidence is not even named to them."""
    looker = Looker(viewer=Viewer.CUSTOMER)
    visible = set(evidence_visible(claim=claim, looker=looker).values_list("pk", flat=True))
    events = ClaimEvent.objects.filter(claim=claim, kind__in=CUSTOMER_EVENT_KINDS).order_by(
        "created_at", "id"
    )
    return [
        event
        for event in events
        if event.kind != EventKind.EVIDENCE or event.data.get("evidence_id") in visible
    ]


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
