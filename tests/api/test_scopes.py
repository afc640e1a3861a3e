"""Scope matrix: every kind of key against every endpoint and object."""

import pytest

from claims.models import AccessLink, ClaimStatus, LinkPurpose
from sellers.models import ResponseDecision
from sellers.services.responses import seller_notify, seller_response_submit
from tests.api.conftest import problem_of
from tests.api.test_ingest import line
from tests.factories import OrderLineFactory, claim_in

pytestmark = pytest.mark.django_db

KINDS = ["order_system", "seller_a", "seller_b", "insurer", "payment_provider"]

INGEST = {
    "/api/v1/customers/": {"customer_id": "C-1", "name": "Ann", "email": "ann@example.test"},
    "/api/v1/customers/batch/": {
        "rows": [{"customer_id": "C-1", "name": "Ann", "email": "ann@example.test"}]
    },
    "/api/v1/sellers/": {"seller_id": "S-9", "name": "N", "email": "n@s.test", "region": "US"},
    "/api/v1/sellers/batch/": {
        "rows": [{"seller_id": "S-9", "name": "N", "email": "n@s.test", "region": "US"}]
    },
    "/api/v1/seller-gross/batch/": {
        "rows": [{"seller_id": "S-A", "month": "2026-01", "currency": "USD", "gross_proceeds": "1"}]
    },
    "/api/v1/products/": {"product_id": "P-9", "title": "T", "seller_id": "S-A"},
    "/api/v1/products/batch/": {"rows": [{"product_id": "P-9", "title": "T", "seller_id": "S-A"}]},
    "/api/v1/orders/": None,  # filled in below: needs a customer
    "/api/v1/orders/batch/": None,
    "/api/v1/order-lines/": line(),
    "/api/v1/order-lines/batch/": {"rows": [line()]},
}


def _notified(seller):
    claim = claim_in(
        ClaimStatus.AWAITING_SELLER, order_line=OrderLineFactory(product__seller=seller)
    )
    assert seller_notify(claim_id=claim.pk, event_id=0)
    return claim


@pytest.fixture
def claims(seller_a, seller_b):
    """A's notified claim, A's claim handed to the insurer, B's claim, A's unnotified claim."""
    a = _notified(seller_a)
    handed = _notified(seller_a)
    link = AccessLink.objects.get(claim=handed, purpose=LinkPurpose.SELLER_RESPONSE)
    seller_response_submit(
        link=link,
        decision=ResponseDecision.INSURER,
        insurer_name="Mutual",
        insurer_email="Claims@Insurer.test",
    )
    b = _notified(seller_b)
    screening = claim_in(
        ClaimStatus.SCREENING, order_line=OrderLineFactory(product__seller=seller_a)
    )
    return {"a": a, "handed": handed, "b": b, "screening": screening}


# Which claims each key may read (by the fixture's names).
VISIBLE = {
    "order_system": set(),
    "seller_a": {"a", "handed"},
    "seller_b": {"b"},
    "insurer": {"handed"},
    "payment_provider": set(),
}
CAN_READ_CLAIMS = {"seller_a", "seller_b", "insurer"}


@pytest.mark.parametrize("kind", KINDS)
def test_claim_list_shows_only_own_claims(api_keys, claims, kind):
    response = api_keys[kind].get("/api/v1/claims/")
    if kind not in CAN_READ_CLAIMS:
        assert response.status_code == 403
        assert "claims:read" in problem_of(response)["detail"]
        return
    assert response.status_code == 200
    references = {row["reference"] for row in response.json()["results"]}
    assert references == {claims[name].reference for name in VISIBLE[kind]}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["a", "handed", "b", "screening"])
def test_claim_detail_matrix(api_keys, claims, kind, name):
    response = api_keys[kind].get(f"/api/v1/claims/{claims[name].reference}/")
    if kind not in CAN_READ_CLAIMS:
        assert response.status_code == 403
    elif name in VISIBLE[kind]:
        assert response.status_code == 200
        assert response.json()["reference"] == claims[name].reference
    else:
        # Another seller's claim (or one not yet sent to the seller): as if it did not exist.
        assert response.status_code == 404
        problem_of(response)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", list(INGEST))
def test_ingest_matrix(api_keys, seller_a, kind, path):
    body = INGEST[path]
    if path.startswith("/api/v1/orders/"):
        api_keys["order_system"].post("/api/v1/customers/", INGEST["/api/v1/customers/"])
        order = {
            "order_number": "O-1",
            "placed_at": "2026-09-01T10:00:00Z",
            "region": "US",
            "currency": "USD",
            "customer_id": "C-1",
        }
        body = {"rows": [order]} if path.endswith("batch/") else order
    response = api_keys[kind].post(path, body)
    if kind == "order_system":
        assert response.status_code == 200, response.json()
    else:
        assert response.status_code == 403
        assert "marketplace:write" in problem_of(response)["detail"]


