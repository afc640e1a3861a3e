"""Short leases, kept alive by the worker that holds them.

A lease (``locked_until``) is how a worker says "mine, for now" on a row it works on: an
outbox message, a payout. It has to be short for another worker to take over the work of one
that died (a crash, SIGKILL, a host gone) within seconds, and it must not run out under a live
worker whose batch takes longer than that. So the worker renews it from a small thread while
it works, a quarter of the lease at a time, and stops when the work is done. A worker that dies
renews nothing, and its leases run out one lease after its last renewal.

Renewing touches only rows whose lease has not run out yet and that are still held (``still``,
e.g. ``status="sending"``); a renewal that fails (the database briefly away) is logged and tried
again at the next beat. If a lease does run out under a live worker, the other worker redoes
work that is idempotent by design (the outbox's lease per message; the payment provider's
idempotency key), never pays twice.
"""

import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def lease_kept(
    *, model: type[Model], ids: Sequence[int], lease: timedelta, **still
) -> Iterator[None]:
    """Renew the lease on ``model`` rows ``ids`` every quarter of ``lease`` until the block ends."""
    if not ids:
        yield
        return
    stop = threading.Event()
    every = lease.total_seconds() / 4

    def renew() -> None:
        try:
            while not stop.wait(every):
                now = timezone.now()
                try:
                    _renew(model=model, ids=ids, now=now, lease=lease, still=still)
                except DatabaseError as exc:
                    logger.warning("could not renew %s leases: %s", model.__name__, exc)
        finally:
            connection.close()  # this thread's own connection

    keeper = threading.Thread(target=renew, name=f"lease-{model.__name__}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def _renew(*, model: type[Model], ids: Sequence[int], now, lease: timedelta, still: dict) -> None:
    """One renewal, which never waits on a row lock: the worker's own thread may hold some of
    these rows while it records their outcome (then it is about to release them anyway), and
    waiting could deadlock with it. Rows are locked in key order, skipping locked ones (SQLite
    has no row locks: it ignores this, and serialises writers instead)."""
    with transaction.atomic():
        # A lease still running, not a retry's longer backoff set meanwhile.
        held = list(
            model._default_manager.filter(
                pk__in=ids, locked_until__gt=now, locked_until__lte=now + lease, **still
            )
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        model._default_manager.filter(pk__in=held).update(locked_until=now + lease)
