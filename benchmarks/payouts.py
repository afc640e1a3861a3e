"""Benchmark: approved claims paid through the sandbox provider by two real Celery workers,
beside the floor (the same payout and ledger rows inserted in bulk with SQL).

    make bench ONLY=payouts                     # the issue's sizes: 1,000 and 100,000
    .venv/bin/python benchmarks/payouts.py --sizes 1000,5000

Runs on its own PostgreSQL databases (``bench_payouts`` and its template, created and dropped
here) and its own redis-server. The workers start from approved claims whose ``payouts.create``
outbox messages are recorded (what the APPROVED transition writes). Before the clock the booted
workers pay 500 other claims the same way (``warm_up_s``: their first tasks import modules,
connect and compile templates, once in a worker's life). The clock starts when the messages are
handed to the broker as a set-based approval's commit does (``claims.outbox.dispatch_many``:
chunks of 250), and the two workers do everything else in batches: create the payouts and
their accruals, move the claims to payout pending, send through the sandbox (zero latency, no
faults), post the payments, move the claims to paid, and e-mail the customers; the benchmark
also runs the payout sweeper every 5 s, as beat does. It polls every 10 ms with an index probe.
After the clock it checks that every claim was paid once, with its events and ledger rows.
Sizes up to 10,000 run five rounds (``--small-rounds``), three before the large size and two
after it, so that the small size meets the noise of the whole run on a shared machine and not
of one quiet (or busy) minute, and keep the median round: a run of a second or two moves with a
single slow task, and the median, unlike the minimum, is what the large run (one long round
that averages every minute's noise) is fairly compared with. Each round's floor is measured
right after its run, from a fresh copy of the same database; ``run_vs_floor_<n>`` is the
median of the rounds' own ratios (a run and its floor seconds apart meet the same load, which
their ratio cancels; a median run over a median floor pairs minutes that never met, and is
printed beside it as ``run_vs_floor_of_medians``). Every round's database already holds 100,000
claims paid before (``--history``; 0 for empty tables): from empty tables a 100,000-claim run
mostly measures its own tables growing from nothing, which no marketplace in operation does
(with ``--history 0`` the cost per payout grows 1.3-1.4x from 1,000 to 100,000; with a history,
the 1,000-claim run pays the same index depths as the large one). Ends with one JSON line.

The options' defaults can come from the environment: ``BENCH_SIZES``, ``BENCH_SMALL_ROUNDS``,
``BENCH_HISTORY``; ``BENCH_WARM_UP`` (500) claims warm the workers up. ``BENCH_DB_SUFFIX`` is
appended to both databases' names (see benchmarks/_testdb.py, and for BENCH_DB_TEMPLATE).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The project root, in place of benchmarks/ (whose queue.py would shadow the stdlib queue).
sys.path[0] = str(ROOT)

from benchmarks._testdb import create_database_sql, database_name  # noqa: E402

DB = database_name("bench_payouts")
TEMPLATE = database_name("bench_payouts_template")
HISTORY = [0]  # claims paid before the benchmark (--history), in every round's database
ADMIN_URL = os.environ.get(
    "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DB_URL = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB}")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "claims_site.settings.test",
        "DATABASE_URL": DB_URL,
        "CELERY_BROKER_URL": "memory://",
    }
)


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _setup_database() -> None:
    """Migrate once into a template database; each round starts from a copy of it."""
    for name in (DB, TEMPLATE):
        _psql(f"DROP DATABASE IF EXISTS {name}")
    _psql(create_database_sql(TEMPLATE))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DATABASE_URL": DB_URL.rsplit("/", 1)[0] + f"/{TEMPLATE}"},
    )


# What _approved_claims loads before the clock starts.
LOADED = [
    "claims_claim",
    "claims_outbox",
    "marketplace_customer",
    "marketplace_order",
    "marketplace_orderline",
    "payouts_payeedetails",
]


def _fresh_database() -> None:
    """An empty database of the current schema whose tables were never analyzed (TRUNCATE keeps
    the statistics of the last round; a new database from the migrated template has none)."""
    from django.db import connections

    connections.close_all()
    _psql(f"DROP DATABASE IF EXISTS {DB}")
    _psql(f"CREATE DATABASE {DB} TEMPLATE {TEMPLATE}")


def _approved_claims(n: int, tag: str = "B") -> list[int]:
    """n approved claims with payee details and their payouts.create messages (not timed).
    Returns the messages' ids."""
    from django.db import connection

    from claims.models import ClaimStatus, Outbox, Region
    from marketplace.models import Product
    from sellers.models import Seller
    from tests.support.bulk import claims_with_payees

    region = Region.objects.get(code="US")
    seller, _ = Seller.objects.get_or_create(
        marketplace_id="S-BENCH",
        defaults={"legal_name": "Bench", "email": "b@x.test", "region": region, "currency": "USD"},
    )
    product, _ = Product.objects.get_or_create(
        marketplace_id="P-BENCH", defaults={"title": "Heater", "seller": seller}
    )
    ids = []
    for start in range(0, n, 5000):
        claims = claims_with_payees(
            min(5000, n - start), tag=tag, first=start, product=product, status=ClaimStatus.APPROVED
        )
        messages = Outbox.objects.bulk_create(
            Outbox(
                topic="payouts.create",
                payload={"claim_id": c.pk, "event_id": 0},
                dedupe_key=f"payouts.create:bench:{c.pk}",
            )
            for c in claims
        )
        ids += [m.pk for m in messages]
    # Statistics for what was loaded. The tables the run fills (payouts, ledger, events,
    # provider records) keep none, as on a new deployment: statistics saying "empty" would let
    # the workers' cached plans (foreign-key and ledger-balance triggers) scan them row by row
    # as they grow, which no long-running installation with up-to-date statistics does.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(LOADED)}")
    return ids


