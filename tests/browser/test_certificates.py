"""Proof of insurance in Chromium: the seller's upload refused without its document (values
kept), and an agent verifying a certificate from the queue; axe finds nothing serious."""

import re

import pytest

from sellers.models import CertificateStatus
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import CertificateFactory, certificate_pdf
from tests.sellers.helpers import awaiting

pytestmark = pytest.mark.django_db(transaction=True)


def test_seller_upload_without_document_keeps_the_values(page, tmp_path):
    # given
    claim, path = awaiting()
    page.goto(path)
    # when: every value typed, no document
    page.get_by_label("Policy number").fill("GL-4711")
    page.locator("#cert_insurer_name").fill("Harbor Mutual")
    page.get_by_label("Occurrence-based").check()
    page.get_by_label("Per-occurrence limit").fill("1,000,000.00")
    page.get_by_label("Aggregate limit").fill("2,000,000.00")
    page.get_by_label("Deductible").fill("5,000.00")
    # required, with no preset (a rating the seller did not choose is not sent as theirs)
    page.get_by_label("Insurer rating (AM Best)").select_option("A")
    page.get_by_label("Notice of cancellation (days)").fill("30")
    page.get_by_label("Effective from").fill("2026-01-01")
    page.get_by_label("Expires on").fill("2027-01-01")
    page.get_by_role("button", name="Upload the certificate").click()
    # then: told what is missing, every value still there, nothing saved
    assert "Attach the certificate document" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Policy number").input_value() == "GL-4711"
    assert page.get_by_label("Per-occurrence limit").input_value() == "1,000,000.00"
    assert axe_violations(page) == []
    assert not claim.seller.certificates.exists()
    # when: the document is attached too
    document = tmp_path / "certificate.pdf"
    document.write_bytes(certificate_pdf())
    page.get_by_label("Certificate document").set_input_files(str(document))
    page.get_by_role("button", name="Upload the certificate").click()
    # then
    assert "check it against the document" in page.locator(".messages").inner_text()
    assert claim.seller.certificates.get().status == CertificateStatus.PENDING


def test_agent_verifies_a_certificate_from_the_queue(page, agent):
    # given
    certificate = CertificateFactory(policy_number="GL-5150")
    staff_login(page, "agent")
    page.goto("/staff/certificates/")
    assert "GL-5150" in page.inner_text("table")
    assert axe_violations(page) == []
    # when: they open it and mistype an amount
    page.click("text=Verify GL-5150")
    page.wait_for_url(re.compile(rf"/staff/certificates/{certificate.pk}/$"))
    assert axe_violations(page) == []
    page.get_by_label("Per-occurrence limit").fill("1.234")
    page.get_by_role("button", name="Verify the certificate").click()
    # the staff pages' one summary (nothing recorded), the problem beside its field
    summary = page.locator("#verify-errors").inner_text()
    assert "Nothing was recorded. Fix what is marked below:" in summary
    assert "at most 2 decimal places" in page.locator("#cert_per_occurrence_error").inner_text()
    assert axe_violations(page) == []
    # then correct it and verify
    page.get_by_label("Per-occurrence limit").fill("1000000.00")
    page.get_by_role("button", name="Verify the certificate").click()
    page.wait_for_url(re.compile(r"/staff/certificates/$"))
    assert "is verified and valid" in page.locator(".messages").inner_text()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
