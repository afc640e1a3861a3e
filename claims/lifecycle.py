"""The claim lifecycle as data: every state, every legal move, who makes it, the status groups.

Read it top to bottom as the claim's path: screening, the seller, the decision, the money.
``claims.services.claim_transition`` is the only code that moves a claim along it, and it
enforces the whole contract for every caller:

1. ``ALLOWED``: the moves that exist at all;
2. ``OWNERS``: who makes each move. A *generic* move (``Via.STAFF``) is any staff member's with
   the permission, on any surface. Every other move belongs to one service, because that
   service also writes what the move means (amounts and funding, a denial reason, a request's
   message, a recovery, a payment): approve and deny are the decision service's, paying is the
   payout pipeline's, and so on. A caller that is not that service cannot make the move, whatever
   its permissions;
3. ``required_permission``: the staff permission a move needs;
4. ``party_may``: what customers, sellers and insurers may do themselves.

Every surface (staff pages, admin, bulk actions, any API) asks ``actions_for`` what to offer.
This module imports nothing from the models: the models import their status choices and the
status groups from here, so each group is defined once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    FRAUD_HOLD = "fraud_hold", _("Fraud hold")
    AWAITING_SELLER = "awaiting_seller", _("Awaiting seller")
    SELLER_RESPONDED = "seller_responded", _("Seller responded")
    ESCALATED = "escalated", _("Escalated")
    NEEDS_INFO = "needs_info", _("Needs information")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    APPEALED = "appealed", _("Appealed")
    PAYOUT_PENDING = "payout_pending", _("Payout pending")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


class Party(models.TextChoices):
    """Who did something: the kinds of actor the program has."""

    SYSTEM = "system", _("System")
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer")
    SELLER = "seller", _("Seller")
    INSURER = "insurer", _("Insurer")
    ADJUSTER = "adjuster", _("Adjuster")


S = ClaimStatus

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
    # Waiting on the customer pauses the decision clock; answering resumes where it paused
    # (``resume_to``); a claim asked from a fraud hold goes back only to the hold
    # (``leaves_needs_info``).
    S.NEEDS_INFO: frozenset(
        {
            S.SCREENING,
            S.FRAUD_HOLD,
            S.AWAITING_SELLER,
            S.UNDER_REVIEW,
            S.ESCALATED,
            S.CLOSED,
            S.WITHDRAWN,
        }
    ),
    S.UNDER_REVIEW: frozenset(
        {S.APPROVED, S.DENIED, S.NEEDS_INFO, S.ESCALATED, S.FRAUD_HOLD, S.WITHDRAWN}
    ),
    # Paid by the marketplace (payout pending, then paid) or by the accepting seller or insurer
    # (paid once the customer confirms, or does not dispute, their recorded payment).
    S.APPROVED: frozenset({S.PAYOUT_PENDING, S.PAID, S.UNDER_REVIEW, S.FRAUD_HOLD, S.WITHDRAWN}),
    S.DENIED: frozenset({S.APPEALED, S.CLOSED}),
    # A partial approval the marketplace paid can be appealed like a denial once it is paid
    # (claims.services.claim_appeal); a new decision for more pays only the difference.
    S.APPEALED: frozenset({S.UNDER_REVIEW, S.CLOSED, S.WITHDRAWN}),
    # From here the money is moving: the customer can no longer withdraw.
    S.PAYOUT_PENDING: frozenset({S.PAID, S.UNDER_REVIEW}),
    # A returned or reversed payout re-opens the claim for review.
    S.PAID: frozenset({S.CLOSED, S.UNDER_REVIEW, S.APPEALED}),
    S.WITHDRAWN: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}


class Via(StrEnum):
    """Who makes a move: generic staff work, or the one service that owns it."""

    STAFF = "staff"  # generic: any staff member with the permission, on any surface
    SCREENING = "screening"  # claims.handlers: a new claim enters screening
    FRAUD = "fraud"  # fraud scoring and the analysts' hold, release and confirm
    SELLER_RESPONSE = "seller_response"  # sellers.services.responses
    ESCALATION = "escalation"  # the deadline sweeper, overruling a seller, a payment step-in
    INFO_REQUEST = "info_request"  # claims.services.claim_request_info
    ANSWER = "answer"  # the customer answers an information request
    DECISION = "decision"  # payouts.services.decisions: approve, deny
    APPEAL = "appeal"  # claims.services.claim_appeal
    WITHDRAW = "withdraw"  # claims.services.claim_withdraw
    PAYOUT = "payout"  # the payout pipeline: pending, paid, returned (a system move)
    PARTY_PAYMENT = "party_payment"  # sellers.services.party_payments: paid by seller/insurer


# Who owns each move, by target state; ``OWNER_EXCEPTIONS`` names the (from, to) pairs that
# belong to someone else. A pair may have more than one owner.
OWNER_BY_TARGET: dict[str, frozenset[Via]] = {
    S.SCREENING: frozenset({Via.SCREENING}),
    S.FRAUD_HOLD: frozenset({Via.FRAUD}),
    S.AWAITING_SELLER: frozenset({Via.FRAUD}),
    S.SELLER_RESPONDED: frozenset({Via.SELLER_RESPONSE}),
    S.ESCALATED: frozenset({Via.ESCALATION}),
    S.NEEDS_INFO: frozenset({Via.INFO_REQUEST}),
    S.UNDER_REVIEW: frozenset({Via.STAFF}),
    S.APPROVED: frozenset({Via.DECISION}),
    S.DENIED: frozenset({Via.DECISION}),
    S.APPEALED: frozenset({Via.APPEAL}),
    S.PAYOUT_PENDING: frozenset({Via.PAYOUT}),
    S.PAID: frozenset({Via.PAYOUT}),
    S.WITHDRAWN: frozenset({Via.WITHDRAW}),
    S.CLOSED: frozenset({Via.STAFF}),
}
OWNER_EXCEPTIONS: dict[tuple[str, str], frozenset[Via]] = {
    # The customer's answer resumes the claim where it paused; staff may also go on without it.
    (S.NEEDS_INFO, S.SCREENING): frozenset({Via.ANSWER}),
    # Back to the analyst: the answer to a request made from a hold, or the analyst taking the
    # claim back without it (fraud.services.fraud_hold).
    (S.NEEDS_INFO, S.FRAUD_HOLD): frozenset({Via.ANSWER, Via.FRAUD}),
    (S.NEEDS_INFO, S.AWAITING_SELLER): frozenset({Via.ANSWER}),
    (S.NEEDS_INFO, S.ESCALATED): frozenset({Via.ANSWER}),
    (S.NEEDS_INFO, S.UNDER_REVIEW): frozenset({Via.ANSWER, Via.STAFF}),
    # Releasing a hold into review is the analyst's call (fraud.services.fraud_clear).
    (S.FRAUD_HOLD, S.UNDER_REVIEW): frozenset({Via.FRAUD}),
    # Re-opening a decision before it is paid belongs to the decision service (it cancels the
    # payout); a payout that fails for good, or comes back, re-opens the claim through the
    # payout pipeline.
    (S.APPROVED, S.UNDER_REVIEW): frozenset({Via.DECISION}),
    # Paid by the accepting party; or, after an appeal upheld the amount already paid, by the
    # payout pipeline with nothing more to send.
    (S.APPROVED, S.PAID): frozenset({Via.PARTY_PAYMENT, Via.PAYOUT}),
    (S.PAYOUT_PENDING, S.UNDER_REVIEW): frozenset({Via.PAYOUT}),
    (S.PAID, S.UNDER_REVIEW): frozenset({Via.PAYOUT}),
    (S.PAID, S.CLOSED): frozenset({Via.STAFF, Via.PAYOUT}),
}


def owners(from_status: str, to_status: str) -> frozenset[Via]:
    """Who may make this move (empty when the table has no such move)."""
    if to_status not in ALLOWED.get(from_status, ()):
        return frozenset()
    return OWNER_EXCEPTIONS.get((from_status, to_status), OWNER_BY_TARGET[to_status])


def is_generic(from_status: str, to_status: str) -> bool:
    return Via.STAFF in owners(from_status, to_status)


# Moves that parties outside the staff may make themselves (staff and the system may make any
# allowed move, subject to owners and permissions).
PARTY_MOVES: dict[str, frozenset[str]] = {
    # The customer also confirms that a seller's or insurer's payment arrived (paid).
    Party.CUSTOMER: frozenset({S.WITHDRAWN, S.APPEALED, S.PAID}),
    Party.SELLER: frozenset({S.SELLER_RESPONDED}),
    Party.INSURER: frozenset({S.SELLER_RESPONDED}),
    Party.ADJUSTER: frozenset(),
}

# The states a customer's answer to an information request can resume into.
RESUMABLE = ALLOWED[S.NEEDS_INFO] - {S.CLOSED, S.WITHDRAWN}


def resume_to(paused_from: str | None) -> str:
    """Where the customer's answer takes a claim that was asked for information in
    ``paused_from`` (the state the request's event left): back there, else to review."""
    return paused_from if paused_from in RESUMABLE else S.UNDER_REVIEW


def leaves_needs_info(paused_from: str | None, to: str) -> bool:
    """Whether a claim waiting for the customer since ``paused_from`` may move to ``to``.

    A fraud hold is released only by an analyst: a claim asked for information from a hold
    goes back to it (the answer, or the analyst taking it back) or is withdrawn, never on to
    review or the seller by the answer or by staff going on without it.
    """
    if paused_from == S.FRAUD_HOLD:
        return to in (S.FRAUD_HOLD, S.WITHDRAWN)
    return True


def party_may(party: str, from_status: str, to_status: str) -> bool:
    """Whether a party outside the staff may make this move itself."""
    if party in (Party.SYSTEM, Party.STAFF):
        return True
    if party == Party.CUSTOMER and from_status == S.NEEDS_INFO and to_status in RESUMABLE:
        return True  # answering an information request resumes the claim
    return to_status in PARTY_MOVES.get(party, frozenset())


def required_permission(from_status: str, to_status: str) -> str:
    """The permission a staff member needs for this move."""
    # Releasing a hold, or confirming fraud (which denies the claim), is the analyst's call.
    if from_status == S.FRAUD_HOLD and to_status != S.WITHDRAWN:
        return "claims.review_fraud"
    if to_status in (S.APPROVED, S.DENIED) or (from_status, to_status) == (
        S.APPROVED,
        S.UNDER_REVIEW,
    ):
        return "claims.decide_claim"
    return "claims.transition_claim"


def allowed_moves(status: str) -> list[str]:
    """Legal next states in lifecycle order (every owner), for documentation and tests."""
    moves = ALLOWED[status]
    return [s for s in S.values if s in moves]


# --- status groups: each defined once, here ----------------------------------------------

# A claim in one of these states no longer blocks a new claim on the same order line.
FINISHED_STATUSES = (S.WITHDRAWN, S.CLOSED)
# Not finished: the staff's open workload.
OPEN_STATUSES = tuple(s for s in S.values if s not in FINISHED_STATUSES)
# The decision clock runs in these states (back office SLA clocks; not paused, not decided).
DECIDING_STATUSES = [
    "submitted",
    "screening",
    "fraud_hold",
    "awaiting_seller",
    "seller_responded",
    "escalated",
    "under_review",
    "appealed",
]
# States in which staff must act next: what the back office's "Take next" hands out.
WORKABLE_STATUSES = [
    "screening",
    "fraud_hold",
    "seller_responded",
    "escalated",
    "under_review",
    "appealed",
]
# A decision with money behind it: an approved amount and a funding must be on the claim
# (a database check constraint, ``claim_money_decided``).
MONEY_DECIDED_STATUSES = (S.APPROVED, S.PAYOUT_PENDING, S.PAID)
# Approved, not yet paid: the marketplace's payout needs the customer's payment details.
PAYOUT_WAITING_STATUSES = (S.APPROVED, S.PAYOUT_PENDING)
# Claim states in which nothing was or will be paid: an open recovery is cancelled.
NOTHING_PAID_STATUSES = (S.DENIED, S.WITHDRAWN)
# The seller (or insurer) may still answer, or change their answer.
SELLER_ANSWERABLE_STATUSES = (S.AWAITING_SELLER, S.SELLER_RESPONDED)
# Decided claims, for the supervisors' decision figures.
DECIDED_STATUSES = (S.APPROVED, S.DENIED)
# New evidence that pushes a claim over the review threshold puts it on hold from these.
HOLDABLE_LATER_STATUSES = frozenset(
    {S.AWAITING_SELLER, S.SELLER_RESPONDED, S.ESCALATED, S.UNDER_REVIEW}
)
# States a customer may still withdraw from.
WITHDRAWABLE = frozenset(s for s, moves in ALLOWED.items() if S.WITHDRAWN in moves)
# Settled for the customer: paid, withdrawn or closed. Such a claim no longer blocks a new claim
# on the same order line (``claims.eligibility.line_open_claims``, and the database constraint
# ``claim_one_open_per_order_line``) and takes no more of the customer's files.
SETTLED_STATUSES = (S.PAID, *FINISHED_STATUSES)
# The customer may add files until the claim is settled.
EVIDENCE_CLOSED_STATUSES = frozenset(SETTLED_STATUSES)
# Staff may add files until the claim is finished: like the customer, not to a withdrawn or
# closed claim; unlike the customer, still to a paid one, which is still staff's work (a
# recovery from the seller, a payout that comes back, an appeal).
STAFF_EVIDENCE_CLOSED_STATUSES = frozenset(FINISHED_STATUSES)


# --- what the customer sees: the stages of a claim ----------------------------------------


class Stage(StrEnum):
    """The five stages a customer's claim goes through, in order (the portal's tracker)."""

    RECEIVED = "received"
    CHECKED = "checked"
    SELLER = "seller"
    DECISION = "decision"
    PAYMENT = "payment"


STAGES = tuple(Stage)
# Checking a new claim; a fraud hold is, for the customer, only more checking.
CHECKING_STATUSES = (S.SCREENING, S.FRAUD_HOLD)
# Deciding: staff review it, the marketplace stepped in, an appeal; a denial ends this stage.
DECISION_STAGE_STATUSES = (S.ESCALATED, S.UNDER_REVIEW, S.APPEALED, S.DENIED)
# Waiting on the customer, or ended: the claim stays in the stage it was in.
STAGELESS_STATUSES = (S.NEEDS_INFO, *FINISHED_STATUSES)
STAGE_BY_STATUS: dict[str, Stage] = {
    S.SUBMITTED: Stage.RECEIVED,
    **dict.fromkeys(CHECKING_STATUSES, Stage.CHECKED),
    **dict.fromkeys(SELLER_ANSWERABLE_STATUSES, Stage.SELLER),
    **dict.fromkeys(DECISION_STAGE_STATUSES, Stage.DECISION),
    **dict.fromkeys(MONEY_DECIDED_STATUSES, Stage.PAYMENT),
}


def claim_stage(path: Sequence[str]) -> Stage:
    """The stage of a claim whose statuses, oldest first, were ``path``: the stage of the latest
    status that has one (a paused or ended claim stays where it was)."""
    for status in reversed(path):
        if status in STAGE_BY_STATUS:
            return STAGE_BY_STATUS[status]
    return Stage.RECEIVED


# --- what a seller, its insurer and the API's clients read: the party-facing status -------


class PartyStatus(models.TextChoices):
    """A claim's status as anyone outside the marketplace's staff reads it: the customer's
    grouping (the portal's status words, ``portal.wording.CUSTOMER_STATUS``), for the seller's
    pages, the API and webhooks. Never an internal state's name: a fraud hold reads as
    checking, like screening, so no party learns the customer is suspected."""

    RECEIVED = "received", _("Received")
    BEING_CHECKED = "being_checked", _("Being checked")
    WITH_SELLER = "with_seller", _("With the seller")
    BEING_DECIDED = "being_decided", _("Being decided")
    WAITING_FOR_CUSTOMER = "waiting_for_customer", _("Waiting for the customer")
    APPROVED = "approved", _("Approved")
    NOT_APPROVED = "not_approved", _("Not approved")
    APPEAL_BEING_DECIDED = "appeal_being_decided", _("Appeal being decided")
    PAYMENT_ON_ITS_WAY = "payment_on_its_way", _("Payment on its way")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


P = PartyStatus
PARTY_STATUS: dict[str, PartyStatus] = {
    S.SUBMITTED: P.RECEIVED,
    **dict.fromkeys(CHECKING_STATUSES, P.BEING_CHECKED),
    **dict.fromkeys(SELLER_ANSWERABLE_STATUSES, P.WITH_SELLER),
    S.ESCALATED: P.BEING_DECIDED,
    S.UNDER_REVIEW: P.BEING_DECIDED,
    S.NEEDS_INFO: P.WAITING_FOR_CUSTOMER,
    S.APPROVED: P.APPROVED,
    S.DENIED: P.NOT_APPROVED,
    S.APPEALED: P.APPEAL_BEING_DECIDED,
    S.PAYOUT_PENDING: P.PAYMENT_ON_ITS_WAY,
    S.PAID: P.PAID,
    S.WITHDRAWN: P.WITHDRAWN,
    S.CLOSED: P.CLOSED,
}


def party_status(status: str) -> str:
    """The party-facing value of an internal status ("" for none, as before a first move)."""
    return PARTY_STATUS[status].value if status else ""


def statuses_for_party(values: Sequence[str]) -> list[str]:
    """The internal statuses that read as any of these party-facing values (a list filter)."""
    return [status for status, shown in PARTY_STATUS.items() if shown in values]


# Follow-up work, by the state a claim enters: outbox topics handled by the workers.
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: ("claims.screen", "claims.notify_customer"),
    # Fraud scoring routes the claim on: fraud hold, or on to the seller (fraud/handlers.py).
    S.SCREENING: ("fraud.score",),
    S.NEEDS_INFO: ("claims.notify_customer",),
    S.APPROVED: ("claims.notify_customer", "payouts.create"),
    S.DENIED: ("claims.notify_customer", "sellers.recovery_sync"),
    S.APPEALED: ("claims.notify_customer",),
    S.PAID: ("claims.notify_customer",),
    S.WITHDRAWN: ("claims.notify_customer", "sellers.recovery_sync"),
    # issue 4: the seller is told (with a secure link) and, on escalation, told again.
    S.AWAITING_SELLER: ("sellers.notify_seller",),
    S.ESCALATED: ("sellers.notify_escalated",),
}


