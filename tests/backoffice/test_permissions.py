"""Every staff page and action against every role: agent, analyst, supervisor, a staff account
without a role (outsider), a customer and a seller (no staff login) and anonymous visitors."""

import pytest
from django.urls import reverse

from backoffice.models import AlertStatus, AlertTrigger, SafetyAlert
from claims.models import AccessLink, Claim, ClaimEvent, ClaimStatus
from fraud.models import Referral
from payouts.models import (
    ApprovalRequest,
    PayeeChange,
    PayeeChangeStatus,
    QASample,
    QAVerdict,
    RequestStatus,
)
from sellers.models import Recovery, RecoveryStatus
from tests.backoffice import areas
from tests.factories import claim_in

pytestmark = pytest.mark.django_db

ROLES = ["agent", "analyst", "supervisor", "outsider", "customer", "seller", "anonymous"]
STAFF = {"agent", "analyst", "supervisor", "outsider"}

# page -> roles that get 200 (other staff get 403; non-staff are sent to sign in)
PAGES = {
    "queue": {"agent", "analyst", "supervisor"},
    "queue-export": {"agent", "analyst", "supervisor"},
    "claim": {"agent", "analyst", "supervisor"},
    "claim-move": {"agent", "analyst", "supervisor"},
    "dashboard": {"supervisor"},
    "safety": {"agent", "analyst", "supervisor"},
}


@pytest.fixture
def claim(db):
    return claim_in(ClaimStatus.UNDER_REVIEW)


@pytest.fixture
def alert(claim):
    from django.utils import timezone

    return SafetyAlert.objects.create(
        product=claim.order_line.product,
        trigger=AlertTrigger.CLUSTER,
        injury_claims=3,
        report_due=timezone.now(),
    )


def _url(name, claim, alert):
    if name in ("claim", "claim-note", "claim-message", "claim-assign", "claim-tag"):
        return reverse(f"backoffice:{name}", args=[claim.pk])
    if name == "claim-move":
        return reverse("backoffice:claim-move", args=[claim.pk, "needs_info"])
    if name == "safety-alert":
        return reverse("backoffice:safety-alert", args=[alert.pk])
    return reverse(f"backoffice:{name}")


def _login(client, everyone, role):
    if everyone[role] is not None:
        client.force_login(everyone[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_permission_matrix(client, everyone, claim, alert, role, page):
    # given
    _login(client, everyone, role)
    # when
    response = client.get(_url(page, claim, alert))
    # then
    if role in PAGES[page]:
        assert response.status_code == 200
    elif role in STAFF:
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]


# action -> (roles whose POST takes effect, the POST data)
ACTIONS = {
    "claim-note": ({"agent", "analyst", "supervisor"}, {"text": "Called the customer."}),
    "claim-message": (
        {"agent", "analyst", "supervisor"},
        {"to": "customer", "text": "Please send the receipt."},
    ),
    "claim-assign": ({"supervisor"}, {"assignee": "agent", "reason": "Workload"}),
    "claim-tag": ({"agent", "analyst", "supervisor"}, {"name": "recall-watch"}),
    "claim-move": (
        {"agent", "analyst", "supervisor"},
        {"expected_status": "under_review", "reason": "Please send the receipt."},
    ),
    "take-next": ({"agent", "analyst", "supervisor"}, {}),
    "queue-bulk": ({"agent", "analyst", "supervisor"}, {"action": "tag", "tag": "bulk-tag"}),
    "safety-alert": ({"agent", "supervisor"}, {"status": "investigating"}),
}


def _effect(action, claim, alert) -> bool:
    claim.refresh_from_db()
    alert.refresh_from_db()
    return {
        "claim-note": ClaimEvent.objects.filter(claim=claim, kind="note").exists(),
        "claim-message": ClaimEvent.objects.filter(claim=claim, kind="message").exists(),
        "claim-assign": claim.assignee_id is not None,
        "claim-tag": claim.tag_links.exists(),
        "claim-move": claim.status == ClaimStatus.NEEDS_INFO,
        "take-next": Claim.objects.filter(assignee__isnull=False).exists(),
        "queue-bulk": claim.tag_links.exists(),
        "safety-alert": alert.status == AlertStatus.INVESTIGATING,
    }[action]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_permission_matrix(client, everyone, claim, alert, role, action):
    # given
    allowed, data = ACTIONS[action]
    if action == "queue-bulk":
        data = {**data, "claims": [claim.pk]}
    _login(client, everyone, role)
    # when
    response = client.post(_url(action, claim, alert), data)
    # then
    if role in allowed:
        assert response.status_code == 302
        assert _effect(action, claim, alert)
    else:
        assert response.status_code in (302, 403)
        if role not in STAFF:
            assert reverse("backoffice:login") in response["Location"]
        assert not _effect(action, claim, alert)


POST_ONLY = [
    "claim-note",
    "claim-message",
    "claim-assign",
    "claim-tag",
    "take-next",
    "queue-bulk",
    "safety-alert",
]


@pytest.mark.parametrize("action", POST_ONLY)
def test_post_only_endpoints_refuse_get(client, supervisor, claim, alert, action):
    client.force_login(supervisor)
    assert client.get(_url(action, claim, alert)).status_code == 405


def test_read_pages_refuse_post(client, supervisor, claim, alert):
    client.force_login(supervisor)
    for page in ("queue", "queue-export", "claim", "dashboard", "safety"):
        assert client.post(_url(page, claim, alert)).status_code == 405


def test_analyst_sees_no_approve_or_deny_and_cannot_post_one(client, analyst, claim):
    # given: deciding needs claims.decide_claim, which analysts do not have
    client.force_login(analyst)
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert reverse("backoffice:claim-move", args=[claim.pk, "approved"]) not in page
    assert reverse("backoffice:claim-move", args=[claim.pk, "needs_info"]) in page
    # when
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "denied"]),
        {"expected_status": "under_review", "reason_code": "other", "reason": "No."},
    )
    # then
    claim.refresh_from_db()
    assert response.status_code == 302
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_agent_cannot_act_on_a_claim_another_agent_holds(client, agent, supervisor, claim):
    # given: object-level rule, the claim is held by the supervisor
    Claim.objects.filter(pk=claim.pk).update(assignee=supervisor)
    client.force_login(agent)
    # when
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "needs_info"]),
        {"expected_status": "under_review", "reason": "mine now"},
        follow=True,
    )
    # then
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert "held by supervisor" in response.content.decode()


