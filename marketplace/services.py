"""Upserts of what the project mirrors from the order system, by the marketplace's ids.

Each takes rows already validated by ``marketplace.rows`` and writes all of them in the
caller's transaction (the API's request, the import's run): all or nothing."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import Seller, SellerMonthlyGross


@dataclass
class UpsertResult:
    rows: int = 0
    orders: int = 0
    customers: int = 0
    sellers: int = 0
    products: int = 0
    gross_months: int = 0


def _customer_values(c: dict) -> dict:
    return {
        "name": c["name"],
        "email": c["email"],
        "phone": c["phone"],
        "address_line1": c["address_line1"],
        "address_line2": c["address_line2"],
        "city": c["city"],
        "postal_code": c["postal_code"],
        "country": c["country"],
        "subdivision": c.get("subdivision", "").upper(),
        "account_created_on": c["customer_since"],
    }


@transaction.atomic
def customers_upsert(*, rows: list[dict]) -> list[Customer]:
    return [
        Customer.objects.update_or_create(
            marketplace_id=c["customer_id"], defaults=_customer_values(c)
        )[0]
        for c in rows
    ]


@transaction.atomic
def sellers_upsert(*, rows: list[dict]) -> list[Seller]:
    """A seller keeps the region and currency it was created with; its name and e-mail follow
    the order system. Monthly gross sent with it replaces those months' figures."""
    sellers = []
    for c in rows:
        region = c["region"]
        seller, _ = Seller.objects.update_or_create(
            marketplace_id=c["seller_id"],
            defaults={"legal_name": c["name"], "email": c["email"]},
            create_defaults={
                "legal_name": c["name"],
                "email": c["email"],
                "region": region,
                "currency": region.currency,
            },
        )
        if c.get("monthly_gross"):
            gross_upsert(
                rows=[
                    {
                        "seller_id": seller.marketplace_id,
                        "month": m["month"],
                        "currency": seller.currency,
                        "gross_minor": m["gross_minor"],
                    }
                    for m in c["monthly_gross"]
                ]
            )
        sellers.append(seller)
    return sellers


@transaction.atomic
def gross_upsert(*, rows: list[dict]) -> int:
    """Store each seller's month; a month sent again takes the new figure."""
    if not rows:
        return 0
    sellers = dict(
        Seller.objects.filter(marketplace_id__in={r["seller_id"] for r in rows}).values_list(
            "marketplace_id", "pk"
        )
    )
    now = timezone.now()
    SellerMonthlyGross.objects.bulk_create(
        [
            SellerMonthlyGross(
                seller_id=sellers[r["seller_id"]],
                month=r["month"],
                currency=r["currency"],
                gross_minor=r["gross_minor"],
                imported_at=now,
            )
            for r in rows
        ],
        update_conflicts=True,
        unique_fields=["seller", "month"],
        update_fields=["currency", "gross_minor", "imported_at"],
    )
    return len(rows)


@transaction.atomic
def _gtin(text: str) -> str:
    """A GTIN/UPC as its digits (recall lists write them with spaces or dashes)."""
    return "".join(ch for ch in text if ch.isdigit())[:14]


def products_upsert(*, rows: list[dict]) -> list[Product]:
    sellers = {
        s.marketplace_id: s
        for s in Seller.objects.filter(marketplace_id__in={r["seller_id"] for r in rows})
    }
    return [
        Product.objects.update_or_create(
            marketplace_id=c["product_id"],
            defaults={
                "title": c["title"],
                "category": c["category"],
                "gtin": _gtin(c.get("gtin", "")),
                "model_number": c.get("model_number", ""),
                "seller": sellers[c["seller_id"]],
            },
        )[0]
        for c in rows
    ]


@transaction.atomic
def orders_upsert(*, rows: list[dict]) -> list[Order]:
    customers = {
        c.marketplace_id: c
        for c in Customer.objects.filter(marketplace_id__in={r["customer_id"] for r in rows})
    }
    return [
        Order.objects.update_or_create(
            number=c["order_number"],
            defaults={
                "customer": customers[c["customer_id"]],
                "region": c["region"],
                "currency": c["currency"],
                "placed_at": c["placed_at"],
            },
        )[0]
        for c in rows
    ]


@transaction.atomic
def order_lines_upsert(*, rows: list[dict]) -> tuple[UpsertResult, list[OrderLine]]:
    """Flat order-line rows (``OrderLineRow``): each row's seller, customer, product and order
    are upserted once per batch, then the line."""
    sellers: dict[str, Seller] = {}
    customers: dict[str, Customer] = {}
    products: dict[str, Product] = {}
    orders: dict[str, Order] = {}
    lines: list[OrderLine] = []
    for c in rows:
        region = c["region"]
        seller = sellers.get(c["seller_id"])
        if seller is None:
            seller = sellers_upsert(
                rows=[
                    {
                        "seller_id": c["seller_id"],
                        "name": c["seller_name"],
                        "email": c["seller_email"],
                        "region": region,
                    }
                ]
            )[0]
            sellers[c["seller_id"]] = seller
        customer = customers.get(c["customer_id"])
        if customer is None:
            customer = Customer.objects.update_or_create(
                marketplace_id=c["customer_id"],
                defaults=_customer_values(
                    {
                        **c,
                        "name": c["customer_name"],
                        "email": c["customer_email"],
                        "phone": c["customer_phone"],
                    }
                ),
            )[0]
            customers[c["customer_id"]] = customer
        product = products.get(c["product_id"])
        if product is None:
            product, _ = Product.objects.update_or_create(
                marketplace_id=c["product_id"],
                defaults={
                    "title": c["product_title"],
                    "category": c["product_category"],
                    "gtin": _gtin(c.get("product_gtin", "")),
                    "model_number": c.get("product_model", ""),
                    "seller": seller,
                },
            )
            products[c["product_id"]] = product
        order = orders.get(c["order_number"])
        if order is None:
            order, _ = Order.objects.update_or_create(
                number=c["order_number"],
                defaults={
                    "customer": customer,
                    "region": region,
                    "currency": c["currency"],
                    "placed_at": c["placed_at"],
                },
            )
            orders[c["order_number"]] = order
        line, _ = OrderLine.objects.update_or_create(
            order=order,
            line_number=c["line_number"],
            defaults={
                "product": product,
                "seller": seller,
                "quantity": c["quantity"],
                "currency": c["currency"],
                "unit_price_minor": c["unit_price_minor"],
                "delivered_on": c["delivered_on"],
            },
        )
        lines.append(line)
    result = UpsertResult(
        rows=len(rows),
        orders=len(orders),
        customers=len(customers),
        sellers=len(sellers),
        products=len(products),
    )
    return result, lines
