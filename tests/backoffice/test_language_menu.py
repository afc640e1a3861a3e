"""Staff choose the language of their pages, as customers do: the public layout's language menu
is in the staff header too, and sends them back to the page they were on."""

import re

import pytest
from django.urls import reverse

from claims.models import ClaimStatus
from tests.factories import claim_in

pytestmark = pytest.mark.django_db
QUEUE = reverse("backoffice:queue")


def _menu(body: str) -> str:
    found = re.search(r'<form class="language".*?</form>', body, re.S)
    assert found, "no language menu"
    return found.group(0)


def test_staff_header_has_a_labelled_language_menu(client, agent):
    # given
    client.force_login(agent)
    # when
    body = client.get(QUEUE).content.decode()
    # then: in the header, a labelled select of every language named in itself, the current
    # one chosen, and a button; sent to set_language with the current page as "next"
    header = re.search(r'<header class="staff-header">.*?</header>', body, re.S).group(0)
    menu = _menu(header)
    assert f'action="{reverse("set_language")}"' in menu and 'method="post"' in menu
    assert 'name="csrfmiddlewaretoken"' in menu
    assert f'<input name="next" type="hidden" value="{QUEUE}">' in menu
    assert '<label for="language-select" class="visually-hidden">Language</label>' in menu
    assert '<select id="language-select" name="language">' in menu
    assert '<option value="en" lang="en" selected>English</option>' in menu
    assert '<option value="de" lang="de">Deutsch</option>' in menu
    assert '<button type="submit">Change</button>' in menu


def test_staff_member_switches_to_german_and_stays_on_the_page(client, agent):
    # given: an agent on a claim's workspace, reading English
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    here = reverse("backoffice:claim", args=[claim.pk])
    client.force_login(agent)
    assert f'<input name="next" type="hidden" value="{here}">' in client.get(here).content.decode()
    # when: they choose German in the header's menu
    response = client.post(reverse("set_language"), {"language": "de", "next": here})
    # then: back where they were, and the staff pages are in German
    assert response.status_code == 302 and response["Location"] == here
    body = client.get(QUEUE).content.decode()
    assert '<html lang="de">' in body
    assert "Nächste Schadensmeldung nehmen" in body  # "Take next claim"
    assert "Abmelden" in body  # "Sign out"
    assert '<option value="de" lang="de" selected>Deutsch</option>' in _menu(body)


def test_staff_login_page_keeps_its_language_menu(client):
    # the sign-in page uses the public layout: one menu, from the same include
    body = client.get(reverse("backoffice:login")).content.decode()
    assert body.count('<form class="language"') == 1
