"""House rule on the seller's and customer's forms: every problem at once, each beside its
field; the reader's date format and zone; only the values the chosen answer uses are kept."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from claims.actors import Actor
from claims.models import ClaimStatus, Evidence
from claims.services import claim_request_info
from sellers.models import PartyPayment, PartyPaymentStatus, SellerResponse
from tests.factories import claim_in
from tests.portal.conftest import sign_in
from tests.sellers.helpers import awaiting, signed_in

pytestmark = pytest.mark.django_db
NY = zoneinfo.ZoneInfo("America/New_York")


def _gif(name="scan.gif"):
    return SimpleUploadedFile(name, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif")


def _error(body: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}_error">([^<]*)</p>', body)
    return match.group(1) if match else ""


def test_a_dispute_without_reasons_and_with_a_refused_file_names_both(client):
    # given
    claim, path = awaiting()
    # when
    response = client.post(path, {"decision": "dispute", "reasons": "", "files": [_gif()]})
    # then: both problems, each beside its field; nothing saved
    assert response.status_code == 400
    body = response.content.decode()
    assert "dispute" in _error(body, "id_reasons")
    assert "scan.gif" in _error(body, "id_files")
    assert not SellerResponse.objects.exists() and not Evidence.objects.exists()


def test_a_hand_off_without_insurer_name_and_e_mail_asks_for_both_beside_them(client):
    claim, path = awaiting()
    response = client.post(path, {"decision": "insurer"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "name of your insurer" in _error(body, "id_insurer_name")
    assert "e-mail" in _error(body, "id_insurer_email")
    assert not SellerResponse.objects.exists()


def test_an_accept_ignores_the_insurer_fields(client):
    # given: found by a tester: "Acme" left in Insurer, then "Accept" chosen
    claim, path = awaiting()
    # when
    response = client.post(
        path, {"decision": "accept", "insurer_name": "Acme", "insurer_email": "x@acme"}
    )
    # then: saved without an insurer, and the page does not show one
    assert response.status_code == 302
    answer = SellerResponse.objects.get()
    assert (answer.insurer_name, answer.insurer_email) == ("", "")
    assert "Acme" not in client.get(path).content.decode()


def _payment_claim(supervisor):
    from tests.payouts.test_money_policy import _accepted, _approve_accepted

    return _approve_accepted(_accepted(), supervisor)


def test_a_payment_with_a_negative_amount_a_future_date_and_a_gif_names_all_three(
    client, supervisor
):
    claim = _payment_claim(supervisor)
    signed_in(client, claim.seller)
    url = reverse("sellers:inbox-payment", args=[claim.reference])
    response = client.post(
        url,
        {"amount": "-100", "paid_on": "2027-03-01", "reference": "TX-1", "proof": _gif()},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert _error(body, "id_amount")
    assert "today" in _error(body, "id_paid_on")
    assert "scan.gif" in _error(body, "id_proof")
    assert PartyPayment.objects.get(claim=claim).status == PartyPaymentStatus.DUE


def test_the_payment_date_bounds_are_in_the_readers_format_and_the_sellers_day(
    client, supervisor, settings
):
    # given: a New York seller reading French; the decision was today
    claim = _payment_claim(supervisor)
    payment = PartyPayment.objects.get(claim=claim)
    signed_in(client, claim.seller)
    url = reverse("sellers:inbox-payment", args=[claim.reference])
    local_today = timezone.now().astimezone(NY).date()
    # when: a date after the seller's today
    response = client.post(
        url,
        {
            "amount": "900.00",
            "paid_on": (local_today + dt.timedelta(days=1)).isoformat(),
            "reference": "TX-1",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # then: the decision's day in French format and New York's day, no ISO date
    body = response.content.decode()
    message = _error(body, "id_paid_on")
    opened = payment.opened_at.astimezone(NY).date()
    with translation.override("fr"):
        assert date_format(opened, "DATE_FORMAT") in message, message
        assert date_format(local_today, "DATE_FORMAT") in message, message
    assert opened.isoformat() not in message
    # and the seller's today is accepted, whatever the UTC date
    response = client.post(
        url, {"amount": "900.00", "paid_on": local_today.isoformat(), "reference": "TX-1"}
    )
    assert response.status_code == 302


def test_a_customer_answer_without_text_and_with_a_gif_names_both(client, agent):
    claim = claim_request_info(
        claim=claim_in(ClaimStatus.UNDER_REVIEW), actor=Actor.staff(agent), message="Bill?"
    )
    sign_in(client, claim.customer)
    response = client.post(
        reverse("portal:claim-answer", args=[claim.reference]),
        {"message": "", "kind": "other", "files": [_gif()]},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write your answer" in body and "scan.gif" in body
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO


def _described_by_missing(body: str) -> list[str]:
    ids = set(re.findall(r'\sid="([^"]+)"', body))
    wanted = [i for value in re.findall(r'aria-describedby="([^"]+)"', body) for i in value.split()]
    return [i for i in wanted if i not in ids]


def test_every_aria_describedby_points_at_an_element_on_the_sellers_pages(client, supervisor):
    # given: the answer page (fresh and refused), the inbox's claim page, the payment page
    claim, path = awaiting()
    pages = [client.get(path), client.post(path, {"decision": "insurer", "files": [_gif()]})]
    signed_in(client, claim.seller)
    pages.append(client.get(reverse("sellers:inbox-claim", args=[claim.reference])))
    paying = _payment_claim(supervisor)
    signed_in(client, paying.seller)
    url = reverse("sellers:inbox-payment", args=[paying.reference])
    pages += [client.get(url), client.post(url, {"amount": "-1", "reference": ""})]
    # then: every id an element is described by exists on its page
    for response in pages:
        body = response.content.decode()
        assert "aria-describedby" in body
        assert _described_by_missing(body) == [], response.request["PATH_INFO"]
