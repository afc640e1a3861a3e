"""Follow-up work reaches a real Celery worker on Redis only after commit, and survives the
broker being down (the database is the outbox)."""

import datetime as dt
import time

import pytest
from django.db import transaction
from django.utils import timezone

from claims.models import Claim, ClaimStatus, Outbox
from claims.outbox import BACKGROUND_PRIORITY, outbox_redispatch
from tests.factories import OrderLineFactory, claim_new
from tests.support.workers import (
    RedisServer,
    Worker,
    celery_broker,
    filesystem_transport_options,
    wait_for,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.close()


def _screened(claim: Claim) -> bool:
    """Screened, and the work that follows done: fraud scoring routes the claim out of
    screening (here, a clean claim, on to the seller)."""
    claim.refresh_from_db()
    done = not Outbox.objects.filter(payload__claim_id=claim.pk, done_at__isnull=True).exists()
    return claim.status == ClaimStatus.AWAITING_SELLER and done


def _queued(redis) -> dict[str, int]:
    """Messages waiting on the default queue, by priority list (kombu's Redis transport keeps
    one list per priority step: ``celery`` for the default, ``celery\x06\x169`` for 9)."""
    return {
        key.decode(): redis.llen(key)
        for key in redis.keys("celery*")
        if redis.type(key) == b"list" and redis.llen(key)
    }


def test_task_enqueued_on_commit_runs_on_a_real_worker(redis_server):
    redis = redis_server.client()
    line = OrderLineFactory()
    with celery_broker(redis_server.url):
        # given: an attempt that rolls back enqueues nothing
        with pytest.raises(RuntimeError), transaction.atomic():
            claim_new(order_line=line)
            raise RuntimeError("a later insert failed")
        assert _queued(redis) == {}
        assert not Outbox.objects.exists()
        # when: the claim is committed
        claim = claim_new(order_line=line)
        # then: its follow-ups are on the broker (the customer's receipt behind the screening,
        # at background priority), and a worker carries them out
        assert _queued(redis) == {"celery": 1, f"celery\x06\x16{BACKGROUND_PRIORITY}": 1}
        worker = Worker(broker_url=redis_server.url).start()
        try:
            wait_for(lambda: _screened(claim), timeout=60, what="the worker to screen the claim")
        finally:
            worker.stop()
        worker.cleanup()
    assert claim.events.filter(to_status=ClaimStatus.SCREENING).count() == 1
    assert _queued(redis) == {}


def test_broker_down_the_request_still_succeeds_and_the_sweeper_catches_up(redis_server):
    line = OrderLineFactory()
    # given: the broker is down
    redis_server.stop()
    with celery_broker(redis_server.url):
        # when: a claim is filed
        started = time.monotonic()
        claim = claim_new(order_line=line)
        elapsed = time.monotonic() - started
        # then: the claim is saved, without waiting long on the broker
        assert Claim.objects.filter(pk=claim.pk).exists()
        assert elapsed < 10, f"filing waited {elapsed:.1f}s on a broker that is down"
        assert Outbox.objects.filter(payload__claim_id=claim.pk, done_at__isnull=True).count() == 2
        # when: the broker is back, the sweeper re-dispatches, a worker runs the work once
        redis_server.start()
        worker = Worker(broker_url=redis_server.url).start()
        try:
            later = timezone.now() + dt.timedelta(minutes=1)
            assert outbox_redispatch(now=later) == 2
            assert outbox_redispatch(now=later) == 0  # handed over: not copied again at once
            wait_for(lambda: _screened(claim), timeout=60, what="the worker to catch up")
        finally:
            worker.stop()
        worker.cleanup()
    assert claim.events.filter(to_status=ClaimStatus.SCREENING).count() == 1
    assert all(m.attempts == 1 for m in Outbox.objects.filter(payload__claim_id=claim.pk))


def test_embedded_filesystem_broker_carries_work_to_a_real_worker(tmp_path):
    """The `make run` default: no broker server, kombu's filesystem transport in a folder."""
    queue = tmp_path / "celery" / "queue"
    options = filesystem_transport_options(queue)
    line = OrderLineFactory()
    with celery_broker("filesystem://", transport_options=options):
        claim = claim_new(order_line=line)
        assert len(list(queue.iterdir())) == 2  # two messages written by this process
        worker = Worker(
            broker_url="filesystem://", extra_env={"CELERY_FILESYSTEM_QUEUE": str(queue)}
        ).start()
        try:
            wait_for(lambda: _screened(claim), timeout=60, what="the worker to screen the claim")
        finally:
            worker.stop()
        worker.cleanup()
    assert claim.events.filter(to_status=ClaimStatus.SCREENING).count() == 1
