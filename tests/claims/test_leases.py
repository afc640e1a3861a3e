"""A worker keeps its short leases alive while it works; nothing else's lease is touched."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from claims.leases import lease_kept
from claims.models import Outbox

# The renewing thread has its own connection: it must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

LEASE = dt.timedelta(seconds=0.8)


def test_lease_kept_renews_the_held_leases_while_the_work_runs():
    # given: two messages this worker leased, one it did not (another worker's, expired),
    # one finished meanwhile and one put back with a retry's longer backoff
    now = timezone.now()
    held = [Outbox.objects.create(topic="t", locked_until=now + LEASE) for _ in range(2)]
    expired = Outbox.objects.create(topic="t", locked_until=now - dt.timedelta(seconds=1))
    done = Outbox.objects.create(topic="t", locked_until=now + LEASE, done_at=now)
    backoff_until = now + dt.timedelta(minutes=2)
    backed_off = Outbox.objects.create(topic="t", locked_until=backoff_until)
    ids = [m.pk for m in (*held, expired, done, backed_off)]
    # when: the work takes three leases long
    with lease_kept(model=Outbox, ids=ids, lease=LEASE, done_at__isnull=True):
        time.sleep(LEASE.total_seconds() * 3)
        during = timezone.now()
        # then: the held leases never ran out
        assert all(
            m.locked_until > during for m in Outbox.objects.filter(pk__in=[h.pk for h in held])
        )
    # ...and the others were left as they were
    expired.refresh_from_db()
    done.refresh_from_db()
    backed_off.refresh_from_db()
    assert expired.locked_until < now
    assert done.locked_until == now + LEASE
    assert backed_off.locked_until == backoff_until


def test_leases_run_out_once_the_work_is_over():
    # given: a message whose worker finished with it (or died) without marking it
    message = Outbox.objects.create(topic="t", locked_until=timezone.now() + LEASE)
    with lease_kept(model=Outbox, ids=[message.pk], lease=LEASE, done_at__isnull=True):
        pass
    # when: one lease has passed
    time.sleep(LEASE.total_seconds() + 0.2)
    # then: nobody renewed it, and another worker may take it
    message.refresh_from_db()
    assert message.locked_until < timezone.now()


def test_renewal_never_waits_on_a_row_its_worker_has_locked():
    # given: a worker recording the outcome of one of its two messages (row locked) while the
    # other is still running
    now = timezone.now()
    locked, running = (Outbox.objects.create(topic="t", locked_until=now + LEASE) for _ in range(2))
    finished = threading.Event()

    def worker() -> None:
        try:
            with transaction.atomic():
                Outbox.objects.select_for_update().get(pk=locked.pk)
                ids = [locked.pk, running.pk]
                with lease_kept(model=Outbox, ids=ids, lease=LEASE, done_at__isnull=True):
                    time.sleep(LEASE.total_seconds() * 2)
            finished.set()
        finally:
            connection.close()

    # when
    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    thread.join(timeout=LEASE.total_seconds() * 2 + 10)
    # then: the renewal skipped the locked row instead of deadlocking with its own worker...
    assert finished.is_set(), "the lease renewal waited on a row its own worker had locked"
    # ...and kept the other lease alive
    running.refresh_from_db()
    assert running.locked_until > now + LEASE
