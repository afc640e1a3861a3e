"""A safety officer in Chromium: opens a new alert from its e-mail, or from its in-app
notification, completes the CPSC report draft and marks it filed before the clock runs out;
axe finds nothing serious or critical on any safety page, and the pages fit a 360 px phone."""

import re

import pytest
from django.core import mail

from safety.models import AlertStatus, SafetyAlert
from safety.services import safety_alerts_raise
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import ProductFactory
from tests.safety.helpers import deliver_safety_outbox, incident, safety_officer

pytestmark = pytest.mark.django_db(transaction=True)


def _new_alert() -> SafetyAlert:
    product = ProductFactory(title="Space heater 1500W", gtin="012345678905")
    claim = incident(
        "US",
        product=product,
        hazard="fire_smoke",
        medical_care="hospital_admission",
        child_hurt="under_5",
        kept_for_inspection=True,
    )
    safety_alerts_raise()
    deliver_safety_outbox()
    return SafetyAlert.objects.get(claims=claim)


def test_officer_opens_the_alert_from_its_email_completes_the_cpsc_draft_and_files(page):
    # given: a new alert; the safety team was e-mailed a link to it
    safety_officer("officer")
    alert = _new_alert()
    link = re.search(r"https?://\S+(/staff/safety/\d+/)", mail.outbox[0].body).group(1)
    staff_login(page, "officer")
    page.goto("/staff/safety/")
    assert "1 new alert not opened yet." in page.inner_text("#new-alerts")
    assert axe_violations(page) == []
    # when: the officer follows the e-mail's link
    page.goto(link)
    assert "Consumer Product Safety Act section 15(b)" in page.inner_text("main")
    assert axe_violations(page) == []
    page.click("text=Complete the report draft")
    page.wait_for_url(re.compile(rf"/staff/safety/{alert.pk}/report/$"))
    assert page.input_value("#id_product_name") == "Space heater 1500W"
    assert "Still to complete before filing" in page.inner_text("main")
    assert axe_violations(page) == []
    page.fill("#id_reporter_name", "Sam Safety, product-safety officer")
    page.fill("#id_reporter_contact", "+1 202 555 0199, safety@claimdesk.example")
    page.fill("#id_manufacturer", "Example Co., 1 Main St, Springfield")
    page.fill("#id_product_model", "HT-1500 (from the product's label)")
    page.fill("#id_defect", "The power cord overheats and the heater catches fire.")
    page.fill("#id_corrective_action", "Listing suspended; recall requested from the seller.")
    page.click("text=Save the draft")
    assert "Report draft saved." in page.inner_text(".messages")
    assert "Still to complete before filing" not in page.inner_text("main")
    # and marks it filed (the time it went out defaults to now, in the officer's time zone)
    page.fill("#id_reference", "CPSC-IR-2026-0001")
    page.click("button:has-text('Mark filed')")
    page.wait_for_url(re.compile(rf"/staff/safety/{alert.pk}/$"))
    assert "Filed with U.S. Consumer Product Safety Commission" in page.inner_text(".messages")
    # then: filed in time, by the officer, with every step in the history
    alert.refresh_from_db()
    assert alert.status == AlertStatus.FILED
    assert alert.filed_reference == "CPSC-IR-2026-0001"
    assert alert.filed_by.username == "officer"
    assert alert.filed_at <= alert.report_due
    assert list(alert.events.values_list("kind", flat=True)) == [
        "raised",
        "opened",
        "draft",
        "filed",
    ]


def test_officer_opens_the_new_alert_from_its_notification_and_files_before_the_deadline(page):
    # given: a new alert; the safety team was notified in the app
    safety_officer("officer")
    alert = _new_alert()
    staff_login(page, "officer")
    page.goto("/staff/safety/")
    # then: the header counts it
    assert page.text_content(".staff-notifications .count") == "1 unread"
    assert axe_violations(page) == []
    # when: the officer opens the notifications and follows the new alert
    page.click(".staff-notifications")
    page.wait_for_url(re.compile(r"/staff/notifications/$"))
    notification = page.locator(".notification.safety_raised a")
    assert "A safety alert was raised on Space heater 1500W" in notification.inner_text()
    assert axe_violations(page) == []
    notification.click()
    page.wait_for_url(re.compile(rf"/staff/safety/{alert.pk}/$"))
    assert "Consumer Product Safety Act section 15(b)" in page.inner_text("main")
    # then: opening the alert read the notification
    assert page.locator(".staff-notifications .count").count() == 0
    assert axe_violations(page) == []
    # when: completes the CPSC draft
    page.click("text=Complete the report draft")
    page.wait_for_url(re.compile(rf"/staff/safety/{alert.pk}/report/$"))
    assert axe_violations(page) == []
    page.fill("#id_reporter_name", "Sam Safety, product-safety officer")
    page.fill("#id_reporter_contact", "+1 202 555 0199, safety@claimdesk.example")
    page.fill("#id_manufacturer", "Example Co., 1 Main St, Springfield")
    page.fill("#id_product_model", "HT-1500 (from the product's label)")
    page.fill("#id_defect", "The power cord overheats and the heater catches fire.")
    page.fill("#id_corrective_action", "Listing suspended; recall requested from the seller.")
    page.click("text=Save the draft")
    assert "Report draft saved." in page.inner_text(".messages")
    assert "Still to complete before filing" not in page.inner_text("main")
    assert axe_violations(page) == []
    # and marks it filed with the regulator's reference
    page.fill("#id_reference", "CPSC-IR-2026-0002")
    page.click("button:has-text('Mark filed')")
    page.wait_for_url(re.compile(rf"/staff/safety/{alert.pk}/$"))
    assert "Filed with U.S. Consumer Product Safety Commission" in page.inner_text(".messages")
    assert axe_violations(page) == []
    # then: the alert page shows it filed, with its reference, and not overdue
    main = page.inner_text("main")
    assert "Reference CPSC-IR-2026-0002, sent " in main and " by officer" in main
    assert "overdue" not in main
    alert.refresh_from_db()
    assert alert.status == AlertStatus.FILED
    assert alert.filed_reference == "CPSC-IR-2026-0002"
    assert alert.filed_at <= alert.report_due
    page.goto("/staff/notifications/")
    assert page.locator(".notifications.read .notification.safety_raised").count() == 1
    assert axe_violations(page) == []


def test_every_safety_page_passes_axe_and_fits_a_phone(phone_page):
    safety_officer("officer")
    alert = _new_alert()
    claim = alert.claims.get()
    staff_login(phone_page, "officer")
    for url in (
        "/staff/safety/",
        f"/staff/safety/{alert.pk}/",
        f"/staff/safety/{alert.pk}/report/",
        f"/staff/safety/facts/{claim.pk}/",
        "/staff/safety/recalls/",
        "/staff/safety/listings/",
    ):
        phone_page.set_viewport_size({"width": 360, "height": 740})
        phone_page.goto(url)
        assert axe_violations(phone_page) == [], url
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth + 1"
        )
        assert not overflow, url
