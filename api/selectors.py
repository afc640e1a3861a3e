"""Reads for the API, always scoped to the calling client's own objects."""

from django.db.models import Exists, OuterRef, QuerySet

from api.models import ApiClient, ClientKind
from claims.models import Claim
from sellers.models import ResponseDecision, SellerResponse


def claims_for_client(*, client: ApiClient) -> QuerySet[Claim]:
    """A seller's client: its claims the seller has been told about (never one still being
    screened or held for fraud before notice). An insurer's: the claims a seller handed to its
    address. Any other client: none."""
    base = Claim.objects.select_related("region", "order_line__order", "order_line__product")
    if client.kind == ClientKind.SELLER:
        return base.filter(seller_id=client.seller_id, seller_notice__isnull=False)
    if client.kind == ClientKind.INSURER:
        handed = SellerResponse.objects.filter(
            claim=OuterRef("pk"),
            decision=ResponseDecision.INSURER,
            insurer_email__iexact=client.insurer_email,
        )
        return base.filter(Exists(handed))
    return base.none()
