"""Work waiting in each staff area, built through the services as real use builds it."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims import roles
from claims.actors import Actor
from claims.links import link_resolve
from claims.models import ClaimStatus, Funding
from claims.services import claim_approve, claim_transition
from payouts.bank_details import bank_details_parse
from payouts.models import ApprovalRequest, Payout, QASample
from payouts.services import payee_change_request, payouts_send_due
from payouts.services.decisions import decision_approve
from payouts.services.payouts import payout_mark_failed
from sellers.models import Recovery
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.recoveries import recovery_appeal, recovery_follow_decision
from sellers.services.responses import seller_response_submit
from tests.factories import claim_in
from tests.payouts.helpers import approved_claim, deliver_payout_messages
from tests.sellers.helpers import LINK, OVER, awaiting


def second_supervisor():
    user, _created = get_user_model().objects.get_or_create(
        username="supervisor2", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    # Every region, as the cast of tests/conftest.py (need-to-know: claims.scope).
    from claims.models import Region, StaffProfile

    StaffProfile.objects.get_or_create(user=user)[0].regions.set(Region.objects.all())
    return user


def approval_waiting(*, amount_minor: int = 5_000_00, reduced: bool = True) -> ApprovalRequest:
    """A step-in above the four-eyes limit, approved (for less on one item) by ``supervisor2``:
    it waits for someone else to sign."""
    claim = claim_in(ClaimStatus.ESCALATED, amount_minor=amount_minor)
    claim = claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=Actor.system("t"))
    item = claim.losses.get()
    approved = amount_minor - 500_00 if reduced else amount_minor
    decision_approve(
        claim=claim,
        actor=Actor.staff(second_supervisor()),
        approved={item.pk: approved},
        reasons={item.pk: "The receipt for the last $500.00 is for another order."},
        note="Checked against the hospital's invoice.",
    )
    return ApprovalRequest.objects.get(claim=claim)


def qa_sample() -> QASample:
    claim = approved_claim()
    return QASample.objects.create(claim=claim, sample_percent=10)


def failed_payout(*, code: str = "ACCOUNT_CLOSED", message: str = "Account closed") -> Payout:
    """A payout the bank refused (closed account): it waits for staff."""
    claim = approved_claim(account="99990000")
    deliver_payout_messages()
    payout = Payout.objects.get(claim=claim)
    payout_mark_failed(payout_id=payout.pk, code=code, message=message)
    payout.refresh_from_db()
    return payout


def paid_payout() -> Payout:
    claim = approved_claim()
    deliver_payout_messages()
    payouts_send_due()
    return Payout.objects.get(claim=claim)


NEW_DETAILS = {
    "scheme": "us_aba",
    "holder_name": "Jo Doe",
    "routing_number": "021000021",
    "account_number": "55556666777",
    "reason": "The customer called: the old account is closed.",
}


def payee_change_waiting(*, by):
    claim = approved_claim(account="12345678")
    details = bank_details_parse(
        scheme="us_aba",
        data={
            "holder_name": "Jo Doe",
            "routing_number": "021000021",
            "account_number": "55556666777",
        },
    )
    return payee_change_request(
        customer=claim.customer, user=by, details=details, reason="Customer called"
    )


def disputed_claim():
    """A claim whose seller disputed it: staff may overrule the seller."""
    claim, path = awaiting(amount_minor=OVER)
    token = LINK.search(path).group("token")
    seller_response_submit(
        link=link_resolve(token=token, purpose="seller_response"),
        decision="dispute",
        reasons="Misuse.",
    )
    claim.refresh_from_db()
    return claim


def appealed_recovery(supervisor) -> Recovery:
    """A step-in's recovery that the seller appealed."""
    claim, _path = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    staff = Actor.staff(supervisor)
    claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=staff)
    claim_approve(
        claim=claim, actor=staff, approved={claim.losses.get().pk: OVER}, funding=Funding.STEP_IN
    )
    # As the decision service does (payouts.services.decisions): the recovery follows the
    # decision, which fixes the amount and opens the seller's appeal window.
    recovery_follow_decision(claim=claim, actor=staff)
    recovery = Recovery.objects.get(claim=claim)
    return recovery_appeal(
        recovery=recovery,
        actor=Actor.seller(claim.seller),
        reason="The customer used the heater outdoors, against the manual.",
    )
