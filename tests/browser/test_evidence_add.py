"""Staff in Chromium: an agent puts a police report received by e-mail on a claim from its
workspace, after a refusal that names the problem beside its field, and sees the file in the
evidence list and on the timeline; axe finds nothing serious or critical on the pages."""

import re

import pytest

from claims.models import ClaimStatus, Evidence, EvidenceKind, Party
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import certificate_pdf, claim_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_adds_a_pdf_and_sees_it_in_the_evidence_list_and_timeline(page, agent, tmp_path):
    # given: a claim under review and a police report the agent received by e-mail
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    report = tmp_path / "police-report.pdf"
    report.write_bytes(certificate_pdf("Police report 42"))
    staff_login(page, "agent")
    page.goto(f"/staff/claims/{claim.pk}/")
    # when: they open Add evidence…
    page.get_by_role("link", name="Add evidence…").click()
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/evidence/add/$"))
    assert "the customer sees a file only once staff share it" in page.inner_text("#sharing")
    assert axe_violations(page) == []
    # and send the form with the kind chosen but no file
    page.get_by_label("What are they?").select_option(EvidenceKind.REPORT)
    page.get_by_role("button", name="Add evidence").click()
    # then: refused beside the field, which names the problem to a screen reader; kind kept
    assert "Choose at least one file." in page.inner_text("#id_files_error")
    described = page.locator("#id_files").get_attribute("aria-describedby") or ""
    assert "id_files_error" in described.split()
    assert page.get_by_label("What are they?").input_value() == EvidenceKind.REPORT
    assert not Evidence.objects.filter(claim=claim).exists()
    assert axe_violations(page) == []
    # when: with the PDF
    page.set_input_files("#id_files", str(report))
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    # then: back on the workspace, told it is internal, the file listed and on the timeline
    assert "1 file added to claim" in page.inner_text(".messages")
    evidence_list = page.inner_text("ul.evidence")
    assert "Open police-report.pdf (PDF)" in evidence_list
    assert "Report · Staff" in evidence_list
    assert page.get_by_role("button", name="Share police-report.pdf with the customer").is_visible()
    timeline = page.locator(".timeline li.event.evidence").last.inner_text()
    assert "police-report.pdf" in timeline and "agent" in timeline
    evidence = Evidence.objects.get(claim=claim)
    assert (evidence.uploaded_by_party, evidence.kind) == (Party.STAFF, EvidenceKind.REPORT)
    assert axe_violations(page) == []
