"""The seller's claim page shows the deadline that applies to the claim now, with what is asked
(the inbox's words): the answer deadline while an answer is awaited, the payment deadline once
the seller accepted and must pay the customer, none when nothing is due from the seller."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.actors import Actor
from sellers.models import PartyPayment
from sellers.services.party_payments import party_payment_day, party_payment_record
from tests.sellers.helpers import awaiting, signed_in

pytestmark = pytest.mark.django_db


def _asked(client, url) -> tuple[str, dt.datetime | None]:
    """What the claim page asks of the seller, and by when (None: no deadline)."""
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    asked = re.search(r"<dt>Asked of you</dt><dd>([^<]*)</dd>", body)
    by = re.search(r"<dt>By</dt>\s*<dd>(?:<time datetime=\"([^\"]+)\")?", body)
    assert asked and by, body
    return asked[1], dt.datetime.fromisoformat(by[1]) if by[1] else None


def _page(claim) -> str:
    return reverse("sellers:inbox-claim", args=[claim.reference])


def test_a_claim_awaiting_the_sellers_answer_shows_the_answer_deadline(client):
    claim, _path = awaiting()
    signed_in(client, claim.seller)
    asked, by = _asked(client, _page(claim))
    assert asked.startswith("Answer")
    assert by == claim.seller_respond_by.replace(microsecond=0)


def test_an_accepted_claim_the_seller_must_pay_shows_the_payment_deadline(client, supervisor):
    # given: the seller accepted; the claim is approved and the seller must pay the customer
    from tests.payouts.test_money_policy import _accepted, _approve_accepted

    claim = _approve_accepted(_accepted(), supervisor)
    payment = PartyPayment.objects.get(claim=claim)
    assert payment.due_at.date() != claim.seller_respond_by.date()
    signed_in(client, claim.seller)
    # when / then: the payment's deadline, not the answer's, on the claim and payment pages
    for url in (_page(claim), reverse("sellers:inbox-payment", args=[claim.reference])):
        asked, by = _asked(client, url)
        assert asked == "Pay the customer and record the payment."
        assert by == payment.due_at.replace(microsecond=0)
    # and once the payment is recorded, nothing is due from the seller
    party_payment_record(
        payment=payment,
        actor=Actor.system("test"),
        amount_minor=payment.amount_minor,
        paid_on=party_payment_day(payment, timezone.now()),
        reference="TX-1",
    )
    assert _asked(client, _page(claim)) == ("Nothing needed from you now.", None)


def test_the_payment_page_in_french_puts_a_non_breaking_space_before_its_colons(client, supervisor):
    from tests.payouts.test_money_policy import _accepted, _approve_accepted

    claim = _approve_accepted(_accepted(), supervisor)
    signed_in(client, claim.seller)
    url = reverse("sellers:inbox-payment", args=[claim.reference])
    body = client.get(url, headers={"accept-language": "fr"}).content.decode()
    assert "<strong>État\u00a0:</strong>" in body
    assert "État:" not in body and "État :" not in body
