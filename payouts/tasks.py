"""Thin Celery entry points: take ids, call a service, idempotent, acks_late."""

from celery import shared_task
from django.conf import settings

from claims.outbox import publish


def dispatch_send_due() -> bool:
    """Wake the send job. Never raises: the sweeper wakes it again if this is lost."""
    return publish(payouts_send_due, what="payouts")


def dispatch_send(payout_ids: list[int]) -> bool:
    """Hand new payouts to a sender. Never raises: if this is lost, the sweeper wakes the send
    job, which finds them among the due payouts."""
    return publish(payouts_send, args=[payout_ids], what=f"{len(payout_ids)} payouts")


@shared_task(acks_late=True, ignore_result=True)
def payouts_send(payout_ids: list[int]) -> int:
    """Send these payouts (a creation batch's), those still due."""
    from payouts.services import payouts_send_ids as run

    return run(payout_ids=payout_ids)


def dispatch_create_missing() -> bool:
    """Wake the job that gives approved claims their missing payouts."""
    return publish(payouts_create_missing, what="missing payouts")


@shared_task(acks_late=True, ignore_result=True)
def payouts_create_missing() -> int:
    """Payouts for one batch of approved claims whose outbox message was lost; re-queues
    itself while a full batch was found (the sweeper catching up after an outage)."""
    from payouts.services import payouts_create_missing as run

    found = run()
    if found >= settings.PAYOUT_BATCH_SIZE:
        dispatch_create_missing()
    return found


@shared_task(acks_late=True, ignore_result=True)
def payouts_send_due() -> int:
    """Send a bounded batch of due payouts; re-queue itself (as soon as the batch is leased)
    while a full batch was found."""
    from payouts.services import payouts_send_due as run

    return run(on_full_batch=dispatch_send_due)


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


@shared_task(acks_late=True, ignore_result=True)
def payee_reminders_send() -> int:
    """Remind customers whose approved claim waits for payment details; re-queues itself
    while a full batch was found."""
    from payouts.services.reminders import payee_reminders_send as run

    sent = run()
    if sent >= settings.PAYEE_REMINDER_BATCH:
        publish(payee_reminders_send, what="payee reminders")
    return sent
