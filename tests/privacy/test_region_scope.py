"""Need-to-know on the privacy staff page (issue 16): a supervisor of the UK only finds no US
customer to export or erase, no US claim to hold, cannot release a US claim's hold, and the
page lists none of their requests or holds. A customer with a claim outside the reader's
regions is not theirs to export or erase (an export reaches every claim of the customer)."""

import pytest
from django.urls import reverse

from claims import roles
from claims.actors import Actor
from claims.models import Claim, Region
from privacy.models import LegalHold, PrivacyRequest, RequestKind
from privacy.services import legal_hold_place, privacy_export
from tests.conftest import _staff
from tests.privacy.test_erasure import _close, _customer

pytestmark = pytest.mark.django_db

PAGE = reverse("privacy:staff-export")


@pytest.fixture
def uk_supervisor(db):
    return _staff("supervisor-gb", roles.SUPERVISOR, regions=["GB"])


def _to_uk(claims):
    claims.update(region=Region.objects.get(code="GB"))


def test_uk_staff_cannot_export_or_erase_a_us_customer(client, uk_supervisor):
    # given: a customer whose claims are all settled in the US
    customer, _paid, open_claim = _customer()
    _close(open_claim)
    client.force_login(uk_supervisor)
    # when
    export = client.post(PAGE, {"customer": customer.email, "reason": "Ticket 1"})
    erase = client.post(
        reverse("privacy:staff-erase"),
        {"customer": customer.marketplace_id, "reason": "Asked.", "confirm": "on"},
    )
    # then: not found, nothing recorded, nothing erased
    assert export.status_code == 400 and "No customer has the e-mail" in export.content.decode()
    assert erase.status_code == 400 and "No customer has the e-mail" in erase.content.decode()
    assert not PrivacyRequest.objects.exists()
    customer.refresh_from_db()
    assert customer.email and customer.name != ""


def test_uk_staff_cannot_export_a_customer_with_one_claim_outside_the_uk(client, uk_supervisor):
    # given: one claim in the UK, one in the US
    customer, paid, _open = _customer()
    _to_uk(Claim.objects.filter(pk=paid.pk))
    client.force_login(uk_supervisor)
    # when
    response = client.post(PAGE, {"customer": paid.reference, "reason": "Ticket 2"})
    # then
    assert response.status_code == 400
    assert not PrivacyRequest.objects.exists()
    # and once every claim is a UK one, the export runs
    _to_uk(customer.claims.all())
    response = client.post(PAGE, {"customer": paid.reference, "reason": "Ticket 2"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert PrivacyRequest.objects.filter(kind=RequestKind.EXPORT).count() == 1


def test_uk_staff_cannot_hold_or_release_a_us_claim(client, supervisor, uk_supervisor):
    # given: a US claim held by an all-regions supervisor
    _customer_, paid, _open = _customer()
    hold = legal_hold_place(claim=paid, user=supervisor, reason="Court case 12.")
    other = _customer_with_other_claim()
    client.force_login(uk_supervisor)
    # when
    placed = client.post(reverse("privacy:staff-hold"), {"claim": other.reference, "reason": "X"})
    released = client.post(reverse("privacy:staff-release", args=[hold.pk]), {"reason": "Done"})
    # then
    assert placed.status_code == 400 and "No claim has the reference" in placed.content.decode()
    assert released.status_code == 404
    hold.refresh_from_db()
    assert hold.released_at is None
    assert LegalHold.objects.count() == 1


def _customer_with_other_claim():
    from tests.factories import claim_new

    return claim_new()


def test_uk_staff_page_lists_only_uk_requests_and_holds(client, supervisor, uk_supervisor):
    # given: a US export and hold, by an all-regions supervisor
    customer, paid, _open = _customer()
    privacy_export(customer=customer, actor=Actor.staff(supervisor), reason="Ticket US-7")
    legal_hold_place(claim=paid, user=supervisor, reason="Court case US-9.")
    client.force_login(uk_supervisor)
    # when
    us_page = client.get(PAGE).content.decode()
    _to_uk(customer.claims.all())
    uk_page = client.get(PAGE).content.decode()
    # then
    assert "Ticket US-7" not in us_page and paid.reference not in us_page
    assert "Ticket US-7" in uk_page and paid.reference in uk_page
