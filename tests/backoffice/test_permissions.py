"""Every staff page and action against every role: agent, analyst, supervisor, a staff account
without a role (outsider), a customer and a seller (no staff login) and anonymous visitors."""

import pytest
from django.urls import reverse

from backoffice.models import AlertStatus, AlertTrigger, SafetyAlert
from claims.models import Claim, ClaimEvent, ClaimStatus
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
