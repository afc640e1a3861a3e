"""The beat tasks call their services and re-queue themselves while work remains."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from claims.models import Claim, ClaimStatus
from sellers import tasks
from sellers.models import Recovery
from tests.factories import gross_imported
from tests.sellers.helpers import OVER, UNDER, awaiting

pytestmark = pytest.mark.django_db


def test_escalate_overdue_claims_requeues_while_a_batch_is_full(settings):
    # given: three overdue claims, batches of two
    settings.ESCALATION_BATCH_SIZE = 2
    claims = [awaiting(amount_minor=OVER)[0] for _ in range(3)]
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
        seller_respond_by=timezone.now() - dt.timedelta(minutes=1)
    )
    with mock.patch.object(tasks.escalate_overdue_claims, "apply_async") as requeue:
        # when: the first run finds a full batch
        assert tasks.escalate_overdue_claims() == 2
        # then: it re-queues itself; the second run finishes and does not
        assert requeue.call_count == 1
        assert tasks.escalate_overdue_claims() == 1
        assert requeue.call_count == 1
    assert Claim.objects.filter(status=ClaimStatus.ESCALATED).count() == 3


def test_close_insurance_windows_task_opens_recoveries():
    claim, _ = awaiting(amount_minor=UNDER)
    gross_imported(claim.seller, 2_000_000)
    claim.seller_notice.__class__.objects.filter(pk=claim.seller_notice.pk).update(
        insurance_proof_due=timezone.now() - dt.timedelta(minutes=1)
    )
    with mock.patch.object(tasks.close_insurance_windows, "apply_async") as requeue:
        assert tasks.close_insurance_windows() == 1
    assert requeue.call_count == 0
    assert Recovery.objects.get(claim=claim).reason == "no_insurance"


def test_send_seller_reminders_task_sends_due_reminders():
    claim, _ = awaiting()
    Claim.objects.filter(pk=claim.pk).update(
        seller_respond_by=timezone.now() + dt.timedelta(hours=3)
    )
    assert tasks.send_seller_reminders() == 1
    assert tasks.send_seller_reminders() == 0
