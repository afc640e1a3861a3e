"""claim_transition_batch: the set-based transition, on its SQL path and its ORM path."""

import pytest
from django.db import transaction

from claims.actors import Actor
from claims.batch import claim_transition_batch
from claims.exceptions import InvalidTransition, TransitionNotPermitted
from claims.lifecycle import Via
from claims.models import Claim, ClaimEvent, ClaimStatus, Funding, Outbox
from claims.services import claim_request_info
from tests.factories import claim_in

pytestmark = pytest.mark.django_db


def _shape(claim_ids):
    """What a batch leaves behind, comparable across runs (no ids, no times)."""
    claims = sorted(
        Claim.objects.filter(pk__in=claim_ids).values_list("status", "funding"), key=str
    )
    events = sorted(
        ClaimEvent.objects.filter(
            claim_id__in=claim_ids, to_status=ClaimStatus.ESCALATED
        ).values_list("from_status", "actor_party", "actor_label", "reason", "data"),
        key=str,
    )
    outbox = sorted(
        (o.topic, o.payload["claim_id"] in claim_ids, o.dedupe_key.split(":")[0])
        for o in Outbox.objects.filter(topic="sellers.notify_escalated")
        if o.payload["claim_id"] in claim_ids
    )
    return claims, events, outbox


@pytest.mark.parametrize("use_sql", [True, False])
def test_batch_moves_only_claims_still_in_from_status(use_sql):
    # given: two claims awaiting the seller, one already escalated elsewhere
    waiting = [claim_in(ClaimStatus.AWAITING_SELLER) for _ in range(2)]
    done = claim_in(ClaimStatus.ESCALATED)
    ids = [c.pk for c in [*waiting, done]]
    # when
    with transaction.atomic():
        moved = claim_transition_batch(
            claim_ids=ids,
            from_status=ClaimStatus.AWAITING_SELLER,
            to=ClaimStatus.ESCALATED,
            actor=Actor.system("escalation"),
            via=Via.ESCALATION,
            reason="Deadline passed.",
            updates={"funding": Funding.STEP_IN},
            data={"policy": "step_in"},
            use_sql=use_sql,
        )
    # then: two moved, one event and one follow-up each, the third untouched
    assert moved == sorted(c.pk for c in waiting)
    claims, events, outbox = _shape([c.pk for c in waiting])
    assert claims == [("escalated", "step_in")] * 2
    assert (
        events
        == [
            (
                "awaiting_seller",
                "system",
                "escalation",
                "Deadline passed.",
                {"policy": "step_in", "funding": "step_in"},
            )
        ]
        * 2
    )
    assert outbox == [("sellers.notify_escalated", True, "sellers.notify_escalated")] * 2
    assert ClaimEvent.objects.filter(claim=done, to_status=ClaimStatus.ESCALATED).count() == 1
    # and: a second run moves nothing
    with transaction.atomic():
        again = claim_transition_batch(
            claim_ids=ids,
            from_status=ClaimStatus.AWAITING_SELLER,
            to=ClaimStatus.ESCALATED,
            actor=Actor.system("escalation"),
            via=Via.ESCALATION,
            use_sql=use_sql,
        )
    assert again == []


def test_batch_refuses_illegal_moves_and_staff_without_permission(outsider):
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    with pytest.raises(InvalidTransition):
        claim_transition_batch(
            claim_ids=[claim.pk],
            from_status=ClaimStatus.AWAITING_SELLER,
            to=ClaimStatus.PAID,
            actor=Actor.system(),
        )
    with pytest.raises(TransitionNotPermitted):
        claim_transition_batch(
            claim_ids=[claim.pk],
            from_status=ClaimStatus.AWAITING_SELLER,
            to=ClaimStatus.ESCALATED,
            actor=Actor.staff(outsider),
            via=Via.ESCALATION,
        )
    with pytest.raises(ValueError):
        claim_transition_batch(
            claim_ids=[claim.pk],
            from_status=ClaimStatus.AWAITING_SELLER,
            to=ClaimStatus.ESCALATED,
            actor=Actor.system(),
            updates={"status": "paid"},
            via=Via.ESCALATION,
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER


@pytest.mark.parametrize("use_sql", [True, False])
def test_batch_gives_each_claim_its_own_reason_and_event_data(use_sql):
    # given: two claims awaiting the seller
    first, second = (claim_in(ClaimStatus.AWAITING_SELLER) for _ in range(2))
    # when: the batch names a reason and data for the first only
    with transaction.atomic():
        claim_transition_batch(
            claim_ids=[first.pk, second.pk],
            from_status=ClaimStatus.AWAITING_SELLER,
            to=ClaimStatus.ESCALATED,
            actor=Actor.system("escalation"),
            via=Via.ESCALATION,
            reason="Deadline passed.",
            data={"policy": "step_in"},
            reasons={first.pk: "Deadline passed for PL-1."},
            data_by_claim={first.pk: {"ref": "x-1"}},
            use_sql=use_sql,
        )
    # then: the first event has its own, the second the batch's
    events = {
        e.claim_id: (e.reason, e.data)
        for e in ClaimEvent.objects.filter(to_status=ClaimStatus.ESCALATED)
    }
    assert events == {
        first.pk: ("Deadline passed for PL-1.", {"policy": "step_in", "ref": "x-1"}),
        second.pk: ("Deadline passed.", {"policy": "step_in"}),
    }


@pytest.mark.parametrize("use_sql", [True, False])
def test_batch_leaves_a_claim_asked_from_a_fraud_hold_for_the_analyst(use_sql):
    # given: two claims waiting for the customer, one asked from a fraud hold, one from review
    held, reviewed = claim_in(ClaimStatus.FRAUD_HOLD), claim_in(ClaimStatus.UNDER_REVIEW)
    for claim in (held, reviewed):
        claim_request_info(claim=claim, actor=Actor.system(), message="Receipt?")
    events_before = ClaimEvent.objects.filter(claim=held).count()
    # when: a job moves both on to review without the answer
    with transaction.atomic():
        moved = claim_transition_batch(
            claim_ids=[held.pk, reviewed.pk],
            from_status=ClaimStatus.NEEDS_INFO,
            to=ClaimStatus.UNDER_REVIEW,
            actor=Actor.system("deadline"),
            use_sql=use_sql,
        )
    # then: only the claim asked from review moved; the held one waits, unchanged, for the
    # analyst (lifecycle.leaves_needs_info), as claim_transition would refuse it
    assert moved == [reviewed.pk]
    held.refresh_from_db()
    reviewed.refresh_from_db()
    assert (held.status, reviewed.status) == (ClaimStatus.NEEDS_INFO, ClaimStatus.UNDER_REVIEW)
    assert ClaimEvent.objects.filter(claim=held).count() == events_before
    # when: the analyst's own move takes it back to the hold
    with transaction.atomic():
        back = claim_transition_batch(
            claim_ids=[held.pk],
            from_status=ClaimStatus.NEEDS_INFO,
            to=ClaimStatus.FRAUD_HOLD,
            actor=Actor.system("fraud"),
            via=Via.FRAUD,
            use_sql=use_sql,
        )
    # then: that move is allowed
    assert back == [held.pk]
    held.refresh_from_db()
    assert held.status == ClaimStatus.FRAUD_HOLD
