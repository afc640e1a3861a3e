"""A seller uploads a certificate of insurance through the API: the seller page's service, the
one upload policy, the staff verification queue, Idempotency-Key, problem details."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sellers.models import CertificateStatus, InsuranceCertificate
from tests.api.conftest import problem_of
from tests.factories import certificate_pdf

pytestmark = pytest.mark.django_db

URL = "/api/v1/certificates/"
PDF = certificate_pdf()  # one scan: a retry sends the same bytes

FIELDS = {
    "insurer_name": "Harbor Mutual",
    "policy_number": "GL-API-1",
    "occurrence_based": "true",
    "per_occurrence": "1,000,000.00",
    "aggregate": "2,000,000.00",
    "deductible": "5,000.00",
    "insurer_rating": "A",
    "marketplace_additional_insured": "true",
    "cancellation_notice_days": "30",
    "effective_date": "2026-01-01",
    "expiry_date": "2030-12-31",
}


def upload(client, secret, *, key="cert-1", document=None, **overrides):
    """A multipart POST, as a seller's tool would send it."""
    body = {**FIELDS, **overrides}
    if document is not False:
        body["document"] = document or SimpleUploadedFile(
            "certificate.pdf", PDF, content_type="application/pdf"
        )
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": key}
    return client.post(URL, body, headers=headers)


def test_seller_uploads_a_certificate_that_awaits_verification(api_keys, client, supervisor):
    # when
    response = upload(client, api_keys["seller_a"].secret)
    # then: stored as the seller's, pending, the amounts in minor units, the document kept
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["policy_number"] == "GL-API-1"
    assert (body["per_occurrence_minor"], body["deductible_minor"]) == (100_000_000, 500_000)
    certificate = InsuranceCertificate.objects.get()
    assert certificate.seller == api_keys["seller_a"].api_client.seller
    assert certificate.status == CertificateStatus.PENDING
    assert certificate.document and certificate.document_content_type == "application/pdf"
    # and it is in the staff verification queue
    client.force_login(supervisor)
    queue = client.get(reverse("backoffice:certificates"))
    assert "GL-API-1" in queue.content.decode()


def test_a_replay_returns_the_first_answer_and_saves_once(api_keys, client):
    secret = api_keys["seller_a"].secret
    first = upload(client, secret, key="same")
    again = upload(client, secret, key="same")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert InsuranceCertificate.objects.count() == 1
    other = upload(client, secret, key="same", policy_number="GL-OTHER")
    assert other.status_code == 422
    problem_of(other)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"document": False}, "document", "No file"),
        ({"per_occurrence": "a lot"}, "per_occurrence", ""),
        ({"expiry_date": "2025-06-01"}, "expiry_date", "after the effective date"),
        ({"insurer_rating": "AAA"}, "insurer_rating", ""),
    ],
)
def test_refused_values_are_problems_and_save_nothing(api_keys, client, overrides, field, words):
    document = overrides.pop("document", None)
    response = upload(client, api_keys["seller_a"].secret, document=document, **overrides)
    assert response.status_code == 400
    problem = problem_of(response)
    assert field in {e["field"] for e in problem["errors"]}
    assert words in str(problem)
    assert not InsuranceCertificate.objects.exists()


def test_a_document_the_upload_policy_refuses_is_a_problem(api_keys, client):
    fake = SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = upload(client, api_keys["seller_a"].secret, document=fake)
    assert response.status_code == 400
    assert "certificate.pdf" in problem_of(response)["detail"]
    assert not InsuranceCertificate.objects.exists()


def test_sellers_list_only_their_own_certificates(api_keys, client):
    upload(client, api_keys["seller_a"].secret, key="a")
    upload(client, api_keys["seller_b"].secret, key="b", policy_number="GL-B")
    mine = api_keys["seller_a"].get(URL)
    assert mine.status_code == 200
    assert [c["policy_number"] for c in mine.json()] == ["GL-API-1"]
