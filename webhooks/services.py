"""Webhooks: events recorded with the claim events they report, deliveries signed per the
Standard Webhooks specification, retried with exponential backoff for more than three days,
endpoints disabled after sustained failure."""

import base64
import datetime as dt
import json
import logging
import secrets
import time
import urllib.error
import urllib.request

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from standardwebhooks import Webhook

from webhooks.models import (
    ApiEvent,
    Attempt,
    Delivery,
    DeliveryStatus,
    Endpoint,
    EndpointSecret,
    EventType,
)

logger = logging.getLogger(__name__)

# After the first attempt fails: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h
# (about 75 hours in all), then the delivery has failed.
RETRY_SCHEDULE = [
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=14),
    dt.timedelta(hours=20),
    dt.timedelta(hours=24),
]
# An endpoint that has answered nothing but failures for this long is disabled.
DISABLE_AFTER = dt.timedelta(days=3)
ROTATION_OVERLAP = dt.timedelta(hours=24)
LEASE = dt.timedelta(seconds=60)
BATCH = 100
TIMEOUT_SECONDS = 10

# Which claim moves are told, as which event.
STATUS_EVENTS = {
    "submitted": EventType.CLAIM_SUBMITTED,
    "awaiting_seller": EventType.CLAIM_AWAITING_SELLER,
    "escalated": EventType.CLAIM_ESCALATED,
    "approved": EventType.CLAIM_DECIDED,
    "denied": EventType.CLAIM_DECIDED,
    "paid": EventType.CLAIM_PAID,
}


class WebhookError(Exception):
    """A rule refused the action; the message is safe to show."""


def secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


# --- endpoints ---------------------------------------------------------------------------


def endpoint_create(*, client, url: str, event_types: list[str]) -> tuple[Endpoint, str]:
    unknown = set(event_types) - set(EventType.values)
    if unknown or not event_types:
        raise WebhookError(f"Unknown or no event types: {', '.join(sorted(unknown)) or '—'}.")
    with transaction.atomic():
        endpoint = Endpoint(client=client, url=url, event_types=sorted(set(event_types)))
        endpoint.full_clean()
        endpoint.save()
        secret = EndpointSecret.objects.create(endpoint=endpoint, secret=secret_new())
    return endpoint, secret.secret


def endpoint_secret_rotate(*, endpoint: Endpoint, now: dt.datetime | None = None) -> str:
    """A new secret signs from now on; the previous ones keep signing for the overlap."""
    now = now or timezone.now()
    with transaction.atomic():
        EndpointSecret.objects.filter(endpoint=endpoint).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now + ROTATION_OVERLAP)
        ).update(expires_at=now + ROTATION_OVERLAP)
        secret = EndpointSecret.objects.create(
            endpoint=endpoint, secret=secret_new(), created_at=now
        )
    return secret.secret


def endpoint_enable(*, endpoint: Endpoint) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(
        disabled_at=None, disabled_reason="", failing_since=None
    )


def signing_secrets(endpoint_id: int, now: dt.datetime) -> list[str]:
    return list(
        EndpointSecret.objects.filter(endpoint_id=endpoint_id)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")
        .values_list("secret", flat=True)
    )


# --- events ------------------------------------------------------------------------------


def _claim_data(claim, event) -> dict:
    return {
        "claim": claim.reference,
        "status": event.to_status,
        "from_status": event.from_status,
        "region": claim.region.code,
        "currency": claim.currency,
        "claimed_total_minor": claim.claimed_total_minor,
        "approved_total_minor": claim.approved_total_minor,
        "funding": claim.funding,
        "respond_by": claim.seller_respond_by,
        "occurred_at": event.created_at,
    }


