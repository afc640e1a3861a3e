"""The transition table, whole: every allowed pair moves, every forbidden pair changes nothing."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from claims import lifecycle
from claims.actors import Actor
from claims.exceptions import InvalidTransition, TransitionNotPermitted
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, Outbox, Party
from claims.services import (
    claim_request_info,
    claim_resume_after_info,
    claim_transition,
    claim_withdraw,
)
from tests.factories import claim_in, claim_new

STATUSES = list(ClaimStatus.values)
PAIRS = list(itertools.product(STATUSES, STATUSES))
ALLOWED_PAIRS = [(a, b) for a, b in PAIRS if b in lifecycle.ALLOWED[a]]
FORBIDDEN_PAIRS = [(a, b) for a, b in PAIRS if a != b and b not in lifecycle.ALLOWED[a]]
MONEY = {"approved_total_minor": 100, "funding": "concession"}


def test_table_covers_every_status():
    assert set(lifecycle.ALLOWED) == set(STATUSES)
    for moves in lifecycle.ALLOWED.values():
        assert moves <= set(STATUSES)


def test_every_status_is_reachable_from_submitted():
    seen, frontier = {ClaimStatus.SUBMITTED}, [ClaimStatus.SUBMITTED]
    while frontier:
        for nxt in lifecycle.ALLOWED[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(STATUSES)


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ALLOWED_PAIRS)
def test_transition_allowed_pair_moves_and_writes_one_event(source, target):
    # given
    claim = claim_in(source)
    neighbour = claim_in(ClaimStatus.SCREENING)
    events_before = ClaimEvent.objects.filter(claim=claim).count()
    # when: the move is made by its owner (with what an approval writes, for money states)
    claim_transition(
        claim=claim,
        to=target,
        actor=Actor.system("test"),
        reason="because",
        via=min(lifecycle.owners(source, target)),
        updates=MONEY if target == ClaimStatus.APPROVED else None,
    )
    # then
    claim.refresh_from_db()
    assert claim.status == target
    events = ClaimEvent.objects.filter(claim=claim).order_by("id")
    assert events.count() == events_before + 1
    last = events.last()
    assert (last.from_status, last.to_status, last.reason) == (source, target, "because")
    assert last.actor_party == Party.SYSTEM
    neighbour.refresh_from_db()
    assert neighbour.status == ClaimStatus.SCREENING


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), FORBIDDEN_PAIRS)
def test_transition_forbidden_pair_raises_and_changes_nothing(source, target):
    # given
    claim = claim_in(source)
    before = Claim.objects.filter(pk=claim.pk).values().get()
    events_before = ClaimEvent.objects.count()
    outbox_before = Outbox.objects.count()
    # when
    with pytest.raises(InvalidTransition) as excinfo:
        claim_transition(claim=claim, to=target, actor=Actor.system("test"))
    # then
    assert claim.reference in str(excinfo.value)
    assert Claim.objects.filter(pk=claim.pk).values().get() == before
    assert ClaimEvent.objects.count() == events_before
    assert Outbox.objects.count() == outbox_before


@pytest.mark.django_db
def test_transition_to_current_status_is_a_quiet_no_op():
    claim = claim_in(ClaimStatus.SCREENING)
    events_before = ClaimEvent.objects.count()
    claim_transition(
        claim=claim, to=ClaimStatus.SCREENING, actor=Actor.system(), via=lifecycle.Via.SCREENING
    )
    assert ClaimEvent.objects.count() == events_before


@pytest.mark.django_db
def test_transition_rejects_unknown_status():
    claim = claim_new()
    with pytest.raises(ValueError):
        claim_transition(claim=claim, to="teleported", actor=Actor.system())


@pytest.mark.django_db
def test_transition_refuses_fields_outside_the_whitelist():
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    with pytest.raises(ValueError):
        claim_transition(
            claim=claim, to=ClaimStatus.APPROVED, actor=Actor.system(), updates={"status": "paid"}
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


@pytest.mark.django_db
def test_transition_with_stale_object_uses_database_state():
    # given: two copies of one claim; the first moves it on
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    stale = Claim.objects.get(pk=claim.pk)
    claim_transition(
        claim=claim, to=ClaimStatus.DENIED, actor=Actor.system(), via=lifecycle.Via.DECISION
    )
    # when: the stale copy tries a move that was legal from under review
    with pytest.raises(InvalidTransition):
        claim_transition(
            claim=stale,
            to=ClaimStatus.APPROVED,
            actor=Actor.system(),
            via=lifecycle.Via.DECISION,
            updates=MONEY,
        )
    # then
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DENIED


# --- who may move a claim ----------------------------------------------------------------


@pytest.mark.django_db
def test_customer_may_withdraw_but_not_approve():
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    customer = Actor.customer(claim.customer)
    with pytest.raises(TransitionNotPermitted):
        claim_transition(
            claim=claim,
            to=ClaimStatus.APPROVED,
            actor=customer,
            via=lifecycle.Via.DECISION,
            updates=MONEY,
        )
    claim_withdraw(claim=claim, actor=customer)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert claim.events.last().actor_party == Party.CUSTOMER


@pytest.mark.django_db
def test_customer_cannot_withdraw_once_payout_is_pending():
    claim = claim_in(ClaimStatus.PAYOUT_PENDING)
    with pytest.raises(InvalidTransition):
        claim_withdraw(claim=claim, actor=Actor.customer(claim.customer))


@pytest.mark.django_db
def test_seller_may_only_respond():
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    seller = Actor.seller(claim.seller)
    with pytest.raises(TransitionNotPermitted):
        claim_transition(
            claim=claim, to=ClaimStatus.ESCALATED, actor=seller, via=lifecycle.Via.ESCALATION
        )
    claim_transition(
        claim=claim,
        to=ClaimStatus.SELLER_RESPONDED,
        actor=seller,
        via=lifecycle.Via.SELLER_RESPONSE,
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED


@pytest.mark.django_db
def test_agent_cannot_release_a_fraud_hold(agent):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    with pytest.raises(TransitionNotPermitted):
        claim_transition(
            claim=claim,
            to=ClaimStatus.AWAITING_SELLER,
            actor=Actor.staff(agent),
            via=lifecycle.Via.FRAUD,
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD


@pytest.mark.django_db
def test_analyst_releases_a_fraud_hold_but_cannot_approve(analyst):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    claim_transition(
        claim=claim,
        to=ClaimStatus.UNDER_REVIEW,
        actor=Actor.staff(analyst),
        via=lifecycle.Via.FRAUD,
    )
    with pytest.raises(TransitionNotPermitted):
        claim_transition(
            claim=claim,
            to=ClaimStatus.APPROVED,
            actor=Actor.staff(analyst),
            via=lifecycle.Via.DECISION,
            updates=MONEY,
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


@pytest.mark.django_db
def test_staff_without_a_role_cannot_move_claims(outsider):
    claim = claim_in(ClaimStatus.SCREENING)
    with pytest.raises(TransitionNotPermitted):
        claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=Actor.staff(outsider))


@pytest.mark.django_db
def test_agent_approves_with_amount_and_funding_in_the_same_update(agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=40_000)
    claim_transition(
        claim=claim,
        to=ClaimStatus.APPROVED,
        actor=Actor.staff(agent),
        updates={"approved_total_minor": 35_000, "funding": "concession"},
        via=lifecycle.Via.DECISION,
    )
    claim.refresh_from_db()
    assert (claim.status, claim.approved_total_minor, claim.funding) == (
        "approved",
        35_000,
        "concession",
    )
    assert claim.events.last().data["approved_total_minor"] == 35_000
    assert claim.events.last().actor_id == agent.pk


# --- clocks --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_needs_info_pauses_the_decision_clock_and_resumes_where_it_paused():
    # given: a claim under review, asked for more information
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    start = timezone.now()
    due_before = claim.decision_due
    claim_request_info(claim=claim, actor=Actor.system(), message="Receipt?", now=start)
    claim.refresh_from_db()
    assert claim.customer_info_due == start + dt.timedelta(days=claim.region.customer_info_days)
    # when: the customer answers three days later
    later = start + dt.timedelta(days=3)
    claim.status_changed_at = start
    claim_transition(
        claim=claim,
        to=ClaimStatus.UNDER_REVIEW,
        actor=Actor.customer(claim.customer),
        now=later,
        via=lifecycle.Via.ANSWER,
    )
    # then: the three days do not count against the decision target
    claim.refresh_from_db()
    assert claim.customer_info_due is None
    assert claim.decision_due == due_before + dt.timedelta(days=3)


@pytest.mark.django_db
def test_resume_after_info_returns_to_the_state_it_paused_in():
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    claim_request_info(claim=claim, actor=Actor.system(), message="Receipt?")
    claim_resume_after_info(claim=claim, actor=Actor.customer(claim.customer))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER


@pytest.mark.django_db
def test_a_claim_paused_from_a_fraud_hold_goes_back_only_to_the_hold(supervisor):
    # given: a claim on fraud hold, asked for information from the hold
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    claim_request_info(claim=claim, actor=Actor.system(), message="Receipt?")
    events_before = ClaimEvent.objects.filter(claim=claim).count()
    # when / then: neither the customer's answer nor staff going on without it reaches review
    for actor, via in (
        (Actor.customer(claim.customer), lifecycle.Via.ANSWER),
        (Actor.staff(supervisor), lifecycle.Via.STAFF),
    ):
        with pytest.raises(TransitionNotPermitted):
            claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=actor, via=via)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO
    assert ClaimEvent.objects.filter(claim=claim).count() == events_before
    # when: the customer answers
    claim_resume_after_info(claim=claim, actor=Actor.customer(claim.customer), reason="Here.")
    # then: back on hold for the analyst, the answer on the move's event
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD
    last = ClaimEvent.objects.filter(claim=claim).order_by("id").last()
    assert (last.from_status, last.to_status, last.actor_party, last.reason) == (
        ClaimStatus.NEEDS_INFO,
        ClaimStatus.FRAUD_HOLD,
        Party.CUSTOMER,
        "Here.",
    )


@pytest.mark.django_db
def test_entering_awaiting_seller_sets_a_business_day_deadline():
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    assert claim.seller_respond_by is not None
    assert claim.seller_respond_by > claim.status_changed_at + dt.timedelta(days=4)


# --- events are history --------------------------------------------------------------------


@pytest.mark.django_db
def test_event_rows_cannot_be_updated_or_deleted():
    from django.db import IntegrityError, transaction

    claim = claim_new()
    event = claim.events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    # Not even with a queryset that bypasses the model: the database refuses.
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).delete()
    assert ClaimEvent.objects.get(pk=event.pk).kind == EventKind.STATUS
