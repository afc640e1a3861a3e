"""Benchmark `search`: the staff header's search box at 10,000 and at 1,000,000 claims.

Run: `make bench ONLY=search` (or `.venv/bin/python benchmarks/search.py`). Needs the PostgreSQL
of `make test`; creates and drops its own databases `bench_search` and `bench_search_10k`
(`BENCH_KEEP=1` keeps them, to EXPLAIN things; `BENCH_LARGE=200000` for a smaller large side,
`BENCH_SMALL` for another small one, `BENCH_RUNS` (15) timed runs; `BENCH_DB_SUFFIX` is
appended to both databases' names, see benchmarks/_testdb.py, and for BENCH_DB_TEMPLATE).

The claims are built as the queue benchmark builds them (`benchmarks/queue.py`: set-based
inserts, indexes built after the load, then VACUUM ANALYZE). Both databases then get the same
"needle": one customer, Marisol Ventura, with three claims. So the searches find the same
claims at both sizes, in a haystack a hundred times larger.

Measured, whole requests through Django's test client (middleware, session, permissions, the
search, the queue engine's page, the total, the template), both sizes taking turns run after
run so the noise of a shared machine falls on both alike:
- by e-mail: `marisol.ventura@example.test` (three claims: the results page);
- by name fragment: `ventur` (the same three claims);
- by reference: a claim's full reference (one claim: the redirect to it).
Every SQL statement of every measured request is then EXPLAINed on the large database: no plan
may read a big table (over 10,000 rows) with a sequential scan.

Prints one JSON line: {"bench": "search", "figures": ..., "ratios": ..., "targets": ...,
"seq_scans": [...]}.
"""

import json
import os
import sys
import time
from pathlib import Path

# This folder holds queue.py: keep it off sys.path so `import queue` finds the stdlib.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from benchmarks import queue as qb  # noqa: E402  (the queue benchmark's data builders)
from benchmarks._testdb import create_database_sql, database_name  # noqa: E402