# How often the benchmark looks whether the work is done: a fine grain, so that the sampling
# interval is small beside the 1,000-claim floor (tens of milliseconds).
POLL = 0.01


def _unpaid_left() -> bool:
    """Whether any claim still waits for its payout: an index probe (claim_status_idx)."""
    from claims.models import Claim, ClaimStatus

    return Claim.objects.filter(
        status__in=(ClaimStatus.APPROVED, ClaimStatus.PAYOUT_PENDING)
    ).exists()


def _outbox_left() -> bool:
    """Whether any outbox message is outstanding (the partial index outbox_pending_idx)."""
    from claims.models import Outbox

    return Outbox.objects.filter(done_at__isnull=True).exists()


def _verify(n: int) -> dict:
    """After the clock: everything the product promises happened, once for each of the n
    claims in the database (the history's, the warm-up's and the timed ones)."""
    from django.db.models import Sum

    from claims.models import Claim, ClaimEvent, ClaimStatus
    from payouts.ledger import ledger_balances, ledger_unbalanced
    from payouts.models import LedgerTransaction, Payout, PayoutStatus, ProviderRecord

    paid_claims = Claim.objects.filter(status=ClaimStatus.PAID).count()
    checks = {
        "claims_paid": paid_claims,
        "payouts_paid": Payout.objects.filter(status=PayoutStatus.PAID).count(),
        "paid_events": ClaimEvent.objects.filter(to_status=ClaimStatus.PAID).count(),
        "pending_events": ClaimEvent.objects.filter(to_status=ClaimStatus.PAYOUT_PENDING).count(),
        "provider_payments": ProviderRecord.objects.count(),
        "ledger_transactions": LedgerTransaction.objects.count(),
    }
    expected = {**dict.fromkeys(checks, n), "ledger_transactions": 2 * n}
    if checks != expected or ledger_unbalanced():
        raise SystemExit(f"the run did not do what the product promises: {checks}")
    total = Claim.objects.aggregate(t=Sum("approved_total_minor"))["t"]
    if ledger_balances()["USD"]["cash"]["balance"] != -total:
        raise SystemExit("the ledger's cash does not match what was approved")
    return checks


# Claims paid before the clock starts, not timed: a worker's first tasks import modules,
# connect to the database and compile templates, once in its life (up to a second here, which
# is most of the 1,000-claim run). Both workers take part (two chunks of 250).
WARM_UP = int(os.environ.get("BENCH_WARM_UP", "500"))


def _settle() -> None:
    while _unpaid_left() or _outbox_left():
        time.sleep(POLL)


