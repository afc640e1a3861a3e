"""Issue 19: every write a seller or insurer can repeat is rate-limited per link and per IP,
and each party's files count against its own cap (a seller cannot fill the customer's)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.actors import Actor
from claims.exceptions import EvidenceRejected
from claims.links import link_issue
from claims.models import Evidence, LinkPurpose
from claims.services import evidence_add
from sellers.models import InsuranceCertificate, SellerResponse
from tests.portal.conftest import png_bytes, sign_in
from tests.sellers.helpers import LINK, awaiting
from tests.sellers.test_pages import CERTIFICATE

pytestmark = pytest.mark.django_db


def _with_document(data: dict) -> dict:
    """A certificate needs its document (a fresh upload for each post)."""
    from tests.factories import certificate_pdf

    return {**data, "document": SimpleUploadedFile("c.pdf", certificate_pdf(), "application/pdf")}


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_certificate_uploads_are_limited_per_link_and_keep_what_was_typed(client, settings):
    # given: issue 19 stored 65 certificates in 4 seconds through one seller link
    settings.LINK_WRITES_PER_LINK_PER_HOUR = 3
    claim, path = awaiting()
    url = reverse("sellers:insurance", args=[claim.reference, LINK.search(path).group("token")])
    for _ in range(3):
        assert client.post(url, _with_document(CERTIFICATE)).status_code == 302
    # when
    response = client.post(url, _with_document({**CERTIFICATE, "policy_number": "GL-FOURTH"}))
    # then
    assert response.status_code == 429
    body = response.content.decode()
    assert "Please wait a while" in body and 'value="GL-FOURTH"' in body
    assert InsuranceCertificate.objects.count() == 3


def test_seller_answers_are_limited_per_link(client, settings):
    settings.LINK_WRITES_PER_LINK_PER_HOUR = 2
    claim, path = awaiting()
    for n in range(2):
        assert client.post(path, {"decision": "dispute", "reasons": f"No {n}"}).status_code == 302
    # when
    response = client.post(path, {"decision": "dispute", "reasons": "Third time"})
    # then
    assert response.status_code == 429
    assert "Please wait a while" in response.content.decode()
    assert "Third time" in response.content.decode()
    assert SellerResponse.objects.count() == 2


def test_link_writes_are_limited_per_ip_across_links(client, settings):
    # given: one address using two sellers' links
    settings.LINK_WRITES_PER_IP_PER_HOUR = 2
    first, first_path = awaiting()
    second, second_path = awaiting()
    assert client.post(first_path, {"decision": "dispute", "reasons": "a"}).status_code == 302
    assert client.post(second_path, {"decision": "dispute", "reasons": "b"}).status_code == 302
    # when
    response = client.post(second_path, {"decision": "accept", "reasons": "c"})
    # then: refused; another address may still answer
    assert response.status_code == 429
    other = client.post(
        first_path, {"decision": "accept", "reasons": "d"}, REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 302


def test_insurer_answers_are_limited_per_link(client, settings):
    settings.LINK_WRITES_PER_LINK_PER_HOUR = 1
    claim, _path = awaiting()
    _link, token = link_issue(
        purpose=LinkPurpose.INSURER_RESPONSE,
        email="claims@insurer.test",
        expires_in=dt.timedelta(days=10),
        claim=claim,
        seller=claim.seller,
    )
    url = reverse("sellers:insurer-respond", args=[claim.reference, token])
    assert client.post(url, {"decision": "dispute", "reasons": "x"}).status_code == 302
    response = client.post(url, {"decision": "dispute", "reasons": "y"})
    assert response.status_code == 429
    assert SellerResponse.objects.count() == 1


def test_each_party_has_its_own_file_cap(client, monkeypatch):
    # given: issue 19 let a seller's files fill the claim's cap and stop the customer
    monkeypatch.setattr("claims.uploads.MAX_FILES_PER_CLAIM", 2)
    claim, path = awaiting()
    for n in range(2):
        client.post(
            path,
            {
                "decision": "dispute",
                "reasons": f"Files {n}",
                "files": [SimpleUploadedFile(f"s{n}.png", png_bytes(size=(32, 25 + n)))],
            },
        )
    assert Evidence.objects.filter(claim=claim, uploaded_by_party="seller").count() == 2
    # when: the seller tries a third, and the customer adds theirs
    with pytest.raises(EvidenceRejected):
        evidence_add(
            claim=claim,
            data=png_bytes(size=(32, 30)),
            filename="s3.png",
            kind="other",
            actor=Actor.seller(claim.seller),
        )
    sign_in(client, claim.customer)
    response = client.post(
        reverse("portal:claim-evidence", args=[claim.reference]),
        {"kind": "receipt", "files": [SimpleUploadedFile("c.png", png_bytes())]},
    )
    # then
    assert response.status_code == 302
    assert Evidence.objects.filter(claim=claim, uploaded_by_party="customer").count() == 1
