"""Import the marketplace's orders: validate every row first, then write all of them or none.

Formats (docs/import-format.md): CSV with a header row, or JSON Lines (one object per line),
each row one order line with its order, customer, product and seller. Re-importing a file
updates the rows it names (keyed by the marketplace's ids), so an import can be repeated.

A second file, the sellers' monthly gross proceeds (one row per seller and month), may come
with the orders or on its own; the insurance requirement is computed from those figures.
"""

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from claims.models import Region
from claims.money import MACHINE, MoneyError, to_minor
from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import Seller, SellerMonthlyGross

REQUIRED = [
    "order_number",
    "placed_at",
    "region",
    "currency",
    "customer_id",
    "customer_name",
    "customer_email",
    "line_number",
    "product_id",
    "product_title",
    "seller_id",
    "seller_name",
    "seller_email",
    "quantity",
    "unit_price",
]
OPTIONAL = [
    "customer_phone",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "country",
    "subdivision",
    "customer_since",
    "product_category",
    "delivered_on",
]
COLUMNS = REQUIRED + OPTIONAL
# The sellers' monthly gross proceeds file (``import_orders --gross``).
GROSS_COLUMNS = ["seller_id", "month", "currency", "gross_proceeds"]


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s); nothing was imported")


@dataclass
class Row:
    where: str
    values: dict
    clean: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    rows: int
    orders: int
    customers: int
    sellers: int
    products: int
    gross_months: int = 0


def _read(data: str, fmt: str, required: list[str] = REQUIRED) -> list[Row]:
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(data))
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFailed([f"header: missing column(s) {', '.join(missing)}"])
        # Line numbers as a spreadsheet shows them: the header is line 1.
        return [Row(where=f"line {reader.line_num}", values=row) for row in reader]
    rows = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFailed([f"line {number}: not valid JSON ({exc.msg})"]) from exc
        if not isinstance(values, dict):
            raise ImportFailed([f"line {number}: expected an object"])
        rows.append(Row(where=f"line {number}", values={k: v for k, v in values.items()}))
    return rows


def _text(values: dict, key: str, errors: list[str], *, required: bool, limit: int = 200) -> str:
    raw = values.get(key)
    text = "" if raw is None else str(raw).strip()
    if required and not text:
        errors.append(f"{key} is required")
    if len(text) > limit:
        errors.append(f"{key} is longer than {limit} characters")
    return text


def _validate(row: Row, regions: dict[str, Region]) -> list[str]:
    v = row.values
    errors: list[str] = []
    c = row.clean
    for key in COLUMNS:
        c[key] = _text(v, key, errors, required=key in REQUIRED, limit=300)
    region = regions.get(c["region"])
    if c["region"] and region is None:
        errors.append(f"region {c['region']!r} is not a known region")
    if region and c["currency"] and c["currency"] != region.currency:
        errors.append(
            f"currency {c['currency']} does not match region {region.code} ({region.currency})"
        )
    c["region_obj"] = region
    placed = parse_datetime(c["placed_at"]) if c["placed_at"] else None
    if c["placed_at"] and placed is None:
        errors.append("placed_at is not an ISO 8601 date-time")
    elif placed is not None and placed.tzinfo is None:
        errors.append("placed_at needs a time zone offset (e.g. 2026-03-01T10:00:00Z)")
    c["placed_at"] = placed
    for key in ("delivered_on", "customer_since"):
        if c[key]:
            parsed = parse_date(c[key])
            if parsed is None:
                errors.append(f"{key} is not a date (YYYY-MM-DD)")
            c[key] = parsed
        else:
            c[key] = None
    if placed and c["delivered_on"] and c["delivered_on"] < placed.date():
        errors.append("delivered_on is before the order was placed")
    for key in ("customer_email", "seller_email"):
        if c[key]:
            try:
                validate_email(c[key])
            except ValidationError:
                errors.append(f"{key} is not an e-mail address")
            c[key] = c[key].lower()
    if c["customer_phone"]:
        try:
            number = phonenumbers.parse(c["customer_phone"], c["country"] or "US")
            if not phonenumbers.is_valid_number(number):
                raise phonenumbers.NumberParseException(0, "invalid")
            c["customer_phone"] = phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
        except phonenumbers.NumberParseException:
            errors.append("customer_phone is not a valid phone number")
    for key in ("line_number", "quantity"):
        try:
            c[key] = int(c[key])
            if c[key] < 1:
                raise ValueError
        except (TypeError, ValueError):
            if c[key] != "":
                errors.append(f"{key} must be a whole number of at least 1")
    if c["unit_price"] and c["currency"]:
        try:
            c["unit_price_minor"] = to_minor(c["unit_price"], c["currency"], locale=MACHINE)
            if c["unit_price_minor"] < 0:
                errors.append("unit_price cannot be negative")
        except MoneyError as exc:
            errors.append(f"unit_price: {exc}")
    if c["country"] and len(c["country"]) != 2:
        errors.append("country must be a two-letter ISO code")
    if len(c["subdivision"]) > 8:
        errors.append("subdivision must be an ISO 3166-2 code without the country, e.g. QC")
    return errors


