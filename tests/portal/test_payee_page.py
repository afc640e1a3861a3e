"""The customer's payment details page: the national checks, refusals per field with nothing
changed and the input kept, masked after entry, an event, an e-mail and a fraud link for every
change, and the claim page telling an approved customer that the details are needed."""

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, Outbox
from claims.outbox import deliver
from fraud.models import AttributeKind, ClaimAttribute
from payouts.models import PayeeDetails, PayeeEvent
from tests.factories import claim_in, claim_new
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db

US_GOOD = {
    "scheme": "us_aba",
    "holder_name": "Jamie Rivera",
    "routing_number": "021000021",
    "account_number": "123456789012",
}


def _url(name, claim):
    return reverse(f"portal:{name}", args=[claim.reference])


def _in_currency(claim, currency):
    Claim.objects.filter(pk=claim.pk).update(currency=currency)
    claim.refresh_from_db()
    return claim


def test_customer_gives_us_details_and_afterwards_sees_only_the_last_four(client):
    # given
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    sign_in(client, claim.customer)
    # when
    response = client.post(_url("claim-payee", claim), US_GOOD)
    # then: in effect at once, confirmed by the customer, nothing held
    assert response.status_code == 302
    payee = PayeeDetails.objects.get(customer=claim.customer)
    assert (payee.bank_code, payee.account_number) == ("021000021", "123456789012")
    assert payee.scheme == "us_aba" and payee.confirmed_by_customer and payee.hold_until is None
    # masked on every page the customer sees afterwards
    for page in (_url("claim-detail", claim), _url("claim-payee", claim)):
        html = client.get(page).content.decode()
        assert "123456789012" not in html
        assert "account ending 9012" in html
    # an event on the claim, a masked payee event, an e-mail queued, a fraud link
    event = ClaimEvent.objects.get(claim=claim, kind=EventKind.MESSAGE)
    assert event.data["payee"]["after"].endswith("••••9012") and "123456789012" not in str(
        event.data
    )
    assert PayeeEvent.objects.get(customer=claim.customer).after.endswith("9012")
    notice = Outbox.objects.get(topic="payouts.payee_notice")
    assert ClaimAttribute.objects.filter(claim=claim, kind=AttributeKind.PAYOUT).exists()
    deliver(message_id=notice.pk)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [claim.customer.email]
    assert "••••9012" in sent.body and "123456789012" not in sent.body
    assert "123456789012" not in sent.alternatives[0][0]


def test_account_number_is_not_stored_in_plain_text(client):
    claim = claim_new()
    sign_in(client, claim.customer)
    client.post(_url("claim-payee", claim), US_GOOD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_number FROM payouts_payeedetails")
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1$") and "123456789012" not in stored


def test_a_bad_routing_number_is_said_to_the_customer_as_the_account_holder(client):
    # The staff's correction form words the same check for staff; the customer's keeps this.
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    sign_in(client, claim.customer)
    response = client.post(_url("claim-payee", claim), {**US_GOOD, "routing_number": "021000022"})
    assert response.status_code == 400
    html = response.content.decode()
    said = "This routing number is not valid: check the 9 digits on your cheque or bank app."
    assert said in html
    assert "with the customer" not in html
    assert not PayeeDetails.objects.exists()


BAD = [
    ("USD", {**US_GOOD, "routing_number": "021000022"}, "routing_number", "not valid"),
    ("USD", {**US_GOOD, "routing_number": "12345"}, "routing_number", "9-digit"),
    ("USD", {**US_GOOD, "account_number": "12"}, "account_number", "4 to 17 digits"),
    ("USD", {**US_GOOD, "holder_name": ""}, "holder_name", "required"),
    (
        "CAD",
        {
            "scheme": "ca_eft",
            "holder_name": "Jo",
            "transit_number": "1234",
            "institution_number": "003",
            "account_number": "1234567",
        },
        "transit_number",
        "5-digit",
    ),
    (
        "CAD",
        {
            "scheme": "ca_eft",
            "holder_name": "Jo",
            "transit_number": "12345",
            "institution_number": "3",
            "account_number": "1234567",
        },
        "institution_number",
        "3-digit",
    ),
    (
        "GBP",
        {"scheme": "uk_sort", "holder_name": "Jo", "sort_code": "12-34-5", "account_number": "1"},
        "sort_code",
        "6-digit",
    ),
    (
        "GBP",
        {"scheme": "uk_sort", "holder_name": "Jo", "sort_code": "12-34-56", "account_number": "1"},
        "account_number",
        "8-digit",
    ),
    (
        "EUR",
        {"scheme": "iban", "holder_name": "Jo", "iban": "DE89 3704 0044 0532 0130 01", "bic": ""},
        "iban",
        "not valid",
    ),
    (
        "EUR",
        {"scheme": "iban", "holder_name": "Jo", "iban": "DE89370400440532013000", "bic": "X1"},
        "bic",
        "not valid",
    ),
]


@pytest.mark.parametrize(("currency", "data", "field", "message"), BAD)
def test_bad_details_are_refused_on_their_field_nothing_changes_input_kept(
    client, currency, data, field, message
):
    # given: a customer already paid to an account ending 5555
    claim = _in_currency(claim_new(), currency)
    sign_in(client, claim.customer)
    good = {**US_GOOD, "account_number": "99995555"}
    _in_currency(claim, "USD")
    client.post(_url("claim-payee", claim), good)
    _in_currency(claim, currency)
    before = PayeeDetails.objects.get(customer=claim.customer)
    events = ClaimEvent.objects.count()
    # when
    response = client.post(_url("claim-payee", claim), data)
    # then: the refusal is under its field, linked to the input, and nothing changed
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}_error' in html or f'id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    typed = data.get("holder_name")
    if typed:
        assert f'value="{typed}"' in html
    after = PayeeDetails.objects.get(customer=claim.customer)
    assert (after.account_number, after.bank_code) == (before.account_number, before.bank_code)
    assert ClaimEvent.objects.count() == events


