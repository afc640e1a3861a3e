"""Scoring on Celery's outbox, routing out of screening, re-scoring on evidence, versions."""

import pytest

from claims.actors import Actor
from claims.models import ClaimEvent, ClaimStatus, EvidenceKind, RiskLevel
from claims.services import evidence_add
from fraud.models import Assessment, FraudDecision, FraudReview, Rule, RuleHit, RuleVersion
from fraud.scoring import fraud_score_claim, rules_ensure
from fraud.services import FraudError, rule_update
from tests.factories import CustomerFactory, OrderLineFactory, claim_in, claim_new
from tests.fraud.support import outbox_run, photo_bytes

pytestmark = pytest.mark.django_db


def ring_claims(n: int):
    claims = []
    for _ in range(n):
        customer = CustomerFactory(address_line1="77 Birch Road", postal_code="62701")
        claims.append(
            claim_new(order_line=OrderLineFactory(order__customer=customer), amount_minor=97_000)
        )
        outbox_run()
    return claims


def test_a_clean_claim_is_scored_low_and_goes_on_to_the_seller():
    # given a new claim with nothing suspicious
    claim = claim_new()
    # when the workers run the outbox
    topics = outbox_run()
    # then
    # screening, scoring, then the seller is told (sellers.notify_seller on awaiting seller)
    assert topics == ["claims.screen", "fraud.score", "sellers.notify_seller"]
    claim.refresh_from_db()
    assert (claim.status, claim.risk_score, claim.risk_level) == (
        ClaimStatus.AWAITING_SELLER,
        0,
        RiskLevel.LOW,
    )
    assert Assessment.objects.get(claim=claim).trigger == Assessment.Trigger.SCREENING
    assert not FraudReview.objects.exists()


def test_a_claim_above_the_review_threshold_is_held_never_denied():
    # given two earlier claims from the same address, each just under the threshold
    first, second, third = ring_claims(3)
    # then the third is on hold, with the reasons on the hold's event, and nothing was denied
    third.refresh_from_db()
    assert third.status == ClaimStatus.FRAUD_HOLD
    assert third.risk_score >= 40 and third.risk_level in (RiskLevel.MEDIUM, RiskLevel.HIGH)
    hold = ClaimEvent.objects.get(claim=third, to_status=ClaimStatus.FRAUD_HOLD)
    assert hold.actor_party == "system"
    assert "3 claims from this address in 60 days" in hold.reason
    assert FraudReview.objects.get(claim=third).decision == FraudDecision.HOLD
    assert not ClaimEvent.objects.filter(to_status=ClaimStatus.DENIED).exists()
    # and no seller notification was queued for it (it never reached awaiting_seller)
    assert not ClaimEvent.objects.filter(
        claim=third, to_status=ClaimStatus.AWAITING_SELLER
    ).exists()


def test_new_evidence_rescores_and_holds_a_claim_it_pushes_over_the_threshold():
    # given a claim already with the seller, and another claim with a photo
    earlier = claim_new()
    evidence_add(
        claim=earlier,
        data=photo_bytes(seed=11),
        filename="a.jpg",
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.customer(earlier.customer),
    )
    claim = claim_new(amount_minor=96_000)
    outbox_run()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER
    # when the customer uploads the same photo
    evidence_add(
        claim=claim,
        data=photo_bytes(seed=11),
        filename="b.jpg",
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.customer(claim.customer),
    )
    outbox_run()
    # then it was re-scored because of the evidence and put on hold
    claim.refresh_from_db()
    latest = Assessment.objects.filter(claim=claim).first()
    assert latest.trigger == Assessment.Trigger.EVIDENCE
    assert {h.rule.code for h in latest.hits.all()} >= {"duplicate_photo", "amount_under_threshold"}
    assert claim.status == ClaimStatus.FRAUD_HOLD


def test_a_cleared_claim_is_not_held_again_for_the_same_score(analyst):
    from fraud.services import fraud_clear

    *_, claim = ring_claims(3)
    fraud_clear(
        claim=claim, actor=Actor.staff(analyst), label="false_positive", note="Student housing"
    )
    evidence_add(
        claim=claim,
        data=photo_bytes(seed=5),
        filename="c.jpg",
        kind=EvidenceKind.RECEIPT,
        actor=Actor.customer(claim.customer),
    )
    outbox_run()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER
    assert Assessment.objects.filter(claim=claim).count() == 2


def test_a_rule_change_is_a_new_version_and_never_rewrites_past_hits(analyst):
    # given a hit scored under version 1
    claim = claim_new(amount_minor=99_000)
    fraud_score_claim(claim=claim)
    rule = Rule.objects.get(code="amount_under_threshold")
    # when an analyst changes the weight and the band
    rule_update(
        rule=rule,
        expected_version=1,
        weight=30,
        params={"band_percent": 5},
        enabled=True,
        actor=Actor.staff(analyst),
        reason="Too noisy at 10%",
    )
    fraud_score_claim(claim=claim)
    # then the old hit keeps its version and points, the new one uses version 2
    old, new = RuleHit.objects.filter(rule=rule).order_by("id")
    assert (old.rule_version, old.points, old.inputs["band_percent"]) == (1, 15, 10)
    assert (new.rule_version, new.points, new.inputs["band_percent"]) == (2, 30, 5)
    version = RuleVersion.objects.get(rule=rule, version=2)
    assert (version.changed_by, version.reason) == (analyst, "Too noisy at 10%")


def test_a_rule_change_with_bad_input_changes_nothing(analyst):
    rules_ensure()
    rule = Rule.objects.get(code="velocity_customer")
    actor = Actor.staff(analyst)
    bad = [
        ({"weight": 101, "params": {}, "reason": "x"}, "between 0 and 100"),
        ({"weight": 10, "params": {"nope": 1}, "reason": "x"}, "Unknown parameter"),
        ({"weight": 10, "params": {"window_days": "soon"}, "reason": "x"}, "whole number"),
        ({"weight": 10, "params": {}, "reason": ""}, "why"),
    ]
    for kwargs, message in bad:
        with pytest.raises(FraudError, match=message):
            rule_update(rule=rule, expected_version=1, enabled=True, actor=actor, **kwargs)
    # a stale form (someone saved version 2 meanwhile) is refused too
    rule_update(
        rule=rule,
        expected_version=1,
        weight=5,
        params={},
        enabled=True,
        actor=actor,
        reason="first",
    )
    with pytest.raises(FraudError, match="reload"):
        rule_update(
            rule=rule,
            expected_version=1,
            weight=9,
            params={},
            enabled=True,
            actor=actor,
            reason="second",
        )
    rule.refresh_from_db()
    assert (rule.version, rule.weight) == (2, 5)
    assert RuleVersion.objects.filter(rule=rule).count() == 2


def test_a_disabled_rule_does_not_fire(analyst):
    rules_ensure()
    rule = Rule.objects.get(code="amount_under_threshold")
    rule_update(
        rule=rule,
        expected_version=1,
        weight=15,
        params={},
        enabled=False,
        actor=Actor.staff(analyst),
        reason="retired",
    )
    assert not fraud_score_claim(claim=claim_new(amount_minor=99_000)).hits.exists()


def test_scoring_a_claim_twice_adds_an_assessment_and_keeps_the_first():
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    first = fraud_score_claim(claim=claim)
    fraud_score_claim(claim=claim, trigger=Assessment.Trigger.MANUAL)
    assert Assessment.objects.filter(claim=claim).count() == 2
    first.refresh_from_db()
    assert first.trigger == Assessment.Trigger.SCREENING
