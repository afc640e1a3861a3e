"""Exactly once under faults: 1,000 approved claims paid by three real Celery worker processes on
PostgreSQL and a Redis server of the test's own, while one worker is killed with SIGKILL and
restarted and the broker is restarted (losing every queued message). The sandbox provider times
out and loses answers along the way. At the end every claim is paid exactly once, the ledger
balances and nothing is left behind."""

import datetime as dt
import time

import pytest
from django.db.models import Count, Sum

from claims.actors import Actor
from claims.models import Claim, ClaimEvent, ClaimStatus, Outbox
from claims.outbox import outbox_redispatch
from claims.services import claim_approve
from payouts.ledger import ledger_balances, ledger_unbalanced
from payouts.models import Payout, PayoutStatus, ProviderRecord
from payouts.services import payouts_redispatch
from tests.factories import ProductFactory
from tests.support import workers as support
from tests.support.bulk import claims_with_payees
from tests.support.workers import RedisServer, Worker, celery_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

N = 1000
# Beat: the payout sweeper every few seconds, the outbox sweeper as in production.
PAYOUT_SWEEP_EVERY = 5  # seconds
OUTBOX_SWEEP_EVERY = 30
WORKER_ENV = {
    # Each worker is one process that runs the tasks itself, so SIGKILL kills the payer.
    "CELERY_WORKER_POOL": "solo",
    # Short leases so that work a killed worker held is taken over within the test's time.
    "PAYOUT_LEASE_SECONDS": "5",
    "OUTBOX_LEASE_SECONDS": "5",
    "PAYOUT_RETRY_BASE_SECONDS": "1",
    "PAYOUT_MAX_ATTEMPTS": "100",
    "PAYOUT_BATCH_SIZE": "20",
    # The provider misbehaves: latency, timeouts before paying, answers lost after paying.
    "SANDBOX_LATENCY_MS": "0,4",
    "SANDBOX_TIMEOUT_RATE": "0.05",
    "SANDBOX_LOST_RESPONSE_RATE": "0.05",
}


def _approve(claims: list[Claim]) -> None:
    system = Actor.system("test approvals")
    for claim in claims:
        item = claim.losses.get()
        claim_approve(
            claim=claim, actor=system, approved={item.pk: item.claimed_minor}, funding="concession"
        )


def _paid() -> int:
    return Payout.objects.filter(status=PayoutStatus.PAID).count()


class Beat:
    """What beat does: re-send outstanding outbox work, wake the send job for due payouts."""

    def __init__(self) -> None:
        self.outbox_swept = time.monotonic()

    def tick(self) -> None:
        if time.monotonic() - self.outbox_swept >= OUTBOX_SWEEP_EVERY:
            outbox_redispatch()
            self.outbox_swept = time.monotonic()
        payouts_redispatch()


def _task_times(workers) -> dict:
    import re
    from collections import defaultdict

    times = defaultdict(list)
    for worker in workers:
        for name, seconds in re.findall(
            r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.]+)s", worker.output()
        ):
            times[name].append(float(seconds))
    return {k: (len(v), round(sum(v) / len(v) * 1000, 1)) for k, v in times.items()}


def _state(workers) -> str:
    """Where things stand, for a failure message."""
    payouts = dict(Payout.objects.values_list("status").annotate(n=Count("pk")))
    failed = list(
        Payout.objects.exclude(status="paid").values_list(
            "status", "attempts", "failure_code", "failure_message"
        )[:5]
    )
    claims = dict(Claim.objects.values_list("status").annotate(n=Count("pk")))
    outbox = list(
        Outbox.objects.filter(done_at__isnull=True).values_list(
            "topic", "attempts", "locked_until", "last_error"
        )[:5]
    )
    logs = "\n".join(w.output()[-1500:] for w in workers)
    return f"payouts {payouts} {failed}\nclaims {claims}\noutbox pending {outbox}\n{logs}"


