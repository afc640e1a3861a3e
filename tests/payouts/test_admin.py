"""Decisions and money by role: the admin for inspection, the staff app's Decisions and Money
areas for the work (deciding, the second approval, correcting a payee), through the services;
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


def _approve(client, claim, amount: str, **extra):
    item = claim.losses.get()
    return client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "approved"]),
        {"expected_status": claim.status, f"loss_{item.pk}": amount, **extra},
    )


def test_agent_decides_on_the_staff_page_and_a_big_one_waits_for_a_second_approver(
    client, agent, supervisor
):
    small = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=500_00)
    item = small.losses.get()
    client.force_login(agent)
    response = _approve(client, small, "450.00", **{f"why_{item.pk}": "The bill is $450.00."})
    assert response.status_code == 302
    small.refresh_from_db()
    assert small.status == ClaimStatus.APPROVED and small.approved_total_minor == 450_00
    # above the agent's authority: refused with the reason, nothing changes
    # (a big claim the marketplace stepped in on: its seller let the deadline pass)
    big = claim_in(ClaimStatus.ESCALATED, amount_minor=5_000_00)
    big = claim_transition(claim=big, to=ClaimStatus.UNDER_REVIEW, actor=Actor.system("test"))
    response = _approve(client, big, "5000")
    assert response.status_code == 400
    assert "above your approval authority" in response.content.decode()
    big.refresh_from_db()
    assert big.status == ClaimStatus.UNDER_REVIEW
    # too many decimals is a clear error too, beside the amount, with what was typed
    # ("10.001" too: in English "." marks the decimals, so three are simply too many)
    for typed in ("10.0012", "10.001"):
        response = _approve(client, big, typed)
        assert "Too many decimals: USD amounts have at most 2 decimal places" in (
            response.content.decode()
        )
        assert f'value="{typed}"' in response.content.decode()
    # the supervisor opens a request; signing it themselves is refused
    client.force_login(supervisor)
    _approve(client, big, "5000")
    request = ApprovalRequest.objects.get(claim=big)
    review = reverse("backoffice:decision-approval", args=[request.pk])
    response = client.post(review, {"decision": "approve", "note": ""})
    assert response.status_code == 400
    assert "your own approval" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_deny_on_the_staff_page_needs_an_explanation(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    url = reverse("backoffice:claim-move", args=[claim.pk, "denied"])
    response = client.post(
        url, {"expected_status": "under_review", "reason_code": "no_proof", "reason": ""}
    )
    assert response.status_code == 400
    assert 'value="no_proof" selected' in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    client.post(
        url, {"expected_status": "under_review", "reason_code": "no_proof", "reason": "No receipt."}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DENIED


def test_payee_details_are_masked_everywhere_and_changes_are_events(client, agent, supervisor):
    # given: a customer paid to ...1012; the agent asks for ...6777, the supervisor approves
    claim = approved_claim(account="987654321012")
    deliver_payout_messages()
    client.force_login(agent)
    url = reverse("backoffice:payee-change-request", args=[claim.customer.pk])
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
    decide = reverse("backoffice:payee-change", args=[change.pk])
    assert client.post(decide, {"note": "Called back", "decision": "approve"}).status_code == 302
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
        reverse("backoffice:claim", args=[claim.pk]),
        reverse("backoffice:money"),
        reverse("backoffice:payout", args=[claim.payouts.get().pk]),
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


def test_decisions_page_query_count_does_not_grow_with_rows(client, agent, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payouts.services.decisions import decision_approve

    def waiting_request():
        big = claim_in(ClaimStatus.ESCALATED, amount_minor=5_000_00)
        big = claim_transition(claim=big, to=ClaimStatus.UNDER_REVIEW, actor=Actor.system("t"))
        item = big.losses.get()
        decision_approve(claim=big, actor=Actor.staff(supervisor), approved={item.pk: 5_000_00})

    client.force_login(agent)
    url = reverse("backoffice:decisions")
    waiting_request()
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(5):
        waiting_request()
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    # each checked against the agent's authority ($1,000.00): read only, someone else signs
    page = response.content.decode()
    assert page.count("Read and sign") == 0 and page.count("someone else must sign") == 6
    assert len(six) == len(one)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1e999999", "is not an amount"),
        ("1.000,00", "If you meant $1,000.00, type 1,000.00."),
        ("99999999999999999", "is too large"),
    ],
)
def test_approving_refuses_overflowing_or_foreign_amounts(client, agent, amount, message):
    # given
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=500_00)
    client.force_login(agent)
    # when
    response = _approve(client, claim, amount)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.approved_total_minor is None


def test_a_nul_byte_in_a_changelist_filter_is_refused_not_a_500(client, supervisor):
    # found by the bad-input walk: ?after=… filters payee events by their "after" field
    client.force_login(supervisor)
    url = reverse("admin:payouts_payeeevent_changelist")
    assert client.get(url, {"after": "a\x00b"}).status_code == 400
    assert client.get(url, {"after": "••••6777"}).status_code == 200
