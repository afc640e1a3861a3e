"""The claim page in plain words: what has happened, what happens next, the next deadline."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from claims.lifecycle import PARTY_STATUS, Party, PartyStatus, Stage
from claims.models import Claim
from claims.models import ClaimStatus as S

WHAT_HAPPENED = {
    S.SUBMITTED: _("We received your claim."),
    S.SCREENING: _("We are checking your claim."),
    # A fraud hold is, for the customer, checking like any other: the same words.
    S.FRAUD_HOLD: _("We are checking your claim."),
    S.AWAITING_SELLER: _("We checked your claim and asked the seller to respond."),
    S.SELLER_RESPONDED: _("The seller has responded to your claim."),
    S.ESCALATED: _(
        "The seller did not settle your claim in time, so we are handling it ourselves."
    ),
    S.NEEDS_INFO: _("We need more information from you before we can go on."),
    S.UNDER_REVIEW: _("A claims specialist is reviewing your claim."),
    S.APPROVED: _("We approved your claim."),
    S.DENIED: _("We could not approve your claim."),
    S.APPEALED: _("We received your appeal."),
    S.PAYOUT_PENDING: _("Your payment is on its way."),
    S.PAID: _("We sent your payment."),
    S.WITHDRAWN: _("You withdrew this claim."),
    S.CLOSED: _("This claim is closed."),
}

WHAT_NEXT = {
    S.SUBMITTED: _("We check every claim first. You do not need to do anything now."),
    S.SCREENING: _("Then we contact the seller. You do not need to do anything now."),
    S.FRAUD_HOLD: _("Then we contact the seller. You do not need to do anything now."),
    S.AWAITING_SELLER: _(
        "The seller must answer by the date below. If they do not, we step in ourselves."
    ),
    S.SELLER_RESPONDED: _("We are looking at the seller's answer and will decide."),
    S.ESCALATED: _("A claims specialist will decide. You do not need to do anything now."),
    S.NEEDS_INFO: _(
        "Answer below, adding files if you have them. The clock on your claim is paused "
        "until you do."
    ),
    S.UNDER_REVIEW: _("We will e-mail you when we decide."),
    S.APPROVED: _("We are arranging the payment and will e-mail you when it is sent."),
    S.DENIED: _("If you think we got it wrong, you can appeal by the date below."),
    S.APPEALED: _("A different member of staff will review your claim and decide again."),
    S.PAYOUT_PENDING: _("We will e-mail you when the payment is sent."),
    S.PAID: _("Depending on your bank, it can take a few business days to arrive."),
    S.WITHDRAWN: _("Nothing more will happen with this claim."),
    S.CLOSED: _("Nothing more will happen with this claim."),
}


# The claim's status as the customer reads it: never an internal state's name. The grouping is
# the party-facing status every outside reader gets (``claims.lifecycle.PARTY_STATUS``); only
# the words are the customer's own ("your answer").
CUSTOMER_WORDS = {
    PartyStatus.RECEIVED: _("Received"),
    PartyStatus.BEING_CHECKED: _("Being checked"),
    PartyStatus.WITH_SELLER: _("With the seller"),
    PartyStatus.BEING_DECIDED: _("Being decided"),
    PartyStatus.WAITING_FOR_CUSTOMER: _("Waiting for your answer"),
    PartyStatus.APPROVED: _("Approved"),
    PartyStatus.NOT_APPROVED: _("Not approved"),
    PartyStatus.APPEAL_BEING_DECIDED: _("Appeal being decided"),
    PartyStatus.PAYMENT_ON_ITS_WAY: _("Payment on its way"),
    PartyStatus.PAID: _("Paid"),
    PartyStatus.WITHDRAWN: _("Withdrawn"),
    PartyStatus.CLOSED: _("Closed"),
}
CUSTOMER_STATUS = {status: CUSTOMER_WORDS[shown] for status, shown in PARTY_STATUS.items()}


def customer_status(status: str) -> str:
    """The one mapping of a claim's status to the customer's words: the claim pages, the
    tracker's badge and the data export all read it here ("" for no status)."""
    return str(CUSTOMER_STATUS.get(status, "")) if status else ""


# Who did something, as the customer reads it: staff, the system and adjusters are one team.
CLAIMS_TEAM = _("Claims team")
ACTOR_WORDS = {
    Party.CUSTOMER: _("You"),
    Party.SELLER: _("The seller"),
    Party.INSURER: _("The seller's insurer"),
}


