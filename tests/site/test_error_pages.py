"""An error page leads back into the part of the site its address belongs to (found on the
demo: the staff 404 page offered the customer's "My claims" and the public home page)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_staff_page_not_found_leads_back_to_the_staff_workspace(client, agent):
    client.force_login(agent)
    response = client.get("/staff/claims/99999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert f'href="{reverse("backoffice:queue")}">Staff workspace</a>' in body
    assert f'href="{reverse("portal:home")}"' not in body and "My claims" not in body


@override_settings(DEBUG=False)
def test_a_customer_page_not_found_leads_to_the_customers_pages(client):
    body = client.get("/claim/no-such-page/").content.decode()
    assert f'href="{reverse("portal:home")}">My claims</a>' in body
    assert "Staff workspace" not in body


@override_settings(DEBUG=False)
def test_a_seller_page_not_found_leads_to_the_seller_inbox(client):
    body = client.get("/sellers/no-such-page/").content.decode()
    assert f'href="{reverse("sellers:inbox")}">Your seller inbox</a>' in body
    assert "My claims" not in body


def test_a_staff_page_refused_leads_back_to_the_staff_workspace(client, analyst):
    # given: an analyst, whose role has no Decisions page
    client.force_login(analyst)
    response = client.get(reverse("backoffice:decisions"))
    assert response.status_code == 403
    body = response.content.decode()
    assert f'href="{reverse("backoffice:queue")}">Staff workspace</a>' in body


def test_a_staff_page_refused_speaks_to_staff_in_the_staff_layout(client, analyst):
    # Found trying the demo on a phone: the analyst who opened Decisions got the customers'
    # page (their header, "a link from an e-mail may have expired", "reply to any e-mail we
    # sent you") with no staff menu to go on from.
    client.force_login(analyst)
    response = client.get(reverse("backoffice:decisions"))
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="staff-menu-toggle"' in body  # the staff header, with the analyst's areas
    assert f'href="{reverse("backoffice:fraud-queue")}"' in body
    assert f'href="{reverse("backoffice:decisions")}"' not in body
    assert "Your access does not include this page" in body
    assert "link from an e-mail" not in body and "Reply to any e-mail" not in body


@override_settings(DEBUG=False)
def test_a_staff_page_not_found_is_in_the_staff_layout(client, agent):
    client.force_login(agent)
    body = client.get("/staff/claims/99999/").content.decode()
    assert 'class="staff-menu-toggle"' in body and "Reply to any e-mail" not in body


def test_a_refusal_elsewhere_leads_to_the_home_page(rf):
    from claims_site.views import permission_denied

    for path, link, absent in (
        ("/admin/claims/evidence/", reverse("backoffice:queue"), "Your seller inbox"),
        ("/claim/PL-US-2026-000001/", reverse("home"), "Staff workspace"),
    ):
        body = permission_denied(rf.get(path), PermissionDenied()).content.decode()
        assert f'href="{link}"' in body and absent not in body, path