def test_every_approved_claim_is_paid_exactly_once_despite_kills_and_broker_restart(settings):
    # Beat's sweepers, a little faster than in production (30 s) to keep the test short.
    settings.OUTBOX_REDISPATCH_AFTER = dt.timedelta(seconds=20)
    started = time.monotonic()
    claims = claims_with_payees(N, tag="X", product=ProductFactory(), loss_items=True)
    redis = RedisServer()
    redis.start()
    workers = []
    try:
        with celery_broker(redis.url):
            env = {**WORKER_ENV, "DATABASE_URL": f"{support.test_database_url()}?conn_max_age=60"}
            workers = [Worker(broker_url=redis.url, extra_env=env).start() for _ in range(3)]
            # when: claims are approved while three workers pay them
            print(f"setup {time.monotonic() - started:.1f}s")
            _approve(claims[:400])
            wait_for(lambda: _paid() >= 100, timeout=90, what="payouts to start")
            # a worker is killed mid-run (SIGKILL: no chance to finish or release anything)
            workers[0].kill()
            paid_at_kill = _paid()
            _approve(claims[400:700])
            workers[0] = Worker(broker_url=redis.url, extra_env=env).start()
            # the broker goes away (approvals still succeed), and comes back empty
            redis.stop()
            _approve(claims[700:720])
            redis.start()
            _approve(claims[720:])
            print(f"approved {time.monotonic() - started:.1f}s, paid {_paid()}")

            # then: with the sweepers running as beat would, everything is paid
            beat = Beat()

            def settled() -> bool:
                beat.tick()
                done = (
                    _paid() == N
                    and not Outbox.objects.filter(done_at__isnull=True).exists()
                    and Claim.objects.filter(status=ClaimStatus.PAID).count() == N
                )
                if not done:
                    print(
                        f"{time.monotonic() - started:.0f}s paid {_paid()} "
                        f"outbox {Outbox.objects.filter(done_at__isnull=True).count()} "
                        f"queue {redis.client().llen('celery')}"
                    )
                    time.sleep(PAYOUT_SWEEP_EVERY)
                return done

            try:
                wait_for(settled, timeout=240, interval=0, what="every payout to be paid")
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{_state(workers)}") from None
    finally:
        for worker in workers:
            worker.stop()
        redis.close()
    elapsed = time.monotonic() - started
    assert 0 < paid_at_kill < N, "the worker was killed mid-run"

    # every approved claim has exactly one payout, paid, and one PAID event
    assert Payout.objects.count() == N
    assert not Payout.objects.exclude(status=PayoutStatus.PAID).exists()
    assert not Payout.objects.values("claim").annotate(n=Count("pk")).filter(n__gt=1).exists()
    paid_events = ClaimEvent.objects.filter(to_status=ClaimStatus.PAID)
    assert paid_events.count() == N
    assert paid_events.values("claim").distinct().count() == N

    # the provider's memory: one successful payment per claim, under that claim's payout key
    records = ProviderRecord.objects.filter(adapter="sandbox")
    assert records.count() == N
    keys = dict(Payout.objects.values_list("idempotency_key", "amount_minor"))
    assert dict(records.values_list("idempotency_key", "amount_minor")) == keys
    assert dict(Payout.objects.values_list("idempotency_key", "provider_reference")) == dict(
        records.values_list("idempotency_key", "reference")
    )
    # the faults really happened: keys were presented more than once, and paid once
    assert records.aggregate(calls=Sum("calls"))["calls"] > N

    # the ledger balances per currency, and says what the provider says
    assert ledger_unbalanced() == []
    total = sum(keys.values())
    for accounts in ledger_balances().values():
        assert sum(a["balance"] for a in accounts.values()) == 0
    usd = ledger_balances()["USD"]
    assert usd["cash"]["balance"] == -total
    assert usd["concession_expense"]["balance"] == total
    assert usd["customer_payable"]["balance"] == 0
    print(f"exactly-once under faults: {N} claims in {elapsed:.1f}s; {_task_times(workers)}")
    for worker in workers:
        worker.cleanup()
