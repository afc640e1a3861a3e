"""Four eyes is one rule (``payouts.four_eyes``) for second approvals and payee changes: the
same refusal class from both services, the same condition in both tables' constraints."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from claims import roles
from claims.actors import Actor
from payouts.exceptions import FourEyesViolation
from payouts.four_eyes import decider_is_not_requester
from payouts.models import ApprovalRequest, PayeeChange, PayeeChangeStatus, RequestStatus
from payouts.services import approval_reject, approval_second, payee_change_approve
from tests.backoffice import areas

pytestmark = pytest.mark.django_db


def _constraint(model, name):
    return next(c for c in model._meta.constraints if c.name == name)


def test_both_tables_check_the_one_condition():
    rule = decider_is_not_requester()
    assert _constraint(ApprovalRequest, "approvalrequest_second_is_not_first").condition == rule
    assert _constraint(PayeeChange, "payeechange_second_is_not_first").condition == rule


def test_the_first_approver_is_refused_by_the_service_and_by_the_database():
    # given: an approval waiting for a second approver
    request = areas.approval_waiting()
    first = request.requested_by
    # when / then: the service refuses both deciding ways, with the action's words
    with pytest.raises(FourEyesViolation, match="second approver of your own approval"):
        approval_second(request=request, actor=Actor.staff(first))
    with pytest.raises(FourEyesViolation, match="reject your own approval"):
        approval_reject(request=request, actor=Actor.staff(first), note="No.")
    # and the table refuses a bypass
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.filter(pk=request.pk).update(
            decided_by=first, status=RequestStatus.APPROVED
        )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.PENDING, None)


def test_the_staff_member_who_asked_for_a_payee_change_is_refused_the_same_way(agent):
    # given: an agent allowed to approve others' changes asks for one
    agent.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    change = areas.payee_change_waiting(by=agent)
    # when / then
    with pytest.raises(FourEyesViolation, match="another member of staff must approve it"):
        payee_change_approve(change=change, user=agent)
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (PayeeChangeStatus.PENDING, None)
