"""A payout's failure reason through the staff pages: a provider's code the project knows is
read as its label in the reader's language (the Money list, the payout page, the timeline);
the provider's own text is kept as data and shown only for a code without a label."""

import html

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from claims.actors import Actor
from payouts.adapters.sandbox import SandboxAdapter
from payouts.failures import FAILURE_CODES, failure_reason
from payouts.models import Payout, PayoutStatus
from payouts.services import payout_return, payouts_send_due
from tests.backoffice import areas
from tests.payouts.helpers import approved_claim, deliver_payout_messages

pytestmark = pytest.mark.django_db
MONEY = reverse("backoffice:money")

CLOSED = {
    "en": "The bank account is closed.",
    "de": "Das Bankkonto ist aufgelöst.",
    "es": "La cuenta bancaria está cerrada.",
    "fr": "Le compte bancaire est clôturé.",
}


def _read(client, url, language: str, **params) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return html.unescape(client.get(url, params).content.decode())


def _declined_payout() -> Payout:
    """A payout the sandbox refused: the account is closed (``AC04``, English text)."""
    claim = approved_claim(account="99990000")
    deliver_payout_messages()
    payouts_send_due(adapter=SandboxAdapter())
    return Payout.objects.get(claim=claim)


@pytest.mark.parametrize("language", ["de", "es", "fr"])
def test_money_list_payout_page_and_timeline_name_a_known_failure_in_the_reader_s_language(
    client, supervisor, language
):
    # given: the provider refused the payout with a code the project knows
    payout = _declined_payout()
    assert payout.status == PayoutStatus.FAILED and payout.failure_code == "AC04"
    client.force_login(supervisor)
    # when
    money = _read(client, MONEY, language)
    page = _read(client, reverse("backoffice:payout", args=[payout.pk]), language)
    claim = _read(client, reverse("backoffice:claim", args=[payout.claim_id]), language)
    # then: the project's label in the reader's language, never the provider's English
    for text in (money, page, claim):
        assert CLOSED[language] in text
        assert CLOSED["en"] not in text
    # the provider's own text is kept as data
    payout.refresh_from_db()
    assert payout.failure_message == CLOSED["en"]


def test_a_code_the_project_does_not_know_shows_the_provider_s_text(client, supervisor):
    # given: a failure code no label names
    payout = areas.failed_payout()
    assert payout.failure_code == "ACCOUNT_CLOSED"
    client.force_login(supervisor)
    # when / then: the provider's text, whatever the reader's language
    assert "Account closed" in _read(client, MONEY, "de")
    assert "Account closed" in _read(client, reverse("backoffice:payout", args=[payout.pk]), "de")
    assert "Account closed" in _read(
        client, reverse("backoffice:claim", args=[payout.claim_id]), "de"
    )


def test_a_returned_payout_s_reason_reads_in_the_reader_s_language(client, supervisor):
    # given: the bank returned a paid payout: the account is closed
    payout = areas.paid_payout()
    payout_return(
        payout=payout, actor=Actor.system("bank"), reason_code="AC04", reason=CLOSED["en"]
    )
    client.force_login(supervisor)
    # when
    page = _read(client, reverse("backoffice:payout", args=[payout.pk]), "de")
    claim = _read(client, reverse("backoffice:claim", args=[payout.claim_id]), "de")
    # then
    for text in (page, claim):
        assert CLOSED["de"] in text and CLOSED["en"] not in text


def test_every_code_that_blames_the_payee_account_has_a_label_in_every_language():
    # given: the codes for which a resend needs new payment details
    payee_account = [code for code, known in FAILURE_CODES.items() if known.payee_account]
    assert {"AC03", "AC04", "AC07", "BE01"} <= set(payee_account)
    raw = "provider's own text"
    # when / then: each reads as the project's label, translated, never the provider's text
    for code in payee_account:
        with translation.override("en"):
            english = failure_reason(code, raw)
        assert english not in (raw, code), code
        for language in ("de", "es", "fr"):
            with translation.override(language):
                assert failure_reason(code, raw) != english, (code, language)


# The provider's words for the codes that had no label (an ISO 20022 pain.002's text).
PROVIDER_TEXT = {
    "AC03": "Invalid creditor account number",
    "AC07": "Creditor account number closed",
    "BE01": "Inconsistent with end customer",
}


@pytest.mark.parametrize("code", sorted(PROVIDER_TEXT))
def test_the_payout_page_names_a_payee_account_failure_by_its_label(client, supervisor, code):
    # given: the bank refused the payout for the payee's account
    payout = areas.failed_payout(code=code, message=PROVIDER_TEXT[code])
    client.force_login(supervisor)
    url = reverse("backoffice:payout", args=[payout.pk])
    with translation.override("en"):
        label = failure_reason(code)
    # when: staff read the payout page, and resend it without new details
    page = _read(client, url, "en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = html.unescape(
        client.post(
            reverse("backoffice:payout-resend", args=[payout.pk]), {"reason": "Try again."}
        ).content.decode()
    )
    # then: the label, not the provider's text; the resend is refused, naming the same label
    assert label != code and label in page
    assert PROVIDER_TEXT[code] not in page
    assert "correct the payee first" in refused and label in refused
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED
