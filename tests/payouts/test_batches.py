"""The pipeline in batches: a constant number of queries per batch, whatever its size, and the
same guarantees as one payout at a time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.actors import Actor
from claims.lifecycle import Via
from claims.models import ClaimEvent, ClaimStatus, Outbox
from claims.outbox import deliver_many
from fraud.services import fraud_hold
from payouts.adapters.sandbox import SandboxAdapter
from payouts.ledger import ledger_balances, ledger_unbalanced
from payouts.models import LedgerTransaction, Payout, PayoutStatus, ProviderRecord
from payouts.services import payouts_create_for_claims, payouts_send_due
from tests.payouts.helpers import approved_claim

pytestmark = pytest.mark.django_db


class Counting(SandboxAdapter):
    def __init__(self, **options):
        super().__init__(**options)
        self.batches = []

    def send_many(self, instructions):
        self.batches.append(len(instructions))
        return super().send_many(instructions)


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_creation_and_sending_take_as_many_queries_for_20_claims_as_for_one():
    # given: one approved claim, then twenty
    counts = []
    for n in (1, 20):
        ids = [approved_claim(amount_minor=100_00 + i).pk for i in range(n)]
        # when: created in one batch, then sent in one batch
        create = _queries(lambda ids=ids: payouts_create_for_claims(claim_ids=ids))
        adapter = Counting()
        send = _queries(lambda adapter=adapter: payouts_send_due(adapter=adapter))
        counts.append((create, send))
        # then: all paid, through one provider call
        assert adapter.batches == [n]
        assert Payout.objects.filter(claim_id__in=ids, status=PayoutStatus.PAID).count() == n
    assert counts[0] == counts[1], counts


def test_a_batch_writes_one_event_per_claim_and_balanced_postings_keyed_per_payout():
    # given
    claims = [approved_claim(amount_minor=10_00 * (i + 1)) for i in range(3)]
    # when: the outbox delivers the three approvals' messages as one chunk
    messages = list(Outbox.objects.filter(topic="payouts.create").values_list("pk", flat=True))
    assert deliver_many(message_ids=messages) == 3
    payouts_send_due(adapter=SandboxAdapter())
    # then
    for claim in claims:
        claim.refresh_from_db()
        payout = Payout.objects.get(claim=claim)
        assert claim.status == ClaimStatus.PAID
        pending = claim.events.get(to_status=ClaimStatus.PAYOUT_PENDING)
        assert pending.data["idempotency_key"] == payout.idempotency_key
        assert payout.idempotency_key in pending.reason
        paid = claim.events.get(to_status=ClaimStatus.PAID)
        assert paid.data["provider_reference"] == payout.provider_reference
        assert sorted(
            LedgerTransaction.objects.filter(payout=payout).values_list(
                "idempotency_key", flat=True
            )
        ) == [f"{payout.idempotency_key}:accrual", f"{payout.idempotency_key}:paid"]
    assert ProviderRecord.objects.count() == 3
    assert ledger_unbalanced() == []
    assert ledger_balances()["USD"]["cash"]["balance"] == -60_00
    # and running it all again changes nothing
    payouts_create_for_claims(claim_ids=[c.pk for c in claims])
    payouts_send_due(adapter=SandboxAdapter())
    assert Payout.objects.count() == 3 and LedgerTransaction.objects.count() == 6
    assert ClaimEvent.objects.filter(to_status=ClaimStatus.PAID).count() == 3


def test_a_batch_never_releases_a_claim_on_fraud_hold(analyst):
    # given: three approved claims, one put on fraud hold before its payout exists
    claims = [approved_claim() for _ in range(3)]
    fraud_hold(claim=claims[1], actor=Actor.staff(analyst), note="Same device as 3 others.")
    # when
    payouts_create_for_claims(claim_ids=[c.pk for c in claims])
    payouts_send_due(adapter=SandboxAdapter())
    # then: the two others are paid; the held claim has no payout and stays on hold
    claims[1].refresh_from_db()
    assert claims[1].status == ClaimStatus.FRAUD_HOLD
    assert not Payout.objects.filter(claim=claims[1]).exists()
    assert Payout.objects.filter(status=PayoutStatus.PAID).count() == 2


def test_a_batch_with_mixed_outcomes_records_each_one(settings):
    # given: a good account, a closed one, and a provider that times out on the third
    good, closed, flaky = (approved_claim(account=a) for a in ("12345678", "11110000", "22223333"))
    payouts_create_for_claims(claim_ids=[good.pk, closed.pk, flaky.pk])

    class Flaky(SandboxAdapter):
        def send_many(self, instructions):
            outcomes = super().send_many(instructions)
            from payouts.adapters import TemporaryFailure

            return [
                TemporaryFailure("timeout") if i.account_number == "22223333" else o
                for i, o in zip(instructions, outcomes, strict=True)
            ]

    # when
    assert payouts_send_due(adapter=Flaky()) == 3
    # then: paid, failed for staff, and due again later
    status = dict(Payout.objects.values_list("claim_id", "status"))
    assert status == {good.pk: "paid", closed.pk: "failed", flaky.pk: "pending"}
    retry = Payout.objects.get(claim=flaky)
    assert retry.next_attempt_at > retry.updated_at and retry.failure_message == "timeout"


def test_a_cancel_that_lost_a_race_does_not_stop_the_rest_of_the_batch():
    from unittest import mock

    from claims.services import claim_transition
    from payouts.exceptions import PayoutError

    # given: two claims awaiting payout, one then pulled back to review
    pulled, paid = approved_claim(), approved_claim()
    payouts_create_for_claims(claim_ids=[pulled.pk, paid.pk])
    pulled.refresh_from_db()
    claim_transition(
        claim=pulled, to=ClaimStatus.UNDER_REVIEW, actor=Actor.system("test"), via=Via.PAYOUT
    )
    # when: cancelling its payout finds another worker already took it over
    with mock.patch(
        "payouts.services.pipeline.payout_cancel", side_effect=PayoutError("taken over")
    ):
        assert payouts_send_due(adapter=SandboxAdapter()) == 2
    # then: the other payout is paid all the same, and the pulled-back claim is not
    assert Payout.objects.get(claim=paid).status == PayoutStatus.PAID
    assert not ProviderRecord.objects.filter(
        idempotency_key=Payout.objects.get(claim=pulled).idempotency_key
    ).exists()


def test_a_creation_batch_hands_its_payouts_to_a_sender_by_id(django_capture_on_commit_callbacks):
    from unittest import mock

    from payouts.services import payouts_send_ids

    # given
    ids = [approved_claim(amount_minor=50_00 + i).pk for i in range(3)]
    # when: the batch commits
    with (
        mock.patch("payouts.tasks.payouts_send.apply_async") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = payouts_create_for_claims(claim_ids=ids)
    # then: one hand-off naming exactly its payouts
    payout_ids = sorted(p.pk for p in created.values())
    assert [c.kwargs["args"] for c in publish.call_args_list] == [[payout_ids]]
    # and the sender leases and pays those that are still due, once
    adapter = Counting()
    assert payouts_send_ids(payout_ids=payout_ids, adapter=adapter) == 3
    assert payouts_send_ids(payout_ids=payout_ids, adapter=adapter) == 0  # a duplicate message
    assert adapter.batches == [3]
    assert Payout.objects.filter(pk__in=payout_ids, status=PayoutStatus.PAID).count() == 3


def test_a_lost_hand_off_is_found_by_the_send_job():
    from unittest import mock

    from kombu.exceptions import OperationalError

    from payouts.tasks import dispatch_send

    ids = [approved_claim(amount_minor=60_00).pk]
    created = payouts_create_for_claims(claim_ids=ids)
    with mock.patch(
        "payouts.tasks.payouts_send.apply_async", side_effect=OperationalError("broker down")
    ):
        assert dispatch_send([p.pk for p in created.values()]) is False  # logged, not raised
    assert payouts_send_due(adapter=SandboxAdapter()) == 1
    assert Payout.objects.get(claim_id=ids[0]).status == PayoutStatus.PAID
