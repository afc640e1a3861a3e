import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_is_accessible_on_a_phone(phone_page):
    phone_page.goto("/")
    assert phone_page.locator("h1").is_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    overflow = phone_page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
    assert axe_violations(phone_page) == []


def test_language_switch_is_a_plain_form(page):
    page.goto("/")
    page.select_option("#language-select", "es")
    page.click(".language button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"


def test_time_zone_cookie_is_set_by_the_browser(page):
    page.goto("/")
    page.wait_for_function("document.cookie.includes('tz=')")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["tz"] == "America/Chicago"
