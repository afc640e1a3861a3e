"""Benchmark `api_ingest`: 100,000 order lines upserted through the API in batches, beside
loading the same rows with PostgreSQL's ``COPY`` (the floor).

The rows: 100,000 order lines of 50,000 orders, 20,000 customers (each with a phone number,
normalised by the validation), 2,000 products and 200 sellers, in the US region. The API side
sends them as an order system keeping the marketplace up to date does: its sellers, products
and customers through their own batch endpoints, then the orders with their lines
(``POST /api/v1/orders/batch/``, each line naming its product), every request at most 1,000
rows or lines: whole requests through Django's test client with an order-system API key and an
``Idempotency-Key`` each, so authentication, throttling, the idempotency record, parsing, every
row's validation and the upserts are all in the clock. The floor writes the very same five
tables' rows (ids assigned beforehand, values already converted) with one ``COPY`` per table in
one transaction: what PostgreSQL needs at the least.

Also timed, not judged: the same lines as the import's flat rows (``OrderLineRow``: every line
with its order, customer, product and seller) posted to ``POST /api/v1/order-lines/batch/``
1,000 at a time (``flat_api_s``), which checks and rewrites a batch's customers, products and
sellers again in every batch that names them.

Each round starts from empty tables (``TRUNCATE``); the floor and the two API ways alternate for
``BENCH_ROUNDS`` rounds (3) so all meet the same noise, and the best of each is compared. After
the API's last round the same requests are sent once more (``again_s``: every row an update;
not judged; ``BENCH_AGAIN=0`` leaves it out; ``BENCH_FLAT=0`` leaves the flat rows out). Runs
on its own PostgreSQL database (``bench_api_ingest``, created and dropped here;
``BENCH_DB_SUFFIX`` is appended to its name, see benchmarks/_testdb.py, and for BENCH_DB_TEMPLATE).
`make bench ONLY=api_ingest`; ``BENCH_LINES`` for another size. Prints one JSON line.
"""

import datetime as dt
import gc
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root, in place of benchmarks/ (whose queue.py would shadow the stdlib queue).
sys.path[0] = str(ROOT)

from benchmarks._testdb import django_setup, run_and_print  # noqa: E402

MEDIA = django_setup(database="bench_api_ingest")

