"""Authority limits and four-eyes: every rule, including self-approval refused."""

import pytest
from django.db import IntegrityError, transaction

from claims.actors import Actor
from claims.exceptions import InvalidTransition
from claims.models import ClaimEvent, ClaimStatus, DenialReason, EventKind, Funding
from claims.services import claim_transition
from fraud.models import FraudDecision, FraudReview
from payouts.exceptions import AuthorityExceeded, DecisionRefused, FourEyesViolation
from payouts.models import ApprovalRequest, AuthorityLimit, RequestStatus
from payouts.policy import policy_for
from payouts.services import approval_reject, approval_second, decision_approve, decision_deny
from tests.factories import claim_in, us

pytestmark = pytest.mark.django_db

THRESHOLD = 100_000  # USD 1,000.00, the US default


def _full(claim) -> dict[int, int]:
    return {item.pk: item.claimed_minor for item in claim.losses.all()}


def _under_review(amount: int):
    """A claim under review; above the threshold one the marketplace stepped in on (its seller
    let the deadline pass), so that the policy funds it."""
    if amount <= THRESHOLD:
        return claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=amount)
    claim = claim_in(ClaimStatus.ESCALATED, amount_minor=amount)
    return claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=Actor.system("test"))


def test_agent_approves_at_the_threshold_at_once_with_the_policy_on_the_event(agent):
    # given
    claim = _under_review(THRESHOLD)
    # when
    result = decision_approve(claim=claim, actor=Actor.staff(agent), approved=_full(claim))
    # then
    claim.refresh_from_db()
    assert result.approved and result.request is None
    assert claim.status == ClaimStatus.APPROVED
    assert claim.approved_total_minor == THRESHOLD
    event = claim.events.get(to_status=ClaimStatus.APPROVED)
    assert event.actor == agent
    assert event.data["policy"]["four_eyes_above_minor"] == THRESHOLD
    assert event.data["policy"]["authority"]["Claims agent"] == THRESHOLD
    assert event.data["four_eyes"] is False


def test_agent_above_own_authority_is_refused_and_nothing_changes(agent):
    claim = _under_review(THRESHOLD + 1)
    events = ClaimEvent.objects.count()
    with pytest.raises(AuthorityExceeded, match="above your approval authority"):
        decision_approve(claim=claim, actor=Actor.staff(agent), approved=_full(claim))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.approved_total_minor is None
    assert ClaimEvent.objects.count() == events
    assert not ApprovalRequest.objects.exists()


def test_agent_may_approve_part_of_a_big_claim_within_authority(agent):
    claim = _under_review(500_000)
    item = claim.losses.get()
    # a reduced item needs the reason the customer will read
    with pytest.raises(InvalidTransition, match="Say why less than claimed"):
        decision_approve(
            claim=claim, actor=Actor.staff(agent), approved={item.pk: 80_000}, funding="step_in"
        )
    result = decision_approve(
        claim=claim,
        actor=Actor.staff(agent),
        approved={item.pk: 80_000},
        funding="step_in",
        reasons={item.pk: "Only the ER invoice is on file."},
    )
    assert result.approved
    item.refresh_from_db()
    assert item.approved_minor == 80_000
    assert item.reduction_reason == "Only the ER invoice is on file."


def test_supervisor_above_four_eyes_limit_opens_a_request_and_the_claim_waits(supervisor):
    claim = _under_review(500_000)
    result = decision_approve(
        claim=claim,
        actor=Actor.staff(supervisor),
        approved=_full(claim),
        funding=Funding.STEP_IN,
        note="Medical bills verified.",
    )
    claim.refresh_from_db()
    assert not result.approved
    assert claim.status == ClaimStatus.UNDER_REVIEW
    request = result.request
    assert request.status == RequestStatus.PENDING and request.total_minor == 500_000
    assert request.requested_by == supervisor
    assert request.policy["four_eyes_above_minor"] == THRESHOLD
    note = claim.events.filter(kind=EventKind.NOTE).latest("id")
    assert note.data["approval_request_id"] == request.pk


