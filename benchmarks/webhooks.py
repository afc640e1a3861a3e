"""Benchmark `webhooks`: 1,000 and 100,000 events delivered by two real Celery workers to a
local receiver that verifies every signature.

    make bench ONLY=webhooks
    BENCH_SIZES=1000,20000 BENCH_SMALL_ROUNDS=4 .venv/bin/python benchmarks/webhooks.py

Runs on its own PostgreSQL database (``bench_webhooks``, created and dropped here, through
``benchmarks._testdb``) and its own redis-server, with two ``celery worker`` processes (solo
pool each) of the project's settings and a receiver process (``benchmarks/_webhook_receiver.py``,
HTTP/1.1, checking each delivery with the ``standardwebhooks`` library). One order-system
client has one endpoint there, with its secret.

Each round starts from empty webhook tables: n events and their n deliveries, due now, are
written in SQL as a batch transition's commit writes them (not timed). The clock starts when
the wake-up message goes to the broker, as ``webhooks.services._wake_sender`` does on commit,
and stops when no delivery is pending; the workers do the rest (``webhooks_deliver_due``:
lease a batch, queue the next, sign, send, record). Then the benchmark checks that every
delivery arrived, verified, with one attempt logged each. Before the rounds, 200 deliveries
warm the workers up (imports, connections). The sizes interleave: half the small rounds
(``BENCH_SMALL_ROUNDS``, 4) before the large one and half after, so both meet the same noise;
the median time per delivery of the small size's rounds is compared. Lag: from the moment the
deliveries were due to their arrival at the receiver (all n are due at once, so it is mostly
the wait behind the others). Prints one JSON line. ``BENCH_WARM_UP`` (200) deliveries for the
warm-up; ``BENCH_DB_SUFFIX`` is appended to the database's name (see benchmarks/_testdb.py,
and for ``BENCH_DB_TEMPLATE``).
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root, in place of benchmarks/ (whose queue.py would shadow the stdlib queue).
sys.path[0] = str(ROOT)

from tests.support.workers import RedisServer, Worker, free_port, wait_for  # noqa: E402

REDIS = RedisServer()
REDIS.start()
os.environ["CELERY_BROKER_URL"] = REDIS.url

from benchmarks._testdb import django_setup, run_and_print  # noqa: E402

MEDIA = django_setup(database="bench_webhooks")

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
SMALL_ROUNDS = int(os.environ.get("BENCH_SMALL_ROUNDS", "4"))
WARM_UP = int(os.environ.get("BENCH_WARM_UP", "200"))
POLL = 0.01
TARGETS = {"per_delivery_large_vs_small": "<=1.2", "p99_lag_s": "(printed)"}

LOAD = [
    """INSERT INTO webhooks_apievent (client_id, type, data, claim_event_id, created_at)
       SELECT %(client)s, 'claim.submitted',
              jsonb_build_object('claim', 'PL-B-' || g, 'status', 'submitted',
                'from_status', 'draft', 'region', 'US', 'currency', 'USD',
                'claimed_total_minor', 25000 + g, 'approved_total_minor', null,
                'funding', '', 'respond_by', null, 'occurred_at', %(iso)s::text),
              NULL, %(now)s
       FROM generate_series(1, %(n)s::bigint) g""",
    """INSERT INTO webhooks_delivery (endpoint_id, event_id, status, attempts, next_attempt_at,
              locked_until, last_status_code, last_response_ms, last_error, delivered_at,
              created_at)
       SELECT %(endpoint)s, id, 'pending', 0, %(now)s, NULL, NULL, NULL, '', NULL, %(now)s
       FROM webhooks_apievent""",
]


class Receiver:
    def __init__(self, secret: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "_webhook_receiver.py"),
                str(self.port),
                secret,
            ]
        )
        wait_for(self._answers, timeout=20, what="the receiver")

    def _answers(self) -> bool:
        try:
            self.take()
        except OSError:
            return False
        return True

    def take(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/take", timeout=30) as r:
            return json.load(r)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _pending() -> bool:
    from webhooks.models import Delivery, DeliveryStatus

    return Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def _round(n: int, *, client_id: int, endpoint_id: int, receiver: Receiver) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from webhooks.models import Attempt, Delivery
    from webhooks.tasks import webhooks_deliver_due

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE webhooks_attempt, webhooks_delivery, webhooks_apievent RESTART IDENTITY"
        )
    now = timezone.now()
    params = {"client": client_id, "endpoint": endpoint_id, "n": n, "now": now}
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in LOAD:
            cursor.execute(sql, {**params, "iso": now.isoformat()})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE webhooks_apievent, webhooks_delivery")
    receiver.take()  # nothing left over from the round before
    started = time.time()
    webhooks_deliver_due.delay()  # what the commit's on_commit hook does
    while _pending():
        time.sleep(POLL)
        if time.time() - started > 3600:
            raise SystemExit("the deliveries did not finish in an hour")
    elapsed = time.time() - started
    time.sleep(0.5)  # the last batch's follow-up message finds nothing and ends
    got = receiver.take()
    first: dict[str, float] = {}
    for webhook_id, arrived in got["verified"]:
        first.setdefault(webhook_id, arrived)
    delivered = Delivery.objects.filter(status="delivered").count()
    if len(first) != n or got["refused"] or delivered != n or Attempt.objects.count() < n:
        raise SystemExit(
            f"not every delivery arrived once, verified: {len(first)} of {n} arrived, "
            f"{got['refused']} refused, {delivered} delivered"
        )
    lags = sorted(arrived - started for arrived in first.values())
    return {
        "n": n,
        "elapsed_s": round(elapsed, 3),
        "per_delivery_ms": round(elapsed / n * 1000, 4),
        "lag_p50_s": round(lags[len(lags) // 2], 3),
        "lag_p99_s": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))], 3),
        "lag_max_s": round(lags[-1], 3),
        "duplicates": len(got["verified"]) - n,
    }


def run() -> dict:
    from api.models import ClientKind
    from api.services import api_client_create
    from tests.support.workers import test_database_url
    from webhooks.services import endpoint_create

    client = api_client_create(
        name="Bench orders", kind=ClientKind.ORDER_SYSTEM, contact_email="o@bench.test"
    )
    placeholder, secret = endpoint_create(
        client=client, url="http://127.0.0.1:9/hooks", event_types=["claim.submitted"]
    )
    receiver = Receiver(secret)
    placeholder.url = receiver.url
    placeholder.save(update_fields=["url"])
    env = {"DATABASE_URL": f"{test_database_url()}?conn_max_age=600", "CELERY_WORKER_POOL": "solo"}
    workers = [Worker(broker_url=REDIS.url, extra_env=env) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_ready()
        ids = {"client_id": client.pk, "endpoint_id": placeholder.pk, "receiver": receiver}
        _round(WARM_UP, **ids)
        small = [n for n in SIZES if n <= 10_000]
        large = [n for n in SIZES if n > 10_000]
        before = (SMALL_ROUNDS + 1) // 2
        schedule = small * before + large + small * (SMALL_ROUNDS - before)
        rounds: dict[int, list] = {n: [] for n in SIZES}
        for n in schedule:
            rounds[n].append(_round(n, **ids))
            print(json.dumps(rounds[n][-1]), file=sys.stderr)
    finally:
        for worker in workers:
            worker.stop()
            worker.cleanup()
        receiver.stop()
    figures: dict = {"schedule": schedule, "workers": 2, "batch": 100}
    for n in SIZES:
        # The lower median round for the lags; the median of every round for the time.
        kept = sorted(rounds[n], key=lambda r: r["elapsed_s"])[(len(rounds[n]) - 1) // 2]
        figures[str(n)] = {
            **kept,
            "per_delivery_ms": round(statistics.median(r["per_delivery_ms"] for r in rounds[n]), 4),
            "rounds": len(rounds[n]),
            "elapsed_s_each_round": [r["elapsed_s"] for r in rounds[n]],
        }
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    s, b = str(SIZES[0]), str(SIZES[-1])
    return {
        "bench": "webhooks",
        "figures": figures,
        "ratios": {
            "per_delivery_large_vs_small": round(
                figures[b]["per_delivery_ms"] / figures[s]["per_delivery_ms"], 3
            ),
            "p99_lag_s": figures[b]["lag_p99_s"],
            f"p99_lag_s_{s}": figures[s]["lag_p99_s"],
        },
        "targets": TARGETS,
    }


def main() -> None:
    try:
        run_and_print(run, media=MEDIA)
    finally:
        REDIS.close()


if __name__ == "__main__":
    main()
