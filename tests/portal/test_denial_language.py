"""A denied claim's history in the reader's language: an explanation the system wrote from its
fixed list is read in the customer's language; one staff typed is shown as typed."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from claims.actors import Actor
from claims.models import Claim, ClaimStatus
from fraud.services import fraud_confirm
from tests.factories import claim_in
from tests.portal.conftest import sign_in
from tests.sellers.helpers import run_outbox

pytestmark = pytest.mark.django_db

FIXED = {
    "es": "No hemos podido verificar esta reclamación y se ha denegado.",
    "fr": "Nous n’avons pas pu vérifier cette réclamation et elle a été refusée.",
    "de": "Wir konnten diese Schadensmeldung nicht überprüfen, daher wurde sie abgelehnt.",
}


def _history(client, claim, language: str) -> str:
    sign_in(client, claim.customer)
    client.cookies["django_language"] = language
    response = client.get(reverse("portal:claim-detail", args=[claim.reference]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["es", "fr", "de"])
@pytest.mark.parametrize("analyst_language", ["en", "fr"])
def test_a_fraud_denial_without_typed_explanation_reads_in_the_customers_language(
    client, analyst, language, analyst_language
):
    # given: an analyst (reading English or French) confirms fraud with no explanation typed
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    with translation.override(analyst_language):
        fraud_confirm(claim=claim, actor=Actor.staff(analyst), note="Photo reused")
    # when
    page = _history(client, claim, language)
    # then: on the claim page and in the e-mail, in the customer's language
    assert FIXED[language] in page
    assert "We could not verify this claim" not in page
    Claim.objects.filter(pk=claim.pk).update(language=language)
    mail.outbox.clear()
    run_outbox("claims.notify_customer")
    bodies = [m.body for m in mail.outbox if claim.customer.email in m.to]
    assert any(FIXED[language] in body for body in bodies)
    assert not any("We could not verify this claim" in body for body in bodies)


def test_an_explanation_staff_typed_is_shown_as_typed(client, analyst):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    fraud_confirm(
        claim=claim,
        actor=Actor.staff(analyst),
        note="Photo reused",
        explanation="The photo was taken before your order was delivered.",
    )
    page = _history(client, claim, "es")
    assert "The photo was taken before your order was delivered." in page