def claim_audiences(claims: dict) -> tuple[list, dict]:
    """Who may hear about these claims, in four queries whatever their number: the order
    system (of a new claim); each claim's seller's clients, once the claim was sent to the
    seller; the insurers it was handed to (the reach of ``api.selectors.claims_for_client``)."""
    from api.models import ApiClient, ClientKind
    from claims.models import ClaimEvent
    from sellers.models import ResponseDecision, SellerResponse

    clients = list(ApiClient.objects.all())
    order_systems = [c for c in clients if c.kind == ClientKind.ORDER_SYSTEM]
    sent = set(
        ClaimEvent.objects.filter(claim_id__in=claims, to_status="awaiting_seller").values_list(
            "claim_id", flat=True
        )
    )
    sellers: dict[int, list] = {}
    for c in clients:
        if c.kind == ClientKind.SELLER:
            sellers.setdefault(c.seller_id, []).append(c)
    insurers: dict[str, list] = {}
    for c in clients:
        if c.kind == ClientKind.INSURER:
            insurers.setdefault(c.insurer_email.lower(), []).append(c)
    by_claim: dict[int, list] = {pk: [] for pk in claims}
    for pk, claim in claims.items():
        if pk in sent:
            by_claim[pk].extend(sellers.get(claim.seller_id, []))
    handed = SellerResponse.objects.filter(
        claim_id__in=claims, decision=ResponseDecision.INSURER
    ).values_list("claim_id", "insurer_email")
    for pk, email in set(handed):
        for c in insurers.get(email.lower(), []):
            if c not in by_claim[pk]:
                by_claim[pk].append(c)
    return order_systems, by_claim


def events_for_claim_events(claim_events) -> int:
    """Record the API events (and their deliveries) that claim events mean, in the caller's
    transaction. Called by ``claims.events`` and ``claims.batch`` for every claim event."""
    from api.models import ApiClient
    from claims.models import Claim
    from webhooks.events import recovery_events

    recoveries = recovery_events(claim_events)
    moves = [
        e
        for e in claim_events
        if e.to_status in STATUS_EVENTS or (e.from_status, e.to_status) == ("paid", "under_review")
    ]
    if not moves or not ApiClient.objects.exists():
        return len(events_record(recoveries))
    claims = Claim.objects.select_related("region").in_bulk({e.claim_id for e in moves})
    order_systems, by_claim = claim_audiences(claims)
    events = []
    for move in moves:
        claim = claims[move.claim_id]
        kind = STATUS_EVENTS.get(move.to_status)
        if move.from_status == "paid" and move.to_status == "under_review":
            kind = EventType.PAYOUT_RETURNED  # a returned payout re-opens the claim
        audience = order_systems if kind == EventType.CLAIM_SUBMITTED else by_claim[claim.pk]
        if not audience:
            continue
        data = json.loads(json.dumps(_claim_data(claim, move), cls=DjangoJSONEncoder))
        events.extend(
            ApiEvent(
                client=client, type=kind, data=data, claim_event=move, created_at=move.created_at
            )
            for client in audience
        )
    return len(events_record(events + recoveries))


def events_for_batch(*, claim_ids: list[int], from_status: str, to: str, now) -> int:
    """The same for a batch transition (``claims.batch``), whose events are written in SQL."""
    from api.models import ApiClient
    from claims.models import ClaimEvent

    if not ApiClient.objects.exists():
        return 0
    if to not in STATUS_EVENTS and (from_status, to) != ("paid", "under_review"):
        return 0
    return events_for_claim_events(
        list(
            ClaimEvent.objects.filter(
                claim_id__in=claim_ids, from_status=from_status, to_status=to, created_at=now
            )
        )
    )


def events_record(events: list[ApiEvent]) -> list[ApiEvent]:
    """Save events and a delivery for each endpoint subscribed to their type, in the caller's
    transaction; the sender is woken once it commits."""
    if not events:
        return []
    created = ApiEvent.objects.bulk_create(events, ignore_conflicts=False)
    endpoints = list(Endpoint.objects.filter(client_id__in={e.client_id for e in created}))
    now = timezone.now()
    deliveries = [
        Delivery(endpoint=endpoint, event=event, next_attempt_at=now)
        for event in created
        for endpoint in endpoints
        if endpoint.client_id == event.client_id and event.type in endpoint.event_types
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        transaction.on_commit(_wake_sender)
    return created


def _wake_sender() -> None:
    from claims.outbox import publish
    from webhooks.tasks import webhooks_deliver_due

    publish(webhooks_deliver_due, what="webhook deliveries")


# --- delivering --------------------------------------------------------------------------


def payload_of(event: ApiEvent) -> str:
    """The body, per Standard Webhooks: type, timestamp, data."""
    return json.dumps(
        {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.data},
        separators=(",", ":"),
    )


def signature_headers(*, webhook_id: str, body: str, secrets_: list[str], now: dt.datetime) -> dict:
    """``webhook-signature`` holds one ``v1,<base64>`` per live secret (rotation overlap)."""
    signatures = [Webhook(s).sign(webhook_id, now, body) for s in secrets_]
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def _take(*, now: dt.datetime, ids: list[int] | None = None, limit: int = BATCH) -> list[int]:
    """Lease due deliveries with a compare-and-swap, so no two workers send the same one."""
    due = Delivery.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__disabled_at__isnull=True,
    )
    if ids is not None:
        due = due.filter(pk__in=ids)
    candidates = list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
    taken = []
    for pk in candidates:
        if Delivery.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            pk=pk,
            status=DeliveryStatus.PENDING,
        ).update(locked_until=now + LEASE):
            taken.append(pk)
    return taken


