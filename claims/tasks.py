"""Thin Celery entry points: load by id, call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def outbox_deliver(message_id: int) -> str:
    from claims.outbox import deliver

    return deliver(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True)
def outbox_deliver_many(message_ids: list[int]) -> int:
    """A chunk of messages recorded by a set-based job: leased together, batch topics handled
    together, the rest one by one (``claims.outbox.deliver_many``)."""
    from claims.outbox import deliver_many

    return deliver_many(message_ids=message_ids)


@shared_task(acks_late=True, ignore_result=True)
def outbox_redispatch() -> int:
    from claims.outbox import outbox_redispatch as run

    return run()


@shared_task(acks_late=True, ignore_result=True)
def outbox_purge() -> int:
    from claims.outbox import outbox_purge as run

    return run()
