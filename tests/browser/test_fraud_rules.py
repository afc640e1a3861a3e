"""An analyst changes a fraud rule's numbers in a real browser: what they type reaches the
server as typed, so a slip ("3O" for 30) is refused beside its field with the text kept,
never saved as the digits the browser happened to keep."""

import pytest

from fraud.models import Rule
from fraud.scoring import rules_ensure
from tests.browser.conftest import axe_violations, staff_login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_letter_typed_in_a_number_is_refused_and_kept(page, analyst):
    rules_ensure()
    staff_login(page, "analyst")
    page.goto("/staff/fraud/rules/velocity_customer/")
    # when: a capital O for a zero in the window, and a weight with a letter in it
    page.get_by_label("Window (days)").fill("")
    page.get_by_label("Window (days)").press_sequentially("3O")
    page.get_by_label("Weight (points)").fill("")
    page.get_by_label("Weight (points)").press_sequentially("2x")
    page.get_by_label("Why this change").fill("Fewer alerts")
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_load_state()
    # then: both refused beside their fields, what was typed still there, nothing saved
    assert page.get_by_label("Window (days)").input_value() == "3O"
    assert page.get_by_label("Weight (points)").input_value() == "2x"
    assert page.get_by_text("Enter a whole number.").count() == 2
    rule = Rule.objects.get(code="velocity_customer")
    assert (rule.version, rule.params.get("window_days", 60)) == (1, 60)
    assert axe_violations(page) == []
    # and the numbers, typed right, are saved
    page.get_by_label("Window (days)").fill("30")
    page.get_by_label("Weight (points)").fill("25")
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_load_state()
    rule.refresh_from_db()
    assert (rule.version, rule.weight, rule.params["window_days"]) == (2, 25, 30)
