"""Benchmark `outage`: customers filing claims with Redis up and with Redis down, in one run.

The production topology's simplest form: one Redis server (a throw-away one on its own port) as
Celery broker, Django cache and session cache, with the production cache configuration
(`claims_site.caches.redis_caches`). THREADS customers at a time file claims (incident, losses,
one photo, review, submit: five requests through the Django test client, each customer with its
own session) in ROUNDS rounds that alternate Redis up and Redis stopped, so both conditions see
the same machine load. Nothing consumes the broker: the follow-ups stay in the outbox, which is
what a submission must do either way.

Figures: submissions per second and the p95 of one whole submission, per condition; errors
(any response other than 200/302). Target: with Redis down at least 0.5x the throughput with
Redis up, and no error. Runs on its own PostgreSQL database (bench_outage, created and dropped
here; BENCH_DB_SUFFIX is appended to its name, see benchmarks/_testdb.py, and for
BENCH_DB_TEMPLATE). Prints one JSON line. `make bench ONLY=outage`. Smaller runs:
BENCH_THREADS (4 customers at a time), BENCH_PER_THREAD (4 submissions each a round),
BENCH_ROUNDS (6; at least 2, one of each).
"""

import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root, in place of benchmarks/ (whose queue.py would shadow the stdlib queue).
sys.path[0] = str(ROOT)

from benchmarks._testdb import django_setup, run_and_print  # noqa: E402

MEDIA = django_setup(database="bench_outage")

from django.db import connections  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", "4"))
PER_THREAD = int(os.environ.get("BENCH_PER_THREAD", "4"))  # submissions per thread per round
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))  # alternating up, down, up, down…
TARGETS = {"down_vs_up_throughput": ">=0.5", "errors": "==0"}


def _customers(count: int):
    from tests.factories import OrderLineFactory

    return [[OrderLineFactory() for _ in range(PER_THREAD)] for _ in range(count)]


def _round(lines_per_thread, photo: bytes) -> tuple[float, list[float], list[int]]:
    """Each thread files its claims; the round's wall time, each submission's time, statuses."""
    from django.test import Client

    from tests.portal.conftest import sign_in
    from tests.portal.helpers import file_claim

    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def customer(lines) -> None:
        try:
            for line in lines:
                client = Client(raise_request_exception=False)
                started = time.perf_counter()
                sign_in(client, line.order.customer)
                codes = file_claim(client, line, photo)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses.extend(codes)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=customer, args=(lines,)) for lines in lines_per_thread]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run() -> dict:
    from claims.models import Claim
    from claims_site.caches import redis_caches
    from tests.portal.conftest import jpeg_bytes
    from tests.support.workers import RedisServer, celery_broker

    redis = RedisServer()
    redis.start()
    photo = jpeg_bytes(size=(1600, 1200))
    figures = {"up": {"seconds": 0.0, "latencies": [], "errors": 0}, "down": None}
    figures["down"] = {"seconds": 0.0, "latencies": [], "errors": 0}
    try:
        with (
            override_settings(
                CACHES=redis_caches(redis.url),
                PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY=10_000,
                PORTAL_SUBMISSIONS_PER_IP_PER_DAY=10_000,
                PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY=10_000,
            ),
            celery_broker(redis.url),
        ):
            _round(_customers(THREADS), photo)  # warm up: imports, templates, connections
            for index in range(ROUNDS):
                condition = "up" if index % 2 == 0 else "down"
                if condition == "down":
                    redis.stop()
                elif redis.process is None:
                    redis.start()
                seconds, latencies, statuses = _round(_customers(THREADS), photo)
                figures[condition]["seconds"] += seconds
                figures[condition]["latencies"] += latencies
                figures[condition]["errors"] += sum(1 for s in statuses if s not in (200, 302))
        claims = Claim.objects.count()
    finally:
        redis.close()
    result = {}
    for condition, f in figures.items():
        result[f"redis_{condition}_submissions"] = len(f["latencies"])
        result[f"redis_{condition}_per_second"] = round(len(f["latencies"]) / f["seconds"], 2)
        result[f"redis_{condition}_p95_ms"] = round(_p95(f["latencies"]) * 1000, 1)
        result[f"redis_{condition}_errors"] = f["errors"]
    errors = figures["up"]["errors"] + figures["down"]["errors"]
    return {
        "bench": "outage",
        "figures": {**result, "threads": THREADS, "claims_filed": claims},
        "ratios": {
            "down_vs_up_throughput": round(
                result["redis_down_per_second"] / result["redis_up_per_second"], 2
            ),
            "errors": errors,
        },
        "targets": TARGETS,
    }


def main() -> None:
    run_and_print(run, media=MEDIA)


if __name__ == "__main__":
    main()
