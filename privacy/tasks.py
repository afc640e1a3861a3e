"""Thin Celery entry points: call a service, idempotent, acks_late."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def retention_sweep() -> int:
    """Erase the personal data of customers whose region's retention period has run out."""
    from privacy.services import retention_sweep as run

    return run()
