"""Issue 19 in Chromium: a supervisor signs in with a password and an authenticator code; a
wrong code is refused with a message and nothing else is lost; the lockout page is the site's.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import axe_violations
from tests.site.test_second_factor import totp_now

pytestmark = pytest.mark.django_db(transaction=True)


def _fill(page, username: str, code: str) -> None:
    page.goto("/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.fill("#id_otp_token", code)
    page.click("form.staff-login button[type=submit]")


def test_supervisor_signs_in_with_an_authenticator_code(page, supervisor):
    # given
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    # when: without a code
    _fill(page, "supervisor", "")
    # then: refused, told what to do, the user name kept
    assert "Enter the code from your authenticator app" in page.locator(".errors").inner_text()
    assert page.input_value("#id_username") == "supervisor"
    assert axe_violations(page) == []
    # when: with the current code
    _fill(page, "supervisor", totp_now(device))
    # then: signed in, on the staff pages
    page.wait_for_url("**/staff/")
    page.goto("/staff/dashboard/")
    assert page.locator("h1").inner_text() == "Supervisor dashboard"


def test_lockout_page_in_the_browser(page, agent, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        page.goto("/staff/login/")
        page.fill("#id_username", "agent")
        page.fill("#id_password", "wrong")
        page.click("form.staff-login button[type=submit]")
    assert page.locator("h1").inner_text() == "Sign-in paused"
    assert "What to do" in page.content()
    assert axe_violations(page) == []
