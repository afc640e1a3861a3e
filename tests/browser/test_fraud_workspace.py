"""An analyst works the fraud queue in a real browser: next case, the claim view, a decision."""

import pytest

from claims.actors import Actor
from claims.models import Claim, ClaimStatus, EvidenceKind
from claims.services import evidence_add
from fraud.models import FraudReview
from fraud.scoring import fraud_attributes_record, fraud_score_claim
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import claim_in
from tests.fraud.support import outbox_run, photo_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _held_pair():
    """Two held claims sharing a device and a photo, scored."""
    claims = [claim_in(ClaimStatus.FRAUD_HOLD, amount_minor=97_000) for _ in range(2)]
    for claim in claims:
        fraud_attributes_record(claim=claim, device="dev-ring")
        evidence_add(
            claim=claim,
            data=photo_bytes(seed=4),
            filename="burn.jpg",
            kind=EvidenceKind.DAMAGE_PHOTO,
            actor=Actor.customer(claim.customer),
        )
    outbox_run(topic_prefix="fraud.evidence")
    for claim in claims:
        fraud_score_claim(claim=claim)
    return claims


def test_analyst_takes_the_next_case_sees_why_and_clears_it(page, analyst):
    first, second = _held_pair()
    staff_login(page, "analyst")
    page.goto("/staff/fraud/")
    assert page.get_by_role("link", name=first.reference).is_visible()
    assert axe_violations(page) == []
    # filter by rule, as a plain GET form
    page.select_option("#id_rule", "duplicate_photo")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert "rule=duplicate_photo" in page.url
    # next case: the oldest of the two equal scores, locked to the analyst
    page.get_by_role("button", name="Next case").click()
    page.wait_for_url(f"**/fraud/claims/{first.pk}/")
    assert page.get_by_text(f"Claim {first.reference} is yours.").is_visible()
    why = page.locator("section", has=page.get_by_role("heading", name="Why it scored"))
    assert "The same photo appears in 1 other claim:" in why.inner_text()
    linked = page.locator("section", has=page.get_by_role("heading", name="Linked claims"))
    assert second.reference in linked.inner_text() and "Device: dev-ring" in linked.inner_text()
    assert axe_violations(page) == []
    # decide: clear as a false positive with a note
    page.get_by_label("Clear: release the hold").check()
    page.select_option("#id_label", "false_positive")
    page.fill("#id_note", "Siblings sharing a phone; the photo is the same fire.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Claim {first.reference} cleared.").is_visible()
    first.refresh_from_db()
    # cleared, and released from the analyst back to the claims team's queues
    assert first.status == ClaimStatus.AWAITING_SELLER and first.assignee is None
    assert FraudReview.objects.get(claim=first, decision="cleared").label == "false_positive"


def test_claim_view_is_usable_on_a_phone(phone_page, analyst):
    first, _second = _held_pair()
    staff_login(phone_page, "analyst")
    phone_page.goto(f"/fraud/claims/{first.pk}/")
    assert phone_page.get_by_role("heading", name="Decide").is_visible()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
    assert axe_violations(phone_page) == []
    assert Claim.objects.get(pk=first.pk).status == ClaimStatus.FRAUD_HOLD


def test_adjuster_reports_from_a_phone_through_the_link(
    phone_page, analyst, mailoutbox, django_capture_on_commit_callbacks, tmp_path
):
    from fraud.referrals import fraud_refer

    first, _second = _held_pair()
    with django_capture_on_commit_callbacks(execute=True):
        fraud_refer(
            claim=first,
            actor=Actor.staff(analyst),
            adjuster_email="x@adj.test",
            label="valuable_alert",
            note="Burn pattern",
        )
    path = "/fraud/adjuster/" + mailoutbox[-1].body.split("/fraud/adjuster/")[1].split()[0]
    phone_page.goto(path)
    assert phone_page.get_by_role("heading", name=f"Independent review of claim {first.reference}")
    assert axe_violations(phone_page) == []
    report = tmp_path / "report.jpg"
    report.write_bytes(photo_bytes(seed=30))
    phone_page.set_input_files("#id_report", str(report))
    phone_page.get_by_label("Confirm fraud").check()
    phone_page.fill("#id_summary", "Burn marks do not match the heater's grille.")
    phone_page.get_by_role("button", name="Send the report").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_text("your report has been received").first.is_visible()
    assert axe_violations(phone_page) == []
    overflow = phone_page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False


def test_a_bad_fraud_filter_is_said_beside_its_field_on_a_phone(page, analyst):
    # given: an analyst on the fraud queue, 360 px wide (a desktop window: a mobile context
    # zooms out and would hide an overflow)
    page.set_viewport_size({"width": 360, "height": 740})
    staff_login(page, "analyst")
    page.goto("/staff/fraud/")
    # when: a fraction of a day typed, the filter applied
    page.fill("#id_older_than_days", "1.5")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    # then: the problem beside the field, which the field names; the page still fits
    assert page.inner_text("#id_older_than_days_error") == "Enter a whole number."
    described = page.get_attribute("#id_older_than_days", "aria-describedby").split()
    assert "id_older_than_days_error" in described
    for element_id in described:
        assert page.locator(f"#{element_id}").count() == 1, element_id
    assert page.input_value("#id_older_than_days") == "1.5"
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert overflow is False
    assert axe_violations(page) == []
