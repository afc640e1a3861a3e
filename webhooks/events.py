"""API events beyond the claim's status moves (issue 15 point 4, issue 17 point 6): a seller
reminder due, a recovery's steps, a safety alert raised, a product's listings to suspend.

Each is recorded by the service where the thing happens, in its transaction (``ApiEvent`` and
``Delivery`` rows are the webhooks' outbox), for the clients that may hear of it:

- a reminder: the claim's audience (its seller's clients once it was sent to them, and the
  insurer it was handed to), as for the claim's moves;
- a recovery: the recovery's seller's clients only (what it owes is between it and the
  marketplace);
- a safety alert and a product to suspend: the order system (the marketplace suspends the
  listing) and the product's seller's clients; never an insurer. The payloads name no claim,
  so a seller learns nothing of a claim it has not been sent.
"""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from webhooks.models import ApiEvent, EventType

# A recovery's claim-timeline step (``sellers.services.recoveries``) -> the event it is.
RECOVERY_STEPS = {
    "opened": EventType.RECOVERY_OPENED,
    "amount": EventType.RECOVERY_AMOUNT_FIXED,
    "withheld": EventType.RECOVERY_WITHHELD,
    "appeal_upheld": EventType.RECOVERY_APPEAL_DECIDED,
    "appeal_rejected": EventType.RECOVERY_APPEAL_DECIDED,
}


def _json(data: dict) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _clients():
    from api.models import ApiClient

    return list(ApiClient.objects.all())


def _record(events: list[ApiEvent]) -> int:
    from webhooks.services import events_record

    return len(events_record(events))


# --- recoveries ------------------------------------------------------------------------------


def recovery_events(claim_events) -> list[ApiEvent]:
    """The API events that these claim-timeline events mean for recoveries (unsaved; the
    caller records them with the claim moves). Called for every claim event."""
    from api.models import ClientKind
    from sellers.models import Recovery

    steps = [
        e
        for e in claim_events
        if e.kind == "recovery" and (e.data or {}).get("step") in RECOVERY_STEPS
    ]
    if not steps:
        return []
    sellers: dict[int, list] = {}
    for client in _clients():
        if client.kind == ClientKind.SELLER:
            sellers.setdefault(client.seller_id, []).append(client)
    if not sellers:
        return []
    recoveries = Recovery.objects.select_related("claim", "seller").in_bulk(
        {e.data["recovery_id"] for e in steps}
    )
    events = []
    for step in steps:
        recovery = recoveries.get(step.data["recovery_id"])
        if recovery is None or not sellers.get(recovery.seller_id):
            continue
        data = _json(recovery_data(recovery=recovery, step=step))
        events.extend(
            ApiEvent(
                client=client,
                type=RECOVERY_STEPS[step.data["step"]],
                data=data,
                claim_event=step,
                created_at=step.created_at,
            )
            for client in sellers[recovery.seller_id]
        )
    return events


def recovery_data(*, recovery, step) -> dict:
    """What a recovery event carries: the recovery as it stands after the step, and the step."""
    data = {
        "recovery": recovery.pk,
        "claim": recovery.claim.reference,
        "seller_id": recovery.seller.marketplace_id,
        "reason": recovery.reason,
        "status": recovery.status,
        "currency": recovery.currency,
        "amount_minor": recovery.amount_minor,
        "withheld_minor": recovery.withheld_minor,
        "outstanding_minor": recovery.outstanding_minor,
        "appeal_due": recovery.appeal_due,
        "occurred_at": step.created_at,
    }
    kind = step.data["step"]
    if kind == "amount":
        data["previous_amount_minor"] = step.data.get("was_minor")
    elif kind == "withheld":
        data["withheld_now_minor"] = step.data.get("amount_minor")
        data["disbursement_reference"] = step.reason
    elif kind in ("appeal_upheld", "appeal_rejected"):
        data["outcome"] = "upheld" if kind == "appeal_upheld" else "rejected"
        data["decision_note"] = step.reason
    return data


# --- reminders -------------------------------------------------------------------------------


def seller_reminder_due(*, claim_id: int, offset_hours: int, now: dt.datetime) -> int:
    """The seller's response deadline is ``offset_hours`` away (``seller_reminders_send``)."""
    from api.models import ApiClient
    from claims.models import Claim
    from webhooks.services import claim_audiences

    if not ApiClient.objects.exists():
        return 0
    claim = Claim.objects.select_related("region").get(pk=claim_id)
    _order_systems, by_claim = claim_audiences({claim.pk: claim})
    data = _json(
        {
            "claim": claim.reference,
            "status": claim.party_status.value,
            "region": claim.region.code,
            "respond_by": claim.seller_respond_by,
            "hours_before": offset_hours,
            "occurred_at": now,
        }
    )
    return _record(
        [
            ApiEvent(client=c, type=EventType.SELLER_REMINDER_DUE, data=data, created_at=now)
            for c in by_claim[claim.pk]
        ]
    )


# --- product safety --------------------------------------------------------------------------


def _product_audience(product) -> list:
    from api.models import ClientKind

    return [
        c
        for c in _clients()
        if c.kind == ClientKind.ORDER_SYSTEM
        or (c.kind == ClientKind.SELLER and c.seller_id == product.seller_id)
    ]


def _product(product) -> dict:
    return {
        "product_id": product.marketplace_id,
        "title": product.title,
        "gtin": product.gtin,
        "model_number": product.model_number,
        "seller_id": product.seller.marketplace_id,
    }


def _alert(alert) -> dict:
    return {
        "alert": alert.pk,
        "regulator": alert.regulator.code,
        "trigger": alert.trigger,
        "reasons": alert.reasons,
        "recall": alert.recall.number if alert.recall_id else None,
        "raised_at": alert.raised_at,
    }


def safety_alert_raised(*, alert_id: int, now: dt.datetime | None = None) -> int:
    """A new safety alert on a product (``safety.services.alert_raise``)."""
    from safety.models import SafetyAlert

    now = now or timezone.now()
    alert = SafetyAlert.objects.select_related("product__seller", "regulator", "recall").get(
        pk=alert_id
    )
    audience = _product_audience(alert.product)
    data = _json({**_product(alert.product), **_alert(alert), "occurred_at": now})
    return _record(
        [
            ApiEvent(client=c, type=EventType.SAFETY_ALERT_RAISED, data=data, created_at=now)
            for c in audience
        ]
    )


def product_listings_suspend(*, product_id: int, now: dt.datetime | None = None) -> int:
    """A new reason to suspend a product's listings (a serious alert raised, a recall matched):
    the product as ``safety.selectors.products_to_suspend`` lists it, with every reason it
    stands on now. Nothing if the product is not (or no longer) on that list."""
    from safety.selectors import products_to_suspend

    now = now or timezone.now()
    product = products_to_suspend().filter(pk=product_id).first()
    if product is None:
        return 0
    data = _json(
        {
            **_product(product),
            "alerts": [_alert(a) for a in product.serious_alerts],
            "recalls": [
                {"number": m.recall.number, "title": m.recall.title, "url": m.recall.url}
                for m in product.recalls
            ],
            "occurred_at": now,
        }
    )
    return _record(
        [
            ApiEvent(client=c, type=EventType.PRODUCT_SUSPEND, data=data, created_at=now)
            for c in _product_audience(product)
        ]
    )
