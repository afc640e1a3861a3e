"""Upserts of what the project mirrors from the order system, by the marketplace's ids.

Each takes rows already validated by ``marketplace.rows`` and writes all of them in the
caller's transaction (the API's request, the import's run), or in one of its own: all or
nothing, with no savepoint of its own (a failure fails the caller's transaction).

Customers, products, orders and order lines are written by ``_write``: one statement per table
on PostgreSQL (``INSERT … SELECT FROM json_to_recordset(…) ON CONFLICT … DO UPDATE … WHERE …
IS DISTINCT FROM …``: the rows go as one JSON parameter, a row's foreign keys are looked up by
the related rows' own keys, and a row that holds these values already is not written again);
elsewhere (SQLite, the embedded default) the same rows through the ORM. These tables keep no
history; sellers, which do (``simple_history``), are written by ``sellers_upsert``."""

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from marketplace.models import Customer, Order, OrderLine, Product
from marketplace.rows import OrderLineRow
from sellers.models import Seller, SellerMonthlyGross


@dataclass
class UpsertResult:
    rows: int = 0
    orders: int = 0
    customers: int = 0
    sellers: int = 0
    products: int = 0
    gross_months: int = 0


@dataclass(frozen=True)
class _Table:
    """One mirrored table: the fields that identify a row, and the foreign keys a row gives
    by the related row's own key (``("seller", "marketplace_id")``: a product names its seller
    by marketplace id). A row is a dict with every other field's value by field name."""

    model: type[models.Model]
    # A clean row (``marketplace.rows``) as this table's row.
    row: Callable[[dict], dict]
    key: tuple[str, ...]
    by: tuple[tuple[str, str], ...] = ()

    @property
    def fields(self) -> list[models.Field]:
        return [f for f in self.model._meta.concrete_fields if not f.primary_key]


