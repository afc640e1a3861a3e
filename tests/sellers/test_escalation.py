"""The deadline sweeper, overruling a seller, and the insurance-proof window."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from claims.actors import Actor
from claims.exceptions import TransitionNotPermitted
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, Funding, Outbox
from sellers.exceptions import SellerError
from sellers.models import (
    Recovery,
    RecoveryReason,
    ResponseDecision,
)
from sellers.services.escalation import (
    claim_escalate_overdue,
    claim_overrule_seller,
    insurance_window_close,
)
from sellers.services.responses import seller_response_submit
from tests.factories import CertificateFactory, claim_in, gross_imported
from tests.sellers.helpers import LINK, OVER, UNDER, awaiting, run_outbox

pytestmark = pytest.mark.django_db


def _after(claim: Claim, **delta) -> dt.datetime:
    return claim.seller_respond_by + dt.timedelta(**(delta or {"seconds": 1}))


def test_escalate_overdue_over_threshold_steps_in_with_one_recovery():
    # given: a claim over the threshold whose seller did not answer
    claim, _path = awaiting(amount_minor=OVER)
    # when: the sweeper runs after the deadline
    run = claim_escalate_overdue(now=_after(claim))
    # then: escalated once, funded by step-in, one recovery for the claimed amount
    claim.refresh_from_db()
    assert (run.escalated, run.recoveries, run.more) == (1, 1, False)
    assert claim.status == ClaimStatus.ESCALATED and claim.funding == Funding.STEP_IN
    event = claim.events.get(to_status=ClaimStatus.ESCALATED)
    assert event.from_status == ClaimStatus.AWAITING_SELLER and event.actor_party == "system"
    recovery = Recovery.objects.get(claim=claim)
    assert (recovery.reason, recovery.amount_minor, recovery.currency) == ("step_in", OVER, "USD")
    # the seller's appeal window opens when the decision fixes the amount, not before
    assert recovery.appeal_due is None
    assert claim.events.filter(kind=EventKind.RECOVERY).count() == 1
    assert Outbox.objects.filter(topic="sellers.notify_escalated").count() == 1


def test_escalate_overdue_at_or_under_threshold_is_a_concession_without_recovery():
    claim, _path = awaiting(amount_minor=100_000)  # exactly the threshold
    claim_escalate_overdue(now=_after(claim))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ESCALATED and claim.funding == Funding.CONCESSION
    assert not Recovery.objects.exists()


def test_escalate_overdue_rerun_changes_nothing_and_sends_one_email():
    # given: an escalated claim
    claim, _path = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=_after(claim))
    before = (ClaimEvent.objects.count(), Outbox.objects.count(), Recovery.objects.count())
    # when: the job runs again, later
    run = claim_escalate_overdue(now=_after(claim, hours=5))
    # then: nothing new
    assert run.escalated == 0
    assert (ClaimEvent.objects.count(), Outbox.objects.count(), Recovery.objects.count()) == before
    mail.outbox.clear()
    run_outbox("sellers.notify_escalated")
    assert len(mail.outbox) == 1 and claim.reference in mail.outbox[0].subject
    assert "/statement/" in mail.outbox[0].body and "$2,500.00" in mail.outbox[0].body


def test_escalate_overdue_leaves_claims_before_deadline_or_answered_alone():
    # given: one claim not yet due, one answered in time
    waiting, _ = awaiting(amount_minor=OVER)
    answered, path = awaiting(amount_minor=OVER)
    from claims.links import link_resolve

    token = LINK.search(path).group("token")
    seller_response_submit(
        link=link_resolve(token=token, purpose="seller_response"), decision=ResponseDecision.ACCEPT
    )
    # when: the sweeper runs before the deadline, and after it
    assert claim_escalate_overdue(now=waiting.seller_respond_by).escalated == 0
    claim_escalate_overdue(now=_after(waiting))
    # then: the waiting claim escalated, the answered one untouched
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert waiting.status == ClaimStatus.ESCALATED
    assert answered.status == ClaimStatus.SELLER_RESPONDED
    assert not Recovery.objects.filter(claim=answered).exists()


def test_escalate_overdue_works_in_bounded_batches_and_catches_up():
    # given: five overdue claims (the job was down for a week)
    claims = [awaiting(amount_minor=OVER if i % 2 else UNDER)[0] for i in range(5)]
    later = max(c.seller_respond_by for c in claims) + dt.timedelta(days=7)
    # when: batches of two
    runs = []
    while True:
        runs.append(claim_escalate_overdue(now=later, limit=2))
        if not runs[-1].more:
            break
    # then: three batches, every claim escalated once, recoveries only over the threshold
    assert [r.escalated for r in runs] == [2, 2, 1]
    assert Claim.objects.filter(status=ClaimStatus.ESCALATED).count() == 5
    assert ClaimEvent.objects.filter(to_status=ClaimStatus.ESCALATED).count() == 5
    assert Recovery.objects.count() == 2


def test_overrule_seller_dispute_steps_in_and_opens_recovery(supervisor):
    # given: the seller disputes a claim over the threshold
    claim, path = awaiting(amount_minor=OVER)
    from claims.links import link_resolve

    link = link_resolve(token=LINK.search(path).group("token"), purpose="seller_response")
    seller_response_submit(link=link, decision=ResponseDecision.DISPUTE, reasons="Misuse.")
    # when: staff overrule
    claim_overrule_seller(claim=claim, actor=Actor.staff(supervisor), reason="Photos show defect")
    # then
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ESCALATED and claim.funding == Funding.STEP_IN
    assert Recovery.objects.get(claim=claim).reason == RecoveryReason.STEP_IN


def test_overrule_seller_refuses_without_permission_or_dispute(outsider, supervisor):
    claim, path = awaiting(amount_minor=OVER)
    with pytest.raises(SellerError):  # nothing disputed yet
        claim_overrule_seller(claim=claim, actor=Actor.staff(supervisor), reason="x")
    with pytest.raises(TransitionNotPermitted):
        claim_overrule_seller(claim=claim, actor=Actor.staff(outsider), reason="x")
    with pytest.raises(SellerError):
        claim_overrule_seller(claim=claim, actor=Actor.staff(supervisor), reason=" ")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER and not Recovery.objects.exists()


def _certificate(seller, **overrides):
    # Verified by staff against its document: the only kind that counts.
    return CertificateFactory(seller=seller, verified=True, **overrides)


@pytest.mark.parametrize(
    ("gross", "certificate", "recovery"),
    [
        (2_000_000, None, True),  # must carry insurance, none on file
        (2_000_000, "valid", False),
        (2_000_000, "expired", True),
        (500_000, None, False),  # under the gross that requires insurance
    ],
)
def test_insurance_window_close_opens_recovery_for_uninsured_concession(
    gross, certificate, recovery
):
    # given: a concession claim whose seller was notified
    claim, _ = awaiting(amount_minor=UNDER)
    seller = claim.seller
    gross_imported(seller, gross)
    today = timezone.now().date()
    if certificate == "valid":
        _certificate(seller)
    elif certificate == "expired":
        _certificate(
            seller,
            effective_date=today - dt.timedelta(days=400),
            expiry_date=today - dt.timedelta(days=1),
        )
    notice = claim.seller_notice
    # when: the window closes (twice: a re-run)
    insurance_window_close(now=notice.insurance_proof_due - dt.timedelta(seconds=1))
    assert not Recovery.objects.exists()  # not yet
    opened = insurance_window_close(now=notice.insurance_proof_due)
    again = insurance_window_close(now=notice.insurance_proof_due + dt.timedelta(days=1))
    # then
    assert opened == int(recovery) and again == 0
    assert (
        Recovery.objects.filter(claim=claim, reason=RecoveryReason.NO_INSURANCE).exists()
        == recovery
    )
    if recovery:
        assert claim.events.filter(kind=EventKind.RECOVERY, data__step="opened").count() == 1


def test_insurance_window_close_skips_withdrawn_claims():
    claim, _ = awaiting(amount_minor=UNDER)
    gross_imported(claim.seller, 2_000_000)
    from claims.services import claim_withdraw

    claim_withdraw(claim=claim, actor=Actor.customer(claim.customer))
    insurance_window_close(now=claim.seller_notice.insurance_proof_due)
    assert not Recovery.objects.exists()


def test_escalated_claim_not_yet_notified_still_has_awaiting_state_history():
    claim = claim_in(ClaimStatus.AWAITING_SELLER, amount_minor=OVER)
    claim_escalate_overdue(now=_after(claim))
    claim.refresh_from_db()
    assert list(claim.events.filter(kind="status").values_list("to_status", flat=True))[-2:] == [
        ClaimStatus.AWAITING_SELLER,
        ClaimStatus.ESCALATED,
    ]
