"""The rule edit page (/staff/fraud/rules/<code>/): one labelled field per parameter, every
problem beside its field with what was typed kept, a version history named the same way.

Issue 13: the page asked for the parameters as JSON and showed each version's as JSON."""

import re

import pytest
from django.urls import reverse

from fraud.models import AttributeKind, Rule, RuleVersion
from fraud.rules import REGISTRY
from fraud.scoring import rules_ensure

pytestmark = pytest.mark.django_db


def url(code: str) -> str:
    return reverse("backoffice:fraud-rule-edit", args=[code])


def posted(**params) -> dict:
    data = {"version": 1, "weight": 20, "enabled": "on", "reason": "Fewer alerts"}
    data.update({f"param_{key}": value for key, value in params.items()})
    return data


def field_group(html: str, name: str) -> str:
    """The HTML from a field's label to its input: where its errors must be."""
    start = html.index(f'for="id_{name}"')
    return html[start : html.index(f'name="{name}"', start)]


@pytest.fixture
def signed_in(client, analyst):
    rules_ensure()
    client.force_login(analyst)
    return client


def test_rule_edit_shows_one_labelled_number_field_per_parameter(signed_in):
    # when
    html = signed_in.get(url("velocity_customer")).content.decode()
    # then: each parameter by its name and unit, typed as text with the digit keyboard (what
    # was typed reaches the form; a number input would drop letters), its bounds said beside
    # it and tied to it; no JSON
    assert "<textarea" not in html.split('name="reason"')[0]
    assert "JSON" not in html
    shown = (
        ("window_days", "Window (days)", 60, "from 0 to 3660"),
        ("min_claims", "Claims at least", 3, "from 1 to 3660"),
    )
    for name, label, value, bounds in shown:
        assert f'<label for="id_param_{name}">{label}' in html
        field = re.search(rf'<input [^>]*name="param_{name}"[^>]*>', html).group(0)
        assert 'type="text"' in field and 'inputmode="numeric"' in field
        assert f'value="{value}"' in field
        assert f'aria-describedby="id_param_{name}_helptext"' in field
        helptext = html.split(f'id="id_param_{name}_helptext"', 1)[1].split("</div>", 1)[0]
        assert f">A whole number {bounds}." in helptext


def test_rule_edit_a_parameter_through_its_field_makes_a_new_version(signed_in):
    # when
    response = signed_in.post(url("velocity_customer"), posted(window_days="30", min_claims="4"))
    # then
    assert response.status_code == 302
    rule = Rule.objects.get(code="velocity_customer")
    assert (rule.version, rule.weight, rule.params) == (2, 20, {"window_days": 30, "min_claims": 4})
    version = RuleVersion.objects.get(rule=rule, version=2)
    assert version.params == {"window_days": 30, "min_claims": 4}
    assert version.reason == "Fewer alerts"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "Enter a whole number from 0 to 3660."),
        ("soon", "Enter a whole number."),
        ("", "This field is required."),
        ("99999999999", "Enter a whole number from 0 to 3660."),
        ("1e999", "Enter a whole number."),
    ],
)
def test_rule_edit_a_bad_value_is_said_beside_its_field_and_nothing_is_written(
    signed_in, typed, message
):
    # when: a bad window, a good new minimum and weight
    data = posted(window_days=typed, min_claims="7")
    data["weight"] = "33"
    response = signed_in.post(url("velocity_customer"), data)
    # then: the error beside the window, what was typed kept, no new version
    assert response.status_code == 400
    html = response.content.decode()
    assert message in field_group(html, "param_window_days")
    assert message not in field_group(html, "param_min_claims")
    assert re.search(r'name="param_min_claims"[^>]*value="7"', html)
    assert re.search(r'name="weight"[^>]*value="33"', html)
    rule = Rule.objects.get(code="velocity_customer")
    assert (rule.version, rule.params) == (1, {"window_days": 60, "min_claims": 3})
    assert RuleVersion.objects.filter(rule=rule).count() == 1


