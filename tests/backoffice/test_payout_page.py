"""The payout's page (staff: Money): what it says about its sendings is true for the reader.

A resend starts the payout's attempts again (``payout_resend``), so the count on the page is
the current sending's; the earlier sendings' outcomes are the payout's own timeline events."""

import re

import pytest
from django.urls import reverse

from payouts.models import PayeeChange, Payout
from payouts.services import payouts_send_due
from tests.backoffice import areas
from tests.payouts.helpers import approved_claim, deliver_payout_messages

pytestmark = pytest.mark.django_db


def _refused_by_the_bank() -> Payout:
    """A payout sent once and refused by the provider: the account is closed (the sandbox
    declines accounts ending in 0000)."""
    claim = approved_claim(account="99990000")
    deliver_payout_messages()
    payouts_send_due()
    return Payout.objects.get(claim=claim)


def _fact(html: str, term: str) -> str:
    match = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", html, re.S)
    return match.group(1) if match else ""


def _history(html: str) -> str:
    match = re.search(r'<section aria-labelledby="h-payout-history".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_it_shows_a_resent_payouts_earlier_sending_and_its_attempts_as_the_current_ones(
    client, agent, supervisor
):
    # given: the bank refused the payout (closed account) after one attempt
    payout = _refused_by_the_bank()
    assert payout.status == "failed" and payout.attempts == 1
    url = reverse("backoffice:payout", args=[payout.pk])
    # and the agent corrected the payee, a supervisor approved it and resent the payout
    client.force_login(agent)
    client.post(
        reverse("backoffice:payee-change-request", args=[payout.claim.customer_id]),
        {**areas.NEW_DETAILS, "payout": payout.pk},
    )
    client.force_login(supervisor)
    client.post(
        reverse("backoffice:payee-change", args=[PayeeChange.objects.get().pk]),
        {"decision": "approve", "note": "Called the customer back."},
    )
    client.post(reverse("backoffice:payout-resend", args=[payout.pk]), {"reason": "Payee fixed."})
    payout.refresh_from_db()
    assert payout.attempts == 0  # the resend starts the count again
    # when
    html = client.get(url).content.decode()
    # then: the count is labelled as the current sending's, not the payout's whole life
    assert _fact(html, "Attempts") == ""
    assert _fact(html, "Attempts since it was last sent") == "0"
    # and the earlier sending's outcome and the resend are on the page, oldest first
    history = _history(html)
    failed = history.find("That sending failed: The bank account is closed.")
    resent = history.find("Resent: Payee fixed.")
    assert 0 <= failed < resent, history
    resend_step = history[history.rfind("<li", 0, resent) : resent]
    assert "supervisor" in resend_step, history


def test_a_payout_never_resent_counts_its_attempts_and_lists_its_failure(client, supervisor):
    # given
    payout = _refused_by_the_bank()
    client.force_login(supervisor)
    # when
    html = client.get(reverse("backoffice:payout", args=[payout.pk])).content.decode()
    # then
    assert _fact(html, "Attempts since it was last sent") == "1"
    history = _history(html)
    assert "That sending failed: The bank account is closed." in history
    assert "AC04" not in html  # staff read the label, as on the Money list


def test_payout_page_query_count_is_pinned(client, supervisor, django_assert_num_queries):
    # given: a payout with a failure and a resend on its timeline
    payout = areas.failed_payout(code="TEMPFAIL", message="Gave up after 5 attempts: timeout")
    client.force_login(supervisor)
    client.post(reverse("backoffice:payout-resend", args=[payout.pk]), {"reason": "Back."})
    url = reverse("backoffice:payout", args=[payout.pk])
    client.get(url)
    # then: the user, their permissions, the payout with its claim, the pending change, the
    # payee, the header's unread notifications, and the payout's history
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_the_payout_page_is_not_found_for_an_outsider(client, outsider):
    payout = areas.failed_payout()
    client.force_login(outsider)
    response = client.get(reverse("backoffice:payout", args=[payout.pk]))
    assert response.status_code in (403, 404)


def test_approving_the_new_payee_leads_to_the_payout_waiting_on_it(client, agent, supervisor):
    # given: the agent corrected the payee of a payout the bank refused
    payout = _refused_by_the_bank()
    client.force_login(agent)
    client.post(
        reverse("backoffice:payee-change-request", args=[payout.claim.customer_id]),
        {**areas.NEW_DETAILS, "payout": payout.pk},
    )
    change = PayeeChange.objects.get()
    # when: a supervisor approves it
    client.force_login(supervisor)
    approved = client.post(
        reverse("backoffice:payee-change", args=[change.pk]),
        {"decision": "approve", "note": "Called the customer back."},
    )
    # then: the next step, resending, is where they land (not the Money list)
    assert approved.status_code == 302
    assert approved["Location"] == reverse("backoffice:payout", args=[payout.pk])
    page = client.get(approved["Location"]).content.decode()
    assert "Resend the payout" in page and "The new payment details are in effect" in page
