"""The claim page in plain words: what has happened, what happens next, the next deadline."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from claims.models import Claim
from claims.models import ClaimStatus as S

WHAT_HAPPENED = {
    S.SUBMITTED: _("We received your claim."),
    S.SCREENING: _("We are checking your claim."),
    S.FRAUD_HOLD: _("We are checking your claim more closely."),
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
    S.FRAUD_HOLD: _("This can take a few extra days. We will write if we need anything."),
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


# An approved claim whose customer has not said where to send the money.
PAYEE_NEEDED_HAPPENED = _("We approved your claim, and we need your payment details to pay you.")
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