def actor_words(party: str) -> str:
    return str(ACTOR_WORDS.get(party, CLAIMS_TEAM))


def status_tone(status: str) -> str:
    """The status badge's look, by what it means to the customer (the words carry it too)."""
    if status in (S.APPROVED, S.PAYOUT_PENDING, S.PAID):
        return "good"
    if status == S.NEEDS_INFO:
        return "yours"
    if status in (S.DENIED, S.WITHDRAWN, S.CLOSED):
        return "ended"
    return "moving"


# The tracker's stages, in order (claims.lifecycle.STAGES).
STAGE_LABELS = {
    Stage.RECEIVED: _("Received"),
    Stage.CHECKED: _("Checked"),
    Stage.SELLER: _("With the seller"),
    Stage.DECISION: _("Decision"),
    Stage.PAYMENT: _("Payment"),
}
# Where each stage stands, in words (the tracker never relies on colour alone).
STEP_DONE = _("Done")
STEP_NOW = _("Now")
STEP_WAITING_FOR_YOU = _("Waiting for you")
STEP_TO_COME = _("To come")
STEP_SKIPPED = _("Not needed")
STEP_NOT_REACHED = _("Not reached")
# The stage a claim ended in, by how it ended.
STEP_ENDED = {
    S.DENIED: _("Not approved"),
    S.PAID: _("Paid"),
    S.WITHDRAWN: _("Withdrawn"),
    S.CLOSED: _("Closed"),
}

# The history, written for the customer: what happened, by the status the claim entered.
HISTORY = {
    S.SUBMITTED: _("We received your claim."),
    S.SCREENING: _("We are checking your claim."),
    S.FRAUD_HOLD: _("We are checking your claim."),
    S.AWAITING_SELLER: _("We asked the seller to respond."),
    S.SELLER_RESPONDED: _("The seller responded."),
    S.ESCALATED: _(
        "The seller did not settle your claim in time, so we are handling it ourselves."
    ),
    S.NEEDS_INFO: _("We asked you for more information."),
    S.UNDER_REVIEW: _("A claims specialist is reviewing your claim."),
    S.APPROVED: _("We approved your claim."),
    S.DENIED: _("We could not approve your claim."),
    S.APPEALED: _("You appealed our decision."),
    S.PAYOUT_PENDING: _("We are sending your payment."),
    S.PAID: _("Your claim was paid."),
    S.WITHDRAWN: _("You withdrew this claim."),
    S.CLOSED: _("Your claim was closed."),
}
HISTORY_ANSWERED = _("You answered our question.")
HISTORY_PAYMENT_RETURNED = _("Your payment came back to us, so we are reviewing your claim again.")
HISTORY_FILE_ADDED = _("You added a file: %(name)s")
HISTORY_WE_WROTE = _("We wrote to you.")


# An approved claim whose customer has not said where to send the money.
PAYEE_NEEDED_HAPPENED = _("We approved your claim, and we need your payment details to pay you.")
# An approved claim the seller (or its insurer) accepted: they pay the customer themselves, and
# the customer tells us whether the money arrived (``sellers.PartyPayment``).
PARTY_PAYS_NEXT = {
    "seller": _(
        "The seller pays you directly. Tell us below whether the money arrived: if it does not "
        "arrive in time, we pay you ourselves."
    ),
    "insurer": _(
        "The seller's insurer pays you directly. Tell us below whether the money arrived: if it "
        "does not arrive in time, we pay you ourselves."
    ),
}

PAYEE_NEEDED_NEXT = _(
    "Give your payment details below. We pay as soon as we have them, and remind you by e-mail "
    "until then."
)


@dataclass(frozen=True)
class Deadline:
    label: str
    at: dt.datetime


def next_deadline(claim: Claim, *, appeal_until: dt.datetime | None) -> Deadline | None:
    if claim.status == S.NEEDS_INFO and claim.customer_info_due:
        return Deadline(_("Please answer by"), claim.customer_info_due)
    if claim.status == S.AWAITING_SELLER and claim.seller_respond_by:
        return Deadline(_("The seller must answer by"), claim.seller_respond_by)
    if appeal_until:
        return Deadline(_("You can appeal until"), appeal_until)
    if claim.status in (S.WITHDRAWN, S.CLOSED, S.PAID, S.PAYOUT_PENDING, S.APPROVED):
        return None
    if claim.decision_due:
        return Deadline(_("We aim to decide by"), claim.decision_due)
    return None