def test_supervisor_may_act_on_a_claim_an_agent_holds(client, agent, supervisor, claim):
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    client.force_login(supervisor)
    client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "needs_info"]),
        {"expected_status": "under_review", "reason": "covering"},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO


def test_fraud_hold_is_released_only_through_the_fraud_review_never_a_generic_move(client, cast):
    # Releasing a hold records the analyst's review (fraud.services.fraud_clear): the staff
    # pages offer no status move out of it, to anyone, and a forged one changes nothing.
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    url = reverse("backoffice:claim-move", args=[claim.pk, "under_review"])
    for role in ("agent", "analyst", "supervisor"):
        client.force_login(cast[role])
        page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
        assert url not in page, role
        client.post(url, {"expected_status": "fraud_hold", "reason": "looks fine"})
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.FRAUD_HOLD


# --- issue 13: the areas (Decisions, Money, Sellers, Fraud) and the actions named after work ---


# page -> (what it is about, roles that get 200; other staff get 403, others sign in)
AREA_PAGES = {
    "decisions": (None, {"agent", "supervisor"}),
    "decision-approval": ("approval", {"agent", "supervisor"}),
    "qa-sample": ("sample", {"supervisor"}),
    "money": (None, {"agent", "supervisor"}),
    "money-reconciliation": (None, {"supervisor"}),
    "payout": ("payout", {"agent", "supervisor"}),
    "payee-change-request": ("customer", {"agent", "supervisor"}),
    "payee-change": ("change", {"supervisor"}),
    "sellers": (None, {"agent", "supervisor"}),
    "recovery": ("recovery", {"agent", "supervisor"}),
    "claim-seller-link": ("seller_claim", {"agent", "analyst", "supervisor"}),
    "fraud-queue": (None, {"analyst", "supervisor"}),
}


def _area_object(kind, everyone):
    supervisor = everyone["supervisor"]
    return {
        None: lambda: None,
        "approval": lambda: areas.approval_waiting().pk,
        "sample": lambda: areas.qa_sample().pk,
        "payout": lambda: areas.failed_payout().pk,
        "customer": lambda: areas.failed_payout().claim.customer_id,
        "change": lambda: areas.payee_change_waiting(by=everyone["agent"]).pk,
        "recovery": lambda: areas.appealed_recovery(supervisor).pk,
        "seller_claim": lambda: areas.disputed_claim().pk,
        "disputed": lambda: areas.disputed_claim().pk,
        "review": lambda: claim_in(ClaimStatus.UNDER_REVIEW).pk,
        "held": lambda: claim_in(ClaimStatus.FRAUD_HOLD).pk,
    }[kind]()


def _area_url(name, pk, to=None):
    if to is not None:
        return reverse("backoffice:claim-move", args=[pk, to])
    return reverse(f"backoffice:{name}", args=[pk] if pk is not None else [])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(AREA_PAGES))
def test_area_page_permission_matrix(client, everyone, role, page):
    # given
    kind, allowed = AREA_PAGES[page]
    url = _area_url(page, _area_object(kind, everyone))
    _login(client, everyone, role)
    # when
    response = client.get(url)
    # then
    if role in allowed:
        assert response.status_code == 200
    elif role in STAFF:
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]


