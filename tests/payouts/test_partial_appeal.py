"""A partial approval can be appealed like a denial; a new decision pays only the difference.

The case from ``make run``: an approval of $1 on a $300 claim could not be appealed. Here the
customer appeals from their claim page once the $1 is paid, another reviewer takes the appeal
in /staff/, and the top-up payout sends the rest exactly once.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.actors import Actor
from claims.models import ClaimEvent, ClaimStatus
from claims.services import appeal_until, claim_appeal, claim_transition
from payouts.adapters.sandbox import SandboxAdapter
from payouts.exceptions import DecisionRefused
from payouts.ledger import ledger_balances
from payouts.models import Account, Payout, PayoutStatus
from payouts.reconcile_paths import money_path_differences
from payouts.services.decisions import decision_approve, decision_deny
from payouts.services.pipeline import payouts_create_missing, payouts_send_due
from tests.factories import claim_in
from tests.payouts.helpers import deliver_payout_messages, with_payee
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db
S = ClaimStatus
WHY = "Only the receipt for the charger is on file."


def _paid_partial(agent, *, claimed=30_000, approved=100):
    """A $300 claim approved for $1 by ``agent`` and paid."""
    claim = claim_in(S.UNDER_REVIEW, amount_minor=claimed)
    with_payee(claim.customer)
    item = claim.losses.get()
    decision_approve(
        claim=claim, actor=Actor.staff(agent), approved={item.pk: approved}, reasons={item.pk: WHY}
    )
    deliver_payout_messages()
    payouts_send_due(adapter=SandboxAdapter())
    claim.refresh_from_db()
    assert (claim.status, claim.approved_total_minor) == (S.PAID, approved)
    return claim


def _appeal_on_the_page(client, claim, reason="The charger set my desk on fire: $300."):
    sign_in(client, claim.customer)
    page = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert "Appeal the decision" in page
    return client.post(reverse("portal:claim-appeal", args=[claim.reference]), {"reason": reason})


def _move(client, claim, to, **data):
    claim.refresh_from_db()
    return client.post(
        reverse("backoffice:claim-move", args=[claim.pk, to]),
        {"expected_status": claim.status, "reason": "", **data},
    )


def test_customer_appeals_a_paid_partial_approval_and_the_difference_is_paid_once(
    client, agent, supervisor
):
    # given: $1 approved and paid on a $300 claim
    claim = _paid_partial(agent)
    # when: the customer appeals from their claim page
    response = _appeal_on_the_page(client, claim)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == S.APPEALED
    # then: the agent who decided cannot take it; a supervisor takes it and approves $300
    client.force_login(agent)
    refused = _move(client, claim, S.UNDER_REVIEW)
    assert "another reviewer takes the appeal" in refused.content.decode()
    client.force_login(supervisor)
    assert _move(client, claim, S.UNDER_REVIEW).status_code == 302
    item = claim.losses.get()
    response = _move(client, claim, S.APPROVED, **{f"loss_{item.pk}": "300.00"})
    assert response.status_code == 302, response.content.decode()
    # the payout job runs twice (the outbox and the sweeper): one top-up of the difference
    deliver_payout_messages()
    payouts_create_missing(now=timezone.now() + dt.timedelta(hours=1))
    payouts_send_due(adapter=SandboxAdapter())
    claim.refresh_from_db()
    assert (claim.status, claim.approved_total_minor) == (S.PAID, 30_000)
    payouts = list(claim.payouts.order_by("number").values_list("number", "amount_minor", "status"))
    assert payouts == [(1, 100, PayoutStatus.PAID), (2, 29_900, PayoutStatus.PAID)]
    # the book: the customer payable is cleared, nothing differs anywhere
    assert ledger_balances(currency="USD").get(Account.CUSTOMER_PAYABLE, 0) == 0
    assert money_path_differences() == []


def test_an_appeal_that_keeps_the_amount_paid_settles_without_a_payout(client, agent, supervisor):
    claim = _paid_partial(agent)
    claim_appeal(claim=claim, actor=Actor.customer(claim.customer), reason="More, please.")
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(supervisor))
    item = claim.losses.get()
    decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved={item.pk: 100}, reasons={item.pk: WHY}
    )
    deliver_payout_messages()
    claim.refresh_from_db()
    assert claim.status == S.PAID
    assert claim.payouts.count() == 1
    assert ClaimEvent.objects.filter(
        claim=claim, to_status=S.PAID, reason__icontains="nothing more to send"
    ).exists()
    assert money_path_differences() == []


def test_an_appeal_cannot_take_back_what_was_paid(client, agent, supervisor):
    claim = _paid_partial(agent, approved=5_000)
    claim_appeal(claim=claim, actor=Actor.customer(claim.customer), reason="More, please.")
    client.force_login(supervisor)
    _move(client, claim, S.UNDER_REVIEW)
    item = claim.losses.get()
    # approving less than the $50 paid is refused on the page, with the amount
    response = _move(
        client, claim, S.APPROVED, **{f"loss_{item.pk}": "20.00", f"why_{item.pk}": WHY}
    )
    assert response.status_code == 400
    assert "$50.00 was already paid on this claim" in response.content.decode()
    # and so is a denial
    with pytest.raises(DecisionRefused, match="cannot be denied"):
        decision_deny(
            claim=claim,
            actor=Actor.staff(supervisor),
            reason_code="not_covered",
            explanation="Not covered.",
        )
    claim.refresh_from_db()
    assert (claim.status, claim.approved_total_minor) == (S.UNDER_REVIEW, 5_000)
    assert list(Payout.objects.filter(claim=claim).values_list("status", flat=True)) == ["paid"]


def test_a_claim_paid_in_full_or_past_the_window_offers_no_appeal(client, agent):
    full = _paid_partial(agent, approved=30_000)
    assert appeal_until(full) is None
    sign_in(client, full.customer)
    page = client.get(reverse("portal:claim-detail", args=[full.reference])).content.decode()
    assert "Appeal the decision" not in page
    response = client.post(reverse("portal:claim-appeal", args=[full.reference]), {"reason": "x"})
    assert response.status_code == 400
    assert "paid in full" in response.content.decode()

    partial = _paid_partial(agent)
    late = appeal_until(partial) + dt.timedelta(minutes=1)
    with pytest.raises(Exception, match="appeal window"):
        claim_appeal(
            claim=partial, actor=Actor.customer(partial.customer), reason="Late.", now=late
        )


def test_no_appeal_once_a_new_claim_is_open_on_the_same_item(client, agent):
    # A paid claim frees its order line; once the customer filed a new claim on it, the case
    # goes on there (an appeal would re-open a second claim on the same item).
    from tests.factories import claim_new

    claim = _paid_partial(agent)
    assert appeal_until(claim) is not None
    claim_new(order_line=claim.order_line)
    assert appeal_until(claim) is None
    sign_in(client, claim.customer)
    page = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert "Appeal the decision" not in page