def _run(n: int, broker_url: str) -> dict:
    from django.utils import timezone

    from claims.models import Outbox
    from claims.outbox import dispatch_many
    from payouts.services import payouts_redispatch
    from tests.support.workers import Worker

    _fresh_database()
    warm_up_ids = _approved_claims(WARM_UP, tag="W")
    env = {"DATABASE_URL": f"{DB_URL}?conn_max_age=600", "CELERY_WORKER_POOL": "solo"}
    workers = [Worker(broker_url=broker_url, extra_env=env) for _ in range(2)]
    # the process publishes to the benchmark's redis (CELERY_BROKER_URL, set before setup)
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.wait_ready()
    warm_started = time.monotonic()
    dispatch_many(message_ids=warm_up_ids)
    _settle()
    warm_up = time.monotonic() - warm_started
    message_ids = _approved_claims(n)  # the timed claims, loaded while the workers wait
    logged = [len(worker.output()) for worker in workers]
    started = time.monotonic()
    # What the approvals' commit does with messages recorded together (claims.batch):
    # hand them to the broker in chunks. The workers do everything else.
    dispatch_many(message_ids=message_ids)
    last_sweep = time.monotonic()
    while _unpaid_left():
        time.sleep(POLL)
        if time.monotonic() - last_sweep > 5:
            payouts_redispatch()  # what beat does
            last_sweep = time.monotonic()
    paid = time.monotonic() - started
    paid_at = timezone.now()
    while _outbox_left():
        time.sleep(POLL)
    drained = time.monotonic() - started
    for worker in workers:
        worker.stop()
    tasks = _task_seconds(
        worker.output()[start:] for worker, start in zip(workers, logged, strict=True)
    )
    for worker in workers:
        worker.cleanup()
    return {
        "paid_s": round(paid, 3),
        "drained_s": round(drained, 3),
        "warm_up_s": round(warm_up, 3),
        "worker_tasks": tasks,
        # How many customer e-mails went out while payouts were still being paid (they wait
        # on the broker behind payments, at background priority): what they took from the run.
        "emails_before_paid": Outbox.objects.filter(
            pk__gt=message_ids[-1], topic="claims.notify_customer", done_at__lte=paid_at
        ).count(),
        "checks": _verify(n + WARM_UP + HISTORY[0]),
    }


def _task_seconds(logs) -> dict:
    """{task: [how many ran, seconds in all]} from the workers' logs: where their time went."""
    import re

    out: dict = {}
    for log in logs:
        for name, seconds in re.findall(r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.]+)s", log):
            count, total = out.get(name.rsplit(".", 1)[-1], (0, 0.0))
            out[name.rsplit(".", 1)[-1]] = (count + 1, total + float(seconds))
    return {name: [count, round(total, 2)] for name, (count, total) in sorted(out.items())}


FLOOR_SQL = [
    """INSERT INTO payouts_payout (claim_id, number, idempotency_key, amount_minor, currency,
        funding, status, adapter, provider_reference, attempts, next_attempt_at, failure_code,
        failure_message, created_at, paid_at, updated_at)
       SELECT id, 1, 'PO-' || reference || '-1', approved_total_minor, currency, funding,
        'paid', 'sandbox', 'sbx_' || id, 1, now(), '', '', now(), now(), now()
       FROM claims_claim WHERE status = 'approved'""",
    """INSERT INTO payouts_ledgertransaction (kind, currency, idempotency_key, claim_id,
        payout_id, memo, amount_minor, created_at)
       SELECT k, currency, idempotency_key || ':' || k, claim_id, id, '', amount_minor, now()
       FROM payouts_payout, (VALUES ('accrual'), ('payout')) AS kinds(k)
       WHERE id > %(payout_after)s""",
    """INSERT INTO payouts_ledgerentry (transaction_id, account, currency, debit_minor,
        credit_minor)
       SELECT id, CASE kind WHEN 'accrual' THEN 'concession_expense' ELSE 'customer_payable' END,
        currency, amount_minor, 0 FROM payouts_ledgertransaction WHERE id > %(tx_after)s
       UNION ALL
       SELECT id, CASE kind WHEN 'accrual' THEN 'customer_payable' ELSE 'cash' END,
        currency, 0, amount_minor FROM payouts_ledgertransaction WHERE id > %(tx_after)s""",
]


def _floor_rows(cursor) -> None:
    """FLOOR_SQL for the payouts of the approved claims (the rows already there are history)."""
    cursor.execute("SELECT coalesce(max(id), 0) FROM payouts_payout")
    payout_after = cursor.fetchone()[0]
    cursor.execute("SELECT coalesce(max(id), 0) FROM payouts_ledgertransaction")
    after = {"payout_after": payout_after, "tx_after": cursor.fetchone()[0]}
    for sql in FLOOR_SQL:
        cursor.execute(sql, after)


def _floor(n: int) -> float:
    from django.db import connection, transaction

    _fresh_database()
    _approved_claims(n)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        _floor_rows(cursor)
    return round(time.monotonic() - started, 3)