LINES = int(os.environ.get("BENCH_LINES", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
AGAIN = os.environ.get("BENCH_AGAIN", "1") == "1"  # 0: no second sending (every row an update)
FLAT = os.environ.get("BENCH_FLAT", "1") == "1"  # 0: the flat rows are not timed
BATCH = 1000
LINES_PER_ORDER = 2
CUSTOMERS = max(1, LINES // 5)
PRODUCTS = max(1, LINES // 50)
SELLERS = max(1, LINES // 500)
TABLES = [
    "marketplace_orderline",
    "marketplace_order",
    "marketplace_product",
    "marketplace_customer",
    "sellers_historicalseller",
    "sellers_seller",
    "api_idempotencyrecord",
]
TARGETS = {"api_vs_copy": "<=5"}
# Production's persistent connections (DATABASE_CONN_MAX_AGE's default).
CONN_MAX_AGE = 60


def _rows() -> list[dict]:
    placed = dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC)
    rows = []
    for i in range(LINES):
        order = i // LINES_PER_ORDER
        customer = order % CUSTOMERS
        product = i % PRODUCTS
        seller = product % SELLERS
        rows.append(
            {
                "order_number": f"B-{order}",
                "placed_at": (placed + dt.timedelta(minutes=order % 5000)).isoformat(),
                "region": "US",
                "currency": "USD",
                "customer_id": f"C-{customer}",
                "customer_name": f"Customer {customer}",
                "customer_email": f"Customer{customer}@Example.com",
                "customer_phone": f"(212) {200 + customer % 700:03d}-{customer % 10000:04d}",
                "address_line1": f"{customer} Main Street",
                "city": "New York",
                "postal_code": "10001",
                "country": "US",
                "subdivision": "NY",
                "line_number": i % LINES_PER_ORDER + 1,
                "product_id": f"P-{product}",
                "product_title": f"Space heater {product}",
                "product_category": "Appliances",
                "product_gtin": f"0 12345 {product:05d} 5",
                "seller_id": f"S-{seller}",
                "seller_name": f"Seller {seller} LLC",
                "seller_email": f"ops@seller{seller}.test",
                "quantity": 1 + i % 3,
                "unit_price": f"{10 + i % 90}.99",
                "delivered_on": "2026-09-10",
            }
        )
    return rows


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("VACUUM ANALYZE " + ", ".join(TABLES))


def _caller():
    """A test client and the headers of an order-system key (rate high enough for the run)."""
    from django.test import Client

    from api.models import ApiClient, ApiKey, ClientKind
    from api.services import api_client_create, api_key_issue

    client = ApiClient.objects.filter(name="Bench order system").first() or api_client_create(
        name="Bench order system", kind=ClientKind.ORDER_SYSTEM, contact_email="o@bench.test"
    )
    issued = api_key_issue(client=client)
    ApiKey.objects.filter(pk=issued.key.pk).update(rate_per_minute=1_000_000)
    return Client(), {"Authorization": f"Bearer {issued.secret}"}


def _part(row: dict, part: str) -> dict:
    """The flat row's ``part`` (``"customer"``) as that kind's own endpoint takes it: the
    import row's names mapped by ``OrderLineRow.PARTS``, the fields this row has."""
    from marketplace.rows import OrderLineRow

    return {own: row[flat] for flat, own in OrderLineRow.names_of(part).items() if flat in row}


def _first(rows: list[dict], part: str, key: str) -> list[dict]:
    """One ``part`` per value of ``key``, as the first row naming it gives it."""
    seen: dict[str, dict] = {}
    for row in rows:
        if row[key] not in seen:
            seen[row[key]] = _part(row, part)
    return list(seen.values())


def _batches(path: str, objects: list[dict]) -> list[tuple[str, str]]:
    return [
        (path, json.dumps({"rows": objects[i : i + BATCH]})) for i in range(0, len(objects), BATCH)
    ]


def _requests(rows: list[dict]) -> list[tuple[str, str]]:
    """What an order system sends: sellers, products, customers, then orders with their lines
    (each line its own values and its product), each request at most ``BATCH`` rows or lines."""
    sellers = _first(rows, "seller", "seller_id")
    products = _first(rows, "product", "product_id")
    customers = _first(rows, "customer", "customer_id")
    orders: dict[str, dict] = {}
    for row in rows:
        order = orders.get(row["order_number"])
        if order is None:
            order = orders[row["order_number"]] = _part(row, "order") | {"lines": []}
        order["lines"].append(_part(row, "line") | {"product_id": row["product_id"]})
    order_batches, batch, lines = [], [], 0
    for order in orders.values():
        if lines + len(order["lines"]) > BATCH:
            order_batches.append(batch)
            batch, lines = [], 0
        batch.append(order)
        lines += len(order["lines"])
    order_batches.append(batch)
    return [
        *_batches("/api/v1/sellers/batch/", sellers),
        *_batches("/api/v1/products/batch/", products),
        *_batches("/api/v1/customers/batch/", customers),
        *(("/api/v1/orders/batch/", json.dumps({"rows": b})) for b in order_batches),
    ]


def _flat_requests(rows: list[dict]) -> list[tuple[str, str]]:
    """The import's flat rows, 1,000 lines a request."""
    return _batches("/api/v1/order-lines/batch/", rows)


def _api(requests: list[tuple[str, str]]) -> float:
    from django.db import close_old_connections, connection

    web, headers = _caller()
    # The server's connection as production keeps it (claims_site/settings/base.py:
    # ``CONN_MAX_AGE`` 60 s, health-checked), closed when older by ``close_old_connections``
    # after each request, as Django's ``request_finished`` does (the test client leaves that to
    # its caller); the test settings' 0 would pay a new backend, with cold catalogue caches,
    # per batch.
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = CONN_MAX_AGE
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    # The benchmark's own 100,000 rows and request bodies are the client's, not the server's:
    # out of the garbage collector's reach, so its full collections walk what a server holds.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    try:
        for path, body in requests:
            response = web.post(
                path,
                body,
                content_type="application/json",
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            if response.status_code != 200:
                raise SystemExit(f"{path} refused a batch: {response.content[:2000]!r}")
            close_old_connections()
        return time.perf_counter() - started
    finally:
        gc.unfreeze()
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 0


def _floor_values(rows: list[dict]) -> dict:
    """Every table's rows as COPY takes them (ids assigned here), built before the clock."""
    from django.db import connection
    from django.utils import timezone

    from claims.models import Region
    from marketplace.models import Customer, Order, OrderLine, Product
    from marketplace.rows import _subdivision
    from marketplace.services import _gtin
    from sellers.models import Seller

    region = Region.objects.get(code="US")
    now = timezone.now()
    ids: dict[tuple[str, str], int] = {}
    objects: dict[type, list] = {Seller: [], Customer: [], Product: [], Order: [], OrderLine: []}

    def key(kind: str, value: str, make) -> int:
        if (kind, value) not in ids:
            obj = make()
            obj.pk = len(objects[type(obj)]) + 1
            objects[type(obj)].append(obj)
            ids[kind, value] = obj.pk
        return ids[kind, value]

    for r in rows:
        seller = key(
            "s",
            r["seller_id"],
            lambda r=r: Seller(
                marketplace_id=r["seller_id"],
                legal_name=r["seller_name"],
                email=r["seller_email"].lower(),
                region=region,
                currency="USD",
                created_at=now,
            ),
        )
        customer = key(
            "c",
            r["customer_id"],
            lambda r=r: Customer(
                marketplace_id=r["customer_id"],
                name=r["customer_name"],
                email=r["customer_email"].lower(),
                phone="+1" + "".join(ch for ch in r["customer_phone"] if ch.isdigit()),
                address_line1=r["address_line1"],
                city=r["city"],
                postal_code=r["postal_code"],
                country=r["country"],
                subdivision=_subdivision(r["subdivision"]),
            ),
        )
        product = key(
            "p",
            r["product_id"],
            lambda r=r, seller=seller: Product(
                marketplace_id=r["product_id"],
                title=r["product_title"],
                category=r["product_category"],
                gtin=_gtin(r["product_gtin"]),
                seller_id=seller,
            ),
        )
        order = key(
            "o",
            r["order_number"],
            lambda r=r, customer=customer: Order(
                number=r["order_number"],
                customer_id=customer,
                region=region,
                currency="USD",
                placed_at=dt.datetime.fromisoformat(r["placed_at"]),
            ),
        )
        key(
            "l",
            f"{r['order_number']}:{r['line_number']}",
            lambda r=r, order=order, product=product, seller=seller: OrderLine(
                order_id=order,
                line_number=r["line_number"],
                product_id=product,
                seller_id=seller,
                quantity=r["quantity"],
                currency="USD",
                unit_price_minor=int(r["unit_price"].replace(".", "")),
                delivered_on=dt.date.fromisoformat(r["delivered_on"]),
            ),
        )
    out = {}
    for model, objs in objects.items():
        fields = model._meta.concrete_fields
        out[model._meta.db_table] = (
            [f.column for f in fields],
            [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] for o in objs],
        )
    return out


def _floor(values: dict) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY
        for table, (columns, records) in values.items():
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in values:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    return elapsed


def _check(rows: list[dict]) -> dict:
    from marketplace.models import Customer, Order, OrderLine, Product
    from sellers.models import Seller

    counts = {
        "order_lines": OrderLine.objects.count(),
        "orders": Order.objects.count(),
        "customers": Customer.objects.count(),
        "products": Product.objects.count(),
        "sellers": Seller.objects.count(),
    }
    expected = {
        "order_lines": len(rows),
        "orders": len({r["order_number"] for r in rows}),
        "customers": len({r["customer_id"] for r in rows}),
        "products": len({r["product_id"] for r in rows}),
        "sellers": len({r["seller_id"] for r in rows}),
    }
    if counts != expected:
        raise SystemExit(f"the rows written are not the rows sent: {counts} vs {expected}")
    return counts


def run() -> dict:
    rows = _rows()
    requests, flat_requests = _requests(rows), _flat_requests(rows)
    apis, flats, floors, again = [], [], [], None
    for round_ in range(ROUNDS):
        _truncate()
        values = _floor_values(rows)
        floors.append(_floor(values))
        counts = _check(rows)
        _truncate()
        apis.append(_api(requests))
        _check(rows)
        if AGAIN and round_ == ROUNDS - 1:
            again = _api(requests)  # every row an update this time
            _check(rows)
        if FLAT:
            _truncate()
            flats.append(_api(flat_requests))
            _check(rows)
        print(
            f"round {round_ + 1}: api {apis[-1]:.2f} s, copy {floors[-1]:.2f} s"
            + (f", flat rows {flats[-1]:.2f} s" if flats else ""),
            file=sys.stderr,
        )
    api_s, floor_s = min(apis), min(floors)
    flat_s = min(flats) if flats else None
    load = os.getloadavg()
    return {
        "bench": "api_ingest",
        "figures": {
            "order_lines": LINES,
            "batch": BATCH,
            "requests": len(requests),
            "rows_written": counts,
            "rounds": ROUNDS,
            "api_s": round(api_s, 2),
            "copy_s": round(floor_s, 2),
            "api_runs_s": [round(x, 2) for x in apis],
            "copy_runs_s": [round(x, 2) for x in floors],
            "api_lines_per_s": round(LINES / api_s),
            "again_s": round(again, 2) if again is not None else None,
            "flat_api_s": round(flat_s, 2) if flat_s is not None else None,
            "flat_api_runs_s": [round(x, 2) for x in flats],
            "flat_vs_copy": round(flat_s / floor_s, 2) if flat_s is not None else None,
            "flat_ms_per_batch": round(flat_s / (LINES / BATCH) * 1000, 1) if flats else None,
            "load_average": [round(x, 2) for x in load],
        },
        "ratios": {"api_vs_copy": round(api_s / floor_s, 2)},
        "targets": TARGETS,
    }


def main() -> None:
    run_and_print(run, media=MEDIA)


if __name__ == "__main__":
    main()
