"""The database is the outbox: work is recorded with the change and sent only after commit."""

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from claims import outbox
from claims.actors import Actor
from claims.models import Claim, ClaimStatus, Outbox
from claims.services import claim_request_info
from tests.factories import OrderLineFactory, claim_in, claim_new


@pytest.mark.django_db
def test_claim_create_records_follow_ups_and_dispatches_only_on_commit(
    django_capture_on_commit_callbacks,
):
    # given
    with mock.patch("claims.outbox.dispatch") as dispatch:
        # when
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            claim = claim_new()
            # then: recorded, but nothing sent before commit
            assert dispatch.call_count == 0
        assert sorted(Outbox.objects.values_list("topic", flat=True)) == [
            "claims.notify_customer",
            "claims.screen",
        ]
        for callback in callbacks:
            callback()
    sent = sorted(call.kwargs["message_id"] for call in dispatch.call_args_list)
    assert sent == sorted(
        Outbox.objects.filter(payload__claim_id=claim.pk).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_rolled_back_transaction_enqueues_nothing(django_capture_on_commit_callbacks):
    line = OrderLineFactory()
    with (
        mock.patch("claims.outbox.dispatch") as dispatch,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        claim_new(order_line=line)
        raise RuntimeError("the database refused something later")
    assert dispatch.call_count == 0
    assert not Claim.objects.exists()
    assert not Outbox.objects.exists()


@pytest.mark.django_db
def test_deliver_runs_a_message_once_even_when_delivered_twice(mailoutbox):
    claim = claim_new()
    message = Outbox.objects.get(topic="claims.notify_customer", payload__claim_id=claim.pk)
    assert outbox.deliver(message_id=message.pk) == "done"
    assert outbox.deliver(message_id=message.pk) == "skipped"
    assert len(mailoutbox) == 1
    assert claim.reference in mailoutbox[0].subject
    assert mailoutbox[0].to == [claim.customer.email]
    assert mailoutbox[0].alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_screen_handler_moves_a_new_claim_into_screening_once():
    claim = claim_new()
    message = Outbox.objects.get(topic="claims.screen", payload__claim_id=claim.pk)
    outbox.deliver(message_id=message.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SCREENING
    assert claim.events.filter(to_status=ClaimStatus.SCREENING).count() == 1
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1


@pytest.mark.django_db
def test_a_failing_handler_is_recorded_and_retried_later(mailoutbox):
    claim = claim_new()
    message = Outbox.objects.get(topic="claims.notify_customer", payload__claim_id=claim.pk)
    with (
        mock.patch("claims.handlers.email_send", side_effect=ConnectionError("relay down")),
        pytest.raises(ConnectionError),
    ):
        outbox.deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.done_at is None
    assert "relay down" in message.last_error
    assert message.locked_until > timezone.now()  # backing off
    # The sweeper picks it up again once the back-off has passed.
    later = message.locked_until + dt.timedelta(seconds=1)
    with mock.patch("claims.outbox.dispatch", return_value=True) as dispatch:
        assert outbox.outbox_redispatch(now=later) >= 1
    assert message.pk in [c.kwargs["message_id"] for c in dispatch.call_args_list]
    Outbox.objects.filter(pk=message.pk).update(locked_until=None)
    assert outbox.deliver(message_id=message.pk) == "done"
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_redispatch_sends_only_outstanding_unlocked_messages():
    claim = claim_new()
    messages = list(Outbox.objects.filter(payload__claim_id=claim.pk).order_by("pk"))
    done, locked = messages
    Outbox.objects.filter(pk=done.pk).update(done_at=timezone.now())
    Outbox.objects.filter(pk=locked.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=5)
    )
    fresh = claim_in(ClaimStatus.SUBMITTED)
    later = timezone.now() + dt.timedelta(minutes=1)
    with mock.patch("claims.outbox.dispatch", return_value=True) as dispatch:
        outbox.outbox_redispatch(now=later)
    sent = {c.kwargs["message_id"] for c in dispatch.call_args_list}
    assert sent == set(
        Outbox.objects.filter(payload__claim_id=fresh.pk).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_redispatch_backs_off_so_a_backlog_is_not_copied_onto_the_broker_every_sweep(settings):
    # given: messages waiting behind a backlog (nobody has delivered them yet)
    settings.OUTBOX_REDISPATCH_AFTER = dt.timedelta(seconds=30)
    claim_new()
    waiting = set(Outbox.objects.filter(done_at__isnull=True).values_list("pk", flat=True))
    start = timezone.now() + dt.timedelta(minutes=1)

    def sweep(at):
        with mock.patch("claims.outbox.dispatch", return_value=True) as dispatch:
            outbox.outbox_redispatch(now=at)
        return {c.kwargs["message_id"] for c in dispatch.call_args_list}

    # when / then: re-sent once, then left alone for 60 s, 120 s, 240 s ... up to an hour
    assert sweep(start) == waiting
    at = start
    for wait in (60, 120, 240, 480, 960, 1920, 3600, 3600):
        assert sweep(at + dt.timedelta(seconds=wait - 1)) == set()
        at += dt.timedelta(seconds=wait)
        assert sweep(at) == waiting  # a message that really was lost still goes again
    assert set(Outbox.objects.filter(pk__in=waiting).values_list("redispatches", flat=True)) == {9}


def test_redispatch_backoff_grows_and_is_capped(settings):
    settings.OUTBOX_REDISPATCH_AFTER = dt.timedelta(seconds=30)
    waits = [outbox.redispatch_backoff(n).total_seconds() for n in range(12)]
    assert waits[:4] == [60, 120, 240, 480]
    assert waits == sorted(waits) and waits[-1] == 3600


@pytest.mark.django_db
def test_a_failed_broker_publish_leaves_the_message_for_the_next_sweep():
    claim_new()
    later = timezone.now() + dt.timedelta(minutes=1)
    with mock.patch("claims.outbox.dispatch", return_value=False):
        assert outbox.outbox_redispatch(now=later) == 0
    assert not Outbox.objects.filter(redispatches__gt=0).exists()
    with mock.patch("claims.outbox.dispatch", return_value=True):
        assert outbox.outbox_redispatch(now=later) == 2


@pytest.mark.django_db
def test_dispatch_with_the_broker_down_does_not_raise(settings):
    from kombu.exceptions import OperationalError

    claim = claim_new()
    message = Outbox.objects.filter(payload__claim_id=claim.pk).first()
    with mock.patch(
        "claims.tasks.outbox_deliver.apply_async",
        side_effect=OperationalError("connection refused"),
    ):
        assert outbox.dispatch(message_id=message.pk) is False


@pytest.mark.django_db
def test_transition_follow_ups_are_deduplicated_per_event():
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    claim_request_info(claim=claim, actor=Actor.system(), message="Please send the receipt.")
    event = claim.events.last()
    assert Outbox.objects.filter(dedupe_key=f"claims.notify_customer:{event.pk}").count() == 1
    assert (
        outbox.outbox_add(
            topic="claims.notify_customer",
            payload={"claim_id": claim.pk, "event_id": event.pk},
            dedupe_key=f"claims.notify_customer:{event.pk}",
        )
        is None
    )


@pytest.mark.django_db
def test_recorded_only_writes_rows_without_dispatching(django_capture_on_commit_callbacks):
    with mock.patch("claims.outbox.dispatch") as dispatch:
        with django_capture_on_commit_callbacks(execute=True), outbox.recorded_only():
            claim_new()
        assert Outbox.objects.count() == 2
        assert dispatch.call_count == 0
        with django_capture_on_commit_callbacks(execute=True):
            claim_new()
        assert dispatch.call_count == 2


@pytest.fixture
def batch_topic():
    """A batch topic whose handler records each call's payloads and fails on claim id 0."""
    calls = []

    @outbox.handler("tests.batch", batch=True)
    def run(*, payloads):
        calls.append(sorted(p["claim_id"] for p in payloads))
        if any(p["claim_id"] == 0 for p in payloads):
            raise ValueError("a bad message")

    yield calls
    outbox.HANDLERS.pop("tests.batch")
    outbox.BATCH_TOPICS.discard("tests.batch")


@pytest.mark.django_db
def test_deliver_many_runs_a_batch_topic_once_for_the_chunk_and_marks_all_done(batch_topic):
    # given: three messages of a batch topic
    ids = [outbox.outbox_add(topic="tests.batch", payload={"claim_id": n}).pk for n in (1, 2, 3)]
    # when: delivered as one chunk, twice
    assert outbox.deliver_many(message_ids=ids) == 3
    assert outbox.deliver_many(message_ids=ids) == 0
    # then: one handler call with the three payloads; every row done
    assert batch_topic == [[1, 2, 3]]
    assert not Outbox.objects.filter(pk__in=ids, done_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_bad_message_in_a_batch_holds_up_nobody_else(batch_topic):
    # given: a chunk with one message the handler refuses
    ids = [outbox.outbox_add(topic="tests.batch", payload={"claim_id": n}).pk for n in (1, 0, 2)]
    # when
    assert outbox.deliver_many(message_ids=ids) == 2
    # then: the batch failed, each then ran alone; only the bad one waits, with its error
    assert batch_topic == [[0, 1, 2], [1], [0], [2]]
    pending = Outbox.objects.get(done_at__isnull=True)
    assert pending.pk == ids[1] and "a bad message" in pending.last_error


@pytest.mark.django_db
def test_customer_emails_of_a_chunk_go_out_together_and_one_failure_is_kept_alone(mailoutbox):
    # given: three new claims, each with its customer notification
    claims = [claim_new() for _ in range(3)]
    ids = list(
        Outbox.objects.filter(topic="claims.notify_customer")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    from claims.handlers import email_send as real_send

    def flaky(**kwargs):
        if kwargs["to"] == [claims[1].customer.email]:
            raise ConnectionError("relay down")
        real_send(**kwargs)

    # when: delivered as one chunk while the relay refuses the second
    with mock.patch("claims.handlers.email_send", side_effect=flaky):
        assert outbox.deliver_many(message_ids=ids) == 2
    # then: two e-mails sent, the failed message alone waits with its error
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        c.customer.email for c in (claims[0], claims[2])
    )
    waiting = Outbox.objects.get(topic="claims.notify_customer", done_at__isnull=True)
    assert waiting.pk == ids[1] and "relay down" in waiting.last_error


def test_customer_emails_go_to_the_broker_behind_claim_and_money_work():
    from claims.tasks import outbox_deliver, outbox_deliver_many

    with (
        mock.patch.object(outbox_deliver_many, "apply_async") as many,
        mock.patch.object(outbox_deliver, "apply_async") as one,
    ):
        outbox.dispatch_many(message_ids=[1, 2], topics=["claims.notify_customer"])
        outbox.dispatch_many(message_ids=[3], topics=["claims.notify_customer", "payouts.create"])
        outbox.dispatch_many(message_ids=[4])
        outbox.dispatch(message_id=5, topics=["backoffice.message_send"])
        outbox.dispatch(message_id=6, topics=["payouts.create"])
    assert [c.kwargs["priority"] for c in many.call_args_list] == [
        outbox.BACKGROUND_PRIORITY,
        None,  # a chunk with any work that moves claims or money keeps the default
        None,
    ]
    assert [c.kwargs["priority"] for c in one.call_args_list] == [outbox.BACKGROUND_PRIORITY, None]


def test_on_redis_a_worker_takes_default_priority_work_before_background_work():
    """What BACKGROUND_PRIORITY relies on: kombu's Redis transport pops the lowest number first,
    and a message without a priority counts as 0."""
    from kombu import Connection

    from tests.support.workers import RedisServer

    redis = RedisServer()
    redis.start()
    try:
        with Connection(redis.url) as conn:
            queue = conn.SimpleQueue("priority-check")
            queue.put("email", priority=outbox.BACKGROUND_PRIORITY)
            queue.put("payment")
            queue.put("payment too", priority=0)
            got = []
            for _ in range(3):
                message = queue.get(timeout=5)
                got.append(message.payload)
                message.ack()
            queue.close()
    finally:
        redis.close()
    assert got == ["payment", "payment too", "email"]
