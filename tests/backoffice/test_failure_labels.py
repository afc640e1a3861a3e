"""A payout's failure reason through the staff pages: a provider's code the project knows is
read as its label in the reader's language (the Money list, the payout page, the timeline);
the provider's own text is kept as data and shown only for a code without a label."""

import html

import pytest
from django.conf import settings
from django.urls import reverse

from claims.actors import Actor
from payouts.adapters.sandbox import SandboxAdapter
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
