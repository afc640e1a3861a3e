"""Automatic approval by policy, the QA sample, and its report."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from claims.actors import Actor
from claims.models import Claim, ClaimStatus
from payouts.exceptions import DecisionRefused
from payouts.models import QASample
from payouts.policy import policy_for
from payouts.selectors import qa_report
from payouts.services import auto_approve_sweep, claim_auto_approve, qa_review_record
from payouts.services.auto import DEADLINE_PASSED, SELLER_ACCEPTED
from tests.factories import claim_in, us

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(days=30)


def _policy(**values):
    policy = policy_for(us())
    for key, value in values.items():
        setattr(policy, key, value)
    policy.save()
    return policy


def _overdue(amount_minor=20_000, risk="") -> Claim:
    claim = claim_in(ClaimStatus.AWAITING_SELLER, amount_minor=amount_minor)
    Claim.objects.filter(pk=claim.pk).update(risk_level=risk)
    return claim


def test_automatic_approval_is_off_unless_the_region_turns_it_on():
    claim = _overdue()
    with pytest.raises(DecisionRefused, match="off"):
        claim_auto_approve(claim=claim, trigger=DEADLINE_PASSED, now=timezone.now() + LATER)
    assert auto_approve_sweep(now=timezone.now() + LATER) == 0
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER


def test_sweep_approves_small_low_risk_overdue_claims_and_leaves_the_rest():
    _policy(auto_approve_enabled=True, qa_sample_percent=100)
    small = _overdue(risk="low")
    risky = _overdue(risk="high")
    big = _overdue(amount_minor=150_000)
    not_due = _overdue()
    # when: the sweep runs after the small claims' deadlines, but not_due's deadline is later
    Claim.objects.filter(pk=not_due.pk).update(seller_respond_by=timezone.now() + 2 * LATER)
    assert auto_approve_sweep(now=timezone.now() + LATER) == 1
    # then
    for claim in (small, risky, big, not_due):
        claim.refresh_from_db()
    assert small.status == ClaimStatus.APPROVED and small.funding == "concession"
    assert small.approved_total_minor == small.claimed_total_minor
    event = small.events.get(to_status=ClaimStatus.APPROVED)
    assert event.actor_party == "system" and event.data["automatic"] is True
    assert event.data["policy"]["auto_approve_enabled"] is True
    assert {risky.status, big.status, not_due.status} == {ClaimStatus.AWAITING_SELLER}
    assert QASample.objects.get().claim == small  # 100 % sampled


def test_refusal_lists_every_reason_and_writes_nothing():
    _policy(auto_approve_enabled=True)
    claim = _overdue(amount_minor=150_000, risk="medium")
    events = claim.events.count()
    with pytest.raises(DecisionRefused) as refused:
        claim_auto_approve(claim=claim, trigger=DEADLINE_PASSED, now=timezone.now())
    message = str(refused.value)
    assert "risk" in message and "threshold" in message and "deadline" in message
    claim.refresh_from_db()
    assert claim.events.count() == events and claim.status == ClaimStatus.AWAITING_SELLER


def test_seller_acceptance_triggers_approval_and_the_sample_share_is_respected():
    _policy(auto_approve_enabled=True, qa_sample_percent=0)
    claim = claim_in(ClaimStatus.SELLER_RESPONDED)
    claim = claim_auto_approve(claim=claim, trigger=SELLER_ACCEPTED, rng=random.Random(1))
    assert claim.status == ClaimStatus.APPROVED
    assert not QASample.objects.exists()


def test_sample_share_draws_about_that_share():
    _policy(auto_approve_enabled=True, qa_sample_percent=30)
    rng = random.Random(7)
    for _ in range(40):
        claim = claim_in(ClaimStatus.SELLER_RESPONDED)
        claim_auto_approve(claim=claim, trigger=SELLER_ACCEPTED, rng=rng)
    assert 4 <= QASample.objects.count() <= 20


def test_qa_review_is_recorded_and_reported_by_reason(supervisor, agent):
    _policy(auto_approve_enabled=True, qa_sample_percent=100)
    samples = []
    for _ in range(4):
        claim = claim_in(ClaimStatus.SELLER_RESPONDED)
        claim_auto_approve(claim=claim, trigger=SELLER_ACCEPTED)
        samples.append(claim.qa_sample)
    reviewer = Actor.staff(supervisor)
    with pytest.raises(DecisionRefused, match="permission"):
        qa_review_record(sample=samples[0], actor=Actor.staff(agent), verdict="correct")
    with pytest.raises(DecisionRefused, match="why"):
        qa_review_record(sample=samples[0], actor=reviewer, verdict="wrong")
    qa_review_record(sample=samples[0], actor=reviewer, verdict="wrong", reason="no_proof")
    qa_review_record(sample=samples[1], actor=reviewer, verdict="wrong", reason="no_proof")
    qa_review_record(sample=samples[2], actor=reviewer, verdict="correct", reason="no_proof")
    with pytest.raises(DecisionRefused, match="already"):
        qa_review_record(sample=samples[2], actor=reviewer, verdict="wrong", reason="amount")
    samples[2].refresh_from_db()
    assert samples[2].reason == ""  # a correct verdict carries no reason
    report = qa_report()
    assert report["sampled"] == 4 and report["reviewed"] == 3 and report["wrong"] == 2
    assert report["wrong_share"] == round(2 / 3, 4)
    assert report["by_reason"] == {"No proof of loss": 2}
