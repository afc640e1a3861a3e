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


def _upsert(model, objs: list, *, unique: list[str], update: list[str]) -> list:
    """``INSERT … ON CONFLICT (unique) DO UPDATE SET update`` for all ``objs`` in one statement
    per thousand rows (Django's ``bulk_create``), setting each object's primary key. One object
    per key (the caller keeps the first a batch names). Rows go in key order, so two batches
    naming the same rows lock them in the same order and never deadlock."""
    if not objs:
        return objs
    attnames = [model._meta.get_field(name).attname for name in unique]
    ordered = sorted(objs, key=lambda o: tuple(getattr(o, a) for a in attnames))
    model.objects.bulk_create(
        ordered, update_conflicts=True, unique_fields=unique, update_fields=update, batch_size=1000
    )
    for o in objs:
        if o.pk is None:  # a backend that does not return the ids of updated rows
            o.pk = model.objects.values_list("pk", flat=True).get(
                **{a: getattr(o, a) for a in attnames}
            )
    return objs


def _unchanged(model, objs: list, *, key: str, fields: list[str]) -> list:
    """The objects whose stored row (by ``key``) already holds these ``fields``' values get
    that row's primary key; the rest (new or changed) are returned, to be upserted. An order
    system sends the same sellers and products in batch after batch: rewriting them unchanged
    cost a new row version, its WAL and its index entries each time (issue 15's profile)."""
    attnames = [model._meta.get_field(name).attname for name in fields]
    stored = {
        row[0]: row[1:]
        for row in model.objects.filter(
            **{f"{key}__in": [getattr(o, key) for o in objs]}
        ).values_list(key, "pk", *attnames)
    }
    changed = []
    for o in objs:
        row = stored.get(getattr(o, key))
        if row is not None and row[1:] == tuple(getattr(o, a) for a in attnames):
            o.pk = row[0]
        else:
            changed.append(o)
    return changed


CUSTOMER_FIELDS = [
    "name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "country",
    "subdivision",
    "account_created_on",
]


def _customer(c: dict) -> Customer:
    return Customer(
        marketplace_id=c["customer_id"],
        name=c["name"],
        email=c["email"],
        phone=c["phone"],
        address_line1=c["address_line1"],
        address_line2=c["address_line2"],
        city=c["city"],
        postal_code=c["postal_code"],
        country=c["country"],
        subdivision=c.get("subdivision", "").upper(),
        account_created_on=c["customer_since"],
    )


@transaction.atomic
def customers_upsert(*, rows: list[dict]) -> list[Customer]:
    customers = [_customer(c) for c in rows]
    changed = _unchanged(Customer, customers, key="marketplace_id", fields=CUSTOMER_FIELDS)
    _upsert(Customer, changed, unique=["marketplace_id"], update=CUSTOMER_FIELDS)
    return customers


@transaction.atomic
def sellers_upsert(*, rows: list[dict]) -> list[Seller]:
    """A seller keeps the region and currency it was created with; its name and e-mail follow
    the order system. Monthly gross sent with it replaces those months' figures. A seller
    created, or whose name or e-mail changed, gets its history row (``simple_history``, as an
    admin edit would); one sent again unchanged writes nothing."""
    # What is stored: a seller there keeps its own region and currency; one unchanged is
    # not written again.
    before = {
        mid: (pk, (name, email), (region, currency))
        for mid, pk, name, email, region, currency in Seller.objects.filter(
            marketplace_id__in={c["seller_id"] for c in rows}
        ).values_list("marketplace_id", "pk", "legal_name", "email", "region_id", "currency")
    }
    sellers = [
        Seller(
            marketplace_id=c["seller_id"],
            legal_name=c["name"],
            email=c["email"],
            region=c["region"],
            currency=c["region"].currency,
        )
        for c in rows
    ]
    new = [s for s in sellers if s.marketplace_id not in before]
    changed = [
        s
        for s in sellers
        if s.marketplace_id in before and before[s.marketplace_id][1] != (s.legal_name, s.email)
    ]
    _upsert(Seller, new + changed, unique=["marketplace_id"], update=["legal_name", "email"])
    for seller in sellers:
        if seller.marketplace_id in before:
            pk, _, (seller.region_id, seller.currency) = before[seller.marketplace_id]
            seller.pk = pk
            seller._state.fields_cache.pop("region", None)
    if new:
        Seller.history.bulk_history_create(new)
    if changed:
        Seller.history.bulk_history_create(changed, update=True)
    gross = [
        {
            "seller_id": seller.marketplace_id,
            "month": m["month"],
            "currency": seller.currency,
            "gross_minor": m["gross_minor"],
        }
        for seller, c in zip(sellers, rows, strict=True)
        for m in c.get("monthly_gross") or []
    ]
    if gross:
        gross_upsert(rows=gross)
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


