"""One payout per approved claim, sent once per key, posted to the ledger, reversible."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from claims.actors import Actor
from claims.lifecycle import Via
from claims.models import ClaimStatus, EventKind
from claims.services import claim_approve, claim_transition
from fraud.services import fraud_hold
from payouts.adapters.sandbox import SandboxAdapter
from payouts.exceptions import PayoutError
from payouts.ledger import ledger_balances, ledger_unbalanced
from payouts.models import (
    LedgerTransaction,
    Payout,
    PayoutStatus,
    ProviderRecord,
    TransactionKind,
)
from payouts.services import (
    payout_cancel,
    payout_create_for_claim,
    payout_mark_failed,
    payout_resend,
    payout_return,
    payout_send,
    payouts_send_due,
)
from payouts.services.pipeline import _instruction
from tests.payouts.helpers import approved_claim, deliver_payout_messages, with_payee

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(hours=7)


def _paid_claim(**kwargs):
    claim = approved_claim(**kwargs)
    deliver_payout_messages()
    payouts_send_due(adapter=SandboxAdapter())
    claim.refresh_from_db()
    return claim, Payout.objects.get(claim=claim)


def test_entering_approved_records_payout_creation_and_it_runs_once():
    # given: an approved claim
    claim = approved_claim(amount_minor=42_00)
    # when: its follow-up is delivered (twice: a redelivered message, a second worker)
    assert deliver_payout_messages() == 1
    payout_create_for_claim(claim_id=claim.pk)
    # then: one payout, keyed on the payout itself, with its accrual; the claim awaits payout
    claim.refresh_from_db()
    payout = Payout.objects.get(claim=claim)
    assert claim.status == ClaimStatus.PAYOUT_PENDING
    assert payout.idempotency_key == f"PO-{claim.reference}-1"
    assert (payout.amount_minor, payout.currency, payout.status) == (4200, "USD", "pending")
    accrual = LedgerTransaction.objects.get(payout=payout)
    assert accrual.kind == TransactionKind.ACCRUAL and accrual.amount_minor == 4200
    assert claim.events.filter(to_status=ClaimStatus.PAYOUT_PENDING).count() == 1


def test_send_pays_records_reference_posts_and_moves_claim_to_paid():
    claim, payout = _paid_claim(amount_minor=250_00)
    record = ProviderRecord.objects.get(idempotency_key=payout.idempotency_key)
    assert payout.status == PayoutStatus.PAID
    assert payout.provider_reference == record.reference and record.calls == 1
    assert claim.status == ClaimStatus.PAID
    assert (
        claim.events.get(to_status=ClaimStatus.PAID).data["provider_reference"] == record.reference
    )
    balances = ledger_balances()["USD"]
    assert balances["cash"]["balance"] == -25000
    assert balances["concession_expense"]["balance"] == 25000
    assert balances["customer_payable"]["balance"] == 0
    # sending again does nothing at all
    assert payout_send(payout_id=payout.pk, adapter=SandboxAdapter()) == "skipped"
    assert ProviderRecord.objects.get(pk=record.pk).calls == 1


def test_lost_answer_is_retried_later_with_the_same_key_and_pays_once():
    claim = approved_claim()
    deliver_payout_messages()
    payout = Payout.objects.get(claim=claim)
    # when: the provider pays but the answer is lost
    lossy = SandboxAdapter(lost_response_rate=1.0)
    assert payout_send(payout_id=payout.pk, adapter=lossy) == "retry"
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PENDING and payout.next_attempt_at > timezone.now()
    # not due yet: the job leaves it alone
    assert payouts_send_due(adapter=SandboxAdapter()) == 0
    # then: later, the retry with the same key gets the first payment back, not a second one
    later = timezone.now() + LATER
    assert payout_send(payout_id=payout.pk, adapter=SandboxAdapter(), now=later) == "paid"
    payout.refresh_from_db()
    record = ProviderRecord.objects.get(idempotency_key=payout.idempotency_key)
    assert record.calls == 2 and payout.provider_reference == record.reference
    assert ProviderRecord.objects.count() == 1


def test_a_sender_killed_mid_payment_is_taken_over_after_its_lease():
    claim = approved_claim()
    deliver_payout_messages()
    payout = Payout.objects.get(claim=claim)
    # given: a worker leased the payout, paid, and died before recording it
    Payout.objects.filter(pk=payout.pk).update(
        status=PayoutStatus.SENDING, locked_until=timezone.now() + dt.timedelta(minutes=5)
    )
    SandboxAdapter().send(_instruction(payout, claim.customer.payee))
    # while the lease runs, nobody else takes it
    assert payouts_send_due(adapter=SandboxAdapter()) == 0
    # after it, the job resends with the same key and records the first payment
    assert payouts_send_due(adapter=SandboxAdapter(), now=timezone.now() + LATER) == 1
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert ProviderRecord.objects.get().calls == 2


def test_permanent_decline_parks_payout_for_staff_who_fix_payee_and_resend_same_key(supervisor):
    # given: the customer's bank account is closed
    claim = approved_claim(account="99990000")
    deliver_payout_messages()
    payouts_send_due(adapter=SandboxAdapter())
    payout = Payout.objects.get(claim=claim)
    assert payout.status == PayoutStatus.FAILED and payout.failure_code == "AC04"
    assert claim.events.filter(kind=EventKind.NOTE, reason__contains="AC04").exists()
    assert not ProviderRecord.objects.exists()
    # when: staff correct the payee details and resend
    with_payee(claim.customer, "55551234")
    payout_resend(payout=payout, actor=Actor.staff(supervisor))
    payouts_send_due(adapter=SandboxAdapter())
    # then: paid under the same key
    payout.refresh_from_db()
    claim.refresh_from_db()
    assert payout.status == PayoutStatus.PAID and claim.status == ClaimStatus.PAID
    assert ProviderRecord.objects.get().idempotency_key == payout.idempotency_key
    assert claim.customer.payee_events.count() == 2


def _failed(code: str) -> Payout:
    claim = approved_claim(account="99990000")
    deliver_payout_messages()
    payout = Payout.objects.get(claim=claim)
    payout_mark_failed(payout_id=payout.pk, code=code, message="Refused.")
    payout.refresh_from_db()
    return payout


@pytest.mark.parametrize("code", ["AC01", "AC04", "AC06", "BE01", "NOAC"])
def test_resend_refuses_a_payout_refused_for_its_account_until_the_payee_changes(supervisor, code):
    # given: the bank refused the payout for its account, and nobody changed the payee
    payout = _failed(code)
    # when / then: every caller of the service is refused, nothing changes
    with pytest.raises(PayoutError, match="correct the payee first"):
        payout_resend(payout=payout, actor=Actor.staff(supervisor), reason="Again.")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED and payout.failure_code == code
    assert not payout.claim.events.filter(reason="Again.").exists()
    # when: the payee is corrected, the resend goes
    with_payee(payout.claim.customer, "55551234")
    payout_resend(payout=payout, actor=Actor.staff(supervisor), reason="New account.")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PENDING


@pytest.mark.parametrize("code", ["TEMPFAIL", "DU01", "NARR"])
def test_resend_of_a_payout_that_failed_for_a_passing_reason_needs_no_new_payee(supervisor, code):
    payout = _failed(code)
    payout_resend(payout=payout, actor=Actor.staff(supervisor), reason="Provider is back.")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PENDING


def test_resend_needs_permission_and_a_failed_payout(agent, supervisor):
    claim, payout = _paid_claim()
    with pytest.raises(PayoutError, match="permission"):
        payout_resend(payout=payout, actor=Actor.staff(agent))
    with pytest.raises(PayoutError, match="only failed payouts"):
        payout_resend(payout=payout, actor=Actor.staff(supervisor))


def test_no_payee_details_waits_without_failing_and_goes_when_the_customer_gives_them(settings):
    # given: an approved claim whose customer gave no payment details
    claim = approved_claim(account=None)
    deliver_payout_messages()
    # when: the send job runs, again and again
    for _i in range(settings.PAYOUT_MAX_ATTEMPTS + 2):
        payouts_send_due(adapter=SandboxAdapter())
        Payout.objects.filter(claim=claim).update(next_attempt_at=timezone.now())
    # then: it waits, pending, without using attempts, and nothing reached the provider
    payout = Payout.objects.get(claim=claim)
    assert payout.status == PayoutStatus.PENDING and payout.failure_code == "WAITPAYEE"
    assert payout.attempts == 0
    assert not ProviderRecord.objects.filter(idempotency_key=payout.idempotency_key).exists()
    # when: the customer gives their details, the payout is due at once and goes
    Payout.objects.filter(pk=payout.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(hours=6)
    )
    with_payee(claim.customer)
    payout.refresh_from_db()
    assert payout.next_attempt_at <= timezone.now() and payout.failure_code == ""
    payouts_send_due(adapter=SandboxAdapter())
    payout.refresh_from_db()
    claim.refresh_from_db()
    assert payout.status == PayoutStatus.PAID and claim.status == ClaimStatus.PAID


def test_temporary_failures_back_off_then_give_up_to_failed(settings):
    settings.PAYOUT_MAX_ATTEMPTS = 3
    claim = approved_claim()
    deliver_payout_messages()
    payout = Payout.objects.get(claim=claim)
    flaky = SandboxAdapter(timeout_rate=1.0)
    waits = []
    now = timezone.now()
    for _attempt in range(3):
        payout_send(payout_id=payout.pk, adapter=flaky, now=now)
        payout.refresh_from_db()
        waits.append(payout.next_attempt_at - timezone.now())
        now = payout.next_attempt_at + dt.timedelta(seconds=1)
    assert payout.status == PayoutStatus.FAILED and payout.failure_code == "TEMPFAIL"
    assert waits[1] > waits[0]  # exponential backoff between attempts


def test_claim_pulled_back_before_sending_is_never_paid():
    claim = approved_claim()
    deliver_payout_messages()
    claim.refresh_from_db()
    claim_transition(
        claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=Actor.system("test"), via=Via.PAYOUT
    )
    payouts_send_due(adapter=SandboxAdapter())
    payout = Payout.objects.get(claim=claim)
    assert payout.status == PayoutStatus.CANCELLED
    assert not ProviderRecord.objects.exists()
    assert ledger_balances()["USD"]["concession_expense"]["balance"] == 0


def test_claim_on_fraud_hold_before_its_payout_is_created_gets_none(analyst):
    claim = approved_claim()
    fraud_hold(claim=claim, actor=Actor.staff(analyst), note="Same device as 3 other claims.")
    deliver_payout_messages()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD
    assert not Payout.objects.filter(claim=claim).exists()


def test_returned_payout_reverses_postings_reopens_claim_and_allows_a_new_payout(supervisor):
    claim, payout = _paid_claim(amount_minor=310_00)
    # when: the bank returns the payment
    payout_return(
        payout=payout, actor=Actor.staff(supervisor), reason_code="AC04", reason="Closed account"
    )
    payout_return(payout=payout, actor=Actor.staff(supervisor), reason_code="AC04")  # no-op
    # then: nothing deleted, mirror postings, balances back to zero, claim re-opened
    payout.refresh_from_db()
    claim.refresh_from_db()
    assert payout.status == PayoutStatus.RETURNED
    assert claim.status == ClaimStatus.UNDER_REVIEW
    kinds = sorted(LedgerTransaction.objects.values_list("kind", flat=True))
    assert kinds == ["accrual", "payout", "reversal", "reversal"]
    assert all(b["balance"] == 0 for b in ledger_balances()["USD"].values())
    assert ledger_unbalanced() == []
    # and a new decision gets a new payout with its own key
    claim = claim_approve(
        claim=claim,
        actor=Actor.system("test"),
        approved={i.pk: i.claimed_minor for i in claim.losses.all()},
        funding="concession",
    )
    deliver_payout_messages()
    second = Payout.objects.get(claim=claim, number=2)
    assert second.idempotency_key == f"PO-{claim.reference}-2"


def test_cancel_a_failed_payout_reverses_its_accrual(supervisor):
    claim = approved_claim(account="11110000")
    deliver_payout_messages()
    payouts_send_due(adapter=SandboxAdapter())
    payout = Payout.objects.get(claim=claim)
    payout_cancel(payout=payout, actor=Actor.staff(supervisor), reason="Customer paid by seller")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.CANCELLED
    assert all(b["balance"] == 0 for b in ledger_balances()["USD"].values())


def test_the_sandbox_refuses_to_be_called_inside_a_transaction():
    claim = approved_claim()
    deliver_payout_messages()
    payout = Payout.objects.get(claim=claim)
    with pytest.raises(RuntimeError, match="inside a database transaction"), transaction.atomic():
        payout_send(payout_id=payout.pk, adapter=SandboxAdapter())


def test_sweeper_gives_a_payout_to_an_approved_claim_whose_message_was_given_up_on():
    from claims.models import Outbox
    from payouts.services import payouts_redispatch

    claim = approved_claim()
    Outbox.objects.filter(topic="payouts.create").update(done_at=timezone.now())  # lost
    payouts_redispatch()  # too early: the message may still be on its way
    assert not Payout.objects.filter(claim=claim).exists()
    payouts_redispatch(now=timezone.now() + dt.timedelta(minutes=5))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYOUT_PENDING and claim.payouts.count() == 1


def _approved_minutes_ago(minutes: int):
    """An approved claim whose approval (and its payouts.create message) is ``minutes`` old."""
    from claims.models import Claim, Outbox

    claim = approved_claim()
    then = timezone.now() - dt.timedelta(minutes=minutes)
    Claim.objects.filter(pk=claim.pk).update(status_changed_at=then)
    Outbox.objects.filter(topic="payouts.create").update(created_at=then)
    return claim


def test_sweeper_job_leaves_a_claim_whose_message_still_waits_on_the_broker():
    from payouts.tasks import payouts_create_missing

    # given: a large approval's message still queued after PAYOUT_CREATE_AFTER
    claim = _approved_minutes_ago(5)
    # when: the sweeper job runs, then the message arrives
    assert payouts_create_missing() == 0
    assert not Payout.objects.filter(claim=claim).exists()
    assert deliver_payout_messages() == 1
    # then: the message created the one payout
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYOUT_PENDING and claim.payouts.count() == 1


def test_sweeper_job_gives_a_payout_when_the_outbox_gave_the_message_up():
    from claims.models import Outbox
    from claims.outbox import MAX_ATTEMPTS
    from payouts.tasks import payouts_create_missing

    claim = _approved_minutes_ago(5)
    Outbox.objects.filter(topic="payouts.create").update(attempts=MAX_ATTEMPTS)
    assert payouts_create_missing() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYOUT_PENDING and claim.payouts.count() == 1


def test_payee_change_gives_the_fraud_rules_a_keyed_fingerprint_not_the_number():
    from claims.actors import Actor
    from fraud.models import AttributeKind, ClaimAttribute
    from payouts.services import payee_set
    from tests.factories import claim_in

    # given: two customers with open claims, paid to the same account
    first, second = claim_in("under_review"), claim_in("screening")
    for claim in (first, second):
        payee_set(
            customer=claim.customer,
            actor=Actor.system(),
            kind="bank_account",
            holder_name="J Doe",
            bank_code="021000021",
            account_number="000123456789",
        )
    # then: both claims carry the same fingerprint, and the account number is nowhere in it
    values = set(
        ClaimAttribute.objects.filter(kind=AttributeKind.PAYOUT).values_list("claim_id", "value")
    )
    assert {claim_id for claim_id, _v in values} == {first.pk, second.pk}
    fingerprints = {v for _c, v in values}
    assert len(fingerprints) == 1
    assert "123456789" not in fingerprints.pop()
