"""Claims with incident facts in any region, for the safety tests."""

import datetime as dt

from django.utils import timezone

from claims.models import IncidentKind, LossKind, Region
from claims.services import LossInput
from safety.services import incident_facts_record
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, claim_new

QUIET = {
    "hazard": "other",
    "medical_care": "none",
    "death": False,
    "child_hurt": "none",
    "product_model": "",
    "batch_serial": "",
    "kept_for_inspection": False,
}


def region_open(code: str) -> Region:
    """A region accepting claims (only the US is at launch)."""
    Region.objects.filter(code=code).update(active=True)
    return Region.objects.get(code=code)


def line_in(code: str, *, product=None):
    region = region_open(code)
    order = OrderFactory(region=region, currency=region.currency)
    return OrderLineFactory(
        order=order, currency=region.currency, product=product or ProductFactory()
    )


def incident(code: str = "US", *, product=None, submitted=None, **facts):
    """A claim in region ``code`` with these facts (the rest quiet)."""
    line = line_in(code, product=product)
    hurt = facts.get("medical_care", "none") != "none" or facts.get("death")
    claim = claim_new(
        order_line=line,
        incident_kind=IncidentKind.PERSONAL_INJURY if hurt else IncidentKind.PROPERTY_DAMAGE,
        people_injured=1 if hurt else 0,
        losses=[LossInput(kind=LossKind.PURCHASE_PRICE, amount_minor=4999)],
        now=submitted or timezone.now() - dt.timedelta(minutes=5),
    )
    incident_facts_record(claim=claim, facts={**QUIET, **facts})
    return claim


def deliver_safety_outbox() -> list[str]:
    """Run the safety app's outbox messages as a worker would; the topics delivered."""
    from claims.models import Outbox
    from claims.outbox import deliver

    topics = []
    for message in Outbox.objects.filter(
        done_at__isnull=True, topic__startswith="safety."
    ).order_by("pk"):
        deliver(message_id=message.pk)
        topics.append(message.topic)
    return topics


def safety_officer(username: str = "officer"):
    """A member of the safety team, covering every region (need-to-know: claims.scope)."""
    from claims import roles
    from tests.conftest import _staff

    return _staff(username, roles.SAFETY)
