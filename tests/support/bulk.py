"""Claims in bulk, for tests and benchmarks that need hundreds of thousands of them: one
customer, order and order line per claim, each customer with bank payee details. Set-based
(``bulk_create`` in chunks), no services: callers state the status they need."""

import datetime as dt

from django.utils import timezone

from claims.models import Claim, ClaimStatus, Funding, IncidentKind, LossItem, Region
from marketplace.models import Customer, Order, OrderLine, Product
from payouts.models import PayeeDetails


def claims_with_payees(
    n: int,
    *,
    tag: str,
    product: Product,
    status: str = ClaimStatus.UNDER_REVIEW,
    loss_items: bool = False,
    first: int = 0,
    chunk: int = 5000,
) -> list[Claim]:
    """``n`` US claims numbered from ``first``, claim i of 10.00 + i cents, in ``status``.

    ``tag`` and the numbers make the references, order numbers and customer ids: calls with
    another tag, or numbers that do not overlap, can load the same database. An approved claim
    comes with its approved total and concession funding; ``loss_items`` adds one property loss
    to each claim."""
    region = Region.objects.get(code="US")
    seller = product.seller
    now = timezone.now()
    approved = status == ClaimStatus.APPROVED
    claims: list[Claim] = []
    for start in range(first, first + n, chunk):
        numbers = range(start, min(start + chunk, first + n))
        customers = Customer.objects.bulk_create(
            Customer(
                marketplace_id=f"C-{tag}{i:07d}",
                name=f"Customer {i}",
                email=f"c{i}@example.test",
            )
            for i in numbers
        )
        orders = Order.objects.bulk_create(
            Order(
                number=f"{tag}-{i:07d}",
                customer=c,
                region=region,
                currency="USD",
                placed_at=now - dt.timedelta(days=20),
            )
            for i, c in zip(numbers, customers, strict=True)
        )
        lines = OrderLine.objects.bulk_create(
            OrderLine(
                order=o,
                line_number=1,
                product=product,
                seller=seller,
                quantity=1,
                currency="USD",
                unit_price_minor=4999,
            )
            for o in orders
        )
        batch = Claim.objects.bulk_create(
            Claim(
                reference=f"PL-US-2026-{tag}{i:07d}",
                region=region,
                customer=c,
                order_line=line,
                seller=seller,
                incident_date=(now - dt.timedelta(days=10)).date(),
                incident_kind=IncidentKind.PROPERTY_DAMAGE,
                description="Scorched floor.",
                currency="USD",
                claimed_total_minor=1_000 + i,
                approved_total_minor=1_000 + i if approved else None,
                funding=Funding.CONCESSION if approved else Funding.UNDECIDED,
                status=status,
                status_changed_at=now,
            )
            for i, c, line in zip(numbers, customers, lines, strict=True)
        )
        if loss_items:
            LossItem.objects.bulk_create(
                LossItem(
                    claim=c, kind="property", currency="USD", claimed_minor=c.claimed_total_minor
                )
                for c in batch
            )
        PayeeDetails.objects.bulk_create(
            PayeeDetails(
                customer=c,
                kind="bank_account",
                holder_name=c.name,
                bank_code="021000021",
                account_number=f"7{i:07d}1",  # never ends in 0000 (a closed account)
            )
            for i, c in zip(numbers, customers, strict=True)
        )
        claims += batch
    return claims
