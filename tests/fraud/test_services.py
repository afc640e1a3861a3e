import pytest

from claims.actors import Actor
from claims.exceptions import InvalidTransition
from claims.models import ClaimStatus
from fraud.models import FraudDecision, FraudLabel, FraudReview
from fraud.services import fraud_clear, fraud_confirm, fraud_hold
from tests.factories import claim_in

pytestmark = pytest.mark.django_db


def test_hold_then_clear_sends_the_claim_on_with_a_review_row(analyst):
    claim = claim_in(ClaimStatus.SCREENING)
    fraud_hold(claim=claim, actor=Actor.staff(analyst), note="Address shared with 3 claims")
    review = fraud_clear(
        claim=claim,
        actor=Actor.staff(analyst),
        label=FraudLabel.FALSE_POSITIVE,
        note="Same building, different flats",
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER
    assert review.decision == FraudDecision.CLEARED and review.analyst == analyst
    assert claim.events.last().data["fraud_label"] == "false_positive"


def test_confirm_denies_and_is_labelled(analyst):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    fraud_confirm(claim=claim, actor=Actor.staff(analyst), note="Photo reused from PL-US-1")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DENIED
    assert FraudReview.objects.get().label == FraudLabel.RISK_CONFIRMED


def test_agent_cannot_clear_and_nothing_is_written(agent):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    with pytest.raises(InvalidTransition):
        fraud_clear(
            claim=claim, actor=Actor.staff(agent), label=FraudLabel.FALSE_POSITIVE, note="x"
        )
    assert not FraudReview.objects.exists()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD


def test_clear_needs_a_clearing_label(analyst):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    with pytest.raises(InvalidTransition):
        fraud_clear(
            claim=claim, actor=Actor.staff(analyst), label=FraudLabel.RISK_CONFIRMED, note="x"
        )


def test_clear_refuses_claims_not_on_hold(analyst):
    claim = claim_in(ClaimStatus.SCREENING)
    with pytest.raises(InvalidTransition, match="not on fraud hold"):
        fraud_clear(
            claim=claim, actor=Actor.staff(analyst), label=FraudLabel.FALSE_POSITIVE, note="x"
        )