def test_rule_edit_says_every_problem_at_once(signed_in):
    # when: two bad parameters and no reason
    data = posted(window_days="-5", min_claims="0")
    data["reason"] = ""
    html = signed_in.post(url("velocity_customer"), data).content.decode()
    # then: each beside its own field
    assert "from 0 to 3660" in field_group(html, "param_window_days")
    assert "from 1 to 3660" in field_group(html, "param_min_claims")
    assert "This field is required." in field_group(html, "reason")
    assert Rule.objects.get(code="velocity_customer").version == 1


@pytest.mark.parametrize("typed", ["-1", "101", "99999999999999999999"])
def test_rule_edit_a_weight_out_of_bounds_says_them_like_the_parameters(signed_in, typed):
    # when
    data = posted(window_days="30", min_claims="4")
    data["weight"] = typed
    html = signed_in.post(url("velocity_customer"), data).content.decode()
    # then: the bounds in the words the parameters' fields use, what was typed kept
    assert "Enter a whole number from 0 to 100." in field_group(html, "weight")
    assert re.search(rf'name="weight"[^>]*value="{typed}"', html)
    assert Rule.objects.get(code="velocity_customer").version == 1


def test_rule_edit_details_compared_are_checkboxes_and_one_is_needed(signed_in):
    # given
    page = signed_in.get(url("shared_identity")).content.decode()
    assert "<legend>Details compared" in page
    assert page.count('name="param_kinds"') == len(AttributeKind.values)
    assert "Postal address" in page and "[&#x27;" not in page
    # when: none ticked
    response = signed_in.post(url("shared_identity"), posted())
    # then
    assert response.status_code == 400
    html = response.content.decode()
    legend = html.index("<legend>Details compared")
    assert "Choose at least one." in html[legend : html.index('name="param_kinds"', legend)]
    assert Rule.objects.get(code="shared_identity").version == 1
    # when: two ticked
    signed_in.post(url("shared_identity"), posted(kinds=["email", "phone"]))
    # then
    rule = Rule.objects.get(code="shared_identity")
    assert (rule.version, rule.params) == (2, {"kinds": ["email", "phone"]})


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_every_rule_page_names_its_parameters_and_saves_them_as_shown(signed_in, code):
    # given
    spec = REGISTRY[code]
    response = signed_in.get(url(code))
    assert response.status_code == 200
    form = response.context["form"]
    # then: a labelled field for each of the rule's parameters, never its key
    assert sorted(form.param_fields) == sorted(spec.params)
    html = response.content.decode()
    for key in spec.params:
        assert str(form.fields[f"param_{key}"].label) != key
        assert f'for="id_param_{key}"' in html or f"id_param_{key}_0" in html
    # when: saved as shown but for the weight (saving nothing new makes no version, below)
    data = {name: form[name].value() for name in form.fields}
    data.update({"enabled": "on", "reason": "Weight only", "weight": (spec.weight + 1) % 101})
    assert signed_in.post(url(code), data).status_code == 302
    # then: a new version with the parameters as they were shown
    rule = Rule.objects.get(code=code)
    assert (rule.version, rule.params) == (2, spec.params)


def test_rule_edit_history_names_each_versions_parameters(signed_in):
    # given: a second version
    signed_in.post(url("velocity_customer"), posted(window_days="30", min_claims="4"))
    # when
    html = signed_in.get(url("velocity_customer")).content.decode()
    # then
    history = html[html.index("<h2>Versions") :]
    assert "Window (days): 30" in history and "Claims at least: 4" in history
    assert "Window (days): 60" in history and "Claims at least: 3" in history
    assert "{" not in history and "window_days" not in history and "&#x27;" not in history


def test_rule_edit_shows_a_parameter_the_rule_does_not_take_plainly(signed_in):
    # given: stored parameters with a key no rule takes (an older release's)
    Rule.objects.filter(code="new_account").update(params={"max_age_days": 20, "legacy": 5})
    # when
    response = signed_in.get(url("new_account"))
    # then: the page shows it as it is, and a save leaves it out
    assert response.status_code == 200
    html = response.content.decode()
    assert "legacy: 5" in html and "{" not in html.split("<h2>Versions")[0].split("<form")[1]
    assert 'value="20"' in html
    response = signed_in.post(url("new_account"), posted(max_age_days="14"))
    assert response.status_code == 302
    assert Rule.objects.get(code="new_account").params == {"max_age_days": 14}


