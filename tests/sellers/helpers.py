"""Shared steps for the seller-journey tests: a claim awaiting its seller, and the seller's link."""

import re

from django.core import mail

from claims.models import ClaimStatus, Outbox
from claims.outbox import deliver
from tests.factories import claim_in

LINK = re.compile(
    r"/sellers/claims/(?P<ref>[^/]+)/(?P<kind>respond|insurer|statement)/(?P<token>[^/\s\"]+)/"
)
OVER = 250_000  # USD 2,500.00: over the US threshold of 1,000.00
UNDER = 25_000  # USD 250.00


def run_outbox(topic: str) -> int:
    """Deliver every outstanding message of ``topic`` here, as a worker would."""
    ids = list(
        Outbox.objects.filter(topic=topic, done_at__isnull=True).values_list("pk", flat=True)
    )
    for message_id in ids:
        assert deliver(message_id=message_id) == "done"
    return len(ids)


def awaiting(*, amount_minor: int = UNDER, **kwargs):
    """A claim that has just entered ``awaiting seller``, the seller e-mailed with a link.

    Returns the claim and the path of the seller's response page.
    """
    claim = claim_in(ClaimStatus.AWAITING_SELLER, amount_minor=amount_minor, **kwargs)
    run_outbox("sellers.notify_seller")
    claim.refresh_from_db()
    return claim, link_path(mail.outbox[-1].body)


def link_path(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(0)


def signed_in(client, seller) -> None:
    """``client`` is signed in to the seller's inbox as ``seller`` (as its e-mailed link does)."""
    from sellers.session import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = seller.pk
    session.save()
