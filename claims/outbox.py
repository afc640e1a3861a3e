"""The database is the outbox.

Follow-up work is written as an ``Outbox`` row in the same transaction as the change that needs
it, sent to Celery once that transaction commits, and re-sent by a periodic sweeper for as long
as the row says it is not done (a message can be lost after commit, or the broker can be down).
Delivery takes a lease with a conditional update, so two workers never run one message at once,
and marks the row done in the same transaction as the handler's own writes.
"""

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from claims.models import Outbox

logger = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[..., None]] = {}
MAX_ATTEMPTS = 10
_dispatch_on_commit: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "dispatch_on_commit", default=True
)


@contextmanager
def recorded_only() -> Iterator[None]:
    """Record outbox rows without sending them on commit (bulk loads such as the demo data,
    which then mark their history done). The sweeper still sends anything left outstanding."""
    token = _dispatch_on_commit.set(False)
    try:
        yield
    finally:
        _dispatch_on_commit.reset(token)


class RetryLater(Exception):
    """A handler's way to say: a temporary failure, try this message again later."""


def handler(topic: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(func: Callable[..., None]) -> Callable[..., None]:
        if topic in HANDLERS and HANDLERS[topic] is not func:
            raise RuntimeError(f"Two outbox handlers for {topic!r}")
        HANDLERS[topic] = func
        return func

    return register


def outbox_add(*, topic: str, payload: dict, dedupe_key: str | None = None) -> Outbox | None:
    """Record follow-up work and dispatch it when the current transaction commits.

    With a ``dedupe_key`` the work is recorded at most once, whoever asks for it again.
    """
    if topic not in HANDLERS:
        raise KeyError(f"No outbox handler for {topic!r}")
    if dedupe_key is not None:
        message, created = Outbox.objects.get_or_create(
            dedupe_key=dedupe_key, defaults={"topic": topic, "payload": payload}
        )
        if not created:
            return None
    else:
        message = Outbox.objects.create(topic=topic, payload=payload)
    if _dispatch_on_commit.get():
        transaction.on_commit(lambda: dispatch(message_id=message.pk))
    return message


# Messages recorded in bulk are handed to the broker in chunks of this many per task.
DELIVER_CHUNK = 250


def dispatch_many_on_commit(*, message_ids: list[int]) -> None:
    """Hand messages recorded in bulk (``claims.batch``) to the broker once the transaction
    commits: one task per chunk instead of one publish per message."""
    if message_ids and _dispatch_on_commit.get():
        transaction.on_commit(lambda: dispatch_many(message_ids=message_ids))


def dispatch_many(*, message_ids: list[int]) -> bool:
    """Hand messages to the broker in chunks. Never raises, like ``dispatch``."""
    from kombu.exceptions import OperationalError

    from claims.tasks import outbox_deliver_many

    for start in range(0, len(message_ids), DELIVER_CHUNK):
        try:
            outbox_deliver_many.apply_async(
                args=[message_ids[start : start + DELIVER_CHUNK]], retry=False
            )
        except (OperationalError, OSError) as exc:
            logger.warning(
                "broker unavailable, %d outbox messages left for the sweeper: %s",
                len(message_ids) - start,
                exc,
            )
            return False
    return True


def dispatch(*, message_id: int) -> bool:
    """Hand a message to the broker. Never raises: the sweeper retries what this could not send."""
    from kombu.exceptions import OperationalError

    from claims.tasks import outbox_deliver

    try:
        outbox_deliver.apply_async(args=[message_id], retry=False)
    except (OperationalError, OSError) as exc:
        logger.warning(
            "broker unavailable, outbox message %s left for the sweeper: %s", message_id, exc
        )
        return False
    return True


def deliver(*, message_id: int) -> str:
    """Run one message's handler exactly once (unless it fails, then again later)."""
    now = timezone.now()
    taken = (
        Outbox.objects.filter(pk=message_id, done_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + settings.OUTBOX_LEASE, attempts=F("attempts") + 1)
    )
    if not taken:
        return "skipped"  # done, running elsewhere, given up on, or unknown
    message = Outbox.objects.get(pk=message_id)
    func = HANDLERS[message.topic]
    try:
        with transaction.atomic():
            func(**message.payload)
            Outbox.objects.filter(pk=message_id).update(
                done_at=timezone.now(), locked_until=None, last_error=""
            )
    except RetryLater as exc:
        _release(message, exc)
        return "retry"
    except Exception as exc:
        # The edge of the worker: record the failure on the row for staff to see, then let
        # Celery log it. The sweeper retries with backoff until MAX_ATTEMPTS.
        _release(message, exc)
        raise
    return "done"


def _release(message: Outbox, exc: BaseException) -> None:
    backoff = timedelta(seconds=min(30 * 2**message.attempts, 3600))
    Outbox.objects.filter(pk=message.pk).update(
        locked_until=timezone.now() + backoff,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )


# The sweeper waits OUTBOX_REDISPATCH_AFTER before re-sending a message, then twice as long
# after each re-send, up to this.
REDISPATCH_BACKOFF_MAX = timedelta(hours=1)


def redispatch_backoff(redispatches: int) -> timedelta:
    """How long the sweeper leaves a message alone after re-sending it ``redispatches + 1``
    times."""
    return min(
        settings.OUTBOX_REDISPATCH_AFTER * 2 ** min(redispatches + 1, 16), REDISPATCH_BACKOFF_MAX
    )


def outbox_redispatch(*, now=None, limit: int | None = None) -> int:
    """Re-send outstanding messages nobody is working on. Safe to run anywhere, any time.

    A message may simply be waiting its turn behind a backlog on the broker, so each re-send
    pushes the next one further out (``redispatch_backoff``): a long queue is not copied onto
    the broker again on every sweep, and a message that really was lost is still re-sent.
    """
    now = now or timezone.now()
    limit = limit or settings.OUTBOX_BATCH_SIZE
    due = list(
        Outbox.objects.filter(
            done_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            created_at__lt=now - settings.OUTBOX_REDISPATCH_AFTER,
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(Q(redispatch_after__isnull=True) | Q(redispatch_after__lte=now))
        .order_by("created_at")
        .values_list("pk", "redispatches")[:limit]
    )
    sent: dict[int, list[int]] = {}
    for message_id, redispatches in due:
        if not dispatch(message_id=message_id):
            break  # the broker is down: try again on the next sweep
        sent.setdefault(redispatches, []).append(message_id)
    for redispatches, message_ids in sent.items():
        Outbox.objects.filter(pk__in=message_ids).update(
            redispatches=redispatches + 1, redispatch_after=now + redispatch_backoff(redispatches)
        )
    return sum(len(ids) for ids in sent.values())


def outbox_purge(*, older_than: timedelta = timedelta(days=30)) -> int:
    deleted, _ = Outbox.objects.filter(
        done_at__isnull=False, done_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
