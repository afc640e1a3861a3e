"""Thin Celery entry points: load by id, call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def outbox_deliver(message_id: int) -> str:
    from claims.outbox import deliver

    return deliver(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True)
def outbox_deliver_many(message_ids: list[int]) -> int:
    """A chunk of messages recorded by a set-based job; each is delivered (and leased) alone."""
    import logging

    from claims.outbox import deliver

    done = 0
    for message_id in message_ids:
        try:
            done += deliver(message_id=message_id) == "done"
        except Exception:  # noqa: BLE001 - recorded on the row by deliver(); go on with the rest
            logging.getLogger(__name__).exception("outbox message %s failed", message_id)
    return done


@shared_task(acks_late=True, ignore_result=True)
def outbox_redispatch() -> int:
    from claims.outbox import outbox_redispatch as run

    return run()


@shared_task(acks_late=True, ignore_result=True)
def outbox_purge() -> int:
    from claims.outbox import outbox_purge as run

    return run()
