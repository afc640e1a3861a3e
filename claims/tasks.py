"""Thin Celery entry points: load by id, call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def outbox_deliver(message_id: int) -> str:
    from claims.outbox import deliver

    return deliver(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True)
def outbox_redispatch() -> int:
    from claims.outbox import outbox_redispatch as run

    return run()


@shared_task(acks_late=True, ignore_result=True)
def outbox_purge() -> int:
    from claims.outbox import outbox_purge as run

    return run()
