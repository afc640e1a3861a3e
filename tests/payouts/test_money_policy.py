"""Money follows the policy: who funds a claim, step-ins and their recoveries, accepted claims
paid by the seller or insurer and watched until the customer is paid.

Each case found on ``make run`` is reproduced through the page where it was found.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from claims.actors import Actor
from claims.models import ClaimStatus, EventKind, Funding, Region
from claims.services import claim_appeal, claim_transition
from payouts.ledger import ledger_balances
from payouts.models import Account, Payout
from payouts.services.decisions import decision_approve, decision_deny
from sellers.models import (
    PartyPayment,
    PartyPaymentStatus,
    Recovery,
    RecoveryStatus,
    ResponseDecision,
)
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.party_payments import party_payments_sweep
from sellers.services.recoveries import recovery_decide, withholding_record
from sellers.services.responses import seller_response_submit
from tests.payouts.helpers import deliver_payout_messages
from tests.portal.conftest import sign_in
from tests.sellers.helpers import OVER, awaiting, run_outbox

pytestmark = pytest.mark.django_db
S = ClaimStatus


WHY = "Only the receipts on file."


def _move(client, claim, to, **data):
    claim.refresh_from_db()
    return client.post(
        reverse("backoffice:claim-move", args=[claim.pk, to]),
        {"expected_status": claim.status, "reason": "", **data},
    )


def _escalated(amount_minor=OVER):
    claim, _path = awaiting(amount_minor=amount_minor)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    claim.refresh_from_db()
    assert (claim.status, claim.funding) == (S.ESCALATED, Funding.STEP_IN)
    return claim


def _payer_today(claim):
    """Today where the seller is (the payment date is checked against it)."""
    from sellers.services.party_payments import party_payment_day

    return party_payment_day(PartyPayment.objects.get(claim=claim), timezone.now())


def _accepted(*, party_link_path: str | None = None, amount_minor=OVER, insurer=False):
    """A claim above the threshold the seller (or, handed over, the insurer) accepted."""
    from claims.models import AccessLink, LinkPurpose

    claim, _path = awaiting(amount_minor=amount_minor)
    link = AccessLink.objects.filter(claim=claim, purpose=LinkPurpose.SELLER_RESPONSE).get()
    if insurer:
        seller_response_submit(
            link=link,
            decision=ResponseDecision.INSURER,
            insurer_name="Acme Mutual",
            insurer_email="claims@acme.test",
        )
        run_outbox("sellers.notify_insurer")
        link = AccessLink.objects.filter(claim=claim, purpose=LinkPurpose.INSURER_RESPONSE).get()
    seller_response_submit(link=link, decision=ResponseDecision.ACCEPT, reasons="We pay.")
    claim.refresh_from_db()
    return claim


def _decided_step_in(claim, supervisor, amount=80_000):
    """A supervisor takes up an escalated claim and approves ``amount`` of it, with the reason."""
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(supervisor))
    item = claim.losses.get()
    decision_approve(
        claim=claim,
        actor=Actor.staff(supervisor),
        approved={item.pk: amount},
        reasons={item.pk: WHY},
    )
    claim.refresh_from_db()
    return claim


# --- funding follows the policy ------------------------------------------------------------


def test_step_in_approved_in_staff_pages_opens_a_recovery_for_exactly_the_amount(
    client, supervisor
):
    # given: the seller let the deadline pass on a $2,500 claim; the marketplace stepped in
    claim = _escalated()
    client.force_login(supervisor)
    # when: a supervisor starts the review and approves $900 of it in /staff/
    _move(client, claim, S.UNDER_REVIEW)
    page = client.get(reverse("backoffice:claim-move", args=[claim.pk, S.APPROVED]))
    assert "Marketplace step-in, recovered from seller" in page.content.decode()
    item = claim.losses.get()
    response = _move(
        client,
        claim,
        S.APPROVED,
        **{f"loss_{item.pk}": "900.00", f"why_{item.pk}": "Only the ER invoice is on file."},
    )
    assert response.status_code == 302
    # then: one recovery for exactly the approved amount, its appeal window open from now
    claim.refresh_from_db()
    assert (claim.status, claim.funding, claim.approved_total_minor) == (
        S.APPROVED,
        Funding.STEP_IN,
        90_000,
    )
    recovery = Recovery.objects.get(claim=claim)
    assert (recovery.amount_minor, recovery.status) == (90_000, RecoveryStatus.OPEN)
    assert recovery.appeal_due > timezone.now() + dt.timedelta(days=29)
    # and the ledger books it as the seller's debt, not the marketplace's expense
    deliver_payout_messages()
    usd = ledger_balances(currency="USD")["USD"]
    assert usd[Account.SELLER_RECEIVABLE]["balance"] == 90_000
    assert usd.get(Account.CONCESSION_EXPENSE, {"balance": 0})["balance"] == 0


def test_approval_above_the_threshold_before_the_seller_answers_is_refused_with_the_reason(
    client, supervisor
):
    # given: a $2,500 claim under review that the seller has not answered
    claim, _path = awaiting(amount_minor=OVER)
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(supervisor))
    client.force_login(supervisor)
    # when: the supervisor approves it in /staff/
    item = claim.losses.get()
    response = _move(client, claim, S.APPROVED, **{f"loss_{item.pk}": "2000.00"})
    # then: refused on the same page, what they typed kept, nothing written
    assert response.status_code == 400
    page = response.content.decode()
    assert "the seller or their insurer answers first" in page
    assert 'value="2000.00"' in page
    claim.refresh_from_db()
    assert (claim.status, claim.approved_total_minor, claim.funding) == (S.UNDER_REVIEW, None, "")


def test_funding_override_needs_the_permission_and_a_written_reason(agent, supervisor):
    claim = _escalated()
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(supervisor))
    approved = {claim.losses.get().pk: 50_000}
    why = {pk: "Only the ER invoice." for pk in approved}
    # an agent may not fund a step-in as a concession
    with pytest.raises(Exception, match="Only a supervisor"):
        decision_approve(
            claim=claim,
            actor=Actor.staff(agent),
            approved=approved,
            funding="concession",
            reasons=why,
        )
    # a supervisor may not without a reason
    with pytest.raises(Exception, match="Write why"):
        decision_approve(
            claim=claim,
            actor=Actor.staff(supervisor),
            approved=approved,
            funding="concession",
            reasons=why,
        )
    claim.refresh_from_db()
    assert claim.status == S.UNDER_REVIEW
    # with both, the override and its reason are on the decision event
    decision_approve(
        claim=claim,
        actor=Actor.staff(supervisor),
        approved=approved,
        funding="concession",
        funding_reason="Goodwill: the seller went out of business.",
        reasons=why,
    )
    claim.refresh_from_db()
    event = claim.events.get(to_status=S.APPROVED)
    assert claim.funding == Funding.CONCESSION
    assert event.data["funding_policy"] == Funding.STEP_IN
    assert event.data["funding_override"]["reason"].startswith("Goodwill")


# --- recoveries that collect -----------------------------------------------------------------


def test_seller_may_appeal_a_recovery_decided_long_after_the_escalation(client, supervisor):
    # given: the recovery opened at escalation; the claim was decided 40 days later
    claim = _escalated()
    recovery = Recovery.objects.get(claim=claim)
    # the window is not running while the amount is unknown (nothing can be withheld either)
    assert recovery.appeal_due is None
    Recovery.objects.filter(pk=recovery.pk).update(opened_at=timezone.now() - dt.timedelta(days=40))
    claim = _decided_step_in(claim, supervisor)
    recovery.refresh_from_db()
    # the decision fixes the amount: the window opens now, for the region's 30 days
    assert recovery.appeal_due >= timezone.now() + dt.timedelta(days=29)
    # when: the seller appeals from their statement a day after the decision
    from sellers.services.responses import seller_respond_link_for_staff

    _link, token = seller_respond_link_for_staff(claim=claim, created_by=supervisor)
    response = client.post(
        reverse("sellers:recovery-appeal", args=[claim.reference, token, recovery.pk]),
        {"reason": "The product was not ours."},
    )
    # then: the appeal is taken
    assert response.status_code == 302
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.APPEALED


def test_seller_is_emailed_when_a_recovery_opens_is_fixed_withheld_and_its_appeal_decided(
    supervisor,
):
    claim = _decided_step_in(_escalated(), supervisor)
    recovery = Recovery.objects.get(claim=claim)
    withholding_record(
        recovery=recovery, amount_minor=30_000, currency="USD", disbursement_reference="D-1"
    )
    from sellers.services.recoveries import recovery_appeal

    recovery_appeal(recovery=recovery, actor=Actor.seller(claim.seller), reason="Not ours.")
    recovery_decide(
        recovery=recovery, actor=Actor.staff(supervisor), uphold=False, note="Photos match."
    )
    mail.outbox.clear()
    assert run_outbox("sellers.notify_recovery") == 3  # amount fixed, withheld, appeal decided
    subjects = {m.subject for m in mail.outbox}
    assert subjects == {f"What you owe on claim {claim.reference}"}
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "fixed what you owe at $800.00" in bodies
    assert "$300.00 was withheld" in bodies
    assert "rejected: $500.00 is still owed" in bodies
    assert all(m.to == [claim.seller.email] for m in mail.outbox)


# --- accepted claims are paid by the seller or insurer, and watched ---------------------------


def _approve_accepted(claim, supervisor, amount=90_000):
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(supervisor))
    decision_approve(
        claim=claim,
        actor=Actor.staff(supervisor),
        approved={claim.losses.get().pk: amount},
        reasons={claim.losses.get().pk: WHY},
    )
    claim.refresh_from_db()
    return claim


def test_seller_accepted_claim_is_paid_by_the_seller_recorded_and_confirmed(client, supervisor):
    # given: the seller accepted a $2,500 claim; $900 approved
    claim = _approve_accepted(_accepted(), supervisor)
    assert claim.funding == Funding.SELLER
    payment = PartyPayment.objects.get(claim=claim)
    assert (payment.status, payment.amount_minor) == (PartyPaymentStatus.DUE, 90_000)
    # the marketplace does not pay it
    deliver_payout_messages()
    assert not Payout.objects.filter(claim=claim).exists()
    claim.refresh_from_db()
    assert claim.status == S.APPROVED
    # the seller is told what to pay, by when, with a link to record it
    mail.outbox.clear()
    run_outbox("sellers.notify_party_payment")
    (message,) = mail.outbox
    assert message.to == [claim.seller.email] and "$900.00" in message.body
    path = re.search(r"/sellers/claims/[^/]+/payment/[^/\s]+/", message.body).group(0)
    # when: the seller records a wrong amount, then the right one
    wrong = client.post(
        path, {"amount": "800.00", "paid_on": _payer_today(claim), "reference": "TX-9"}
    )
    assert wrong.status_code == 400 and "paid in full" in wrong.content.decode()
    right = client.post(
        path, {"amount": "900.00", "paid_on": _payer_today(claim), "reference": "TX-9"}
    )
    assert right.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PartyPaymentStatus.RECORDED
    # and the customer confirms on their claim page
    sign_in(client, claim.customer)
    page = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert "Did the money arrive?" in page
    client.post(reverse("portal:claim-party-payment", args=[claim.reference]), {"received": "yes"})
    # then: the claim is paid, by the seller, and no marketplace money moved
    claim.refresh_from_db()
    payment.refresh_from_db()
    assert (claim.status, payment.status) == (S.PAID, PartyPaymentStatus.CONFIRMED)
    assert claim.events.get(to_status=S.PAID).data["paid_by"] == "seller"
    assert not Payout.objects.filter(claim=claim).exists()
    assert not Recovery.objects.filter(claim=claim).exists()


def test_unpaid_accepted_claim_makes_the_marketplace_step_in_exactly_once(supervisor):
    # given: an accepted, approved claim whose seller never records a payment
    claim = _approve_accepted(_accepted(), supervisor)
    payment = PartyPayment.objects.get(claim=claim)
    after = payment.due_at + dt.timedelta(minutes=1)
    # when: the watcher runs twice after the deadline
    first = party_payments_sweep(now=after)
    second = party_payments_sweep(now=after)
    # then: one step-in, one payout, one recovery for exactly the approved amount
    assert (first["stepped_in"], second["stepped_in"]) == (1, 0)
    claim.refresh_from_db()
    assert claim.funding == Funding.STEP_IN
    assert claim.events.filter(kind=EventKind.PAYMENT, data__step="stepped_in").count() == 1
    deliver_payout_messages()
    deliver_payout_messages()
    assert Payout.objects.filter(claim=claim).count() == 1
    assert Payout.objects.get(claim=claim).amount_minor == 90_000
    recovery = Recovery.objects.get(claim=claim)
    assert recovery.amount_minor == 90_000
    claim.refresh_from_db()
    assert claim.status == S.PAYOUT_PENDING


def test_customer_says_the_payment_did_not_arrive_and_the_marketplace_steps_in(client, supervisor):
    claim = _approve_accepted(_accepted(insurer=True), supervisor)
    assert claim.funding == Funding.INSURER
    payment = PartyPayment.objects.get(claim=claim)
    assert payment.party == "insurer"
    sign_in(client, claim.customer)
    url = reverse("portal:claim-party-payment", args=[claim.reference])
    empty = client.post(url, {"received": "no", "note": ""})
    assert empty.status_code == 400 and "what you see" in empty.content.decode()
    client.post(url, {"received": "no", "note": "Nothing on my statement."})
    payment.refresh_from_db()
    assert payment.status == PartyPaymentStatus.DISPUTED
    party_payments_sweep(now=payment.due_at + dt.timedelta(seconds=1))
    claim.refresh_from_db()
    payment.refresh_from_db()
    assert (payment.status, claim.funding) == (PartyPaymentStatus.STEPPED_IN, Funding.STEP_IN)


def test_recorded_payment_not_disputed_in_time_settles_the_claim(supervisor):
    from sellers.services.party_payments import party_payment_record

    claim = _approve_accepted(_accepted(), supervisor)
    payment = PartyPayment.objects.get(claim=claim)
    payment = party_payment_record(
        payment=payment,
        actor=Actor.seller(claim.seller),
        amount_minor=90_000,
        paid_on=_payer_today(claim),
        reference="TX-1",
    )
    assert party_payments_sweep(now=payment.due_at + dt.timedelta(seconds=1))["settled"] in (0, 1)
    party_payments_sweep(now=payment.confirm_by + dt.timedelta(seconds=1))
    claim.refresh_from_db()
    assert claim.status == S.PAID
    assert Recovery.objects.filter(claim=claim).count() == 0


def test_region_policy_may_have_the_marketplace_pay_accepted_claims_and_recover(supervisor):
    Region.objects.filter(code="US").update(accepted_claims_paid_by="marketplace")
    claim = _approve_accepted(_accepted(), supervisor)
    assert claim.funding == Funding.STEP_IN
    assert not PartyPayment.objects.filter(claim=claim).exists()
    assert Recovery.objects.get(claim=claim).amount_minor == 90_000
    deliver_payout_messages()
    assert Payout.objects.filter(claim=claim).count() == 1


# --- an appeal is decided by someone else ---------------------------------------------------


def test_the_agent_who_denied_a_claim_cannot_take_its_appeal(client, agent, supervisor):
    claim, _path = awaiting()
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(agent))
    decision_deny(
        claim=claim,
        actor=Actor.staff(agent),
        reason_code="not_covered",
        explanation="Not covered by the guarantee.",
    )
    claim_appeal(claim=claim, actor=Actor.customer(claim.customer), reason="It is covered.")
    client.force_login(agent)
    response = _move(client, claim, S.UNDER_REVIEW)
    assert response.status_code == 400
    assert "another reviewer takes the appeal" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == S.APPEALED
    # someone else may
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(supervisor))
    claim.refresh_from_db()
    assert claim.status == S.UNDER_REVIEW
    # and the one who denied it may not decide it again either
    with pytest.raises(Exception, match="another reviewer"):
        decision_deny(
            claim=claim, actor=Actor.staff(agent), reason_code="not_covered", explanation="No."
        )


def test_customer_sees_the_decision_per_loss_item_with_the_reason_for_a_reduction(
    client, supervisor
):
    # given: a step-in approved for $900 of the $2,500 claimed, with the reason
    claim = _escalated()
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(supervisor))
    item = claim.losses.get()
    decision_approve(
        claim=claim,
        actor=Actor.staff(supervisor),
        approved={item.pk: 90_000},
        reasons={item.pk: "Only the ER invoice of $900.00 is on file."},
    )
    # when: the customer opens their claim page
    sign_in(client, claim.customer)
    page = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    # then: claimed, approved and why, per item, amounts without the kind repeated
    assert "$2,500.00" in page and "$900.00" in page
    assert "Only the ER invoice of $900.00 is on file." in page
    assert f"{item.get_kind_display()} $2,500.00" not in page


def test_staff_see_who_pays_and_where_the_sellers_payment_stands(client, supervisor):
    claim = _approve_accepted(_accepted(), supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert 'id="who-pays"' in page
    assert "Seller · Payment due · due" in page


def test_second_approver_sees_what_they_sign(client, supervisor):
    from payouts.models import ApprovalRequest

    # given: a step-in approved above the four-eyes limit with a reduced item and a note
    claim = _escalated(amount_minor=500_000)
    claim_transition(claim=claim, to=S.UNDER_REVIEW, actor=Actor.staff(supervisor))
    item = claim.losses.get()
    decision_approve(
        claim=claim,
        actor=Actor.staff(supervisor),
        approved={item.pk: 300_000},
        reasons={item.pk: "Two of the bills are for another patient."},
        note="Checked against the hospital's invoice.",
    )
    request = ApprovalRequest.objects.get(claim=claim)
    # when: another staff member opens the second approval
    from claims import roles
    from tests.conftest import _staff

    # (a supervisor of the claim's region: need-to-know, claims.scope)
    second = _staff("second", roles.SUPERVISOR)
    client.force_login(second)
    page = client.get(reverse("backoffice:decision-approval", args=[request.pk])).content.decode()
    # then: items claimed and approved with the reason, funding, the note, risk, evidence
    for text in (
        "$5,000.00",
        "$3,000.00",
        "Two of the bills are for another patient.",
        "Marketplace step-in, recovered from seller",
        "Checked against the hospital&#x27;s invoice.",
        "Fraud risk",
        "Evidence",
    ):
        assert text in page, text


def test_the_payment_pages_refuse_other_people(client, supervisor):
    # given: an accepted claim whose seller pays, and the seller's payment link
    claim = _approve_accepted(_accepted(), supervisor)
    run_outbox("sellers.notify_party_payment")
    path = re.search(r"/sellers/claims/[^/]+/payment/[^/\s]+/", mail.outbox[-1].body).group(0)
    data = {"amount": "900.00", "paid_on": _payer_today(claim), "reference": "TX-1"}
    # another claim's reference with this link: refused, nothing recorded
    other = _accepted()
    forged = path.replace(claim.reference, other.reference)
    assert client.post(forged, data).status_code == 403
    # another customer cannot answer for this claim; GET on the answer is not allowed
    from tests.factories import claim_new

    sign_in(client, claim_new().customer)
    url = reverse("portal:claim-party-payment", args=[claim.reference])
    assert client.post(url, {"received": "no", "note": "Nothing."}).status_code == 404
    sign_in(client, claim.customer)
    response = client.get(url)  # the form's address leads back to the claim page
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:claim-detail", args=[claim.reference])
    # staff see the payment on the claim page, but no staff surface can record or confirm it
    payment = PartyPayment.objects.get(claim=claim)
    assert (payment.status, payment.recorded_at) == (PartyPaymentStatus.DUE, None)
