"""The seller's certificate upload (sellers:insurance on their link page): a certificate needs
its document, and what the seller sends awaits staff verification."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sellers.models import CertificateStatus
from sellers.services.certificates import certificate_valid_for
from tests.factories import certificate_form_data, certificate_pdf
from tests.sellers.helpers import LINK, awaiting

pytestmark = pytest.mark.django_db

TYPED = certificate_form_data(policy_number="GL-4711", expiry_date="2027-01-01")


def _upload_url():
    claim, path = awaiting()
    token = LINK.search(path).group("token")
    return claim, path, reverse("sellers:insurance", args=[claim.reference, token])


def test_typed_values_without_a_document_are_refused_and_kept(client):
    # given: the case from issue 11, typed values that pass every check, and no document
    claim, _path, url = _upload_url()
    # when
    response = client.post(url, TYPED)
    # then: not saved, told why next to the field and in the summary, nothing typed is lost
    assert response.status_code == 400
    body = response.content.decode()
    assert "Attach the certificate document" in body
    assert 'class="error-summary"' in body and 'href="#cert_document"' in body
    assert 'value="GL-4711"' in body and 'value="1,000,000.00"' in body
    assert 'value="Harbor Mutual"' in body and 'value="2026-01-01"' in body
    assert not claim.seller.certificates.exists()
    assert certificate_valid_for(seller=claim.seller, today=claim.submitted_at.date()) is None


def test_a_document_the_checks_refuse_is_named_and_the_values_kept(client):
    claim, _path, url = _upload_url()
    bad = SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00 an executable", "application/pdf")
    response = client.post(url, {**TYPED, "document": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "not accepted" in body and 'value="GL-4711"' in body
    assert not claim.seller.certificates.exists()


def test_a_certificate_with_its_document_awaits_verification(client):
    # given
    claim, path, url = _upload_url()
    document = SimpleUploadedFile("scan.pdf", certificate_pdf(), "application/pdf")
    # when
    response = client.post(url, {**TYPED, "document": document})
    # then: stored with the document, awaiting verification, not proof of insurance yet
    assert response.status_code == 302 and response["Location"] == path
    certificate = claim.seller.certificates.get()
    assert certificate.status == CertificateStatus.PENDING
    assert certificate.document and certificate.document_content_type == "application/pdf"
    assert certificate.cancellation_notice_days == 30 and certificate.deductible_minor == 500_000
    assert certificate_valid_for(seller=claim.seller, today=certificate.effective_date) is None
    page = client.get(path).content.decode()
    assert "check it against the document" in page
    assert "One certificate you sent is awaiting verification" in page


def test_missing_cancellation_notice_is_asked_for(client):
    claim, _path, url = _upload_url()
    document = SimpleUploadedFile("scan.pdf", certificate_pdf(), "application/pdf")
    typed = {k: v for k, v in TYPED.items() if k != "cancellation_notice_days"}
    response = client.post(url, {**typed, "document": document})
    assert response.status_code == 400
    assert "Notice of cancellation (days)" in response.content.decode()
    assert not claim.seller.certificates.exists()


def test_limits_written_with_the_dollar_sign_are_read(client):
    # given: a seller copies the limits as the certificate prints them (found by QA: "$1,000,000.00"
    # was refused as "not an amount", although the page asks for dollars)
    claim, path, url = _upload_url()
    document = SimpleUploadedFile("scan.pdf", certificate_pdf(), "application/pdf")
    typed = {**TYPED, "per_occurrence": "$1,000,000.00", "aggregate": "USD 2,000,000"}
    # when
    response = client.post(url, {**typed, "document": document})
    # then
    assert response.status_code == 302 and response["Location"] == path
    certificate = claim.seller.certificates.get()
    assert certificate.per_occurrence_minor == 100_000_000
    assert certificate.aggregate_minor == 200_000_000


def _field_error(body: str, field: str) -> str:
    import re

    match = re.search(rf'<p class="field-error" id="cert_{field}_error">([^<]*)</p>', body)
    return match.group(1) if match else ""


def test_an_expired_certificate_limits_the_wrong_way_round_and_a_gif_are_all_refused_at_once(
    client,
):
    # given: found by a tester: an expired certificate (2024 to 2025), a per-occurrence limit
    # above the aggregate limit that caps it, and a GIF for a document
    claim, _path, url = _upload_url()
    gif = SimpleUploadedFile("certificate.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif")
    typed = {
        **TYPED,
        "effective_date": "2024-01-01",
        "expiry_date": "2025-01-01",
        "per_occurrence": "2,000,000.00",
        "aggregate": "1,000,000.00",
    }
    # when
    response = client.post(url, {**typed, "document": gif})
    # then: refused, every problem beside its field in one go, nothing saved, values kept
    assert response.status_code == 400
    body = response.content.decode()
    assert "expired" in _field_error(body, "expiry_date")
    assert "aggregate" in _field_error(body, "per_occurrence")
    assert "certificate.gif" in _field_error(body, "document")
    assert 'value="2,000,000.00"' in body and 'value="2025-01-01"' in body
    assert not claim.seller.certificates.exists()


def test_the_service_refuses_an_expired_certificate_whoever_sends_it():
    # given: the same values through the service (as the integration API sends them)
    import datetime as dt

    from sellers.exceptions import ResponseRejected
    from sellers.services.certificates import CertificateInput, certificate_submit
    from tests.factories import SellerFactory

    seller = SellerFactory()
    data = CertificateInput(
        insurer_name="Harbor Mutual",
        policy_number="GL-1",
        occurrence_based=True,
        currency=seller.region.currency,
        per_occurrence_minor=200_000_000,
        aggregate_minor=100_000_000,
        deductible_minor=0,
        insurer_rating="A",
        marketplace_additional_insured=True,
        cancellation_notice_days=30,
        effective_date=dt.date(2024, 1, 1),
        expiry_date=dt.date(2025, 1, 1),
    )
    # when / then
    with pytest.raises(ResponseRejected, match="expired"):
        certificate_submit(seller=seller, data=data, document=certificate_pdf())
    assert not seller.certificates.exists()
