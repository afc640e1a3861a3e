"""What a seller's or insurer's key reads as a claim's status: the party-facing status (the
customer's grouping), never fraud screening; and why an answer is refused, in the words of the
seller's link page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.actors import Actor
from claims.lifecycle import PARTY_STATUS, PartyStatus
from claims.models import ClaimStatus, Evidence
from fraud.services import fraud_clear, fraud_hold
from sellers.models import SellerResponse
from tests.api.conftest import problem_of
from tests.api.test_respond import _seller_key, _url
from tests.factories import OrderLineFactory
from tests.fraud.support import photo_bytes
from tests.sellers.helpers import awaiting
from webhooks.models import ApiEvent

pytestmark = pytest.mark.django_db


def _held():
    """The demo's case: a claim awaiting the seller's answer, then held for fraud review."""
    claim, path = awaiting()
    fraud_hold(claim=claim, actor=Actor.system("fraud scoring"), note="Risk score 70.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD
    return claim, path


def test_it_refuses_an_answer_on_a_held_claim_with_the_true_reason(client):
    # given a held claim whose deadline is still a week ahead
    claim, path = _held()
    seller = _seller_key(client, claim.seller)
    # when the seller answers through the API
    response = seller.post(_url(claim), {"decision": "accept"})
    # then refused: not for a deadline that has not passed, but because it is not theirs now
    assert response.status_code == 409
    detail = problem_of(response)["detail"]
    assert "deadline" not in detail
    assert "not awaiting your answer" in detail
    assert "fraud" not in detail.lower()
    assert not SellerResponse.objects.filter(claim=claim).exists()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD
    # and the seller's link page gives the same reason (one rule, one message)
    page = client.get(path)
    assert page.status_code == 200
    assert detail in page.content.decode()
    # and it shows the claim as being checked, never as a fraud hold
    assert "Being checked" in page.content.decode()
    assert "Fraud hold" not in page.content.decode()


def test_the_deadline_refusal_still_names_the_deadline(client):
    from django.utils import timezone

    claim, path = awaiting()
    seller = _seller_key(client, claim.seller)
    type(claim).objects.filter(pk=claim.pk).update(seller_respond_by=timezone.now())
    response = seller.post(_url(claim), {"decision": "accept"})
    assert response.status_code == 409
    detail = problem_of(response)["detail"]
    assert "deadline" in detail and "locked" in detail
    assert detail in client.get(path).content.decode()


def test_a_sellers_key_never_reads_fraud_screening_in_a_status(client):
    # given a held claim
    claim, _path = _held()
    seller = _seller_key(client, claim.seller)
    # when the seller lists and opens its claims
    listed = seller.get("/api/v1/claims/")
    detail = seller.get(f"/api/v1/claims/{claim.reference}/")
    # then it reads what the customer reads: being checked
    assert listed.status_code == 200 and detail.status_code == 200
    (row,) = listed.json()["results"]
    assert row["status"] == detail.json()["status"] == PartyStatus.BEING_CHECKED
    assert "fraud" not in listed.content.decode() + detail.content.decode()


def test_the_status_filter_takes_the_party_facing_values(client):
    held, _path = _held()
    waiting, _path2 = awaiting(order_line=OrderLineFactory(product__seller=held.seller))
    seller = _seller_key(client, held.seller)

    def refs(**query):
        response = seller.get("/api/v1/claims/", query)
        assert response.status_code == 200, response.json()
        return [r["reference"] for r in response.json()["results"]]

    assert refs(status="with_seller") == [waiting.reference]
    assert refs(status="being_checked") == [held.reference]
    # the internal name is no filter value: a clear refusal
    refused = seller.get("/api/v1/claims/", {"status": "fraud_hold"})
    assert refused.status_code == 400
    assert problem_of(refused)["errors"][0]["field"] == "status"


def test_the_schema_lists_the_party_facing_statuses_as_an_enum(client):
    body = client.get("/api/v1/schema/", {"format": "json"}).json()
    schemas = body["components"]["schemas"]
    for name in ("ClaimOut", "ClaimDetailOut", "ClaimMoveData", "ResponseOut"):
        (field,) = [
            v for k, v in schemas[name]["properties"].items() if k in ("status", "claim_status")
        ]
        (ref,) = [part["$ref"] for part in field.get("allOf", [field])]
        enum = schemas[ref.rsplit("/", 1)[1]]["enum"]
        assert set(enum) == set(PartyStatus.values), name
    assert "fraud_hold" not in enum
    (parameter,) = [
        p for p in body["paths"]["/api/v1/claims/"]["get"]["parameters"] if p["name"] == "status"
    ]
    assert set(parameter["schema"]["items"]["enum"]) == set(PartyStatus.values)


def test_every_internal_status_has_a_party_status_and_a_hold_reads_as_checking():
    assert set(PARTY_STATUS) == set(ClaimStatus.values)
    assert PARTY_STATUS[ClaimStatus.FRAUD_HOLD] == PARTY_STATUS[ClaimStatus.SCREENING]


def test_webhooks_to_the_seller_never_name_fraud_screening(client, analyst):
    # given a seller's client, and its claim held and then cleared by an analyst
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    fraud_hold(claim=claim, actor=Actor.system("fraud scoring"), note="Risk score 70.")
    fraud_clear(
        claim=claim, actor=Actor.staff(analyst), label="false_positive", note="Checked: fine."
    )
    # then the claim.awaiting_seller event it hears says where the claim is, in its words
    events = list(ApiEvent.objects.filter(client=seller.api_client, type="claim.awaiting_seller"))
    assert events
    for event in events:
        assert "fraud_hold" not in str(event.data)
        assert event.data["status"] == PartyStatus.WITH_SELLER
        assert event.data["from_status"] in PartyStatus.values
    read = seller.get("/api/v1/events/", {"after": "evt_0"})
    assert "fraud_hold" not in read.content.decode()


def test_the_answer_reports_the_party_facing_status(client):
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    photo = SimpleUploadedFile("a.jpg", photo_bytes(), content_type="image/jpeg")
    response = client.post(
        _url(claim),
        {"decision": "dispute", "reasons": "Misuse.", "files": [photo]},
        headers={"Authorization": f"Bearer {seller.secret}", "Idempotency-Key": "p-1"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["claim_status"] == PartyStatus.WITH_SELLER
    assert Evidence.objects.filter(claim=claim, uploaded_by_party="seller").count() == 1


def test_events_stored_before_are_rewritten_once_to_party_statuses(api_keys):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("webhooks.migrations.0003_event_payloads_party_status")
    seller = api_keys["seller_a"].api_client
    moved = ApiEvent.objects.create(
        client=seller,
        type="claim.awaiting_seller",
        data={"claim": "PL-1", "status": "awaiting_seller", "from_status": "fraud_hold"},
    )
    recovery = ApiEvent.objects.create(
        client=seller, type="recovery.opened", data={"claim": "PL-1", "status": "open"}
    )
    # when the migration runs, twice
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    # then the claim's statuses are the party-facing ones; other families are left alone
    moved.refresh_from_db()
    recovery.refresh_from_db()
    assert (moved.data["status"], moved.data["from_status"]) == ("with_seller", "being_checked")
    assert recovery.data["status"] == "open"
    assert set(migration.PARTY_STATUS.items()) == {(k, v.value) for k, v in PARTY_STATUS.items()}
