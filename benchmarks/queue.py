"""Benchmark `queue`: the staff triage queue at 10,000 and at 1,000,000 claims.

Run: `make bench ONLY=queue` (or `.venv/bin/python benchmarks/queue.py`). Needs the PostgreSQL
of `make test`; creates and drops its own database `bench_queue`.

Measures, side by side in one run (the machine is shared and noisy):
- whole requests through Django's test client (middleware, session, permissions, template) for
  the default queue view and a three-filter view, at 10,000 and at 1,000,000 claims;
- (a) the database time of the page's own queries (the claims and the rows each shows) against the
  floor: the one raw SQL query that returns the same page of rows with the same joins;
- (b) the stock Django admin changelist for claims (a plain ModelAdmin, default options) at
  1,000,000 claims.
Prints one JSON line: {"bench": "queue", "figures": ..., "ratios": ..., "targets": ...}.

Sizes: BENCH_SMALL (10,000) and BENCH_LARGE (1,000,000) claims, BENCH_RUNS (15) timed runs.
BENCH_KEEP=1 keeps the databases. BENCH_DB_SUFFIX is appended to both databases' names (see
benchmarks/_testdb.py, and for BENCH_DB_TEMPLATE).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

# This file is called queue.py: keep its folder off sys.path so `import queue` finds the stdlib.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from benchmarks._testdb import create_database_sql, database_name  # noqa: E402

DB = database_name("bench_queue")  # 1,000,000 claims
DB_SMALL = database_name("bench_queue_10k")  # 10,000 claims, interleaved with the large one
ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB}"
)
os.environ["DJANGO_SETTINGS_MODULE"] = "claims_site.settings.test"
SMALL = int(os.environ.get("BENCH_SMALL", "10000"))
LARGE = int(os.environ.get("BENCH_LARGE", "1000000"))
KEEP = os.environ.get("BENCH_KEEP") == "1"  # keep bench_queue afterwards, to EXPLAIN things
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
STATUSES = [
    "submitted", "screening", "fraud_hold", "awaiting_seller", "seller_responded", "escalated",
    "needs_info", "under_review", "approved", "denied", "appealed", "payout_pending", "paid",
    "withdrawn", "closed",
]  # fmt: skip
DEFAULT_VIEW = "/staff/"
FILTERED_VIEW = "/staff/?status=under_review&region=US&risk=high"
STOCK_ADMIN = "/stock-admin/claims/claim/"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)


def _setup_django() -> None:
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "benchmarks._bench_urls"
    settings.ALLOWED_HOSTS = ["testserver"]


def _exec(sql: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _scalar(sql: str):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def load_reference_data() -> None:
    us = _scalar("SELECT id FROM claims_region WHERE code = 'US'")
    _exec(
        """INSERT INTO sellers_seller (marketplace_id, legal_name, contact_name, email, phone,
               region_id, status, currency, language, created_at)
           SELECT 'S-B' || g, 'Seller ' || g, '', 's' || g || '@bench.test', '', %s, 'active',
               'USD', '', now() FROM generate_series(1, 2000) g""",
        [us],
    )
    _exec(
        """INSERT INTO marketplace_customer (marketplace_id, name, email, phone, address_line1,
               address_line2, city, subdivision, postal_code, country, account_created_on)
           SELECT 'C-B' || g, 'Customer ' || g, 'c' || g || '@bench.test', '', 'Main St ' || g,
               '', 'Springfield', 'IL', '62701', 'US', DATE '2024-01-01'
           FROM generate_series(1, 50000) g"""
    )
    _exec(
        """INSERT INTO marketplace_product (marketplace_id, title, category, seller_id)
           SELECT 'P-B' || g, 'Product ' || g, 'Appliances',
               (SELECT min(id) FROM sellers_seller) + g % 2000
           FROM generate_series(1, 20000) g"""
    )


def load_claims(first: int, last: int) -> None:
    """Orders, order lines and claims first..last, set-based (one INSERT ... SELECT each)."""
    us = _scalar("SELECT id FROM claims_region WHERE code = 'US'")
    ca = _scalar("SELECT id FROM claims_region WHERE code = 'CA'")
    c0 = _scalar("SELECT min(id) FROM marketplace_customer")
    p0 = _scalar("SELECT min(id) FROM marketplace_product")
    s0 = _scalar("SELECT min(id) FROM sellers_seller")
    _exec(
        """INSERT INTO marketplace_order (number, customer_id, region_id, currency, placed_at)
           SELECT 'B-' || g, %s + g %% 50000, CASE WHEN g %% 5 = 0 THEN %s ELSE %s END, 'USD',
               now() - make_interval(secs => g * 60) - interval '20 days'
           FROM generate_series(%s::bigint, %s::bigint) g""",
        [c0, ca, us, first, last],
    )
    _exec(
        """INSERT INTO marketplace_orderline (order_id, line_number, product_id, seller_id,
               quantity, currency, unit_price_minor, delivered_on)
           SELECT o.id, 1, %s + g %% 20000, %s + (g %% 20000) %% 2000, 1, 'USD', 4999,
               (o.placed_at + interval '3 days')::date
           FROM generate_series(%s::bigint, %s::bigint) g
           JOIN marketplace_order o ON o.number = 'B-' || g""",
        [p0, s0, first, last],
    )
    _exec(
        """INSERT INTO claims_claim (reference, region_id, customer_id, order_line_id, seller_id,
               incident_date, incident_kind, description, people_injured, currency,
               claimed_total_minor, approved_total_minor, funding, status, status_changed_at,
               submitted_at, seller_respond_by, customer_info_due, decision_due, denial_reason,
               risk_score, risk_level, assignee_id, created_at, updated_at)
           SELECT 'PL-B-' || lpad(g::text, 7, '0'), o.region_id, o.customer_id, ol.id,
               ol.seller_id, ol.delivered_on + 1,
               (ARRAY['personal_injury', 'property_damage', 'both'])[g %% 3 + 1],
               'Benchmark claim', g %% 2, 'USD', 1000 + (g::bigint * 7919) %% 2000000,
               -- approved, payout_pending and paid carry an amount and a funding
               -- (claim_money_decided)
               CASE WHEN g %% 15 IN (8, 11, 12) THEN 1000 + (g::bigint * 7919) %% 2000000 END,
               CASE WHEN g %% 15 IN (8, 11, 12) THEN 'concession' ELSE '' END,
               (%s::text[])[g %% 15 + 1],
               now() - make_interval(secs => g * 60) + interval '1 hour',
               now() - make_interval(secs => g * 60),
               CASE WHEN g %% 15 = 3
                   THEN now() - make_interval(secs => g * 60) + interval '7 days' END,
               CASE WHEN g %% 15 = 6
                   THEN now() - make_interval(secs => g * 60) + interval '14 days' END,
               now() - make_interval(secs => g * 60) + interval '90 days', '',
               CASE WHEN g %% 4 = 0 THEN NULL ELSE (g * 37) %% 101 END,
               (ARRAY['', 'low', 'medium', 'high'])[g %% 4 + 1], NULL, now(), now()
           FROM generate_series(%s::bigint, %s::bigint) g
           JOIN marketplace_order o ON o.number = 'B-' || g
           JOIN marketplace_orderline ol ON ol.order_id = o.id""",
        [STATUSES, first, last],
    )


BULK_TABLES = ("claims_claim", "marketplace_order", "marketplace_orderline")


def indexes_drop() -> list[str]:
    """Drop the plain indexes of the bulk-loaded tables (building them once after the load is
    far faster than maintaining them row by row); returns their definitions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = ANY(%s) AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
            [list(BULK_TABLES)],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def indexes_create(definitions: list[str]) -> None:
    for definition in definitions:
        _exec(definition)