DB = database_name("bench_search")
DB_SMALL = database_name("bench_search_10k")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB}"
)
SMALL = int(os.environ.get("BENCH_SMALL", "10000"))
LARGE = int(os.environ.get("BENCH_LARGE", "1000000"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
BIG_TABLE_ROWS = 10_000
NEEDLE_EMAIL = "marisol.ventura@example.test"
SEARCHES = {
    "email": NEEDLE_EMAIL,
    "name_fragment": "ventur",
    # A claim both sizes hold (the loader's references are PL-B-0000001 up).
    "reference": f"PL-B-{min(4242, SMALL, LARGE):07d}",
}


def load_needle() -> None:
    """One customer with three claims, the same in both databases."""
    qb._exec(
        """INSERT INTO marketplace_customer (marketplace_id, name, email, phone, address_line1,
               address_line2, city, subdivision, postal_code, country, account_created_on)
           VALUES ('C-NEEDLE', 'Marisol Ventura', %s, '+12125550199', '1 Elm St', '',
               'Springfield', 'IL', '62701', 'US', DATE '2024-01-01')""",
        [NEEDLE_EMAIL],
    )
    us = qb._scalar("SELECT id FROM claims_region WHERE code = 'US'")
    customer = qb._scalar("SELECT id FROM marketplace_customer WHERE marketplace_id = 'C-NEEDLE'")
    product = qb._scalar("SELECT min(id) FROM marketplace_product")
    seller = qb._scalar(f"SELECT seller_id FROM marketplace_product WHERE id = {product}")
    for n in (1, 2, 3):
        qb._exec(
            """INSERT INTO marketplace_order (number, customer_id, region_id, currency, placed_at)
               VALUES (%s, %s, %s, 'USD', now() - interval '20 days')""",
            [f"N-{n}", customer, us],
        )
        qb._exec(
            """INSERT INTO marketplace_orderline (order_id, line_number, product_id, seller_id,
                   quantity, currency, unit_price_minor, delivered_on)
               SELECT id, 1, %s, %s, 1, 'USD', 4999, CURRENT_DATE - 15
               FROM marketplace_order WHERE number = %s""",
            [product, seller, f"N-{n}"],
        )
        qb._exec(
            """INSERT INTO claims_claim (reference, region_id, customer_id, order_line_id,
                   seller_id, incident_date, incident_kind, description, people_injured,
                   currency, claimed_total_minor, approved_total_minor, funding, status,
                   status_changed_at, submitted_at, seller_respond_by, customer_info_due,
                   decision_due, denial_reason, risk_score, risk_level, assignee_id,
                   created_at, updated_at)
               SELECT %s, %s, %s, ol.id, ol.seller_id, CURRENT_DATE - 14, 'property_damage',
                   'Needle claim', 0, 'USD', 25000, NULL, '', 'under_review', now(),
                   now() - make_interval(days => %s), NULL, NULL, now() + interval '80 days',
                   '', NULL, '', NULL, now(), now()
               FROM marketplace_orderline ol JOIN marketplace_order o ON o.id = ol.order_id
               WHERE o.number = %s""",
            [f"PL-N-{n:07d}", us, customer, n, f"N-{n}"],
        )


# The queue benchmark's loader leaves approved, payout-pending and paid claims without an
# amount and a funding, which the constraint added since (claim_money_decided) refuses: the
# constraint is set aside during the load, the rows given what a decision writes, and the
# constraint put back (validated).
MONEY_CONSTRAINT = "claim_money_decided"


def prepare(db: str, count: int):
    """``benchmarks.queue.prepare``, with the money constraint set aside during the load."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client

    from claims import roles

    qb.use(db)
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(username="bench", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.AGENT))
    qb.load_reference_data()
    # Need-to-know (claims.scope): staff see only their regions' claims; every region here, or
    # the pages time an empty queue.
    from claims.models import Region, StaffProfile

    StaffProfile.objects.get_or_create(user=user)[0].regions.set(Region.objects.all())
    definitions = qb.indexes_drop()
    definition = qb._scalar(
        f"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '{MONEY_CONSTRAINT}'"
    )
    qb._exec(f"ALTER TABLE claims_claim DROP CONSTRAINT {MONEY_CONSTRAINT}")
    qb.load_claims(1, count)
    qb.indexes_create(definitions)
    # After the indexes, not before: an UPDATE of a table without indexes leaves HOT chains,
    # and an index built over them is unusable (pg_index.indcheckxmin) for any query whose
    # snapshot is older than the index, which on this shared server (other sessions' long
    # transactions hold back every snapshot's xmin) meant sequential scans for minutes.
    qb._exec(
        """UPDATE claims_claim SET approved_total_minor = claimed_total_minor,
               funding = 'concession'
           WHERE status IN ('approved', 'payout_pending', 'paid')"""
    )
    qb._exec(f"ALTER TABLE claims_claim ADD CONSTRAINT {MONEY_CONSTRAINT} {definition}")
    load_needle()
    qb.vacuum()
    client = Client()
    client.force_login(user)
    return client


def _url(term: str) -> str:
    from urllib.parse import urlencode

    return "/staff/search/?" + urlencode({"q": term})


def time_requests(sides: dict, runs: int = RUNS) -> dict[str, float]:
    """Median request time per (size, search); sizes and searches take turns every run."""
    expected = {"email": 200, "name_fragment": 200, "reference": 302}
    samples: dict[str, list[float]] = {}
    for db, client in sides.values():
        qb.use(db)
        for name, term in SEARCHES.items():
            for _ in range(3):
                response = client.get(_url(term))
                assert response.status_code == expected[name], (name, response.status_code)
            if name != "reference":
                assert len(response.context["rows"]) == 3, (name, len(response.context["rows"]))
    for _ in range(runs):
        for label, (db, client) in sides.items():
            qb.use(db)
            client.get(_url(SEARCHES["email"]))  # untimed: the first request after switching
            for name, term in SEARCHES.items():
                start = time.perf_counter()
                response = client.get(_url(term))
                samples.setdefault(f"{name}_request_ms_{label}", []).append(
                    time.perf_counter() - start
                )
                assert response.status_code == expected[name], name
    return {key: qb._median_ms(values) for key, values in samples.items()}


def query_counts_and_plans(client) -> tuple[dict[str, int], list[str], dict[str, str]]:
    """Every statement of each search request, EXPLAINed: seq scans of big tables, and the
    plan of the claims page query for the record."""
    from django.db import connection

    counts: dict[str, int] = {}
    seq_scans: list[str] = []
    page_plans: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
            [BIG_TABLE_ROWS],
        )
        big = {row[0] for row in cursor.fetchall()}
    for name, term in SEARCHES.items():
        statements: list[tuple[str, tuple]] = []

        def capture(execute, sql, params, many, context, statements=statements):
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            client.get(_url(term))
        counts[f"{name}_queries"] = len(statements)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_index WHERE indcheckxmin AND indrelid = "
                "'claims_claim'::regclass"
            )
            counts["claim_indexes_waiting_on_xmin"] = cursor.fetchone()[0]
            for sql, params in statements:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                for table in big:
                    if f"Seq Scan on {table}" in plan:
                        seq_scans.append(f"{name}: {table}: {sql[:200]}")
                if '"claims_claim"."reference"' in sql and "LIMIT 51" in sql:
                    page_plans[name] = plan
    return counts, seq_scans, page_plans


def main() -> None:
    for name in (DB, DB_SMALL):
        qb._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        qb._admin(create_database_sql(name))
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        for connection in qb._CONNECTIONS.values():
            connection.close()
        if not KEEP:
            for name in (DB, DB_SMALL):
                qb._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run() -> None:
    qb._setup_django()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # responses carry their context (the rows found)
    started = time.perf_counter()
    sides = {"10k": (DB_SMALL, prepare(DB_SMALL, SMALL)), "1m": (DB, prepare(DB, LARGE))}
    loaded = round(time.perf_counter() - started, 1)
    figures: dict = {"claims_large": qb._scalar("SELECT count(*) FROM claims_claim")}
    figures["setup_s"] = loaded
    figures.update(time_requests(sides))
    qb.use(DB)
    counts, seq_scans, page_plans = query_counts_and_plans(sides["1m"][1])
    figures.update(counts)
    figures["run_s"] = round(time.perf_counter() - started - loaded, 1)
    ratios = {
        f"{name}_request_1m_over_10k": round(
            figures[f"{name}_request_ms_1m"] / figures[f"{name}_request_ms_10k"], 2
        )
        for name in SEARCHES
    }
    targets = {key: "<=1.5" for key in ratios}
    ratios["seq_scans_of_big_tables"] = len(seq_scans)  # which ones: "seq_scans" below
    targets["seq_scans_of_big_tables"] = "none"
    print(
        json.dumps(
            {
                "bench": "search",
                "figures": figures,
                "ratios": ratios,
                "targets": targets,
                "seq_scans": seq_scans,
                "page_plans": page_plans,
            }
        )
    )


if __name__ == "__main__":
    main()