def _customer(c: dict) -> dict:
    return {
        "marketplace_id": c["customer_id"],
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


def _gtin(text: str) -> str:
    """A GTIN/UPC as its digits (recall lists write them with spaces or dashes)."""
    return "".join(ch for ch in text if ch.isdigit())[:14]


def _product(c: dict) -> dict:
    return {
        "marketplace_id": c["product_id"],
        "title": c["title"],
        "category": c["category"],
        "gtin": _gtin(c.get("gtin", "")),
        "model_number": c.get("model_number", ""),
        "seller": c["seller_id"],
    }


def _order(c: dict) -> dict:
    return {
        "number": c["order_number"],
        "customer": c["customer_id"],
        "region": c["region"].pk,
        "currency": c["currency"],
        "placed_at": c["placed_at"],
    }


def _line(c: dict) -> dict:
    return {
        "order": c["order_number"],
        "line_number": c["line_number"],
        "product": c["product_id"],
        "seller": c["seller_id"],
        "quantity": c["quantity"],
        "currency": c["currency"],
        "unit_price_minor": c["unit_price_minor"],
        "delivered_on": c["delivered_on"],
    }


CUSTOMERS = _Table(Customer, _customer, ("marketplace_id",))
PRODUCTS = _Table(Product, _product, ("marketplace_id",), (("seller", "marketplace_id"),))
ORDERS = _Table(Order, _order, ("number",), (("customer", "marketplace_id"),))
LINES = _Table(
    OrderLine,
    _line,
    ("order", "line_number"),
    (("order", "number"), ("product", "marketplace_id"), ("seller", "marketplace_id")),
)


def _batch_write(service):
    """An upsert service: one transaction (no savepoint: the caller's, if any, is enough) that
    starts with PostgreSQL's cached plans discarded.

    The commit's foreign-key checks run plans PostgreSQL caches per connection, and a cached
    plan made while a table was small scans it whole: production keeps its connections
    (``CONN_MAX_AGE``), so an order system loading an empty or young marketplace saw each batch
    slower than the last (1.4 s instead of 0.2 s a 1,000-line batch by the 100th, its commit
    0.52 s instead of 0.03; issue 15's ``api_ingest``). ``DISCARD PLANS`` (0.3 ms) has them
    made again against the tables as they are now."""

    @functools.wraps(service)
    def write(*args, **kwargs):
        with transaction.atomic(savepoint=False):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("DISCARD PLANS")
            return service(*args, **kwargs)

    return write


@_batch_write
def customers_upsert(*, rows: list[dict], use_sql: bool | None = None) -> int:
    return _write(CUSTOMERS, rows, use_sql=use_sql)


@_batch_write
def products_upsert(*, rows: list[dict], use_sql: bool | None = None) -> int:
    return _write(PRODUCTS, rows, use_sql=use_sql)


@_batch_write
def orders_upsert(*, rows: list[dict], use_sql: bool | None = None) -> int:
    """Orders (``OrderRow``), then the lines sent with them (``OrderItemRow``: each in its
    order's currency, its seller the product's)."""
    _write(ORDERS, rows, use_sql=use_sql)
    lines = [
        {**item, "order_number": order["order_number"]}
        for order in rows
        for item in order.get("lines", ())
    ]
    _write(LINES, lines, use_sql=use_sql)
    return len(rows)


# The type each column's values are sent as. Strings as text: a cast to varchar(n) would cut
# a value too long where the insert refuses it.
_SQL_TYPES = {
    "AutoField": "integer",
    "BigAutoField": "bigint",
    "BigIntegerField": "bigint",
    "CharField": "text",
    "DateField": "date",
    "DateTimeField": "timestamptz",
    "IntegerField": "integer",
    "PositiveIntegerField": "integer",
    "PositiveSmallIntegerField": "smallint",
    "SmallIntegerField": "smallint",
}


def _sql_type(field: models.Field) -> str:
    if field.is_relation:
        field = field.target_field
    return _SQL_TYPES[field.get_internal_type()]


@functools.cache
def _upsert_sql(table: _Table) -> str:
    """The one statement that upserts ``table``'s rows, given as one JSON array of objects
    (``json_to_recordset``: the rows are encoded by the json module's C encoder, where an
    array parameter per column cost three times as much, issue 15's profile).

    A foreign key given by the related row's own key is looked up for the keys the batch names
    only (``IN`` the batch's keys: the planner probes the key's index, or hashes a small table
    in one pass; ``= ANY(ARRAY(...))`` had it guess ten keys for a thousand and filter a small
    table's every row against the whole array, 17 of a 1,000-line statement's 27 ms at 2,000
    products, issue 15's ``EXPLAIN ANALYZE``); one the related table does not have comes out
    null and the insert fails: no row is dropped silently. A row that holds these very values
    already is not written (the update's ``WHERE``: no new row version, no index entries), only
    locked until the commit, as every row named is. Rows go in key order, so two batches naming
    the same rows lock them in the same order and never deadlock."""
    qn = connection.ops.quote_name
    by = dict(table.by)
    columns, types, values, lookups, joins = [], [], [], [], []
    for i, field in enumerate(table.fields):
        name = qn(field.name)
        columns.append(qn(field.column))
        if field.name in by:
            related = field.related_model._meta
            target = related.get_field(by[field.name])
            pk, other, other_key = qn(related.pk.column), qn(related.db_table), qn(target.column)
            types.append(f"{name} {_sql_type(target)}")
            keys = f"SELECT {name} FROM u"  # noqa: S608
            lookup = f"SELECT {pk}, {other_key} FROM {other} WHERE {other_key} IN ({keys})"  # noqa: S608
            lookups.append(f"r{i} AS ({lookup})")
            joins.append(f"LEFT JOIN r{i} ON r{i}.{other_key} = u.{name}")
            values.append(f"r{i}.{pk}")
        else:
            types.append(f"{name} {_sql_type(field)}")
            values.append(f"u.{name}")
    key = [qn(table.model._meta.get_field(name).column) for name in table.key]
    rest = [c for c in columns if c not in key]

    def row(alias: str) -> str:
        return f"({', '.join(f'{alias}.{c}' for c in rest)})"

    # Names from the models' own metadata, values only as the one parameter.
    return f"""
        WITH u AS MATERIALIZED (
            SELECT * FROM json_to_recordset(%s::json) AS u({", ".join(types)})
        ){"".join(f", {lookup}" for lookup in lookups)}
        INSERT INTO {qn(table.model._meta.db_table)} AS t ({", ".join(columns)})
        SELECT {", ".join(values)} FROM u {" ".join(joins)}
        ORDER BY {", ".join(values[columns.index(k)] for k in key)}
        ON CONFLICT ({", ".join(key)}) DO UPDATE
        SET {", ".join(f"{c} = EXCLUDED.{c}" for c in rest)}
        WHERE {row("t")} IS DISTINCT FROM {row("EXCLUDED")}
    """  # noqa: S608


def _json_value(value):
    """Dates and times as ISO 8601 (with their offset), as PostgreSQL reads them."""
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def _write(table: _Table, clean: list[dict], *, use_sql: bool | None = None) -> int:
    """Upsert the ``clean`` rows (one per key: the callers keep the first a batch names): new
    ones inserted, changed ones updated, the ones already stored as they are not rewritten."""
    if not clean:
        return 0
    rows = [table.row(c) for c in clean]
    if use_sql is None:
        use_sql = connection.vendor == "postgresql"
    if use_sql:
        with connection.cursor() as cursor:
            cursor.execute(
                _upsert_sql(table), [json.dumps(rows, default=_json_value, ensure_ascii=False)]
            )
        return len(rows)
    fields = table.fields
    by = dict(table.by)
    related = {
        name: table.model._meta.get_field(name).related_model.objects.in_bulk(
            {r[name] for r in rows}, field_name=key
        )
        for name, key in by.items()
    }
    objs = [
        table.model(
            **{
                f.attname: related[f.name][r[f.name]].pk if f.name in by else r[f.name]
                for f in fields
            }
        )
        for r in rows
    ]
    rest = [f.name for f in fields if f.name not in table.key]
    _upsert(
        table.model,
        _unchanged(table.model, objs, key=table.key, fields=rest),
        unique=list(table.key),
        update=rest,
    )
    return len(rows)


def _upsert(model, objs: list, *, unique: list[str], update: list[str]) -> None:
    """``INSERT … ON CONFLICT (unique) DO UPDATE SET update`` for all ``objs`` in one statement
    per thousand rows (Django's ``bulk_create``), in key order (see ``_upsert_sql``)."""
    if not objs:
        return
    attnames = [model._meta.get_field(name).attname for name in unique]
    ordered = sorted(objs, key=lambda o: tuple(getattr(o, a) for a in attnames))
    model.objects.bulk_create(
        ordered, update_conflicts=True, unique_fields=unique, update_fields=update, batch_size=1000
    )


def _unchanged(model, objs: list, *, key: tuple[str, ...], fields: list[str]) -> list:
    """The objects whose stored row (by ``key``) does not already hold these ``fields``'
    values: new or changed, to be upserted. An order system sends the same sellers and
    products in batch after batch: rewriting them unchanged cost a new row version, its WAL and
    its index entries each time (issue 15's profile)."""
    keys = [model._meta.get_field(name).attname for name in key]
    attnames = [model._meta.get_field(name).attname for name in fields]
    stored = {
        row[: len(keys)]: row[len(keys) :]
        for row in model.objects.filter(
            **{f"{keys[0]}__in": {getattr(o, keys[0]) for o in objs}}
        ).values_list(*keys, *attnames)
    }
    return [
        o
        for o in objs
        if stored.get(tuple(getattr(o, a) for a in keys)) != tuple(getattr(o, a) for a in attnames)
    ]


@_batch_write
def sellers_upsert(*, rows: list[dict]) -> int:
    return _sellers(rows)


def _sellers(rows: list[dict]) -> int:
    """A seller keeps the region and currency it was created with; its name and e-mail follow
    the order system. Monthly gross sent with it replaces those months' figures. A seller
    created, or whose name or e-mail changed, gets its history row (``simple_history``, as an
    admin edit would, of the seller as stored); one sent again unchanged writes nothing."""
    before = {
        mid: ((name, email), currency)
        for mid, name, email, currency in Seller.objects.filter(
            marketplace_id__in={c["seller_id"] for c in rows}
        ).values_list("marketplace_id", "legal_name", "email", "currency")
    }
    new = {c["seller_id"] for c in rows if c["seller_id"] not in before}
    changed = {
        c["seller_id"]
        for c in rows
        if c["seller_id"] in before and before[c["seller_id"]][0] != (c["name"], c["email"])
    }
    _upsert(
        Seller,
        [
            Seller(
                marketplace_id=c["seller_id"],
                legal_name=c["name"],
                email=c["email"],
                region=c["region"],
                currency=c["region"].currency,
            )
            for c in rows
            if c["seller_id"] in new or c["seller_id"] in changed
        ],
        unique=["marketplace_id"],
        update=["legal_name", "email"],
    )
    if new or changed:
        written = list(Seller.objects.filter(marketplace_id__in=new | changed))
        created = [s for s in written if s.marketplace_id in new]
        if created:
            Seller.history.bulk_history_create(created)
        if len(created) < len(written):
            Seller.history.bulk_history_create(
                [s for s in written if s.marketplace_id in changed], update=True
            )
    gross = [
        {
            "seller_id": c["seller_id"],
            "month": m["month"],
            "currency": before[c["seller_id"]][1]
            if c["seller_id"] in before
            else c["region"].currency,
            "gross_minor": m["gross_minor"],
        }
        for c in rows
        for m in c.get("monthly_gross") or []
    ]
    if gross:
        _gross(gross)
    return len(rows)


@_batch_write
def gross_upsert(*, rows: list[dict]) -> int:
    """Store each seller's month; a month sent again takes the new figure."""
    return _gross(rows)


def _gross(rows: list[dict]) -> int:
    """``gross_upsert``'s work, for a caller already inside an upsert service (``_sellers``):
    its transaction, its plans already discarded."""
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


def _first(rows: list[dict], part: str, key: str) -> list[dict]:
    """The batch's customers (or orders, products, sellers) in the shape of that kind's own
    row, one per value of ``key``, each as the first line naming it gives it."""
    names = OrderLineRow.names_of(part)
    seen: dict = {}
    for row in rows:
        if row[key] not in seen:
            seen[row[key]] = {own: row[flat] for flat, own in names.items()}
    return list(seen.values())


@_batch_write
def order_lines_upsert(*, rows: list[dict], use_sql: bool | None = None) -> UpsertResult:
    """Flat order-line rows (``OrderLineRow``): their sellers, customers, products and orders
    (each as the first row naming it says), then the lines, one set-based upsert per table."""
    sellers = _first(rows, "seller", "seller_id")
    _sellers(sellers)
    customers = _first(rows, "customer", "customer_id")
    _write(CUSTOMERS, customers, use_sql=use_sql)
    products = _first(rows, "product", "product_id")
    _write(PRODUCTS, products, use_sql=use_sql)
    orders = _first(rows, "order", "order_number")
    _write(ORDERS, orders, use_sql=use_sql)
    _write(LINES, rows, use_sql=use_sql)
    return UpsertResult(
        rows=len(rows),
        orders=len(orders),
        customers=len(customers),
        sellers=len(sellers),
        products=len(products),
    )
