"""Sellers and insurers answer and record payments through the API, by the seller pages'
services; the payment provider reports returns through the bank-file import's service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from api.models import ClientKind
from api.services import api_client_create, api_key_issue
from claims.models import ClaimEvent, ClaimStatus, Evidence
from payouts.models import Payout
from sellers.models import PartyPaymentStatus, ResponseDecision, SellerResponse
from tests.api.conftest import Caller, problem_of
from tests.fraud.support import photo_bytes
from tests.payouts.test_money_policy import _approve_accepted, _payer_today
from tests.payouts.test_payouts import _paid_claim
from tests.sellers.helpers import OVER, awaiting

pytestmark = pytest.mark.django_db


def _seller_key(client, seller, name="seller"):
    api_client = api_client_create(
        name=name, kind=ClientKind.SELLER, contact_email="dev@s.test", seller=seller
    )
    return Caller(client, api_key_issue(client=api_client).secret, api_client)


def _url(claim, what="responses"):
    return f"/api/v1/claims/{claim.reference}/{what}/"


def test_seller_accepts_through_the_api_like_on_its_page(client):
    # given
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    # when
    response = seller.post(_url(claim), {"decision": "accept", "reasons": "Our heater."})
    # then
    assert response.status_code == 201, response.json()
    assert response.json()["claim_status"] == "with_seller"  # seller_responded, party-facing
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED
    answer = SellerResponse.objects.get(claim=claim)
    assert (answer.version, answer.decision, answer.party) == (1, "accept", "seller")
    event = ClaimEvent.objects.get(claim=claim, to_status=ClaimStatus.SELLER_RESPONDED)
    assert "API client seller" in event.actor_label


def test_dispute_with_files_becomes_evidence(client):
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    photo = SimpleUploadedFile("scorch.jpg", photo_bytes(), content_type="image/jpeg")
    response = client.post(
        _url(claim),
        {"decision": "dispute", "reasons": "Misuse.", "files": [photo]},
        headers={"Authorization": f"Bearer {seller.secret}", "Idempotency-Key": "d-1"},
    )
    assert response.status_code == 201, response.json()
    (evidence_id,) = response.json()["evidence_ids"]
    assert Evidence.objects.get(pk=evidence_id).uploaded_by_party == "seller"


def test_a_file_already_on_the_claim_is_refused_and_nothing_is_recorded(client):
    # given: a dispute with a photo, then a retry with a new idempotency key and the same photo
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    headers = {"Authorization": f"Bearer {seller.secret}"}
    for key in ("d-1", "d-2"):
        photo = SimpleUploadedFile("scorch.jpg", photo_bytes(), content_type="image/jpeg")
        response = client.post(
            _url(claim),
            {"decision": "dispute", "reasons": "Misuse.", "files": [photo]},
            headers={**headers, "Idempotency-Key": key},
        )
    # then: the second is refused naming the file; one answer, one file
    assert response.status_code == 400
    assert "scorch.jpg: This file is already on the claim" in problem_of(response)["detail"]
    assert SellerResponse.objects.filter(claim=claim).count() == 1
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_bad_answers_are_refused_and_change_nothing(client):
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    no_reason = seller.post(_url(claim), {"decision": "dispute", "reasons": " "})
    assert no_reason.status_code == 400
    assert "Say why" in problem_of(no_reason)["detail"]
    hostile = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    bad_file = client.post(
        _url(claim),
        {"decision": "dispute", "reasons": "r", "files": [hostile]},
        headers={"Authorization": f"Bearer {seller.secret}", "Idempotency-Key": "f-1"},
    )
    assert bad_file.status_code == 400
    assert "x.jpg" in problem_of(bad_file)["detail"]
    unknown = seller.post(_url(claim), {"decision": "shrug"})
    assert problem_of(unknown)["errors"][0]["field"] == "decision"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER
    assert not SellerResponse.objects.exists() and not Evidence.objects.filter(claim=claim).exists()


def test_answer_after_the_deadline_is_a_conflict(client):
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    type(claim).objects.filter(pk=claim.pk).update(seller_respond_by=timezone.now())
    response = seller.post(_url(claim), {"decision": "accept"})
    assert response.status_code == 409
    assert "locked" in problem_of(response)["detail"]


def test_hand_off_then_the_insurer_answers_with_its_own_key(client):
    # given: the seller hands the claim to its insurer through the API
    claim, _path = awaiting(amount_minor=OVER)
    seller = _seller_key(client, claim.seller)
    handed = seller.post(
        _url(claim),
        {"decision": "insurer", "insurer_name": "Mutual", "insurer_email": "claims@mutual.test"},
    )
    assert handed.status_code == 201
    insurer_client = api_client_create(
        name="Mutual",
        kind=ClientKind.INSURER,
        contact_email="it@mutual.test",
        insurer_email="claims@mutual.test",
    )
    insurer = Caller(client, api_key_issue(client=insurer_client).secret)
    # when: the insurer may not hand it on, but may accept
    again = insurer.post(_url(claim), {"decision": "insurer", "insurer_name": "X"})
    assert again.status_code == 400
    accepted = insurer.post(_url(claim), {"decision": "accept"})
    # then
    assert accepted.status_code == 201, accepted.json()
    assert SellerResponse.objects.filter(claim=claim, party="insurer").get().version == 2
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED


def test_another_sellers_key_cannot_answer(client, seller_b):
    claim, _path = awaiting()
    other = _seller_key(client, seller_b, name="other")
    response = other.post(_url(claim), {"decision": "accept"})
    assert response.status_code == 404
    assert not SellerResponse.objects.exists()


def test_seller_records_its_payment_through_the_party_payment_service(client, supervisor):
    # given: the seller accepted over the threshold and $900 was approved
    claim, _path = awaiting(amount_minor=OVER)
    seller = _seller_key(client, claim.seller)
    seller.post(_url(claim), {"decision": "accept", "reasons": "We pay."})
    claim.refresh_from_db()
    claim = _approve_accepted(claim, supervisor)
    # when: a wrong amount, then the right one (paid today where the seller is)
    today = str(_payer_today(claim))
    wrong = seller.post(
        _url(claim, "payment"), {"amount": "800.00", "paid_on": today, "reference": "TX-9"}
    )
    right = seller.post(
        _url(claim, "payment"), {"amount": "900.00", "paid_on": today, "reference": "TX-9"}
    )
    # then
    assert wrong.status_code == 400 and "paid in full" in problem_of(wrong)["detail"]
    assert right.status_code == 200, right.json()
    assert right.json()["status"] == PartyPaymentStatus.RECORDED
    assert claim.party_payment.payment_reference == "TX-9"


def test_payment_on_a_claim_without_one_is_a_conflict(client):
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    body = {"amount": "1.00", "paid_on": str(timezone.localdate()), "reference": "T"}
    assert seller.post(_url(claim, "payment"), body).status_code == 409


def test_provider_reports_a_return_like_the_bank_file(api_keys):
    # given: a paid payout
    claim, payout = _paid_claim()
    provider = api_keys["payment_provider"]
    url = f"/api/v1/payouts/{payout.idempotency_key}/status/"
    # when
    paid = provider.post(url, {"status": "paid"})
    returned = provider.post(url, {"status": "returned", "reason_code": "AC04", "reason": "Closed"})
    again = provider.post(url, {"status": "returned", "reason_code": "AC04"})
    # then
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert again.status_code == 200  # a second report changes nothing
    payout.refresh_from_db()
    claim.refresh_from_db()
    assert payout.status == "returned" and payout.failure_code == "AC04"
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert ClaimEvent.objects.filter(claim=claim, from_status="paid").count() == 1


def test_provider_reports_are_checked(api_keys):
    provider = api_keys["payment_provider"]
    assert provider.post("/api/v1/payouts/PO-nope/status/", {"status": "paid"}).status_code == 404
    claim, payout = _paid_claim()
    url = f"/api/v1/payouts/{payout.idempotency_key}/status/"
    no_code = provider.post(url, {"status": "returned"})
    assert problem_of(no_code)["errors"][0]["field"] == "reason_code"
    assert Payout.objects.get(pk=payout.pk).status == "paid"
    assert api_keys["seller_a"].post(url, {"status": "paid"}).status_code == 403


def test_decision_values_are_the_services_own():
    assert {c for c, _ in ResponseDecision.choices} == {"accept", "dispute", "insurer"}