def _validate_orders(data: str, fmt: str, regions: dict[str, Region]) -> list[Row]:
    rows = _read(data, fmt)
    if not rows:
        raise ImportFailed(["the file has no rows"])
    errors: list[str] = []
    seen: dict[tuple[str, int], str] = {}
    for row in rows:
        problems = _validate(row, regions)
        key = (row.clean["order_number"], row.clean["line_number"])
        if not problems and key in seen:
            problems.append(f"order {key[0]} line {key[1]} already appears on {seen[key]}")
        seen.setdefault(key, row.where)
        errors.extend(f"{row.where}: {p}" for p in problems)
    if errors:
        raise ImportFailed(errors)
    return rows


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "jsonl"):
        raise ImportFailed([f"unknown format {fmt!r}: use csv or jsonl"])


def orders_import(
    *, data: str | None, fmt: str, gross: str | None = None, gross_fmt: str | None = None
) -> ImportResult:
    """Validate every row of both files; raise ``ImportFailed`` listing each bad row (prefixed
    ``gross`` for the gross file), or import them all in one transaction.

    ``data`` (orders) or ``gross`` (the sellers' monthly gross proceeds) may be left out."""
    if data is None and gross is None:
        raise ImportFailed(["nothing to import: give an orders file, a gross file or both"])
    regions = {r.code: r for r in Region.objects.all()}
    rows: list[Row] = []
    if data is not None:
        _check_format(fmt)
        rows = _validate_orders(data, fmt, regions)
    gross_rows: list[Row] = []
    if gross is not None:
        gross_fmt = gross_fmt or fmt
        _check_format(gross_fmt)
        try:
            gross_rows = _validate_gross(gross, gross_fmt, orders=rows)
        except ImportFailed as exc:
            raise ImportFailed([f"gross {e}" for e in exc.errors]) from None
    with transaction.atomic():
        result = _write(rows) if rows else ImportResult(0, 0, 0, 0, 0)
        result.gross_months = _write_gross(gross_rows)
    return result


