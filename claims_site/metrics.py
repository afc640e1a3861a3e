"""Prometheus metrics, served at ``/metrics`` (prometheus_client).

Gauges are read from the database when Prometheus scrapes, so any process gives the same answer:
the outbox backlog and the age of its oldest message, payouts due, claims whose seller deadline
has passed but which are not escalated yet. Counters are counted where the error happens: cache
errors the cache ignored, rate-limit checks that failed open, tasks the broker refused.

Counters live in the process that counted them. With several processes behind one port
(gunicorn workers), set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder they share (emptied at
each start) and they are summed across processes.
"""

import logging
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

CACHE_ERRORS = Counter(
    "claimdesk_cache_errors", "Cache calls that failed and were treated as a miss (cache down)"
)
RATELIMIT_FAIL_OPEN = Counter(
    "claimdesk_ratelimit_fail_open",
    "Rate-limit checks let through because the cache could not count",
    ["scope"],
)
BROKER_PUBLISH_ERRORS = Counter(
    "claimdesk_broker_publish_errors",
    "Tasks the broker did not take; the outbox sweeper re-sends them",
)


class CacheErrorCounter(logging.Filter):
    """Counts the errors django-redis ignores; it reports them only to its logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            CACHE_ERRORS.inc()
        return True


class BacklogCollector:
    """The database's figures, read at scrape time."""

    def collect(self):
        from claims.outbox import outbox_backlog
        from payouts.selectors import payouts_due_count
        from sellers.selectors import claims_overdue_for_escalation_count

        pending, oldest_age = outbox_backlog()
        yield GaugeMetricFamily(
            "claimdesk_outbox_backlog", "Outbox messages not done yet", value=pending
        )
        yield GaugeMetricFamily(
            "claimdesk_outbox_oldest_age_seconds",
            "Age of the oldest outbox message not done yet (0 when none)",
            value=oldest_age,
        )
        yield GaugeMetricFamily(
            "claimdesk_payouts_due",
            "Payouts due to be sent now, or whose sender's lease ran out",
            value=payouts_due_count(),
        )
        yield GaugeMetricFamily(
            "claimdesk_escalations_overdue",
            "Claims past their seller deadline, not escalated yet",
            value=claims_overdue_for_escalation_count(),
        )


def metrics_exposition() -> tuple[bytes, str]:
    """The text Prometheus scrapes, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        multiprocess.MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    figures = CollectorRegistry()
    figures.register(BacklogCollector())
    return generate_latest(counters) + generate_latest(figures), CONTENT_TYPE_LATEST
