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
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from claims.leases import lease_kept
from claims.models import Outbox
from claims_site.metrics import BROKER_PUBLISH_ERRORS

logger = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[..., None]] = {}
# Topics whose handler takes a list of payloads (``payloads=[...]``) and does them in one go.
BATCH_TOPICS: set[str] = set()
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


# Broker priority of background work. On Redis, kombu keeps a list per priority step and a
# worker pops the lowest number first; a message without a priority counts as 0. The embedded
# filesystem broker ignores priorities.
BACKGROUND_PRIORITY = 9
BACKGROUND_TOPICS: set[str] = set()


def handler(
    topic: str, *, batch: bool = False, background: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register the handler of ``topic``. A ``batch`` handler is called as
    ``func(payloads=[...])`` with the payloads of every message of its topic in a delivered
    chunk (one message delivered alone gives a list of one), in one transaction. It raises to
    fail them all, or returns ``{position: exception}`` for the messages it could not do (the
    others are done; those are retried later, alone).

    A ``background`` topic (e-mail that tells people what already happened) waits on the
    broker behind the work that moves claims and money: a backlog of e-mails after a large
    batch never delays the next payments."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        if topic in HANDLERS and HANDLERS[topic] is not func:
            raise RuntimeError(f"Two outbox handlers for {topic!r}")
        HANDLERS[topic] = func
        if batch:
            BATCH_TOPICS.add(topic)
        if background:
            BACKGROUND_TOPICS.add(topic)
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
        transaction.on_commit(lambda: dispatch(message_id=message.pk, topics=[topic]))
    return message


def _priority(topics) -> int | None:
    """Background priority for messages whose topics are all background, else the default."""
    topics = set(topics or ())
    return BACKGROUND_PRIORITY if topics and topics <= BACKGROUND_TOPICS else None


# Messages recorded in bulk are handed to the broker in chunks of this many per task.
DELIVER_CHUNK = 250


def publish(task, *, args=(), priority: int | None = None, what: str) -> bool:
    """Hand a task to the broker. Never raises: if the broker is down (or slow past its 2 s
    timeouts) this logs what was left for the sweepers and returns False."""
    from kombu.exceptions import OperationalError

    try:
        task.apply_async(args=list(args), retry=False, priority=priority)
    except (OperationalError, OSError) as exc:
        logger.warning("broker unavailable, %s left for the sweeper: %s", what, exc)
        BROKER_PUBLISH_ERRORS.inc()
        return False
    return True


def dispatch_many_on_commit(*, message_ids: list[int], topics=None) -> None:
    """Hand messages recorded in bulk (``claims.batch``) to the broker once the transaction
    commits: one task per chunk instead of one publish per message. ``topics``: those of the
    messages, for their broker priority."""
    if message_ids and _dispatch_on_commit.get():
        transaction.on_commit(lambda: dispatch_many(message_ids=message_ids, topics=topics))


def dispatch_many(*, message_ids: list[int], topics=None) -> bool:
    """Hand messages to the broker in chunks. Never raises, like ``dispatch``."""
    from claims.tasks import outbox_deliver_many

    priority = _priority(topics)
    for start in range(0, len(message_ids), DELIVER_CHUNK):
        if not publish(
            outbox_deliver_many,
            args=[message_ids[start : start + DELIVER_CHUNK]],
            priority=priority,
            what=f"{len(message_ids) - start} outbox messages",
        ):
            return False
    return True


def dispatch(*, message_id: int, topics=None) -> bool:
    """Hand a message to the broker. Never raises: the sweeper retries what this could not send."""
    from claims.tasks import outbox_deliver

    return publish(
        outbox_deliver,
        args=[message_id],
        priority=_priority(topics),
        what=f"outbox message {message_id}",
    )


def deliver(*, message_id: int) -> str:
    """Run one message's handler exactly once (unless it fails, then again later)."""
    messages = _lease(message_ids=[message_id])
    if not messages:
        return "skipped"  # done, running elsewhere, given up on, or unknown
    with _kept(messages):
        return _run(messages[0])


def deliver_many(*, message_ids: list[int]) -> int:
    """Deliver a chunk of messages; returns how many are done.

    Every message is leased in one statement. Messages of a batch topic run through their
    handler together, in one transaction; if that fails, each is run alone (so one bad message
    holds up nobody else, and its own row records the error). Other messages run one by one.
    A failure is recorded on the message's row and the rest of the chunk goes on.
    """
    leased = _lease(message_ids=message_ids)
    with _kept(leased):
        return _deliver_leased(leased)


def _kept(messages: list[Outbox]):
    """Keep the lease on these messages while this worker runs them (claims.leases)."""
    return lease_kept(
        model=Outbox,
        ids=[m.pk for m in messages],
        lease=settings.OUTBOX_LEASE,
        done_at__isnull=True,
    )


def _deliver_leased(leased: list[Outbox]) -> int:
    by_topic: dict[str, list[Outbox]] = {}
    for message in leased:
        by_topic.setdefault(message.topic, []).append(message)
    done = 0
    for topic, messages in by_topic.items():
        if topic in BATCH_TOPICS and len(messages) > 1:
            try:
                with transaction.atomic():
                    failed = HANDLERS[topic](payloads=[m.payload for m in messages]) or {}
                    _mark_done([m.pk for i, m in enumerate(messages) if i not in failed])
            except Exception:  # noqa: BLE001 - run each alone below, which records the error
                logger.warning(
                    "batch of %d %s messages failed, delivering one by one",
                    len(messages),
                    topic,
                    exc_info=True,
                )
            else:
                for i, exc in failed.items():
                    logger.warning("outbox message %s failed: %r", messages[i].pk, exc)
                    _release(messages[i], exc)
                done += len(messages) - len(failed)
                continue
        for message in messages:
            try:
                done += _run(message) == "done"
            except Exception:  # noqa: BLE001 - recorded on the row by _run(); go on
                logger.exception("outbox message %s failed", message.pk)
    return done


def _lease(*, message_ids: list[int]) -> list[Outbox]:
    """Take the messages nobody else is running: done, leased elsewhere or given up on are
    left out (the conditional update is the lease, on every database)."""
    now = timezone.now()
    until = now + settings.OUTBOX_LEASE
    free = Q(done_at__isnull=True, attempts__lt=MAX_ATTEMPTS) & (
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )
    if len(message_ids) == 1:
        taken = Outbox.objects.filter(free, pk=message_ids[0]).update(
            locked_until=until, attempts=F("attempts") + 1
        )
        return list(Outbox.objects.filter(pk=message_ids[0])) if taken else []
    if connection.vendor == "postgresql":
        return _lease_sql(message_ids=message_ids, now=now, until=until)
    with transaction.atomic():
        ids = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(free, pk__in=message_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Outbox.objects.filter(free, pk__in=ids).update(
            locked_until=until, attempts=F("attempts") + 1
        )
    return list(Outbox.objects.filter(pk__in=ids).order_by("pk"))


def _lease_sql(*, message_ids: list[int], now, until) -> list[Outbox]:
    """``_lease`` in one PostgreSQL statement: the free messages locked (skipping those another
    worker holds), leased and returned by the same ``UPDATE``, instead of a locking read, an
    update and a read again (three round trips and a transaction for every chunk)."""
    fields = [f.column for f in Outbox._meta.concrete_fields]
    columns = ", ".join(f"o.{connection.ops.quote_name(c)}" for c in fields)
    sql = f"""
        UPDATE claims_outbox o
           SET locked_until = %(until)s, attempts = o.attempts + 1
          FROM (SELECT id FROM claims_outbox
                 WHERE id = ANY(%(ids)s) AND done_at IS NULL AND attempts < %(max)s
                   AND (locked_until IS NULL OR locked_until < %(now)s)
                 ORDER BY id
                   FOR UPDATE SKIP LOCKED) AS free
         WHERE o.id = free.id
     RETURNING {columns}
    """  # noqa: S608 - the columns are the model's own
    params = {"ids": list(message_ids), "max": MAX_ATTEMPTS, "now": now, "until": until}
    return sorted(Outbox.objects.raw(sql, params), key=lambda message: message.pk)


def _mark_done(message_ids: list[int]) -> None:
    Outbox.objects.filter(pk__in=message_ids).update(
        done_at=timezone.now(), locked_until=None, last_error=""
    )


def _run(message: Outbox) -> str:
    func = HANDLERS[message.topic]
    try:
        with transaction.atomic():
            if message.topic in BATCH_TOPICS:
                failed = func(payloads=[message.payload])
                if failed:
                    raise failed[0]
            else:
                func(**message.payload)
            _mark_done([message.pk])
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


def outbox_backlog(*, now=None) -> tuple[int, float]:
    """Messages not done yet, and the age in seconds of the oldest (0 when none); one query
    on outbox_pending_idx."""
    now = now or timezone.now()
    figures = Outbox.objects.filter(done_at__isnull=True).aggregate(
        pending=Count("pk"), oldest=Min("created_at")
    )
    oldest = figures["oldest"]
    return figures["pending"], (now - oldest).total_seconds() if oldest else 0.0


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
        .values_list("pk", "redispatches", "topic")[:limit]
    )
    sent: dict[int, list[int]] = {}
    for message_id, redispatches, topic in due:
        if not dispatch(message_id=message_id, topics=[topic]):
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