def _validate_gross(data: str, fmt: str, *, orders: list[Row]) -> list[Row]:
    """One row per seller and month: the seller (already known, or in the orders file of the
    same import), the month (``YYYY-MM``, not in the future), the gross in the seller's
    currency."""
    rows = _read(data, fmt, required=GROSS_COLUMNS)
    if not rows:
        raise ImportFailed(["the file has no rows"])
    # The currency each seller is kept in: new sellers from the orders file, else stored ones.
    currencies = {r.clean["seller_id"]: r.clean["region_obj"].currency for r in orders}
    wanted = {str(r.values.get("seller_id") or "").strip() for r in rows} - set(currencies)
    for marketplace_id, currency in Seller.objects.filter(marketplace_id__in=wanted).values_list(
        "marketplace_id", "currency"
    ):
        currencies.setdefault(marketplace_id, currency)
    this_month = timezone.localdate().replace(day=1)
    errors: list[str] = []
    seen: dict[tuple[str, dt.date], str] = {}
    for row in rows:
        problems: list[str] = []
        c = row.clean
        for key in GROSS_COLUMNS:
            c[key] = _text(row.values, key, problems, required=True, limit=40)
        if c["seller_id"] and c["seller_id"] not in currencies:
            problems.append(f"seller {c['seller_id']!r} is not known (import its orders first)")
        month = _month(c["month"]) if c["month"] else None
        if c["month"] and month is None:
            problems.append("month is not a month (YYYY-MM)")
        elif month is not None and month > this_month:
            problems.append("month is in the future")
        c["month"] = month
        currency = currencies.get(c["seller_id"])
        if currency and c["currency"] and c["currency"] != currency:
            problems.append(f"currency {c['currency']} is not the seller's currency ({currency})")
        if c["gross_proceeds"] and c["currency"] and not problems:
            try:
                c["gross_minor"] = to_minor(c["gross_proceeds"], c["currency"], locale=MACHINE)
                if c["gross_minor"] < 0:
                    problems.append("gross_proceeds cannot be negative")
            except MoneyError as exc:
                problems.append(f"gross_proceeds: {exc}")
        key = (c["seller_id"], month)
        if not problems and key in seen:
            problems.append(
                f"seller {key[0]} month {c['month']:%Y-%m} already appears on {seen[key]}"
            )
        seen.setdefault(key, row.where)
        errors.extend(f"{row.where}: {p}" for p in problems)
    if errors:
        raise ImportFailed(errors)
    return rows


def _month(text: str) -> dt.date | None:
    """``YYYY-MM`` (or a full date in that month) as the month's first day."""
    parsed = parse_date(f"{text}-01") if len(text) == 7 else parse_date(text)
    return parsed.replace(day=1) if parsed else None


def _write_gross(rows: list[Row]) -> int:
    """Store each seller's month; a month imported again takes the new figure."""
    if not rows:
        return 0
    sellers = dict(
        Seller.objects.filter(marketplace_id__in={r.clean["seller_id"] for r in rows}).values_list(
            "marketplace_id", "pk"
        )
    )
    now = timezone.now()
    SellerMonthlyGross.objects.bulk_create(
        [
            SellerMonthlyGross(
                seller_id=sellers[r.clean["seller_id"]],
                month=r.clean["month"],
                currency=r.clean["currency"],
                gross_minor=r.clean["gross_minor"],
                imported_at=now,
            )
            for r in rows
        ],
        update_conflicts=True,
        unique_fields=["seller", "month"],
        update_fields=["currency", "gross_minor", "imported_at"],
    )
    return len(rows)


def _write(rows: list[Row]) -> ImportResult:
    sellers: dict[str, Seller] = {}
    customers: dict[str, Customer] = {}
    products: dict[str, Product] = {}
    orders: dict[str, Order] = {}
    for row in rows:
        c = row.clean
        region = c["region_obj"]
        seller = sellers.get(c["seller_id"])
        if seller is None:
            seller, _ = Seller.objects.update_or_create(
                marketplace_id=c["seller_id"],
                defaults={"legal_name": c["seller_name"], "email": c["seller_email"]},
                create_defaults={
                    "legal_name": c["seller_name"],
                    "email": c["seller_email"],
                    "region": region,
                    "currency": region.currency,
                },
            )
            sellers[c["seller_id"]] = seller
        customer = customers.get(c["customer_id"])
        if customer is None:
            customer, _ = Customer.objects.update_or_create(
                marketplace_id=c["customer_id"],
                defaults={
                    "name": c["customer_name"],
                    "email": c["customer_email"],
                    "phone": c["customer_phone"],
                    "address_line1": c["address_line1"],
                    "address_line2": c["address_line2"],
                    "city": c["city"],
                    "postal_code": c["postal_code"],
                    "country": c["country"].upper(),
                    "subdivision": c["subdivision"].upper()[:8],
                    "account_created_on": c["customer_since"],
                },
            )
            customers[c["customer_id"]] = customer
        product = products.get(c["product_id"])
        if product is None:
            product, _ = Product.objects.update_or_create(
                marketplace_id=c["product_id"],
                defaults={
                    "title": c["product_title"],
                    "category": c["product_category"],
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
        OrderLine.objects.update_or_create(
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
    return ImportResult(
        rows=len(rows),
        orders=len(orders),
        customers=len(customers),
        sellers=len(sellers),
        products=len(products),
    )
