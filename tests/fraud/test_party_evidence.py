"""Fraud screening looks at the customer's evidence only: what a seller (or its insurer)
attaches to its answer neither re-scores nor holds the customer's claim."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.actors import Actor
from claims.models import ClaimEvent, ClaimStatus, EvidenceKind
from claims.services import evidence_add
from fraud.models import Assessment, RuleHit
from tests.api.test_respond import _seller_key, _url
from tests.factories import claim_new
from tests.fraud.support import customer_photo, outbox_run, photo_bytes
from tests.sellers.helpers import awaiting

pytestmark = pytest.mark.django_db


def _another_claim_with_photo(seed: int):
    earlier = claim_new()
    evidence_add(
        claim=earlier,
        data=photo_bytes(seed=seed),
        filename="theirs.jpg",
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.customer(earlier.customer),
    )
    outbox_run()
    return earlier


def _scored(claim):
    claim.refresh_from_db()
    return claim.status, claim.risk_score, Assessment.objects.filter(claim=claim).count()


def test_a_sellers_dispute_photo_does_not_rescore_or_hold_the_claim(client):
    # given another claim with a photo, and a claim awaiting its seller's answer
    _another_claim_with_photo(seed=21)
    claim, _path = awaiting(amount_minor=96_000)
    outbox_run()
    before = _scored(claim)
    assert before[0] == ClaimStatus.AWAITING_SELLER
    # when the seller disputes through the API with the same photo and a receipt
    seller = _seller_key(client, claim.seller)
    photo = SimpleUploadedFile("photo.jpg", photo_bytes(seed=21), content_type="image/jpeg")
    response = client.post(
        _url(claim),
        {"decision": "dispute", "reasons": "Used outdoors.", "files": [photo]},
        headers={"Authorization": f"Bearer {seller.secret}", "Idempotency-Key": "dispute-1"},
    )
    assert response.status_code == 201, response.json()
    outbox_run()
    # then the claim is where the answer put it, its score untouched, nothing held
    status, score, assessments = _scored(claim)
    assert status == ClaimStatus.SELLER_RESPONDED
    assert (score, assessments) == before[1:]
    assert not RuleHit.objects.filter(claim=claim, rule__code="duplicate_photo").exists()
    assert not ClaimEvent.objects.filter(claim=claim, to_status=ClaimStatus.FRAUD_HOLD).exists()


def test_a_customer_upload_of_the_same_photo_still_fires_the_rule(client):
    # given the same two claims
    _another_claim_with_photo(seed=21)
    claim, _path = awaiting(amount_minor=96_000)
    outbox_run()
    # when the customer adds the same photo
    customer_photo(claim, photo_bytes(seed=21), filename="photo.jpg")
    outbox_run()
    # then it is re-scored on that evidence, the rule fires and the claim is held
    latest = Assessment.objects.filter(claim=claim).first()
    assert latest.trigger == Assessment.Trigger.EVIDENCE
    assert "duplicate_photo" in {h.rule.code for h in latest.hits.all()}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD


def test_a_sellers_photo_is_no_match_for_a_later_customer_photo(client):
    # given a seller's dispute photo on one claim
    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    photo = SimpleUploadedFile("photo.jpg", photo_bytes(seed=33), content_type="image/jpeg")
    response = client.post(
        _url(claim),
        {"decision": "dispute", "reasons": "Stock photo.", "files": [photo]},
        headers={"Authorization": f"Bearer {seller.secret}", "Idempotency-Key": "dispute-2"},
    )
    assert response.status_code == 201, response.json()
    outbox_run()
    # when a customer on another claim uploads the same picture
    other = claim_new()
    outbox_run()
    customer_photo(other, photo_bytes(seed=33), filename="mine.jpg")
    outbox_run()
    # then the seller's photo is not the customer's: no duplicate found
    assert not RuleHit.objects.filter(claim=other, rule__code="duplicate_photo").exists()


def test_a_photo_staff_add_from_the_workspace_does_not_rescore_or_hold_the_claim(client, agent):
    # given another claim with a photo, and a claim awaiting its seller
    from django.urls import reverse

    from fraud.models import EvidencePhoto

    _another_claim_with_photo(seed=44)
    claim, _path = awaiting(amount_minor=96_000)
    outbox_run()
    before = _scored(claim)
    # when an agent adds the same photo, received by e-mail, from the staff workspace
    client.force_login(agent)
    photo = SimpleUploadedFile("emailed.jpg", photo_bytes(seed=44), content_type="image/jpeg")
    response = client.post(
        reverse("backoffice:claim-evidence-add", args=[claim.pk]),
        {"files": [photo], "kind": EvidenceKind.DAMAGE_PHOTO},
    )
    assert response.status_code == 302
    outbox_run()
    # then it is staff's, not the customer's: no score, no rule, no hold, no fingerprint
    assert _scored(claim) == before
    assert not RuleHit.objects.filter(claim=claim, rule__code="duplicate_photo").exists()
    assert not ClaimEvent.objects.filter(claim=claim, to_status=ClaimStatus.FRAUD_HOLD).exists()
    assert not EvidencePhoto.objects.filter(claim=claim).exists()
