"""The claim lifecycle as data: every state, every legal move, who may make it.

Read it top to bottom as the claim's path: screening, the seller, the decision, the money.
``claims.services.claim_transition`` is the only code that moves a claim along it.
"""

from claims.models import ClaimStatus as S
from claims.models import Party

ALLOWED: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.SCREENING, S.WITHDRAWN}),
    S.SCREENING: frozenset(
        {S.FRAUD_HOLD, S.AWAITING_SELLER, S.UNDER_REVIEW, S.NEEDS_INFO, S.DENIED, S.WITHDRAWN}
    ),
    S.FRAUD_HOLD: frozenset(
        {S.AWAITING_SELLER, S.UNDER_REVIEW, S.NEEDS_INFO, S.DENIED, S.WITHDRAWN}
    ),
    S.AWAITING_SELLER: frozenset(
        {S.SELLER_RESPONDED, S.ESCALATED, S.UNDER_REVIEW, S.NEEDS_INFO, S.FRAUD_HOLD, S.WITHDRAWN}
    ),
    S.SELLER_RESPONDED: frozenset(
        {S.UNDER_REVIEW, S.ESCALATED, S.CLOSED, S.FRAUD_HOLD, S.WITHDRAWN}
    ),
    S.ESCALATED: frozenset({S.UNDER_REVIEW, S.NEEDS_INFO, S.FRAUD_HOLD, S.WITHDRAWN}),
    # Waiting on the customer pauses the decision clock; answering resumes where it paused.
    S.NEEDS_INFO: frozenset(
        {S.SCREENING, S.AWAITING_SELLER, S.UNDER_REVIEW, S.ESCALATED, S.CLOSED, S.WITHDRAWN}
    ),
    S.UNDER_REVIEW: frozenset(
        {S.APPROVED, S.DENIED, S.NEEDS_INFO, S.ESCALATED, S.FRAUD_HOLD, S.WITHDRAWN}
    ),
    S.APPROVED: frozenset({S.PAYOUT_PENDING, S.UNDER_REVIEW, S.FRAUD_HOLD, S.WITHDRAWN}),
    S.DENIED: frozenset({S.APPEALED, S.CLOSED}),
    S.APPEALED: frozenset({S.UNDER_REVIEW, S.CLOSED, S.WITHDRAWN}),
    # From here the money is moving: the customer can no longer withdraw.
    S.PAYOUT_PENDING: frozenset({S.PAID, S.UNDER_REVIEW}),
    # A returned or reversed payout re-opens the claim for review.
    S.PAID: frozenset({S.CLOSED, S.UNDER_REVIEW}),
    S.WITHDRAWN: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# Moves that parties outside the staff may make themselves (staff and the system may make any
# allowed move, subject to permissions below).
PARTY_MOVES: dict[str, frozenset[str]] = {
    Party.CUSTOMER: frozenset({S.WITHDRAWN, S.APPEALED}),
    Party.SELLER: frozenset({S.SELLER_RESPONDED}),
    Party.INSURER: frozenset({S.SELLER_RESPONDED}),
    Party.ADJUSTER: frozenset(),
}

# The states a customer's answer to an information request can resume into.
RESUMABLE = ALLOWED[S.NEEDS_INFO] - {S.CLOSED, S.WITHDRAWN}


def party_may(party: str, from_status: str, to_status: str) -> bool:
    """Whether a party outside the staff may make this move itself."""
    if party in (Party.SYSTEM, Party.STAFF):
        return True
    if party == Party.CUSTOMER and from_status == S.NEEDS_INFO and to_status in RESUMABLE:
        return True  # answering an information request resumes the claim
    return to_status in PARTY_MOVES.get(party, frozenset())


# States a customer may still withdraw from.
WITHDRAWABLE = frozenset(s for s, moves in ALLOWED.items() if S.WITHDRAWN in moves)

# Follow-up work, by the state a claim enters: outbox topics handled by the workers.
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: ("claims.screen", "claims.notify_customer"),
    # Fraud scoring routes the claim on: fraud hold, or on to the seller (fraud/handlers.py).
    S.SCREENING: ("fraud.score",),
    S.NEEDS_INFO: ("claims.notify_customer",),
    S.APPROVED: ("claims.notify_customer", "sellers.recovery_sync", "payouts.create"),
    S.DENIED: ("claims.notify_customer", "sellers.recovery_sync"),
    S.APPEALED: ("claims.notify_customer",),
    S.PAID: ("claims.notify_customer",),
    S.WITHDRAWN: ("claims.notify_customer", "sellers.recovery_sync"),
    # issue 4: the seller is told (with a secure link) and, on escalation, told again.
    S.AWAITING_SELLER: ("sellers.notify_seller",),
    S.ESCALATED: ("sellers.notify_escalated",),
}


def required_permission(from_status: str, to_status: str) -> str:
    """The permission a staff member needs for this move."""
    # Releasing a hold, or confirming fraud (which denies the claim), is the analyst's call.
    if from_status == S.FRAUD_HOLD and to_status != S.WITHDRAWN:
        return "claims.review_fraud"
    if to_status in (S.APPROVED, S.DENIED):
        return "claims.decide_claim"
    return "claims.transition_claim"


def allowed_moves(status: str) -> list[str]:
    """Legal next states in lifecycle order, for staff forms and admin actions."""
    moves = ALLOWED[status]
    return [s for s in S.values if s in moves]