def _gtin(text: str) -> str:
    """A GTIN/UPC as its digits (recall lists write them with spaces or dashes)."""
    return "".join(ch for ch in text if ch.isdigit())[:14]


PRODUCT_FIELDS = ["title", "category", "gtin", "model_number", "seller"]
ORDER_FIELDS = ["customer", "region", "currency", "placed_at"]
LINE_FIELDS = ["product", "seller", "quantity", "currency", "unit_price_minor", "delivered_on"]


def _products(rows: list[dict], sellers: dict[str, Seller]) -> list[Product]:
    products = [
        Product(
            marketplace_id=c["product_id"],
            title=c["title"],
            category=c["category"],
            gtin=_gtin(c.get("gtin", "")),
            model_number=c.get("model_number", ""),
            seller=sellers[c["seller_id"]],
        )
        for c in rows
    ]
    changed = _unchanged(Product, products, key="marketplace_id", fields=PRODUCT_FIELDS)
    _upsert(Product, changed, unique=["marketplace_id"], update=PRODUCT_FIELDS)
    return products


@transaction.atomic
def products_upsert(*, rows: list[dict]) -> list[Product]:
    sellers = Seller.objects.in_bulk({r["seller_id"] for r in rows}, field_name="marketplace_id")
    return _products(rows, sellers)


def _orders(rows: list[dict], customers: dict[str, Customer]) -> list[Order]:
    return _upsert(
        Order,
        [
            Order(
                number=c["order_number"],
                customer=customers[c["customer_id"]],
                region=c["region"],
                currency=c["currency"],
                placed_at=c["placed_at"],
            )
            for c in rows
        ],
        unique=["number"],
        update=ORDER_FIELDS,
    )


@transaction.atomic
def orders_upsert(*, rows: list[dict]) -> list[Order]:
    customers = Customer.objects.in_bulk(
        {r["customer_id"] for r in rows}, field_name="marketplace_id"
    )
    return _orders(rows, customers)


def _first(rows: list[dict], key: str, **renamed: str) -> list[dict]:
    """One row per value of ``key``, the first the batch gives; ``renamed`` adds a field under
    another name (``title="product_title"``), in the shape of that kind's own row."""
    seen: dict = {}
    for row in rows:
        if row[key] not in seen:
            seen[row[key]] = {**row, **{new: row.get(old, "") for new, old in renamed.items()}}
    return list(seen.values())


def _by(objects: list, attribute: str) -> dict:
    return {getattr(o, attribute): o for o in objects}


@transaction.atomic
def order_lines_upsert(*, rows: list[dict]) -> tuple[UpsertResult, list[OrderLine]]:
    """Flat order-line rows (``OrderLineRow``): their sellers, customers, products and orders
    (each as the first row naming it says), then the lines, one set-based upsert per table."""
    sellers = _by(
        sellers_upsert(rows=_first(rows, "seller_id", name="seller_name", email="seller_email")),
        "marketplace_id",
    )
    customers = _by(
        customers_upsert(
            rows=_first(
                rows,
                "customer_id",
                name="customer_name",
                email="customer_email",
                phone="customer_phone",
            )
        ),
        "marketplace_id",
    )
    products = _by(
        _products(
            _first(
                rows,
                "product_id",
                title="product_title",
                category="product_category",
                gtin="product_gtin",
                model_number="product_model",
            ),
            sellers,
        ),
        "marketplace_id",
    )
    orders = _by(_orders(_first(rows, "order_number"), customers), "number")
    lines = _upsert(
        OrderLine,
        [
            OrderLine(
                order=orders[c["order_number"]],
                line_number=c["line_number"],
                product=products[c["product_id"]],
                seller=sellers[c["seller_id"]],
                quantity=c["quantity"],
                currency=c["currency"],
                unit_price_minor=c["unit_price_minor"],
                delivered_on=c["delivered_on"],
            )
            for c in rows
        ],
        unique=["order", "line_number"],
        update=LINE_FIELDS,
    )
    result = UpsertResult(
        rows=len(rows),
        orders=len(orders),
        customers=len(customers),
        sellers=len(sellers),
        products=len(products),
    )
    return result, lines