def _payout_status(pk):
    from payouts.models import Payout

    return Payout.objects.get(pk=pk).status


# action -> (object, claim-move target or None, roles the action is open to (others: 403 or
# refused with a message), roles for whom it takes effect, POST data, did it take effect?)
AREA_ACTIONS = {
    "decision-approval": (
        "approval",
        None,
        {"agent", "supervisor"},
        # an agent's authority ($1,000) does not cover $4,500: refused by the service
        {"supervisor"},
        {"decision": "approve", "note": ""},
        lambda pk: ApprovalRequest.objects.get(pk=pk).status == RequestStatus.APPROVED,
    ),
    "qa-sample": (
        "sample",
        None,
        {"supervisor"},
        {"supervisor"},
        {"verdict": "correct"},
        lambda pk: QASample.objects.get(pk=pk).verdict == QAVerdict.CORRECT,
    ),
    "payout-resend": (
        "payout",
        None,
        {"supervisor"},
        {"supervisor"},
        {"reason": "Payee corrected."},
        lambda pk: _payout_status(pk) == "pending",
    ),
    "payout-cancel": (
        "payout",
        None,
        {"supervisor"},
        {"supervisor"},
        {"reason": "The customer asked to be paid by their insurer."},
        lambda pk: _payout_status(pk) == "cancelled",
    ),
    "payee-change-request": (
        "customer",
        None,
        {"agent", "supervisor"},
        {"agent", "supervisor"},
        areas.NEW_DETAILS,
        lambda pk: PayeeChange.objects.filter(customer_id=pk).exists(),
    ),
    "payee-change": (
        "change",
        None,
        {"supervisor"},
        {"supervisor"},
        {"decision": "approve", "note": "Called the customer back."},
        lambda pk: PayeeChange.objects.get(pk=pk).status == PayeeChangeStatus.APPROVED,
    ),
    "recovery": (
        "recovery",
        None,
        {"supervisor"},
        {"supervisor"},
        {"outcome": "uphold", "note": "The manual does not forbid it."},
        lambda pk: Recovery.objects.get(pk=pk).status == RecoveryStatus.WAIVED,
    ),
    "claim-seller-link": (
        "seller_claim",
        None,
        {"agent", "analyst", "supervisor"},
        {"agent", "analyst", "supervisor"},
        {"how": "show"},
        lambda pk: AccessLink.objects.filter(claim_id=pk, created_by__isnull=False).exists(),
    ),
    "overrule": (
        "disputed",
        "escalated",
        {"agent", "analyst", "supervisor"},
        {"agent", "supervisor"},  # overruling decides money: not an analyst's
        {"expected_status": "seller_responded", "reason": "The photos show the defect."},
        lambda pk: Claim.objects.get(pk=pk).status == ClaimStatus.ESCALATED,
    ),
    "fraud-hold": (
        "review",
        "fraud_hold",
        {"agent", "analyst", "supervisor"},
        {"agent", "analyst", "supervisor"},
        {"expected_status": "under_review", "reason": "The receipt looks edited."},
        lambda pk: Claim.objects.get(pk=pk).status == ClaimStatus.FRAUD_HOLD,
    ),
    "refer": (
        "held",
        "refer",
        {"agent", "analyst", "supervisor"},
        {"analyst", "supervisor"},
        {
            "expected_status": "fraud_hold",
            "adjuster_email": "expert@adjusters.test",
            "label": "valuable_alert",
            "due_days": "10",
            "reason": "The photos need an expert's eye.",
        },
        lambda pk: Referral.objects.filter(claim_id=pk).exists(),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(AREA_ACTIONS))
def test_area_action_permission_matrix(client, everyone, role, action):
    # given
    kind, to, open_to, effective, data, took_effect = AREA_ACTIONS[action]
    pk = _area_object(kind, everyone)
    url = _area_url(action, pk, to)
    _login(client, everyone, role)
    # when
    response = client.post(url, data)
    # then
    assert took_effect(pk) is (role in effective), response.status_code
    if role not in STAFF:
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]
    elif role not in open_to:
        assert response.status_code == 403
    elif role not in effective:
        assert response.status_code in (302, 400)  # refused with the reason, nothing changed


AREA_POST_ONLY = ["payout-resend", "payout-cancel", "payout-return"]


@pytest.mark.parametrize("action", AREA_POST_ONLY)
def test_area_post_only_endpoints_refuse_get(client, supervisor, action):
    client.force_login(supervisor)
    assert client.get(reverse(f"backoffice:{action}", args=[1])).status_code == 405


def test_area_read_pages_refuse_post(client, supervisor):
    client.force_login(supervisor)
    for page in ("decisions", "money", "money-reconciliation", "sellers", "fraud-queue"):
        assert client.post(reverse(f"backoffice:{page}")).status_code == 405, page
