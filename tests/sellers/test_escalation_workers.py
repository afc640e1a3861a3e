"""Two real Celery worker processes run the escalation job at the same time over the same
overdue claims on PostgreSQL: each claim is escalated exactly once, with one event, one e-mail
and one recovery where due; a re-run changes nothing."""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from claims.models import Claim, ClaimEvent, ClaimStatus, Outbox
from sellers.models import Recovery
from sellers.tasks import escalate_overdue_claims
from tests.factories import claim_in
from tests.sellers.helpers import OVER, UNDER
from tests.support.workers import RedisServer, Worker, celery_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
CLAIMS = 40


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.close()


def _subjects(folder: Path) -> list[str]:
    return [
        line
        for path in folder.glob("*.log")
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith("Subject: ")
    ]


def _job_runs(workers) -> int:
    return sum(
        line.count("escalate_overdue_claims[") and "succeeded" in line
        for w in workers
        for line in w.output().splitlines()
    )


def _settled() -> bool:
    return (
        not Claim.objects.filter(status=ClaimStatus.AWAITING_SELLER).exists()
        and Outbox.objects.filter(topic="sellers.notify_escalated").count() == CLAIMS
        and not Outbox.objects.filter(topic="sellers.notify_escalated", done_at=None).exists()
    )


def test_escalation_two_workers_at_once_escalate_each_claim_exactly_once(redis_server, tmp_path):
    # given: 40 claims awaiting their sellers, all overdue (half over the threshold)
    claims = [
        claim_in(ClaimStatus.AWAITING_SELLER, amount_minor=OVER if i % 2 else UNDER)
        for i in range(CLAIMS)
    ]
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
        seller_respond_by=timezone.now() - dt.timedelta(hours=1)
    )
    mails = tmp_path / "mail"
    mails.mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.support.worker_settings",
        "EMAIL_FILE_PATH": str(mails),
        "ESCALATION_BATCH_SIZE": "5",  # many small batches, so the two workers interleave
    }
    with celery_broker(redis_server.url):
        workers = [Worker(broker_url=redis_server.url, extra_env=env).start() for _ in range(2)]
        try:
            for worker in workers:
                wait_for(lambda w=worker: "ready" in w.output(), timeout=60, what="worker ready")
            # when: the job is started on both workers at the same moment
            escalate_overdue_claims.apply_async()
            escalate_overdue_claims.apply_async()
            wait_for(_settled, timeout=120, what="every claim escalated and notified")
            counts = (ClaimEvent.objects.count(), Recovery.objects.count(), Outbox.objects.count())
            runs = _job_runs(workers)
            # and: the job runs again on both
            escalate_overdue_claims.apply_async()
            escalate_overdue_claims.apply_async()
            wait_for(lambda: _job_runs(workers) >= runs + 2, timeout=30, what="the re-run")
        finally:
            for worker in workers:
                worker.stop()
    outputs = [worker.output() for worker in workers]
    for worker in workers:
        worker.cleanup()
    # then: both workers ran the job
    assert all("sellers.tasks.escalate_overdue_claims" in out for out in outputs)
    # and: each claim escalated exactly once, with one event and one e-mail
    escalations = Counter(
        ClaimEvent.objects.filter(to_status=ClaimStatus.ESCALATED).values_list(
            "claim_id", flat=True
        )
    )
    assert escalations == Counter({c.pk: 1 for c in claims})
    subjects = _subjects(mails)
    assert len(subjects) == CLAIMS
    assert sorted(s.split()[-1] for s in subjects) == sorted(c.reference for c in claims)
    # and: one recovery for each claim over the threshold, none under it
    over = {c.pk for c in claims if c.claimed_total_minor > c.region.threshold_minor}
    assert sorted(Recovery.objects.values_list("claim_id", flat=True)) == sorted(over)
    assert all(m.attempts == 1 for m in Outbox.objects.filter(topic="sellers.notify_escalated"))
    # and: the re-run changed nothing
    assert (ClaimEvent.objects.count(), Recovery.objects.count(), Outbox.objects.count()) == counts