def _post(url: str, body: str, headers: dict) -> tuple[int | None, int, str]:
    request = urllib.request.Request(  # noqa: S310 - endpoints are http(s) URLs (URLField)
        url,
        data=body.encode(),
        method="POST",
        headers={
            **headers,
            "Content-Type": "application/json",
            "User-Agent": "Claimdesk-Webhooks/1",
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read(1024)
            code, error = response.status, ""
    except urllib.error.HTTPError as exc:
        code, error = exc.code, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        code, error = None, str(getattr(exc, "reason", exc))[:300]
    return code, int((time.monotonic() - started) * 1000), error


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Send one leased delivery and record the attempt; returns its new status."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("endpoint__client", "event").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return delivery.status
    body = payload_of(delivery.event)
    headers = signature_headers(
        webhook_id=delivery.webhook_id,
        body=body,
        secrets_=signing_secrets(delivery.endpoint_id, now),
        now=now,
    )
    code, elapsed, error = _post(delivery.endpoint.url, body, headers)
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery, attempted_at=now, status_code=code, response_ms=elapsed, error=error
        )
        update = {
            "attempts": F("attempts") + 1,
            "locked_until": None,
            "last_status_code": code,
            "last_response_ms": elapsed,
            "last_error": error,
        }
        if ok:
            update |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
            Endpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
        else:
            retry = delivery.attempts  # attempts before this one
            if retry < len(RETRY_SCHEDULE):
                update["next_attempt_at"] = now + RETRY_SCHEDULE[retry]
            else:
                update |= {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
            _endpoint_failed(endpoint=delivery.endpoint, now=now)
        Delivery.objects.filter(pk=delivery.pk).update(**update)
    return DeliveryStatus.DELIVERED if ok else update.get("status", DeliveryStatus.PENDING)


def _endpoint_failed(*, endpoint: Endpoint, now: dt.datetime) -> None:
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    endpoint.refresh_from_db(fields=["failing_since", "disabled_at"])
    if endpoint.disabled_at is None and now - endpoint.failing_since >= DISABLE_AFTER:
        reason = f"Every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC."
        if Endpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
            disabled_at=now, disabled_reason=reason
        ):
            from claims.notifications import email_send

            client = endpoint.client
            transaction.on_commit(
                lambda: email_send(
                    template="webhook-disabled",
                    to=[client.contact_email],
                    context={"client": client.name, "url": endpoint.url, "reason": reason},
                )
            )


def deliveries_send_due(*, now: dt.datetime | None = None, limit: int = BATCH) -> dict:
    """One bounded batch of due deliveries; ``more`` when the batch came back full."""
    now = now or timezone.now()
    taken = _take(now=now, limit=limit)
    sent = {pk: delivery_send(delivery_id=pk, now=now) for pk in taken}
    return {"sent": len(sent), "more": len(taken) == limit}


def delivery_replay(*, delivery_id: int, now: dt.datetime | None = None) -> bool:
    """Send a delivery again (staff): same event, same ``webhook-id``; a fresh schedule."""
    now = now or timezone.now()
    changed = Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, locked_until=None, attempts=0
    )
    if changed:
        transaction.on_commit(_wake_sender)
    return bool(changed)


def events_after(*, client, after: int, limit: int = 100):
    return list(ApiEvent.objects.filter(client=client, id__gt=after).order_by("id")[:limit])


def deliveries_pending_count() -> int:
    return Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
