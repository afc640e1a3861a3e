"""The API clients page in Chromium: a refused client's errors sit beside their fields, in the
error colour, every label above its field, and axe finds nothing serious or critical."""

import pytest

from tests.browser.conftest import axe_violations, staff_login

pytestmark = pytest.mark.django_db(transaction=True)


def test_refused_client_shows_its_errors_beside_the_fields(page, supervisor):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.site.test_second_factor import totp_now

    # given
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(device))
    page.goto("/staff/api-clients/")
    # when: an insurer's client without its address, with a bad contact e-mail
    page.fill("#id_name", "Typed name")
    page.select_option("#id_kind", "insurer")
    page.fill("#id_contact_email", "nope")
    page.click("text=Add the client")
    # then
    error = page.locator("#id_contact_email_error")
    assert error.is_visible()
    assert error.evaluate("e => getComputedStyle(e).color") == "rgb(180, 35, 24)"
    assert page.get_attribute("#id_contact_email", "aria-invalid") == "true"
    assert page.get_attribute("#id_insurer_email", "aria-invalid") == "true"
    for name in ("name", "kind", "contact_email", "seller", "insurer_email", "time_zone"):
        label = page.locator(f"label[for=id_{name}]").bounding_box()
        field = page.locator(f"#id_{name}").bounding_box()
        assert label["y"] + label["height"] <= field["y"], name
    assert page.input_value("#id_name") == "Typed name"
    assert axe_violations(page) == []
