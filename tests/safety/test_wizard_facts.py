"""The customer answers the safety questions in the filing wizard, in English or Spanish; the
answers, not the words of the story, decide whether an alert is raised."""

import pytest
from django.urls import reverse

from claims.models import Claim
from claims.money import amount_input
from safety.models import SafetyAlert
from safety.services import safety_alerts_raise
from tests.portal.conftest import sign_in
from tests.portal.helpers import DECLARATIONS, incident_data, losses_data, step_url
from tests.safety.helpers import line_in

pytestmark = pytest.mark.django_db

# region, story (in the customer's language), answers, regulator expected (None: silent)
CASES = {
    "en": [
        (
            "US",
            "My father died after the heater caught fire in his bedroom at night.",
            {"hazard": "fire_smoke", "medical_care": "hospital_admission", "death": "yes"},
            "cpsc",
        ),
        (
            "US",
            "I studied the manual; the kettle's lid came off and water splashed my hand.",
            {"hazard": "burn", "medical_care": "first_aid"},
            None,
        ),
        (
            "CA",
            "The carbon monoxide detector never sounded and we were all sick.",
            {"hazard": "poisoning", "medical_care": "doctor"},
            "health-canada",
        ),
        (
            "IE",
            "The hair dryer gave me an electric shock and I went to the emergency room.",
            {"hazard": "electric_shock", "medical_care": "emergency_room"},
            "eu-gpsr",
        ),
        (
            "GB",
            "The extension cord melted and started a small fire behind the sofa.",
            {"hazard": "fire_smoke"},
            "uk-opss",
        ),
    ],
    "es": [
        (
            "US",
            "Mi padre murió después de que el calefactor se incendiara por la noche.",
            {"hazard": "fire_smoke", "medical_care": "hospital_admission", "death": "yes"},
            "cpsc",
        ),
        (
            "US",
            "Estudié el manual; la tapa del hervidor se soltó y me salpicó la mano.",
            {"hazard": "burn", "medical_care": "first_aid"},
            None,
        ),
        (
            "CA",
            "El detector de monóxido de carbono no sonó y todos enfermamos.",
            {"hazard": "poisoning", "medical_care": "doctor"},
            "health-canada",
        ),
        (
            "ES",
            "El secador me dio una descarga eléctrica y fui a urgencias.",
            {"hazard": "electric_shock", "medical_care": "emergency_room"},
            "eu-gpsr",
        ),
        (
            "GB",
            "El alargador se derritió y provocó un pequeño incendio detrás del sofá.",
            {"hazard": "fire_smoke"},
            "uk-opss",
        ),
    ],
}


def _file(client, line, story: str, answers: dict, language: str) -> Claim:
    hurt = answers.get("medical_care", "none") != "none" or answers.get("death") == "yes"
    data = incident_data(
        line,
        description=story,
        incident_kind="personal_injury" if hurt else "property_damage",
        people_injured="1" if hurt else "0",
        **answers,
    )
    assert client.post(step_url(line, "incident"), data).status_code == 302
    # the amount as the customer writes it in their language (250,00 in Spanish)
    typed = amount_input(25000, line.currency, locale=language)
    losses = losses_data(amount_property=typed)
    assert client.post(step_url(line, "losses"), losses).status_code == 302
    response = client.post(step_url(line, "review"), DECLARATIONS)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Claim.objects.get(order_line=line)


@pytest.mark.parametrize(
    ("language", "case"),
    [(language, n) for language, cases in CASES.items() for n in range(len(cases))],
)
def test_the_answers_decide_in_every_language(client, language, case):
    # given: a customer in the region, the site in their language
    region, story, answers, expected = CASES[language][case]
    line = line_in(region)
    sign_in(client, line.order.customer)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    # when: they file through the wizard and the sweeper runs
    claim = _file(client, line, story, answers, language)
    safety_alerts_raise()
    # then
    assert claim.language == language
    alerts = SafetyAlert.objects.filter(claims=claim)
    if expected:
        assert [a.regulator.code for a in alerts] == [expected]
    else:
        assert not alerts.exists()


def test_the_questions_are_asked_in_spanish(client):
    line = line_in("US")
    sign_in(client, line.order.customer)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    page = client.get(step_url(line, "incident")).content.decode()
    assert "¿Murió alguien?" in page and "Ingreso en el hospital" in page


def test_missing_or_contradictory_answers_are_refused_and_the_rest_kept(client):
    line = line_in("US")
    sign_in(client, line.order.customer)
    data = incident_data(line, description="A very specific story about the heater.")
    del data["hazard"]
    data["medical_care"] = "doctor"  # but nobody was hurt
    response = client.post(step_url(line, "incident"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose what the product did" in page
    assert "You said nobody was hurt" in page
    assert "A very specific story about the heater." in page
    assert not Claim.objects.exists()