def test_rule_edit_someone_else_saved_first_keeps_what_was_typed(signed_in):
    # given: version 2 saved meanwhile
    signed_in.post(url("new_account"), posted(max_age_days="14"))
    # when: a form still on version 1
    response = signed_in.post(url("new_account"), posted(max_age_days="21"))
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "reload and try again" in html
    # the rule named as everywhere on the page, not by its code
    assert "Someone changed rule New customer account while you were editing" in html
    assert re.search(r'name="param_max_age_days"[^>]*value="21"', html)
    assert Rule.objects.get(code="new_account").params == {"max_age_days": 14}


def test_rule_edit_shows_stored_parameters_that_are_not_an_object_plainly(signed_in):
    # given: a version and the rule holding a list where an object belongs
    rule = Rule.objects.get(code="new_account")
    RuleVersion.objects.filter(rule=rule).update(params=[7, "x"])
    Rule.objects.filter(pk=rule.pk).update(params=[7, "x"])
    # when
    response = signed_in.get(url("new_account"))
    # then: no crash; the value as it is, the field at the rule's default
    assert response.status_code == 200
    html = response.content.decode()
    assert "Parameters: 7, x" in html and 'value="30"' in html


def test_rules_page_in_german_says_schadensmeldung_not_reklamieren(signed_in):
    # when: the rules list in German, where a claim is a "Schadensmeldung"
    html = signed_in.get(reverse("backoffice:fraud-rules"), HTTP_ACCEPT_LANGUAGE="de").content
    # then: no complaint about goods ("reklamieren") for making a claim
    text = html.decode()
    assert "Verbundene Kunden gegen einen Verkäufer" in text
    assert "reklam" not in text.lower()


@pytest.mark.parametrize("reason", ["Fewer alerts", ""])
def test_rule_edit_saving_what_is_already_there_says_so_and_makes_no_version(signed_in, reason):
    # given: the rule as it stands (weight 20, window 60, at least 3, enabled), typed with
    # spaces, with or without a reason (there is no change to give one for)
    data = {**posted(window_days=" 60 ", min_claims="3"), "reason": reason}
    # when
    response = signed_in.post(url("velocity_customer"), data, follow=True)
    # then: not an error (nothing to fix): back on the rule's page, told so, nothing written
    assert response.redirect_chain == [(url("velocity_customer"), 302)]
    html = response.content.decode()
    said = "Nothing changed: rule Repeat claims by one customer stays at version 1."
    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [("info", said)]
    assert 'role="alert"' not in html and "Nothing was recorded" not in html
    assert RuleVersion.objects.filter(rule__code="velocity_customer").count() == 1
    assert Rule.objects.get(code="velocity_customer").version == 1


def test_rule_edit_a_bad_value_with_nothing_else_changed_is_still_an_error(signed_in):
    # given: the rule as it stands but for a window that is not a number
    data = posted(window_days="soon", min_claims="3")
    # when
    response = signed_in.post(url("velocity_customer"), data)
    # then: the problem, not "nothing changed"
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was recorded. Fix what is marked below:" in html
    assert "Nothing changed" not in html


def test_every_whole_number_field_says_its_bounds_after_its_own_help():
    # The certificate's notice and the wizard's people hurt keep their own help and say their
    # bounds after it, like every whole number (claims_site.bounds.whole_number_field).
    from portal.forms import IncidentForm
    from sellers.forms import CertificateForm

    people = str(IncidentForm.base_fields["people_injured"].help_text)
    notice = str(CertificateForm.base_fields["cancellation_notice_days"].help_text)
    assert people == "Enter 0 if nobody was hurt. A whole number from 0 to 99."
    assert notice.endswith("must tell us. A whole number from 0 to 3650.")