_CONNECTIONS: dict = {}


def use(name: str) -> None:
    """Make one of the two benchmark databases Django's default connection (outside any
    timing). Each database keeps its own open connection, as a server with persistent
    connections (CONN_MAX_AGE) does, so switching does not start a cold PostgreSQL backend
    whose first queries reload the catalogue."""
    from django.db import connections

    if name not in _CONNECTIONS:
        current = connections["default"]
        settings_dict = {**current.settings_dict, "NAME": name}
        _CONNECTIONS[name] = type(current)(settings_dict, alias="default")
    connections["default"] = _CONNECTIONS[name]
    connections["default"].ensure_connection()


def vacuum() -> None:
    import psycopg
    from django.db import connection

    name = connection.settings_dict["NAME"]
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def time_requests(sides: dict, urls: dict[str, str], runs: int = RUNS) -> dict[str, float]:
    """Median request time per (database, URL). Run after run, the two databases and the
    URLs take turns, so the noise of a shared machine falls on all of them alike."""
    samples: dict[str, list[float]] = {}
    for db, client in sides.values():
        use(db)
        for url in urls.values():
            for _ in range(3):
                response = client.get(url)
                assert response.status_code == 200, url
        # A queue that shows no claim would time nothing worth timing.
        # (references are 'PL-B-…', benchmarks/queue.py's loader)
        assert b"PL-B-" in client.get(urls["default"]).content, "the default queue shows no claim"
    for _ in range(runs):
        for label, (db, client) in sides.items():
            use(db)
            client.get(urls["default"])  # untimed: the first request after switching
            for name, url in urls.items():
                if name == "stock_admin" and label != "1m":
                    continue
                start = time.perf_counter()
                response = client.get(url)
                samples.setdefault(f"{name}_request_ms_{label}", []).append(
                    time.perf_counter() - start
                )
                assert response.status_code == 200, url
    return {key: _median_ms(values) for key, values in samples.items()}


def _page_query(sql: str) -> bool:
    """The queries that read the page's rows: the claims (with customer and seller), their
    order lines (with product), assignees and tags; not the session, user, permissions,
    saved views or filter choices."""
    return (
        '"claims_claim"' in sql
        or '"backoffice_claimtag"' in sql
        or '"marketplace_orderline"' in sql
        or '"auth_user"."id" IN (' in sql
    )