def _history(n: int) -> None:
    """A marketplace in operation: n claims paid before the benchmark, with their payouts,
    ledger, provider records and events, written into the template every round copies."""
    from django.db import connection, connections, transaction

    _fresh_database()
    _approved_claims(n, tag="H")
    with transaction.atomic(), connection.cursor() as cursor:
        _floor_rows(cursor)
        cursor.execute(
            """INSERT INTO payouts_providerrecord (adapter, idempotency_key, reference,
                amount_minor, currency, payee, calls, batch_file, created_at)
               SELECT 'sandbox', idempotency_key, provider_reference, amount_minor, currency,
                'history', 1, '', now() FROM payouts_payout"""
        )
        cursor.execute(
            """INSERT INTO claims_claimevent (claim_id, kind, from_status, to_status,
                actor_party, actor_id, actor_label, reason, data, created_at)
               SELECT id, 'status', s.f, s.t, 'system', NULL, 'history', '', '{}'::jsonb, now()
               FROM claims_claim,
                (VALUES ('approved', 'payout_pending'), ('payout_pending', 'paid')) AS s(f, t)
               WHERE status = 'approved'"""
        )
        cursor.execute("UPDATE claims_claim SET status = 'paid' WHERE status = 'approved'")
        cursor.execute("UPDATE claims_outbox SET done_at = now() WHERE done_at IS NULL")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()
    _psql(f"DROP DATABASE {TEMPLATE}")
    _psql(f"CREATE DATABASE {TEMPLATE} TEMPLATE {DB}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,100000"))
    parser.add_argument(
        "--small-rounds",
        type=int,
        default=int(os.environ.get("BENCH_SMALL_ROUNDS", "5")),
        help="rounds for sizes up to 10,000, half before and half after the large sizes, the "
        "median kept: a run of a second or two is at the mercy of one slow task on a shared "
        "machine",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=int(os.environ.get("BENCH_HISTORY", "100000")),
        help="claims already paid before the benchmark, in every round (0: empty tables)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    _setup_database()
    from tests.support.workers import RedisServer

    redis = RedisServer()
    redis.start()
    os.environ["CELERY_BROKER_URL"] = redis.url
    import django

    django.setup()
    figures: dict = {"history_claims": args.history}
    try:
        if args.history:
            _history(args.history)
            HISTORY[0] = args.history
        # Interleaved: the small sizes' rounds run half before and half after the large ones,
        # so both sizes meet the same noise on a shared machine (a quiet start, then a busy
        # neighbour, would otherwise flatter one size and not the other).
        small_sizes = [n for n in sizes if n <= 10_000]
        large_sizes = [n for n in sizes if n > 10_000]
        before = (args.small_rounds + 1) // 2
        schedule = (
            [n for _ in range(before) for n in small_sizes]
            + large_sizes
            + [n for _ in range(args.small_rounds - before) for n in small_sizes]
        )
        runs: dict[int, list] = {n: [] for n in sizes}
        floors: dict[int, list] = {n: [] for n in sizes}
        for n in schedule:
            runs[n].append(_run(n, redis.url))
            floors[n].append(_floor(n))
        for n in sizes:
            rounds = len(runs[n])
            run = sorted(runs[n], key=lambda r: r["paid_s"])[rounds // 2]  # the median round
            floor = statistics.median(floors[n])
            figures[str(n)] = {
                **run,
                "rounds": rounds,
                "paid_s_each_round": [r["paid_s"] for r in runs[n]],
                "per_payout_ms": round(run["paid_s"] / n * 1000, 3),
                "floor_s": floor,
                "floor_s_each_round": floors[n],
                "run_vs_floor_each_round": [
                    round(r["paid_s"] / f, 2) for r, f in zip(runs[n], floors[n], strict=True)
                ],
                "run_vs_floor_of_medians": round(run["paid_s"] / floor, 2),
                "floor_per_payout_ms": round(floor / n * 1000, 4),
            }
        figures["schedule"] = schedule
    finally:
        redis.close()
        from django.db import connections

        connections.close_all()
        for name in (DB, TEMPLATE):
            _psql(f"DROP DATABASE IF EXISTS {name}")
    small, big = str(sizes[0]), str(sizes[-1])
    growth = f"per_payout_{big}_vs_{small}"
    ratios = {
        growth: round(figures[big]["per_payout_ms"] / figures[small]["per_payout_ms"], 3),
        **{
            f"run_vs_floor_{n}": round(statistics.median(figures[n]["run_vs_floor_each_round"]), 2)
            for n in (str(size) for size in sizes)
        },
    }
    # The targets, keyed like the ratios they judge.
    targets = {
        growth: "<=1.2",
        **{name: "<=10" for name in ratios if name.startswith("run_vs_floor_")},
    }
    print(
        json.dumps({"bench": "payouts", "figures": figures, "ratios": ratios, "targets": targets})
    )


if __name__ == "__main__":
    main()