# --- what a surface offers -----------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One thing staff can do to a claim, named as the task, not the state it leads to.

    ``key`` names the form a surface shows for it: ``approve``, ``deny`` and ``request_info``
    have forms of their own (they go through their services); ``move`` is a generic move.
    """

    key: str
    to: str
    label: str
    via: Via


# Generic moves by staff, named as the task (the state follows from it).
GENERIC_LABELS: dict[tuple[str, str], str] = {
    (S.APPEALED, S.UNDER_REVIEW): _("Review the appeal"),
    (S.NEEDS_INFO, S.UNDER_REVIEW): _("Go on without the customer's answer"),
    (S.PAID, S.CLOSED): _("Close the paid claim"),
    (S.DENIED, S.CLOSED): _("Close: no appeal"),
    (S.WITHDRAWN, S.CLOSED): _("Close the withdrawn claim"),
}
GENERIC_DEFAULT: dict[str, str] = {
    S.UNDER_REVIEW: pgettext_lazy("claim action", "Start the review"),
    S.CLOSED: pgettext_lazy("claim action", "Close the claim"),
}


@dataclass(frozen=True)
class ServiceAction:
    """A task staff start that one service carries out (it writes what the move means).

    ``only_from`` limits the states it is offered in (overruling needs the seller's answer);
    ``permission`` overrides ``required_permission`` when the service asks for more; ``stays``
    marks a task that leaves the claim where it is (a referral keeps the hold).
    """

    key: str
    to: str
    via: Via
    label: str
    only_from: frozenset[str] | None = None
    permission: str | None = None
    stays: bool = False


SERVICE_ACTIONS: tuple[ServiceAction, ...] = (
    ServiceAction(
        "approve", S.APPROVED, Via.DECISION, pgettext_lazy("claim action", "Approve an amount…")
    ),
    ServiceAction("deny", S.DENIED, Via.DECISION, pgettext_lazy("claim action", "Deny…")),
    ServiceAction(
        "request_info",
        S.NEEDS_INFO,
        Via.INFO_REQUEST,
        pgettext_lazy("claim action", "Ask the customer for information…"),
    ),
    # sellers.services.escalation.claim_overrule_seller: the marketplace steps in.
    ServiceAction(
        "overrule",
        S.ESCALATED,
        Via.ESCALATION,
        pgettext_lazy("claim action", "Overrule the seller…"),
        only_from=frozenset({S.SELLER_RESPONDED}),
        permission="claims.decide_claim",
    ),
    # fraud.services.fraud_hold: no payout may be released until an analyst decides.
    ServiceAction(
        "fraud_hold", S.FRAUD_HOLD, Via.FRAUD, pgettext_lazy("claim action", "Put on fraud hold…")
    ),
    # fraud.referrals.fraud_refer: the claim stays on hold until the analyst decides.
    ServiceAction(
        "refer",
        S.FRAUD_HOLD,
        Via.FRAUD,
        pgettext_lazy("claim action", "Refer to an adjuster…"),
        only_from=frozenset({S.FRAUD_HOLD}),
        permission="claims.review_fraud",
        stays=True,
    ),
)
SERVICE_ACTION_KEYS = frozenset(a.key for a in SERVICE_ACTIONS)


def actions_for(status: str, has_perm, *, paused_from: str | None = None) -> list[Action]:
    """What a staff member may do to a claim in ``status``: the generic moves and the
    service-owned actions that staff start, that ``has_perm(perm)`` allows.

    Every surface takes its choices from here; system moves (paying, escalating on a
    deadline, scoring) are never offered. For a claim waiting for the customer, ``paused_from``
    (where it paused) leaves out the moves ``leaves_needs_info`` refuses.
    """

    def may_leave(to: str) -> bool:
        return status != S.NEEDS_INFO or leaves_needs_info(paused_from, to)

    out: list[Action] = []
    for action in SERVICE_ACTIONS:
        if action.only_from is not None and status not in action.only_from:
            continue
        if not may_leave(action.to):
            continue
        if not action.stays and action.via not in owners(status, action.to):
            continue
        if has_perm(action.permission or required_permission(status, action.to)):
            out.append(
                Action(key=action.key, to=action.to, label=str(action.label), via=action.via)
            )
    for to in allowed_moves(status):
        if not may_leave(to):
            continue
        if is_generic(status, to) and has_perm(required_permission(status, to)):
            label = GENERIC_LABELS.get((status, to)) or GENERIC_DEFAULT[to]
            out.append(Action(key="move", to=to, label=str(label), via=Via.STAFF))
    return out


def generic_moves(status: str) -> list[str]:
    """The generic moves from ``status`` (for bulk actions: no service behind them)."""
    return [to for to in allowed_moves(status) if is_generic(status, to)]


# Every state some generic move leads to (the admin's bulk actions).
GENERIC_TARGETS = tuple(to for to in S.values if any(is_generic(frm, to) for frm in ALLOWED))
