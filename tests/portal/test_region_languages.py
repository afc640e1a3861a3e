"""Issue 16: a claim's e-mails follow the language it was filed in, a seller's their own setting
(else the region's); amounts in them are written the reader's way."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from claims.models import ClaimStatus, Outbox
from claims.money import amount_input
from claims.outbox import deliver
from tests.factories import claim_in, line_in_region
from tests.portal.conftest import sign_in
from tests.portal.helpers import DECLARATIONS, incident_data, losses_data, step_url

pytestmark = pytest.mark.django_db


def _run_outbox() -> None:
    # as the worker does: no request, so no reader's language is active
    with translation.override("en"):
        for message_id in Outbox.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
            deliver(message_id=message_id)


@pytest.mark.parametrize(
    ("region", "language", "typed", "received", "amount"),
    [
        ("FR", "fr", "1 234,50", "Nous avons reçu votre réclamation", "1\u202f234,50\u00a0€"),
        ("DE", "de", "1.234,50", "Wir haben Ihre Schadensmeldung", "1.234,50\u00a0€"),
        ("CA", "fr-ca", "1 234,50 $", "Nous avons reçu votre réclamation", "1\u00a0234,50\u00a0$"),
        ("ES", "es", "1.234,50", "Hemos recibido su reclamación", "1.234,50\u00a0€"),
        ("GB", "en", "£1,234.50", "We received your claim", "£1,234.50"),
    ],
)
def test_a_claim_filed_in_a_language_is_answered_in_it_with_its_amounts(
    client, region, language, typed, received, amount
):
    # given: a customer in the region, on the pages in their language
    line = line_in_region(region, subdivision="QC" if region == "CA" else "")
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    sign_in(client, line.order.customer)
    # when: they file the claim, typing the amount their way
    assert client.post(step_url(line, "incident"), incident_data(line)).status_code == 302
    response = client.post(step_url(line, "losses"), losses_data(amount_property=typed))
    assert response.status_code == 302, response.content.decode()
    assert client.post(step_url(line, "review"), DECLARATIONS).status_code == 302
    _run_outbox()
    # then: stored in minor units, told in their language with the amount written their way
    claim = line.claims.get()
    assert claim.language == language and claim.currency == line.currency
    assert claim.losses.get(kind="property").claimed_minor == 123_450
    message = mail.outbox[-1]
    assert received in message.subject
    assert amount_input(123_450, line.currency, locale=language) in message.body
    assert amount in message.body or amount.replace("\u202f", "\u00a0") in message.body


@pytest.mark.parametrize(
    ("own", "expected"),
    [("", "Handlungsbedarf"), ("fr", "Action requise"), ("en", "Action needed")],
)
def test_seller_emails_follow_the_sellers_own_language_else_the_regions(own, expected):
    # given: a German seller (the region's language is German), with or without a setting
    line = line_in_region("DE")
    line.seller.language = own
    line.seller.save(update_fields=["language"])
    # when: a claim reaches the seller
    claim_in(ClaimStatus.AWAITING_SELLER, order_line=line)
    _run_outbox()
    # then
    to_seller = [m for m in mail.outbox if m.to == [line.seller.email]]
    assert to_seller and expected in to_seller[-1].subject


@pytest.mark.parametrize(
    ("region", "subdivision", "reads", "word", "not_word"),
    [("CA", "QC", "fr-ca", "courriel", "e-mail"), ("FR", "", "fr", "e-mail", "courriel")],
)
def test_a_customer_in_canada_who_chooses_french_reads_canadian_french(
    client, region, subdivision, reads, word, not_word
):
    # given: a customer in Quebec (or in France) who chooses French in the menu
    line = line_in_region(region, subdivision=subdivision)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    # when: they ask for a sign-in link
    response = client.post(
        reverse("portal:sign-in"),
        {"order_number": line.order.number, "email": line.order.customer.email},
    )
    assert response.status_code == 302
    _run_outbox()
    # then: the link's e-mail is in their French
    signin = mail.outbox[-1]
    assert word in signin.body and not_word not in signin.body
    # and, signed in, so are their pages and the claim they file (and its e-mails)
    sign_in(client, line.order.customer)
    page = client.get(reverse("portal:home")).content.decode()
    assert f'<html lang="{reads}">' in page
    assert client.post(step_url(line, "incident"), incident_data(line)).status_code == 302
    response = client.post(step_url(line, "losses"), losses_data(amount_property="1 234,50"))
    assert response.status_code == 302
    response = client.post(step_url(line, "review"), DECLARATIONS, follow=True)
    assert f"chaque {word}" in response.content.decode()
    claim = line.claims.get()
    assert (claim.language, claim.claimed_total_minor) == (reads, 123_450)


def test_the_language_menu_names_each_language_in_itself_once(client):
    page = client.get(reverse("portal:sign-in")).content.decode()
    options = [
        ("en", "English"),
        ("es", "Español"),
        ("fr", "Français"),
        ("fr-ca", "Français (Canada)"),
        ("de", "Deutsch"),
    ]
    for code, name in options:
        assert f'<option value="{code}" lang="{code}"' in page
        assert f">{name}</option>" in page
    assert page.count('<option value="fr"') == 1
