"""Fraud holds and analyst decisions. Status changes go through claims.services."""

from django.db import transaction
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.exceptions import InvalidTransition
from claims.models import Claim, ClaimStatus
from claims.services import claim_transition
from fraud.models import FraudDecision, FraudLabel, FraudReview


@transaction.atomic
def fraud_hold(*, claim: Claim, actor: Actor, note: str) -> FraudReview:
    claim = claim_transition(claim=claim, to=ClaimStatus.FRAUD_HOLD, actor=actor, reason=note)
    return FraudReview.objects.create(
        claim=claim, analyst=actor.user, decision=FraudDecision.HOLD, note=note
    )


@transaction.atomic
def fraud_clear(*, claim: Claim, actor: Actor, label: str, note: str) -> FraudReview:
    """Release a fraud hold: the claim goes on to the seller (or to review for small claims)."""
    if label not in (FraudLabel.FALSE_POSITIVE, FraudLabel.VALUABLE_ALERT):
        raise InvalidTransition(
            _("Clearing a claim needs a false-positive or valuable-alert label.")
        )
    if claim.status != ClaimStatus.FRAUD_HOLD:
        raise InvalidTransition(_("Claim %(ref)s is not on fraud hold.") % {"ref": claim.reference})
    claim = claim_transition(
        claim=claim,
        to=ClaimStatus.AWAITING_SELLER,
        actor=actor,
        reason=note,
        data={"fraud_label": label},
    )
    return FraudReview.objects.create(
        claim=claim, analyst=actor.user, decision=FraudDecision.CLEARED, label=label, note=note
    )


@transaction.atomic
def fraud_confirm(*, claim: Claim, actor: Actor, note: str) -> FraudReview:
    """Confirm fraud: an analyst's decision only, never automatic. Denies the claim."""
    if claim.status != ClaimStatus.FRAUD_HOLD:
        raise InvalidTransition(_("Claim %(ref)s is not on fraud hold.") % {"ref": claim.reference})
    claim = claim_transition(
        claim=claim,
        to=ClaimStatus.DENIED,
        actor=actor,
        reason=note,
        data={"fraud_label": FraudLabel.RISK_CONFIRMED},
    )
    return FraudReview.objects.create(
        claim=claim,
        analyst=actor.user,
        decision=FraudDecision.CONFIRMED,
        label=FraudLabel.RISK_CONFIRMED,
        note=note,
    )
