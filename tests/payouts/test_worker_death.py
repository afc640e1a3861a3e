"""A worker killed while it pays: the payout it held is sent by another worker within a minute,
under the real beat schedule, and paid exactly once. The lease of a worker that is alive is
renewed while it works, so a short lease never hands a live worker's payout to another."""

import os
import signal
import subprocess
import sys
import time

import pytest

from claims.actors import Actor
from claims.services import claim_approve
from payouts.models import Payout, PayoutStatus, ProviderRecord
from tests.factories import ProductFactory
from tests.support import workers as support
from tests.support.bulk import claims_with_payees
from tests.support.workers import ROOT, RedisServer, Worker, celery_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# One process that runs the tasks itself, so SIGKILL kills the payer; the provider takes 8 s.
SLOW = {"CELERY_WORKER_POOL": "solo", "SANDBOX_LATENCY_MS": "8000,8000"}


def _beat(redis_url: str, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "claims_site.settings.test",
        "DATABASE_URL": support.test_database_url(),
        "CELERY_BROKER_URL": redis_url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "claims_site", "beat", "--loglevel", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_payout_of_a_killed_worker_is_sent_once_within_a_minute(tmp_path):
    (claim,) = claims_with_payees(1, tag="K", product=ProductFactory(), loss_items=True)
    redis = RedisServer()
    redis.start()
    beat_log = (tmp_path / "beat.log").open("wb")
    beat = _beat(redis.url, beat_log)
    slow = other = None
    try:
        with celery_broker(redis.url):
            slow = Worker(broker_url=redis.url, extra_env=SLOW).start().wait_ready()
            # given: the claim is approved and the only worker is paying it (8 s at the provider)
            item = claim.losses.get()
            claim_approve(
                claim=claim,
                actor=Actor.system("test approval"),
                approved={item.pk: item.claimed_minor},
                funding="concession",
            )
            wait_for(
                lambda: Payout.objects.filter(status=PayoutStatus.SENDING).exists(),
                timeout=60,
                what="the worker to start paying",
            )
            time.sleep(1)
            # when: that worker is killed, and another one runs
            slow.kill()
            killed_at = time.monotonic()
            other = Worker(broker_url=redis.url, extra_env={"CELERY_WORKER_POOL": "solo"}).start()
            # then: the payout is paid within a minute of the kill...
            wait_for(
                lambda: Payout.objects.filter(status=PayoutStatus.PAID).exists(),
                timeout=60,
                interval=0.5,
                what="the payout to be paid after its worker was killed",
            )
            recovered_in = time.monotonic() - killed_at
    finally:
        for worker in (slow, other):
            if worker:
                worker.stop()
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=20)
        beat_log.close()
        redis.close()
    # ...exactly once: one payment at the provider, under the payout's key
    payout = Payout.objects.get()
    assert ProviderRecord.objects.filter(idempotency_key=payout.idempotency_key).count() == 1
    print(f"payout recovered {recovered_in:.1f}s after its worker was killed")
