"""The admin: pages by role, the decision desk and second approval through the services,
payee details masked everywhere."""

import pytest
from django.urls import reverse

from claims.actors import Actor
from claims.models import ClaimStatus
from claims.services import claim_transition
from payouts.models import ApprovalRequest, PayeeChange, PayeeEvent, RequestStatus
from payouts.services import payouts_send_due
from tests.factories import claim_in
from tests.payouts.helpers import approved_claim, deliver_payout_messages

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:payouts_claimtodecide_changelist",
    "admin:payouts_approvalrequest_changelist",
    "admin:payouts_payout_changelist",
    "admin:payouts_payeedetails_changelist",
    "admin:payouts_ledgertransaction_changelist",
    "admin:payouts_qasample_changelist",
    "admin:payouts_approvalpolicy_changelist",
]
# who may open which page
ALLOWED = {
    "supervisor": set(PAGES),
    "agent": {
        "admin:payouts_claimtodecide_changelist",
        "admin:payouts_approvalrequest_changelist",
        "admin:payouts_payout_changelist",
        "admin:payouts_payeedetails_changelist",
    },
    "analyst": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("who", list(ALLOWED))
def test_pages_by_role(client, cast, who):
    approved_claim()
    deliver_payout_messages()
    payouts_send_due()
    client.force_login(cast[who])
    for page in PAGES:
        status = client.get(reverse(page)).status_code
        assert status == (200 if page in ALLOWED[who] else 403), (who, page, status)


def test_agent_decides_in_the_admin_and_a_big_one_waits_for_a_second_approver(
    client, agent, supervisor
):
    small = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=500_00)
    item = small.losses.get()
    client.force_login(agent)
    url = reverse("admin:payouts_claimtodecide_decide", args=[small.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {f"item_{item.pk}": "450.00", f"why_{item.pk}": "The bill is for $450.00.", "approve": "1"},
        follow=True,
    )
    small.refresh_from_db()
    assert small.status == ClaimStatus.APPROVED and small.approved_total_minor == 450_00
    assert "approved" in response.content.decode()
    # above the agent's authority: refused with the reason, nothing changes
    # (a big claim the marketplace stepped in on: its seller let the deadline pass)
    big = claim_in(ClaimStatus.ESCALATED, amount_minor=5_000_00)
    big = claim_transition(claim=big, to=ClaimStatus.UNDER_REVIEW, actor=Actor.system("test"))
    big_item = big.losses.get()
    url = reverse("admin:payouts_claimtodecide_decide", args=[big.pk])
    response = client.post(url, {f"item_{big_item.pk}": "5000", "funding": "step_in"})
    assert "above your approval authority" in response.content.decode()
    big.refresh_from_db()
    assert big.status == ClaimStatus.UNDER_REVIEW
    # too many decimals is a clear error too
    response = client.post(url, {f"item_{big_item.pk}": "10.0001", "funding": "step_in"})
    assert "at most 2 decimal places" in response.content.decode()
    # the supervisor opens a request; signing it themselves is refused
    client.force_login(supervisor)
    client.post(url, {f"item_{big_item.pk}": "5000", "funding": "step_in", "approve": "1"})
    request = ApprovalRequest.objects.get(claim=big)
    review = reverse("admin:payouts_approvalrequest_review", args=[request.pk])
    response = client.post(review, {"note": "", "approve": "1"})
    assert "your own approval" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_deny_in_the_admin_needs_an_explanation(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    url = reverse("admin:payouts_claimtodecide_decide", args=[claim.pk])
    response = client.post(url, {"reason_code": "no_proof", "explanation": "", "deny": "1"})
    assert "Explain the denial" in response.content.decode()
    client.post(url, {"reason_code": "no_proof", "explanation": "No receipt.", "deny": "1"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DENIED


def test_payee_details_are_masked_everywhere_and_changes_are_events(client, agent, supervisor):
    # given: a customer paid to ...1012; the agent asks for ...6777, the supervisor approves
    claim = approved_claim(account="987654321012")
    deliver_payout_messages()
    client.force_login(agent)
    url = reverse("admin:payouts_payeedetails_set", args=[claim.customer.pk])
    response = client.post(
        url,
        {
            "scheme": "us_aba",
            "holder_name": "Jo Doe",
            "routing_number": "021000021",
            "account_number": "55556666777",
            "reason": "Customer called",
        },
    )
    assert response.status_code == 302
    change = PayeeChange.objects.get()
    client.force_login(supervisor)
    decide = reverse("admin:payouts_payeechange_decide", args=[change.pk])
    assert client.post(decide, {"note": "Called back", "approve": "1"}).status_code == 302
    # then
    event = PayeeEvent.objects.latest("id")
    assert event.before.endswith("1012") and event.after.endswith("6777")
    assert "987654321012" not in event.before and "55556666777" not in event.after
    for page in [
        reverse("admin:payouts_payeedetails_changelist"),
        reverse("admin:payouts_payeedetails_change", args=[claim.customer.payee.pk]),
        reverse("admin:payouts_payeeevent_changelist"),
        reverse("admin:payouts_payeechange_changelist"),
        reverse("admin:payouts_payeechange_change", args=[change.pk]),
        reverse("admin:payouts_payout_changelist"),
        reverse("admin:payouts_providerrecord_changelist"),
        url,
        decide,
    ]:
        html = client.get(page).content.decode()
        assert "55556666777" not in html and "987654321012" not in html, page
    assert "••••6777" in client.get(reverse("admin:payouts_payout_changelist")).content.decode()


def test_ledger_page_shows_balances(client, supervisor):
    approved_claim(amount_minor=123_45)
    deliver_payout_messages()
    payouts_send_due()
    client.force_login(supervisor)
    html = client.get(reverse("admin:payouts_ledgertransaction_changelist")).content.decode()
    assert "Balances" in html and "-$123.45" in html and "concession_expense" in html


def test_decision_desk_query_count_does_not_grow_with_rows(client, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(supervisor)
    url = reverse("admin:payouts_claimtodecide_changelist")
    claim_in(ClaimStatus.UNDER_REVIEW)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(5):
        claim_in(ClaimStatus.UNDER_REVIEW)
    with CaptureQueriesContext(connection) as six:
        assert client.get(url).status_code == 200
    assert len(six) == len(one)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1e999999", "is not an amount"),
        ("1.000,00", "If you meant $1,000.00, type 1,000.00."),
        ("99999999999999999", "is too large"),
    ],
)
def test_decision_desk_refuses_overflowing_or_foreign_amounts(client, agent, amount, message):
    # given
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=500_00)
    item = claim.losses.get()
    client.force_login(agent)
    url = reverse("admin:payouts_claimtodecide_decide", args=[claim.pk])
    # when
    response = client.post(
        url, {f"item_{item.pk}": amount, "funding": "concession", "approve": "1"}
    )
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.approved_total_minor is None