def test_claim_detail_has_deadline_and_evidence_names(api_keys, claims):
    body = api_keys["seller_a"].get(f"/api/v1/claims/{claims['a'].reference}/").json()
    claims["a"].refresh_from_db()
    assert body["respond_by"] is not None
    assert body["status"] == "with_seller"  # awaiting_seller, as the customer reads it
    assert body["losses"][0]["claimed_minor"] == claims["a"].claimed_total_minor
    assert body["evidence"] == []


def test_claim_list_filters_by_status_and_paginates(api_keys, claims):
    seller = api_keys["seller_a"]
    page = seller.get("/api/v1/claims/", {"page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]
    rest = seller.get(page["next"]).json()
    assert len(rest["results"]) == 1 and rest["results"][0] != page["results"][0]
    assert seller.get("/api/v1/claims/", {"status": "paid"}).json()["results"] == []
    bad = seller.get("/api/v1/claims/", {"status": "nonsense"})
    assert bad.status_code == 400
    assert problem_of(bad)["errors"][0]["field"] == "status"
    bad_cursor = seller.get("/api/v1/claims/", {"cursor": "zzz"})
    assert bad_cursor.status_code == 404
    problem_of(bad_cursor)


def test_unknown_endpoint_is_a_problem_document(api_keys):
    response = api_keys["seller_a"].get("/api/v1/nothing-here/")
    assert response.status_code == 404
    problem_of(response)


def test_get_on_a_post_endpoint_is_405(api_keys):
    response = api_keys["order_system"].get("/api/v1/customers/")
    assert response.status_code == 405
    problem_of(response)


# Who may write to a claim: its seller and the insurer it was handed to; others get 403
# (no scope) or 404 (not theirs).
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["a", "handed", "b", "screening"])
def test_claim_answer_matrix(api_keys, claims, kind, name):
    response = api_keys[kind].post(
        f"/api/v1/claims/{claims[name].reference}/responses/",
        {"decision": "dispute", "reasons": "Not ours."},
    )
    if kind not in CAN_READ_CLAIMS:
        assert response.status_code == 403
        assert "claims:respond" in problem_of(response)["detail"]
    elif name in VISIBLE[kind]:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_payment_and_payout_reports_matrix(api_keys, claims, kind):
    payment = api_keys[kind].post(
        f"/api/v1/claims/{claims['a'].reference}/payment/",
        {"amount": "1.00", "paid_on": "2026-01-01", "reference": "T"},
    )
    report = api_keys[kind].post("/api/v1/payouts/PO-none/status/", {"status": "paid"})
    expected_payment = {"seller_a": 409, "seller_b": 404, "insurer": 404}.get(kind, 403)
    assert payment.status_code == expected_payment
    assert report.status_code == (404 if kind == "payment_provider" else 403)


# Who hears of reminders, recoveries and product safety (events and webhooks): a reminder and a
# recovery only the claim's seller; a safety alert and a listing to suspend the order system
# and the product's seller.
NEW_EVENTS = {
    "order_system": {"safety.alert_raised", "product.suspend_listings"},
    "seller_a": {
        "claim.seller_reminder_due",
        "recovery.opened",
        "safety.alert_raised",
        "product.suspend_listings",
    },
    "seller_b": set(),
    "insurer": set(),
    "payment_provider": set(),
}


@pytest.mark.parametrize("kind", KINDS)
def test_event_audience_matrix(api_keys, seller_a_news, kind):
    # when: each client reads its events
    response = api_keys[kind].get("/api/v1/events/")
    # then: it sees exactly the new events meant for it
    assert response.status_code == 200
    types = {e["type"] for e in response.json()["data"]} & set().union(*NEW_EVENTS.values())
    assert types == NEW_EVENTS[kind]
    if kind == "seller_a":
        assert all(
            e["data"].get("claim", seller_a_news.reference) == seller_a_news.reference
            for e in response.json()["data"]
        )


# Certificates of insurance: a seller's key uploads and lists its own; every other kind, 403.
@pytest.mark.parametrize("kind", KINDS)
def test_certificate_matrix(api_keys, client, kind):
    from tests.api.test_certificates import upload

    response = upload(client, api_keys[kind].secret, key=f"cert-{kind}")
    listed = api_keys[kind].get("/api/v1/certificates/")
    if kind in ("seller_a", "seller_b"):
        assert response.status_code == 201
        assert [c["id"] for c in listed.json()] == [response.json()["id"]]
    else:
        assert response.status_code == 403 and listed.status_code == 403
        problem_of(response)
