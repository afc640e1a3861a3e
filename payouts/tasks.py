"""Thin Celery entry points: take ids, call a service, idempotent, acks_late."""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError

logger = logging.getLogger(__name__)


def dispatch_send_due() -> bool:
    """Wake the send job. Never raises: the sweeper wakes it again if this message is lost."""
    from kombu.exceptions import OperationalError as BrokerError

    try:
        payouts_send_due.apply_async(retry=False)
    except (BrokerError, OSError) as exc:
        logger.warning("broker unavailable, payouts left for the sweeper: %s", exc)
        return False
    return True


@shared_task(acks_late=True, ignore_result=True)
def payouts_send_due() -> int:
    """Send a bounded batch of due payouts; re-queue itself while a full batch was found."""
    from payouts.services import payouts_send_due as run

    leased = run()
    if leased >= settings.PAYOUT_BATCH_SIZE:
        dispatch_send_due()
    return leased


class PayoutSendTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # The final failure (retries exhausted, or an error nobody expected): park the payout
        # for staff instead of leaving it to be retried for ever.
        from payouts.services import payout_mark_failed

        payout_id = kwargs.get("payout_id", args[0] if args else None)
        if payout_id is not None:
            payout_mark_failed(payout_id=payout_id, code="TASKFAIL", message=repr(exc)[:500])


@shared_task(
    bind=True,
    base=PayoutSendTask,
    acks_late=True,
    ignore_result=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def payout_send(self, payout_id: int) -> str:
    """Send one payout now (staff "send now" and "resend"); retries temporary failures."""
    from payouts.services import payout_send as run

    result = run(payout_id=payout_id)
    if result == "retry":
        countdown = settings.PAYOUT_RETRY_BASE.total_seconds() * 2**self.request.retries
        raise self.retry(countdown=countdown)
    return result


@shared_task(acks_late=True, ignore_result=True)
def payouts_redispatch() -> int:
    from payouts.services import payouts_redispatch as run

    return run()


@shared_task(acks_late=True, ignore_result=True)
def auto_approve_sweep() -> int:
    from payouts.services import auto_approve_sweep as run

    return run()


@shared_task(acks_late=True, ignore_result=True)
def bank_batch_write() -> str:
    from payouts.adapters.pain001 import batch_write

    path = batch_write()
    return str(path or "")
