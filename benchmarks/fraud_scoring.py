"""Benchmark: scoring one claim against 10,000 and against 1,000,000 historical claims.

Every rule's lookup is index-backed, so the time should barely move with the history's size.
Target (issue #6): the time at 1,000,000 within 1.5x of the time at 10,000.

Runs on its own PostgreSQL databases (``bench_fraud_scoring`` for the largest size,
``bench_fraud_scoring_<n>`` for the others; created and dropped here), loaded with set-based SQL
(generate_series). One worker process per database; the parent asks them to score the same
claim in alternating rounds (side by side, as the machine is shared and noisy), takes the
medians, checks every query's plan for sequential scans of the big tables, and prints one JSON
line. Sizes can be overridden for a quick look: ``BENCH_SIZES=10000,100000``; ``BENCH_RUNS``
(25) timed rounds after ``BENCH_WARMUP`` (5). ``BENCH_DB_SUFFIX`` is appended to every
database's name (see benchmarks/_testdb.py, and for BENCH_DB_TEMPLATE).

    make bench ONLY=fraud_scoring
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root, in place of benchmarks/ (whose queue.py would shadow the stdlib queue).
sys.path[0] = str(ROOT)

import psycopg  # noqa: E402 - after the path fix: psycopg imports queue

from benchmarks._testdb import create_database_sql, database_name  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "bench_fraud_scoring"
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "25"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
TARGET_RATIO = 1.5
SELLERS = 500
BIG_TABLES = {
    "claims_claim",
    "claims_evidence",
    "fraud_claimattribute",
    "fraud_evidencephoto",
    "marketplace_customer",
    "marketplace_order",
    "marketplace_orderline",
    "fraud_rulehit",
}
TARGET_ADDRESS = "1 harbor st apt 2 62701 US"
TARGET_PHASH = "f0f0f0f00f0f0f0f"

# Ids of generated rows start high so they never meet the ORM's own rows.
BASE = 10_000_000


def admin_sql(statement: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def load_history(cursor, lo: int, hi: int, region_id: int) -> None:
    """Claims lo+1..hi, each with its order, order line, three attributes, and a photo on every
    fourth; three claims per customer; spread over the last year."""
    params = {"lo": lo, "hi": hi, "b": BASE, "s": SELLERS, "region": region_id}
    cursor.execute("SET synchronous_commit = off")
    cursor.execute(
        """
        INSERT INTO marketplace_customer (id, marketplace_id, name, email, phone, address_line1,
            address_line2, city, subdivision, postal_code, country, account_created_on)
        SELECT %(b)s + k, 'BC-' || k, 'Customer ' || k, 'c' || k || '@bench.test',
               '+1' || (2000000000::bigint + k), k || ' Elm Street', '', 'Springfield', 'IL',
               '62701', 'US',
               DATE '2020-01-01'
        FROM generate_series(%(lo)s::bigint / 3 + 1, (%(hi)s::bigint + 2) / 3) AS k
        ON CONFLICT DO NOTHING
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO marketplace_order (id, number, currency, placed_at, customer_id, region_id)
        SELECT %(b)s + g, 'B-' || g, 'USD',
               now() - make_interval(days => 10 + ((g::bigint * 7919) %% 365)::int),
               %(b)s + (g - 1) / 3 + 1, %(region)s
        FROM generate_series(%(lo)s::bigint + 1, %(hi)s::bigint) AS g
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO marketplace_orderline (id, line_number, quantity, currency, unit_price_minor,
            delivered_on, order_id, seller_id, product_id)
        SELECT %(b)s + g, 1, 1, 'USD', 5000,
               (now() - make_interval(days => 8 + ((g::bigint * 7919) %% 365)::int))::date,
               %(b)s + g, %(b)s + g %% %(s)s + 1, %(b)s + g %% %(s)s + 1
        FROM generate_series(%(lo)s::bigint + 1, %(hi)s::bigint) AS g
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO claims_claim (id, reference, incident_date, incident_kind, description,
            people_injured, currency, claimed_total_minor, funding, status, status_changed_at,
            submitted_at, denial_reason, risk_level, created_at, updated_at, customer_id,
            order_line_id, seller_id, region_id)
        SELECT %(b)s + g, 'PL-BENCH-' || g,
               (now() - make_interval(days => 7 + ((g::bigint * 7919) %% 365)::int))::date,
               'property_damage', 'history', 0, 'USD', 20000 + g %% 50000, '', 'closed',
               now() - make_interval(days => 5 + ((g::bigint * 7919) %% 365)::int),
               now() - make_interval(days => 5 + ((g::bigint * 7919) %% 365)::int),
               '', '', now(), now(),
               %(b)s + (g - 1) / 3 + 1, %(b)s + g, %(b)s + g %% %(s)s + 1, %(region)s
        FROM generate_series(%(lo)s::bigint + 1, %(hi)s::bigint) AS g
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO fraud_claimattribute (kind, value, claim_submitted_at, claim_id, customer_id)
        SELECT a.kind,
               CASE a.kind WHEN 'email' THEN 'c' || c.customer_id - %(b)s || '@bench.test'
                           WHEN 'phone' THEN '+1' || (2000000000::bigint + c.customer_id - %(b)s)
                           ELSE (c.customer_id - %(b)s) || ' elm st 62701 US' END,
               c.submitted_at, c.id, c.customer_id
        FROM claims_claim c
        CROSS JOIN (VALUES ('email'), ('phone'), ('address')) AS a(kind)
        WHERE c.id > %(b)s + %(lo)s::bigint AND c.id <= %(b)s + %(hi)s::bigint
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO claims_evidence (id, file, kind, original_name, content_type, size, sha256,
            uploaded_by_party, created_at, claim_id)
        SELECT %(b)s + g, 'bench/' || g || '.jpg', 'damage_photo', 'photo.jpg', 'image/jpeg',
               1000, md5(g::text) || md5(g::text), 'customer', now(), %(b)s + g
        FROM generate_series(%(lo)s::bigint + 1, %(hi)s::bigint) AS g WHERE g %% 4 = 0
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO fraud_evidencephoto (phash, band0, band1, band2, band3, taken_at, claim_id,
            evidence_id)
        SELECT h, substr(h, 1, 4), substr(h, 5, 4), substr(h, 9, 4), substr(h, 13, 4), NULL,
               %(b)s + g, %(b)s + g
        FROM (SELECT g, substr(md5(g::text), 1, 16) AS h
              FROM generate_series(%(lo)s::bigint + 1, %(hi)s::bigint) AS g WHERE g %% 4 = 0) AS p
        """,
        params,
    )
    cursor.execute("ANALYZE")


def main() -> None:
    """Load one database per size (one after the other), then time them side by side:
    alternating rounds, so the shared machine's noise hits both sizes alike."""
    names = [database_name(DB if size == SIZES[-1] else f"{DB}_{size}") for size in SIZES]
    workers = []
    figures: dict = {}
    try:
        for name, size in zip(names, SIZES, strict=True):
            admin_sql(f"DROP DATABASE IF EXISTS {name}")
            admin_sql(create_database_sql(name))
            worker = subprocess.Popen(
                [sys.executable, __file__, "--worker", name, str(size)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            figures.update(json.loads(worker.stdout.readline()))  # waits until loaded
            workers.append(worker)
        timings: dict[int, list[float]] = {size: [] for size in SIZES}
        for round_ in range(WARMUP + RUNS):
            for worker, size in zip(workers, SIZES, strict=True):
                worker.stdin.write("score\n")
                worker.stdin.flush()
                ms = float(worker.stdout.readline())
                if round_ >= WARMUP:
                    timings[size].append(ms)
        for worker, size in zip(workers, SIZES, strict=True):
            figures[f"ms_at_{size}"] = round(statistics.median(timings[size]), 2)
            worker.stdin.write("plan\n")
            worker.stdin.flush()
            figures.update(json.loads(worker.stdout.readline()))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.stdin.close()
                worker.wait(timeout=60)
        for name in names:
            admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    small, large = SIZES[0], SIZES[-1]
    ratio = round(figures[f"ms_at_{large}"] / figures[f"ms_at_{small}"], 3)
    print(
        json.dumps(
            {
                "bench": "fraud_scoring",
                "figures": figures,
                "ratios": {f"{large}_over_{small}": ratio},
                "targets": {f"{large}_over_{small}": TARGET_RATIO},
            }
        )
    )


def worker(name: str, size: int) -> None:
    """One database of ``size`` history claims: load it, then score on request."""
    os.environ["DATABASE_URL"] = f"{PG}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "claims_site.settings.test"
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from claims.actors import Actor
    from claims.models import Claim, Evidence, IncidentKind, LossKind, Region
    from claims.outbox import recorded_only
    from claims.services import LossInput, claim_create
    from fraud.models import ClaimAttribute, EvidencePhoto
    from fraud.scoring import fraud_attributes_record, fraud_score_claim
    from marketplace.models import Customer, Order, OrderLine, Product
    from sellers.models import Seller

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    region = Region.objects.get(code="US")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sellers_seller (id, marketplace_id, legal_name, contact_name, email,
                phone, status, currency, language, created_at, region_id)
            SELECT %(b)s + s, 'BS-' || s, 'Seller ' || s, '', 's' || s || '@bench.test', '',
                   'active', 'USD', '', now(), %(region)s
            FROM generate_series(1, %(n)s::bigint) AS s
            """,
            {"b": BASE, "n": SELLERS, "region": region.pk},
        )
        cursor.execute(
            """
            INSERT INTO marketplace_product (id, marketplace_id, title, category, seller_id)
            SELECT %(b)s + s, 'BP-' || s, 'Heater', 'Appliances', %(b)s + s
            FROM generate_series(1, %(n)s::bigint) AS s
            """,
            {"b": BASE, "n": SELLERS},
        )
        load_history(cursor, 0, size, region.pk)

    # The claim being scored: it shares an address with three history claims and a photo
    # with one, so the lookups return rows at every size.
    ClaimAttribute.objects.filter(
        claim_id__in=[BASE + 1, BASE + 4, BASE + 7], kind="address"
    ).update(value=TARGET_ADDRESS, claim_submitted_at=timezone.now())
    bands = {f"band{i}": TARGET_PHASH[i * 4 : i * 4 + 4] for i in range(4)}
    EvidencePhoto.objects.filter(claim_id=BASE + 4).update(phash=TARGET_PHASH, **bands)
    seller = Seller.objects.get(pk=BASE + 1)
    customer = Customer.objects.create(
        marketplace_id="TARGET",
        name="Target",
        email="Target.Person+x@gmail.com",
        phone="+12175550143",
        address_line1="1 Harbor Street",
        address_line2="Apt 2",
        city="Springfield",
        postal_code="62701",
        country="US",
        account_created_on=dt.date(2026, 1, 1),
    )
    product = Product.objects.create(marketplace_id="TP", title="Heater", seller=seller)
    order = Order.objects.create(
        number="T-1",
        customer=customer,
        region=region,
        currency="USD",
        placed_at=timezone.now() - dt.timedelta(days=30),
    )
    line = OrderLine.objects.create(
        order=order,
        line_number=1,
        product=product,
        seller=seller,
        currency="USD",
        unit_price_minor=5000,
        delivered_on=(timezone.now() - dt.timedelta(days=25)).date(),
    )
    with recorded_only():
        target = claim_create(
            order_line=line,
            incident_date=line.delivered_on + dt.timedelta(days=1),
            incident_kind=IncidentKind.PROPERTY_DAMAGE,
            people_injured=0,
            description="target",
            losses=[LossInput(kind=LossKind.PROPERTY, amount_minor=97_000)],
            actor=Actor.customer(customer),
        )
    fraud_attributes_record(claim=target, payout_fingerprint="acct-target", device="dev-t")
    evidence = Evidence.objects.create(
        claim=target,
        file="bench/target.jpg",
        kind="damage_photo",
        original_name="t.jpg",
        content_type="image/jpeg",
        size=1000,
        sha256="0" * 64,
        uploaded_by_party="customer",
    )
    EvidencePhoto.objects.create(evidence=evidence, claim=target, phash=TARGET_PHASH, **bands)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert Claim.objects.count() == size + 1
    print(json.dumps({f"load_seconds_{size}": round(time.perf_counter() - started, 1)}), flush=True)

    for command in sys.stdin:
        if command.strip() == "score":
            t0 = time.perf_counter()
            fraud_score_claim(claim=target)
            print((time.perf_counter() - t0) * 1000, flush=True)
        elif command.strip() == "plan":
            with CaptureQueriesContext(connection) as captured:
                assessment = fraud_score_claim(claim=target)
            seq = set()
            with connection.cursor() as cursor:
                for query in captured.captured_queries:
                    sql = query["sql"]
                    if sql.lstrip().upper().startswith("SELECT"):
                        cursor.execute("EXPLAIN " + sql)
                        plan = "\n".join(row[0] for row in cursor.fetchall()) + " "
                        seq |= {t for t in BIG_TABLES if f"Seq Scan on {t} " in plan}
            fired = sorted(assessment.hits.values_list("rule__code", flat=True))
            print(
                json.dumps(
                    {
                        f"queries_at_{size}": len(captured.captured_queries),
                        f"rules_fired_at_{size}": fired,
                        f"seq_scans_of_big_tables_at_{size}": sorted(seq),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        main()