def page_db_ms(client, url: str, runs: int = RUNS) -> tuple[float, float, int]:
    """DB time of the page's own queries (see _page_query) and of all its queries, timed
    around each execute with perf_counter (Django's captured times are rounded to 1 ms)."""
    from django.db import connection

    own, total = [], []
    count = 0
    for _ in range(runs):
        timings: list[tuple[str, float]] = []

        def timed(execute, sql, params, many, context, timings=timings):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append((sql, time.perf_counter() - start))

        with connection.execute_wrapper(timed):
            client.get(url)
        count = len(timings)
        own.append(sum(t for sql, t in timings if _page_query(sql)))
        total.append(sum(t for _sql, t in timings))
    return _median_ms(own), _median_ms(total), count


FLOOR_SQL = """
SELECT c.*, r.code, cu.name, s.legal_name, p.title, u.username
FROM claims_claim c
JOIN claims_region r ON r.id = c.region_id
JOIN marketplace_customer cu ON cu.id = c.customer_id
JOIN sellers_seller s ON s.id = c.seller_id
JOIN marketplace_orderline ol ON ol.id = c.order_line_id
JOIN marketplace_product p ON p.id = ol.product_id
LEFT JOIN auth_user u ON u.id = c.assignee_id
WHERE {where}
ORDER BY c.submitted_at DESC, c.id DESC
LIMIT 51
"""


def floor_ms(where: str, runs: int = RUNS) -> float:
    from django.db import connection

    sql = FLOOR_SQL.format(where=where)
    samples = []
    with connection.cursor() as cursor:
        for i in range(runs + 3):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            if i >= 3:
                samples.append(time.perf_counter() - start)
    return _median_ms(samples)


FLOOR_WHERE = {
    "default": "TRUE",
    "filtered": "c.status = 'under_review' AND r.code = 'US' AND c.risk_level = 'high'",
}


def measure_db(client, label: str, figures: dict) -> None:
    for name, url in (("default", DEFAULT_VIEW), ("filtered", FILTERED_VIEW)):
        own, total, count = page_db_ms(client, url)
        figures[f"{name}_page_db_ms_{label}"] = own
        figures[f"{name}_all_queries_db_ms_{label}"] = total
        figures[f"{name}_queries_{label}"] = count
        figures[f"{name}_floor_db_ms_{label}"] = floor_ms(FLOOR_WHERE[name])


def prepare(db: str, count: int):
    """Create, migrate and load one benchmark database; returns a signed-in client."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client

    from claims import roles

    use(db)
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(username="bench", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    load_reference_data()
    # Need-to-know (claims.scope): staff see only their regions' claims; every region here, or
    # the pages time an empty queue.
    from claims.models import Region, StaffProfile

    StaffProfile.objects.get_or_create(user=user)[0].regions.set(Region.objects.all())
    definitions = indexes_drop()
    load_claims(1, count)
    indexes_create(definitions)
    vacuum()
    client = Client()
    client.force_login(user)
    return client


def main() -> None:
    for name in (DB, DB_SMALL):
        _admin(f"DROP DATABASE IF EXISTS {name}")
        _admin(create_database_sql(name))
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        for connection in _CONNECTIONS.values():
            connection.close()
        if not KEEP:
            for name in (DB, DB_SMALL):
                _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run() -> None:
    _setup_django()
    started = time.perf_counter()
    sides = {"10k": (DB_SMALL, prepare(DB_SMALL, SMALL)), "1m": (DB, prepare(DB, LARGE))}
    figures: dict = {"claims_loaded": _scalar("SELECT count(*) FROM claims_claim")}
    urls = {"default": DEFAULT_VIEW, "filtered": FILTERED_VIEW, "stock_admin": STOCK_ADMIN}
    figures.update(time_requests(sides, urls))
    for label, (db, client) in sides.items():
        use(db)
        measure_db(client, label, figures)
    figures["setup_and_run_s"] = round(time.perf_counter() - started, 1)
    ratios = {}
    for name in ("default", "filtered"):
        ratios[f"{name}_request_1m_over_10k"] = round(
            figures[f"{name}_request_ms_1m"] / figures[f"{name}_request_ms_10k"], 2
        )
        ratios[f"{name}_page_db_over_floor_1m"] = round(
            figures[f"{name}_page_db_ms_1m"] / figures[f"{name}_floor_db_ms_1m"], 2
        )
        ratios[f"stock_admin_over_{name}_queue_1m"] = round(
            figures["stock_admin_request_ms_1m"] / figures[f"{name}_request_ms_1m"], 2
        )
    # As the issue states them, one per ratio.
    targets = {}
    for name in ("default", "filtered"):
        targets[f"{name}_request_1m_over_10k"] = "<=1.5"
        targets[f"{name}_page_db_over_floor_1m"] = "<=2"
        targets[f"stock_admin_over_{name}_queue_1m"] = ">=5"
    print(json.dumps({"bench": "queue", "figures": figures, "ratios": ratios, "targets": targets}))


if __name__ == "__main__":
    main()