@pytest.mark.parametrize(
    ("currency", "data", "bank_code", "account"),
    [
        (
            "CAD",
            {
                "scheme": "ca_eft",
                "holder_name": "Jo",
                "transit_number": "12345",
                "institution_number": "003",
                "account_number": "1234567",
            },
            "000312345",
            "1234567",
        ),
        (
            "GBP",
            {
                "scheme": "uk_sort",
                "holder_name": "Jo",
                "sort_code": "12-34-56",
                "account_number": "12345678",
            },
            "123456",
            "12345678",
        ),
        (
            "GBP",
            {"scheme": "iban", "holder_name": "Jo", "iban": "GB33BUKB20201555555555", "bic": ""},
            "BUKBGB22",
            "GB33BUKB20201555555555",
        ),
        (
            "EUR",
            {"scheme": "iban", "holder_name": "Jo", "iban": "de89 3704 0044 0532 0130 00"},
            "COBADEFFXXX",
            "DE89370400440532013000",
        ),
    ],
)
def test_each_region_gets_its_own_scheme(client, currency, data, bank_code, account):
    claim = _in_currency(claim_new(), currency)
    sign_in(client, claim.customer)
    page = client.get(_url("claim-payee", claim) + f"?scheme={data['scheme']}").content.decode()
    for name in data:
        if name != "scheme":
            assert f'name="{name}"' in page
    response = client.post(_url("claim-payee", claim), data)
    assert response.status_code == 302
    payee = PayeeDetails.objects.get(customer=claim.customer)
    assert payee.account_number == account
    assert payee.bank_code.startswith(bank_code[:8])


def test_a_scheme_of_another_region_is_not_offered(client):
    claim = claim_new()  # USD
    sign_in(client, claim.customer)
    page = client.get(_url("claim-payee", claim) + "?scheme=iban").content.decode()
    assert 'name="routing_number"' in page and 'name="iban"' not in page


def test_another_customer_cannot_open_the_page_and_get_is_not_a_confirmation(client):
    mine, theirs = claim_new(), claim_new()
    sign_in(client, mine.customer)
    assert client.get(_url("claim-payee", theirs)).status_code == 404
    assert client.post(_url("claim-payee", theirs), US_GOOD).status_code == 404
    assert client.post(_url("claim-payee-confirm", theirs)).status_code == 404
    assert client.get(_url("claim-payee-confirm", mine)).status_code == 405
    assert not PayeeDetails.objects.exists()


def test_signed_out_visitor_is_sent_to_sign_in(client):
    claim = claim_new()
    response = client.get(_url("claim-payee", claim))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_approved_claim_without_details_says_they_are_needed(client):
    # given
    claim = claim_in(ClaimStatus.APPROVED)
    sign_in(client, claim.customer)
    # when
    html = client.get(_url("claim-detail", claim)).content.decode()
    # then
    assert 'id="payee-needed"' in html
    assert "we need your payment details to pay you" in html.lower()
    assert _url("claim-payee", claim) in html
    # and once given, it no longer says so
    client.post(_url("claim-payee", claim), US_GOOD)
    html = client.get(_url("claim-detail", claim)).content.decode()
    assert 'id="payee-needed"' not in html and "account ending 9012" in html


def test_spanish_page_is_translated(client):
    claim = claim_new()
    sign_in(client, claim.customer)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    html = client.get(_url("claim-payee", claim)).content.decode()
    assert "Sus datos de pago" in html and "Número de ruta" in html
    html = client.post(_url("claim-payee", claim), {**US_GOOD, "routing_number": "1"}).content
    assert "Introduzca el número de ruta de 9 dígitos." in html.decode()


def test_changes_are_rate_limited_per_customer_with_the_input_kept(client, settings):
    settings.PORTAL_PAYEE_CHANGES_PER_CUSTOMER_PER_DAY = 2
    claim = claim_new()
    sign_in(client, claim.customer)
    for account in ("11112222", "33334444"):
        assert client.post(_url("claim-payee", claim), {**US_GOOD, "account_number": account})
    response = client.post(_url("claim-payee", claim), {**US_GOOD, "account_number": "55556666"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "several times today" in html and 'value="Jamie Rivera"' in html
    assert PayeeDetails.objects.get(customer=claim.customer).account_number == "33334444"


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        (ClaimStatus.UNDER_REVIEW, True),
        (ClaimStatus.APPROVED, True),
        (ClaimStatus.DENIED, True),  # an appeal may still lead to a payment
        (ClaimStatus.PAID, False),
        (ClaimStatus.WITHDRAWN, False),
        (ClaimStatus.CLOSED, False),
    ],
)
def test_details_are_offered_only_while_a_payment_may_come(client, status, offered):
    # given
    claim = claim_in(status)
    sign_in(client, claim.customer)
    # when
    html = client.get(_url("claim-detail", claim)).content.decode()
    # then
    assert ('id="payee-link"' in html) is offered
