"""The zone a seller's pages and the staff timeline write a payment deadline in (found on the
demo: a US seller whose browser said only "UTC" read "17 Dec 2026, 04:59 UTC (UTC)", and the
staff timeline "must pay the customer $1,669.00 by 2026-12-17", the UTC day as an ISO date)."""

import re
import zoneinfo

import pytest
from django.urls import reverse

from claims_site.dates import format_moment
from sellers.models import PartyPayment
from tests.sellers.helpers import signed_in

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _payment(supervisor) -> PartyPayment:
    from tests.payouts.test_money_policy import _accepted, _approve_accepted

    claim = _approve_accepted(_accepted(), supervisor)
    return PartyPayment.objects.select_related("claim").get(claim=claim)


def _repeated_zone(body: str) -> list[str]:
    """Every "X (X)": a zone named twice."""
    return [m[0] for m in re.finditer(r"\b([A-Za-z_/+-]+) \(\1\)", body)]


@pytest.mark.parametrize("browser_zone", [None, "UTC", "Etc/UTC"])
def test_a_us_seller_whose_browser_names_no_place_reads_the_deadline_in_the_regions_zone(
    client, supervisor, browser_zone
):
    # given: a US seller who must pay; their browser gave no zone, or only UTC
    payment = _payment(supervisor)
    claim = payment.claim
    assert claim.region.time_zone == "America/New_York"
    signed_in(client, claim.seller)
    if browser_zone:
        client.cookies["tz"] = browser_zone
    due = format_moment(payment.due_at.astimezone(NEW_YORK))
    assert due.endswith(("EST", "EDT"))
    # when / then: the inbox, the claim page and the payment page give the deadline in New York
    pages = (
        reverse("sellers:inbox"),
        reverse("sellers:inbox-claim", args=[claim.reference]),
        reverse("sellers:inbox-payment", args=[claim.reference]),
    )
    for url in pages:
        body = client.get(url).content.decode()
        assert due in body, url
        assert " UTC" not in body and _repeated_zone(body) == [], url
    inbox = client.get(pages[0]).content.decode()
    assert "Dates are shown in your region's time zone (America/New_York)." in inbox


def test_a_seller_whose_browser_names_a_place_reads_the_deadline_there(client, supervisor):
    payment = _payment(supervisor)
    signed_in(client, payment.claim.seller)
    client.cookies["tz"] = "America/Los_Angeles"
    body = client.get(reverse("sellers:inbox")).content.decode()
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    assert format_moment(payment.due_at.astimezone(la)) in body
    assert "Dates are shown in your time zone (America/Los_Angeles)." in body


def test_the_claim_page_names_a_zone_once_when_the_moment_already_names_it(client, supervisor):
    # given: a reader whose own zone is UTC (a staff member's profile says so, say): the
    # seller's page in UTC reads "… 04:59 UTC", not "… 04:59 UTC (UTC)"
    from django.utils import timezone

    payment = _payment(supervisor)
    signed_in(client, payment.claim.seller)
    client.cookies["tz"] = "Europe/Madrid"
    url = reverse("sellers:inbox-claim", args=[payment.claim.reference])
    body = client.get(url).content.decode()
    local = payment.due_at.astimezone(zoneinfo.ZoneInfo("Europe/Madrid"))
    assert f"{format_moment(local)}</time> (Europe/Madrid)" in body
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        from django.template import engines

        text = engines["django"].from_string("{{ d|moment }}{{ d|zone_named }}")
        assert text.render({"d": payment.due_at}).endswith(" UTC")


def test_the_staff_timeline_writes_the_payment_deadline_as_a_moment_in_the_readers_zone(
    client, supervisor, settings
):
    # given: the seller must pay; a supervisor in New York reads the claim's timeline
    payment = _payment(supervisor)
    client.force_login(supervisor)
    url = reverse("backoffice:claim", args=[payment.claim.pk])
    due = format_moment(payment.due_at.astimezone(NEW_YORK))
    body = client.get(url).content.decode()
    # then: the deadline is the moment in their zone, not the UTC day as an ISO date
    assert f"Seller must pay the customer {payment.amount_display} by {due}." in body
    assert payment.due_at.date().isoformat() not in body
    # and a reader in Madrid, in French, reads it in their zone and language
    client.cookies["tz"] = "Europe/Madrid"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    from django.utils import translation

    with translation.override("fr"):
        madrid = format_moment(payment.due_at.astimezone(zoneinfo.ZoneInfo("Europe/Madrid")))
    body = client.get(url).content.decode()
    assert f"{madrid}." in body and "doit payer" in body
