"""Staff in Chromium: an agent takes the next claim, asks for information, approves; a
supervisor reads the dashboard; axe finds nothing serious or critical on these pages."""

import re

import pytest

from claims.actors import Actor
from claims.models import Claim, ClaimStatus
from claims.services import claim_resume_after_info
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import claim_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_takes_next_requests_information_and_approves(page, agent):
    # given
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=42_000)
    staff_login(page, "agent")
    page.goto("/staff/")
    assert claim.reference in page.inner_text("table.queue")
    assert axe_violations(page) == []
    # when: take the next claim
    page.click("text=Take next claim")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    assert "Held by agent" in page.inner_text(".holder")
    assert axe_violations(page) == []
    # and ask the customer for information, after reading what it will do
    page.click("text=Ask the customer for information…")
    assert "The customer is told by e-mail." in page.inner_text(".confirm")
    assert axe_violations(page) == []
    page.fill("textarea[name=reason]", "Please upload the receipt.")
    page.click("text=Confirm: Ask the customer for information")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    assert "is now Needs information" in page.inner_text(".messages")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO
    # the customer answers (their own pages do this)
    claim_resume_after_info(claim=claim, actor=Actor.customer(claim.customer))
    # then approve
    page.reload()
    page.click("text=Approve an amount…")
    assert "Marketplace concession" in page.inner_text(".confirm")
    assert page.input_value(f"input[name=loss_{claim.losses.get().pk}]") == "420.00"
    page.click("text=Confirm: Approve an amount")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_total_minor == 42_000
    assert Claim.objects.get(pk=claim.pk).assignee == agent


def _queue_filters_open(page, username: str) -> None:
    """The queue, signed in, its filters open; ``window.sameDocument`` tells whether a later
    answer was swapped in place (htmx) rather than loaded as a new page."""
    staff_login(page, username)
    page.goto("/staff/")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.sameDocument = true")
    page.click("summary")


def test_queue_filters_update_the_results_in_place(page, agent):
    claim_in(ClaimStatus.UNDER_REVIEW)
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    _queue_filters_open(page, "agent")
    page.select_option("#id_status", "fraud_hold")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"status=fraud_hold"))
    page.wait_for_function("document.querySelectorAll('table.queue tbody tr').length === 1")
    rows = page.locator("table.queue tbody tr")
    assert held.reference in rows.first.inner_text()
    # htmx swapped the results in place: the page itself was not reloaded
    assert page.evaluate("window.sameDocument") is True


def test_a_fraction_of_an_hour_in_due_within_is_said_beside_the_field_in_place(page, agent):
    # given: the queue's filters open
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    _queue_filters_open(page, "agent")
    # when: a fraction of an hour, applied (htmx swaps the results in place)
    page.fill("#id_due_within", "1.5")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"due_within=1.5"))
    # then: said above the results and beside the field, what was typed kept, no rows
    page.wait_for_selector("#id_due_within_error")
    assert page.inner_text("#id_due_within_error") == "Enter a whole number."
    assert "Due within (hours): Enter a whole number." in page.inner_text("#results")
    assert page.input_value("#id_due_within") == "1.5"
    assert claim.reference not in page.inner_text("table.queue")
    assert axe_violations(page) == []
    # when: corrected
    page.fill("#id_due_within", "48")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"due_within=48"))
    # then: the problem is gone from beside the field too; still the same document
    page.wait_for_selector("#id_due_within_error", state="detached")
    assert page.get_attribute("#id_due_within", "aria-invalid") is None
    assert page.evaluate("window.sameDocument") is True


def test_supervisor_reads_the_dashboard(page, supervisor):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.site.test_second_factor import totp_now

    claim_in(ClaimStatus.UNDER_REVIEW)
    claim_in(ClaimStatus.FRAUD_HOLD)
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(device))
    page.goto("/staff/dashboard/")
    assert page.locator("h1").inner_text() == "Supervisor dashboard"
    assert page.locator("figure.chart").count() == 3
    assert page.locator("section[aria-labelledby=h-status] table").is_visible()
    assert axe_violations(page) == []


def test_queue_and_safety_on_a_phone(phone_page, agent):
    claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(phone_page, "agent")
    for url in ("/staff/", "/staff/safety/"):
        phone_page.goto(url)
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth + 1"
        )
        assert overflow is False, url
        assert axe_violations(phone_page) == [], url


def test_agent_typing_a_tag_too_long_is_refused_not_cut(page, agent):
    # given
    from backoffice.models import ClaimTag

    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(page, "agent")
    page.goto(f"/staff/claims/{claim.pk}/")
    # when: 300 characters typed into "Add tag" (a maxlength would keep only the first 40)
    page.fill("input[name=name]", "x" * 300)
    page.click("button:has-text('Add tag')")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    # then
    assert "A tag needs a name of at most 40 characters." in page.inner_text(".messages")
    assert not ClaimTag.objects.exists()


def test_agent_changes_language_from_the_staff_header_by_keyboard_on_a_small_phone(
    phone_page, agent
):
    # given: an agent on a claim's workspace on a 360 px wide phone
    page = phone_page
    page.set_viewport_size({"width": 360, "height": 740})
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(page, "agent")
    here = f"/staff/claims/{claim.pk}/"
    page.goto(here)
    # then: the header's language menu fits the screen, and axe finds nothing on the header
    menu = page.locator("header.staff-header form.language")
    box = menu.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    # when: by keyboard only: Tab to the menu, type the language's first letter, Tab, Enter
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "language-select":
            break
    assert page.evaluate("document.activeElement.id") == "language-select"
    page.keyboard.type("D")  # Deutsch
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # then: the same page, in German
    page.wait_for_selector("html[lang=de]")
    assert page.url.endswith(here)
    assert "Abmelden" in page.inner_text("header.staff-header")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_staff_pages_fit_a_small_phone_in_every_language(page, supervisor, language):
    # German and French words are longer: the header's search button ("Rechercher") and the
    # queue's heading ("Warteschlange der Schadensmeldungen") must still fit 360 px. (A desktop
    # window made narrow: a mobile context zooms out to fit what overflows, and hides it.)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.site.test_second_factor import totp_now

    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(device))
    page.set_viewport_size({"width": 360, "height": 740})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    pages = ("/staff/", f"/staff/claims/{claim.pk}/", "/staff/decisions/", "/staff/money/")
    # the fraud queue's rule filter lists rules by name ("Wiederholte Schadensmeldungen auf ein
    # Auszahlungskonto"), and the watchlist has a column with no heading
    for url in (*pages, "/staff/fraud/", "/staff/fraud/watchlist/"):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.checkVisibility())  // not what a closed <details> hides
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' +
                                 (e.innerText || '').slice(0, 30))"""
        )
        assert wide == [], (url, wide)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
