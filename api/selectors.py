"""Reads for the API, always scoped to the calling client's own objects."""

from django.db.models import Exists, OuterRef, QuerySet

from api.models import ApiClient, ClientKind
from claims.models import Claim, ClaimEvent
from sellers.models import ResponseDecision, SellerResponse


def claims_for_client(*, client: ApiClient) -> QuerySet[Claim]:
    """A seller's client: its claims once they were sent to the seller (entered *awaiting
    seller*; never one still being screened or held for fraud). An insurer's: the claims a
    seller handed to its address. Any other client: none. Webhooks reach the same clients
    (``webhooks.services``)."""
    base = Claim.objects.select_related("region", "order_line__order", "order_line__product")
    if client.kind == ClientKind.SELLER:
        sent = ClaimEvent.objects.filter(claim=OuterRef("pk"), to_status="awaiting_seller")
        return base.filter(Exists(sent), seller_id=client.seller_id)
    if client.kind == ClientKind.INSURER:
        handed = SellerResponse.objects.filter(
            claim=OuterRef("pk"),
            decision=ResponseDecision.INSURER,
            insurer_email__iexact=client.insurer_email,
        )
        return base.filter(Exists(handed))
    return base.none()