def test_self_approval_as_second_approver_is_refused(supervisor):
    claim = _under_review(500_000)
    request = decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    ).request
    with pytest.raises(FourEyesViolation, match="your own approval"):
        approval_second(request=request, actor=Actor.staff(supervisor))
    request.refresh_from_db()
    claim.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_fraud_reviewer_cannot_be_the_second_approver(supervisor, supervisor2):
    claim = _under_review(500_000)
    FraudReview.objects.create(
        claim=claim, analyst=supervisor2, decision=FraudDecision.HOLD, note="Shared address."
    )
    request = decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    ).request
    with pytest.raises(FourEyesViolation, match="fraud review"):
        approval_second(request=request, actor=Actor.staff(supervisor2))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_second_approver_needs_authority_for_the_amount(supervisor, agent):
    claim = _under_review(500_000)
    request = decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    ).request
    with pytest.raises(AuthorityExceeded):
        approval_second(request=request, actor=Actor.staff(agent))
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_independent_second_approver_approves_with_both_names_on_the_event(supervisor, supervisor2):
    claim = _under_review(500_000)
    request = decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    ).request
    claim = approval_second(request=request, actor=Actor.staff(supervisor2), note="Agreed.")
    request.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_total_minor == 500_000
    assert request.status == RequestStatus.APPROVED and request.decided_by == supervisor2
    event = claim.events.get(to_status=ClaimStatus.APPROVED)
    assert event.actor == supervisor2
    assert event.data["four_eyes"] is True
    assert event.data["approvers"] == [supervisor.pk, supervisor2.pk]
    assert event.data["policy"]["four_eyes_above_minor"] == THRESHOLD
    # a request is decided once
    with pytest.raises(DecisionRefused, match="already approved"):
        approval_second(request=request, actor=Actor.staff(supervisor2))


def test_second_approver_may_reject_but_not_the_first(supervisor, supervisor2):
    claim = _under_review(500_000)
    request = decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    ).request
    with pytest.raises(FourEyesViolation):
        approval_reject(request=request, actor=Actor.staff(supervisor), note="Changed my mind")
    with pytest.raises(DecisionRefused, match="Say why"):
        approval_reject(request=request, actor=Actor.staff(supervisor2), note="  ")
    request = approval_reject(
        request=request, actor=Actor.staff(supervisor2), note="Lost earnings not evidenced."
    )
    claim.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert claim.status == ClaimStatus.UNDER_REVIEW
    # and the claim can be decided again
    again = decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    )
    assert again.request.status == RequestStatus.PENDING


def test_only_one_pending_request_per_claim(supervisor, supervisor2):
    claim = _under_review(500_000)
    decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    )
    with pytest.raises(DecisionRefused, match="already awaits"):
        decision_approve(
            claim=claim, actor=Actor.staff(supervisor2), approved=_full(claim), funding="step_in"
        )
    assert ApprovalRequest.objects.count() == 1


def test_database_refuses_a_request_decided_by_its_requester(supervisor):
    claim = _under_review(500_000)
    request = decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    ).request
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.filter(pk=request.pk).update(decided_by=supervisor)


def test_limits_are_data_staff_can_change(agent, supervisor):
    policy = policy_for(us())
    # given: agents may approve up to 2,000.00 and four-eyes starts above 3,000.00
    AuthorityLimit.objects.filter(policy=policy, role="Claims agent").update(limit_minor=200_000)
    policy.four_eyes_above_minor = 300_000
    policy.save()
    small = _under_review(150_000)
    assert decision_approve(claim=small, actor=Actor.staff(agent), approved=_full(small)).approved
    middle = _under_review(250_000)
    with pytest.raises(AuthorityExceeded):
        decision_approve(claim=middle, actor=Actor.staff(agent), approved=_full(middle))
    assert decision_approve(
        claim=middle, actor=Actor.staff(supervisor), approved=_full(middle), funding="step_in"
    ).approved


@pytest.mark.parametrize("who", ["analyst", "outsider"])
def test_staff_without_decide_permission_are_refused(cast, who):
    claim = _under_review(10_000)
    with pytest.raises(DecisionRefused, match="permission"):
        decision_approve(claim=claim, actor=Actor.staff(cast[who]), approved=_full(claim))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_amount_above_claimed_or_zero_is_refused_with_a_message(agent):
    claim = _under_review(10_000)
    item = claim.losses.get()
    with pytest.raises(InvalidTransition, match="between 0 and"):
        decision_approve(claim=claim, actor=Actor.staff(agent), approved={item.pk: 10_001})
    with pytest.raises(InvalidTransition, match="above zero"):
        decision_approve(claim=claim, actor=Actor.staff(agent), approved={item.pk: 0})
    with pytest.raises(InvalidTransition, match="funds"):
        decision_approve(
            claim=claim, actor=Actor.staff(agent), approved=_full(claim), funding="nobody"
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_deny_records_reason_and_policy_and_supersedes_a_pending_request(supervisor, agent):
    claim = _under_review(500_000)
    request = decision_approve(
        claim=claim, actor=Actor.staff(supervisor), approved=_full(claim), funding="step_in"
    ).request
    claim = decision_deny(
        claim=claim,
        actor=Actor.staff(agent),
        reason_code=DenialReason.NOT_CAUSED,
        explanation="The fire started in the wall socket, not the heater.",
    )
    request.refresh_from_db()
    assert claim.status == ClaimStatus.DENIED and claim.denial_reason == "not_caused"
    assert request.status == RequestStatus.SUPERSEDED
    event = claim.events.get(to_status=ClaimStatus.DENIED)
    assert event.data["reason_code"] == "not_caused" and "policy" in event.data
