"""Issue 19's insider scenario and the controls around payee details: one agent replacing a
customer's bank details in the admin and approving a claim on the staff pages must not get the
money; a second staff member's approval makes the change, announced to the customer, with the
payouts to it held for the region's cooling-off unless the customer confirms it."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from claims.actors import Actor
from claims.models import ClaimEvent, ClaimStatus, EventKind, Outbox
from claims.outbox import deliver
from claims.services import claim_approve
from payouts.bank_details import bank_details_parse
from payouts.exceptions import PayoutError
from payouts.models import (
    ApprovalPolicy,
    PayeeChange,
    PayeeChangeStatus,
    PayeeDetails,
    Payout,
    PayoutStatus,
    ProviderRecord,
)
from payouts.services import (
    payee_change_approve,
    payee_change_request,
    payee_set,
    payouts_send_due,
)
from tests.factories import claim_in
from tests.payouts.helpers import deliver_payout_messages, with_payee
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db

MALLORY = {
    "scheme": "us_aba",
    "holder_name": "Mallory Insider",
    "routing_number": "021000021",
    "account_number": "44449999",
    "reason": "Customer phoned with new bank details",
}


def _claim_with_payee():
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=300_00)
    with_payee(claim.customer, "12345678")
    return claim


def _request_on_staff_pages(client, user, claim, data=MALLORY):
    client.force_login(user)
    url = reverse("backoffice:payee-change-request", args=[claim.customer.pk])
    return client.post(url, data)


def _approve_on_staff_pages(client, user, claim):
    client.force_login(user)
    item = claim.losses.get()
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "approved"]),
        {
            "expected_status": "under_review",
            "funding": "concession",
            f"loss_{item.pk}": "300.00",
            "reason": "Receipts check out",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def _pay():
    deliver_payout_messages()
    payouts_send_due()


def test_insider_alone_changes_nothing_and_the_sandbox_pays_the_customer(client, agent):
    # given: a customer paid to ...5678
    claim = _claim_with_payee()
    # when: one agent replaces the bank details on the staff pages, then approves on the staff pages
    response = _request_on_staff_pages(client, agent, claim)
    _approve_on_staff_pages(client, agent, claim)
    _pay()
    # then: the details did not change, a request waits, and the money went to the customer
    assert response.status_code == 302
    payee = PayeeDetails.objects.get(customer=claim.customer)
    assert payee.account_number == "12345678" and payee.holder_name != "Mallory Insider"
    assert PayeeChange.objects.get().status == PayeeChangeStatus.PENDING
    record = ProviderRecord.objects.get()
    assert record.payee.endswith("••••5678") and "Mallory" not in record.payee
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    # and the staff claim page shows the waiting request, masked
    html = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert 'id="payee-pending"' in html and "••••9999" in html and "44449999" not in html


def test_the_agent_cannot_approve_their_own_request(client, agent, supervisor):
    claim = _claim_with_payee()
    _request_on_staff_pages(client, agent, claim)
    change = PayeeChange.objects.get()
    decide = reverse("backoffice:payee-change", args=[change.pk])
    # an agent has no approving permission at all
    client.force_login(agent)
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    # a supervisor who asked cannot approve their own request either
    change.delete()
    _request_on_staff_pages(client, supervisor, claim)
    change = PayeeChange.objects.get()
    decide = reverse("backoffice:payee-change", args=[change.pk])
    page = client.post(decide, {"decision": "approve"}).content.decode()
    assert "another member of staff must approve it" in page
    change.refresh_from_db()
    assert change.status == PayeeChangeStatus.PENDING
    assert PayeeDetails.objects.get(customer=claim.customer).account_number == "12345678"


def test_the_database_refuses_a_request_decided_by_its_requester(agent):
    claim = _claim_with_payee()
    change = PayeeChange.objects.create(
        customer=claim.customer,
        kind="bank_account",
        holder_name="M",
        bank_code="021000021",
        account_number="44449999",
        last4="9999",
        reason="x",
        requested_by=agent,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PayeeChange.objects.filter(pk=change.pk).update(decided_by=agent, status="approved")


def test_staff_cannot_set_details_directly_through_the_service(agent):
    claim = _claim_with_payee()
    with pytest.raises(PayoutError, match="ask for a change"):
        payee_set(
            customer=claim.customer,
            actor=Actor.staff(agent),
            kind="bank_account",
            holder_name="Mallory",
            bank_code="021000021",
            account_number="44449999",
        )


def test_second_approval_takes_effect_announced_and_held_for_the_cooling_off(
    client, agent, supervisor
):
    # given: the agent asked, a supervisor approves the change
    claim = _claim_with_payee()
    _request_on_staff_pages(client, agent, claim)
    change = PayeeChange.objects.get()
    client.force_login(supervisor)
    decide = reverse("backoffice:payee-change", args=[change.pk])
    assert client.post(decide, {"note": "Checked", "decision": "approve"}).status_code == 302
    # then: in effect, not confirmed by the customer, held for the region's 72 hours
    payee = PayeeDetails.objects.get(customer=claim.customer)
    assert payee.account_number == "44449999" and not payee.confirmed_by_customer
    expected = timezone.now() + dt.timedelta(hours=72)
    assert abs((payee.hold_until - expected).total_seconds()) < 60
    # an event on the claim, and the customer told by e-mail, masked
    assert ClaimEvent.objects.filter(
        claim=claim, kind=EventKind.MESSAGE, data__payee__by="staff"
    ).exists()
    deliver(message_id=Outbox.objects.filter(topic="payouts.payee_notice").latest("id").pk)
    body = mail.outbox[-1].body
    assert "A member of our staff changed" in body and "••••9999" in body
    assert "44449999" not in body and "hold" in body
    # the hold's end names its zone once (found on the demo: "5 Dec 2026, 07:18 UTC (UTC)")
    assert "until " in body and not re.search(r"\b([\w/]+) \(\1\)", body), body
    # when: the agent approves the claim and the pipeline runs
    _approve_on_staff_pages(client, agent, claim)
    _pay()
    # then: the payout waits for the hold, nothing reached the provider
    payout = Payout.objects.get(claim=claim)
    assert payout.status == PayoutStatus.PENDING and payout.failure_code == "PAYEEHOLD"
    assert payout.next_attempt_at == payee.hold_until and payout.attempts == 0
    assert not ProviderRecord.objects.exists()
    # the customer's page says it is held and offers to confirm
    sign_in(client, claim.customer)
    page = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert 'id="payee-held"' in page and "account ending 9999" in page
    # when: the customer confirms on their page, the payout goes at once
    response = client.post(reverse("portal:claim-payee-confirm", args=[claim.reference]))
    assert response.status_code == 302
    payouts_send_due()
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert ProviderRecord.objects.get().payee.endswith("••••9999")


def test_the_hold_ends_by_itself_when_the_cooling_off_passes(agent, supervisor):
    claim = _claim_with_payee()
    details = bank_details_parse(scheme="us_aba", data={**MALLORY})
    change = payee_change_request(customer=claim.customer, user=agent, details=details, reason="x")
    payee_change_approve(change=change, user=supervisor)
    claim_approve(
        claim=claim,
        actor=Actor.system("test"),
        approved={item.pk: item.claimed_minor for item in claim.losses.all()},
        funding="concession",
    )
    deliver_payout_messages()
    payouts_send_due()
    payout = Payout.objects.get(claim=claim)
    assert payout.status == PayoutStatus.PENDING
    # when: the cooling-off passes (the hold and the payout's due time move into the past)
    past = timezone.now() - dt.timedelta(seconds=1)
    PayeeDetails.objects.filter(customer=claim.customer).update(hold_until=past)
    Payout.objects.filter(pk=payout.pk).update(next_attempt_at=past)
    payouts_send_due()
    # then: sent without anyone touching it
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID


def test_cooling_off_is_policy_data_staff_can_edit(agent, supervisor):
    claim = _claim_with_payee()
    ApprovalPolicy.objects.filter(region=claim.region).update(payee_cooling_off_hours=5)
    change = payee_change_request(
        customer=claim.customer,
        user=agent,
        details=bank_details_parse(scheme="us_aba", data=MALLORY),
        reason="x",
    )
    payee = payee_change_approve(change=change, user=supervisor)
    expected = timezone.now() + dt.timedelta(hours=5)
    assert abs((payee.hold_until - expected).total_seconds()) < 60


def test_customer_replacing_the_details_supersedes_a_waiting_request(client, agent):
    claim = _claim_with_payee()
    _request_on_staff_pages(client, agent, claim)
    sign_in(client, claim.customer)
    client.post(
        reverse("portal:claim-payee", args=[claim.reference]),
        {
            "scheme": "us_aba",
            "holder_name": "Real Customer",
            "routing_number": "021000021",
            "account_number": "11112222",
        },
    )
    assert PayeeChange.objects.get().status == PayeeChangeStatus.SUPERSEDED
    payee = PayeeDetails.objects.get(customer=claim.customer)
    assert payee.account_number == "11112222" and payee.hold_until is None


def test_the_admin_offers_no_way_to_edit_account_numbers(client, supervisor):
    claim = _claim_with_payee()
    payee = PayeeDetails.objects.get(customer=claim.customer)
    client.force_login(get_user_model().objects.create_superuser("root", "r@x.test", "pw"))
    change_page = client.get(reverse("admin:payouts_payeedetails_change", args=[payee.pk]))
    html = change_page.content.decode()
    assert 'name="account_number"' not in html and "12345678" not in html
    assert client.get(reverse("admin:payouts_payeedetails_add")).status_code == 403
    response = client.post(
        reverse("admin:payouts_payeedetails_change", args=[payee.pk]),
        {"account_number": "44449999", "holder_name": "M"},
    )
    assert response.status_code == 403
    assert PayeeDetails.objects.get(pk=payee.pk).account_number == "12345678"
