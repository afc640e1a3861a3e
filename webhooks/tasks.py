"""Thin Celery entry points: deliveries are due times in the database, swept by beat."""

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, ignore_result=True)
def webhooks_deliver_due() -> int:
    """Send one bounded batch of due deliveries; re-queue while a batch came back full."""
    from claims.outbox import publish
    from webhooks.services import deliveries_send_due

    # A full batch queues the next one before it is sent: a second worker takes that batch
    # while this one sends.
    run = deliveries_send_due(
        now=timezone.now(),
        on_full=lambda: publish(webhooks_deliver_due, what="webhook deliveries"),
    )
    return run["sent"]
