"""Webhooks: events recorded with the claim events they report, deliveries signed per the
Standard Webhooks specification, retried with exponential backoff for more than three days,
endpoints disabled after sustained failure."""

import base64
import datetime as dt
import http.client
import json
import logging
import os
import secrets
import time
import urllib.parse
from collections.abc import Callable

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
    """A claim move as its clients read it: the party-facing statuses (never fraud screening:
    a claim cleared from a hold comes from *being checked*)."""
    from claims.lifecycle import party_status

    return {
        "claim": claim.reference,
        "status": party_status(event.to_status),
        "from_status": party_status(event.from_status),
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
    """Lease up to ``limit`` due deliveries, oldest due first, in one transaction: the rows are
    read with ``SELECT … FOR UPDATE SKIP LOCKED`` (on PostgreSQL a second worker taking a
    batch at the same moment gets the next rows instead of waiting) and leased by one
    ``UPDATE`` that repeats the lease's conditions (a compare-and-swap). SQLite has no row
    locks: when that update leases fewer rows than were read, another worker took some, and
    the rows are leased one by one to find out which."""
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    due = Delivery.objects.filter(
        free,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__disabled_at__isnull=True,
    )
    if ids is not None:
        due = due.filter(pk__in=ids)
    # Due time only (the partial index ``delivery_due_idx``): a batch transition writes
    # thousands of deliveries due at one instant, and a tie-break by id would sort them all.
    with transaction.atomic():
        candidates = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:limit]
        )
        leased = Delivery.objects.filter(
            free, pk__in=candidates, status=DeliveryStatus.PENDING
        ).update(locked_until=now + LEASE)
    if leased == len(candidates):
        return candidates
    return [
        pk
        for pk in candidates
        if Delivery.objects.filter(free, pk=pk, status=DeliveryStatus.PENDING).update(
            locked_until=now + LEASE
        )
    ]


class _Connections:
    """This process's open connections to receivers, one per scheme, host and port: a
    worker's consecutive deliveries to an endpoint reuse one (HTTP keep-alive) instead of a
    TCP (and TLS) handshake each. Reset after a fork (a prefork worker child)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.open: dict[tuple[str, str, int | None], http.client.HTTPConnection] = {}

    def get(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        if self.pid != os.getpid():
            self.pid, self.open = os.getpid(), {}
        key = (scheme, host, port)
        if key not in self.open:
            kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            self.open[key] = kind(host, port, timeout=TIMEOUT_SECONDS)
        return self.open[key]

    def drop(self, scheme: str, host: str, port: int | None) -> None:
        connection = self.open.pop((scheme, host, port), None)
        if connection is not None:
            connection.close()


_connections = _Connections()
# What a receiver may answer in its body; more, and its connection is not reused.
RESPONSE_LIMIT = 64 * 1024


def _post(url: str, body: str, headers: dict) -> tuple[int | None, int, str]:
    """POST on this process's open connection to the receiver; returns the status code (None
    when there was no answer), the response time in ms and the error. Redirects are not
    followed (an answer other than 2xx is a failure, retried on schedule). A kept connection
    the receiver has closed meanwhile is opened again once (the delivery may then arrive
    twice, which at-least-once allows: the ``webhook-id`` is the same)."""
    parts = urllib.parse.urlsplit(url)
    started = time.monotonic()
    try:
        scheme, host, port = parts.scheme, parts.hostname, parts.port
    except ValueError as exc:
        return None, 0, str(exc)[:300]
    if scheme not in ("http", "https") or not host:
        return None, 0, "Not an http(s) URL."
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = {
        **headers,
        "Content-Type": "application/json",
        "User-Agent": "Claimdesk-Webhooks/1",
    }
    for attempt in (1, 2):
        connection = _connections.get(scheme, host, port)
        reused = connection.sock is not None
        try:
            connection.request("POST", path, body=body.encode(), headers=request_headers)
            response = connection.getresponse()
            response.read(RESPONSE_LIMIT)
            if not response.isclosed() or response.will_close:
                _connections.drop(scheme, host, port)
            return response.status, int((time.monotonic() - started) * 1000), ""
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            _connections.drop(scheme, host, port)
            if reused and attempt == 1:
                continue  # the receiver closed the kept connection: once more, on a new one
            error = str(exc) or type(exc).__name__
        except (OSError, http.client.HTTPException, ValueError) as exc:
            _connections.drop(scheme, host, port)
            error = str(exc) or type(exc).__name__
        break
    return None, int((time.monotonic() - started) * 1000), error[:300]


def deliveries_send(*, ids: list[int], now: dt.datetime) -> dict[int, str]:
    """Send leased deliveries (``ids``, from ``_take``) and record every attempt; returns each
    one's new status. The deliveries, their events and endpoints are read in one query and
    each endpoint's secrets once; the attempts are recorded together, in one transaction, at
    the end (a worker that dies before that leaves the leases to run out: the deliveries are
    sent again, at least once). Sending stops at half the lease, and what is left goes back
    to the queue at once, so a slow receiver never lets a lease run out mid-batch."""
    deliveries = list(
        Delivery.objects.select_related("endpoint__client", "event").filter(pk__in=ids)
    )
    position = {pk: i for i, pk in enumerate(ids)}
    deliveries.sort(key=lambda d: position[d.pk])
    secrets_by_endpoint: dict[int, list[str]] = {}
    results: list[tuple[Delivery, int | None, int, str]] = []
    unsent: list[int] = []
    started = time.monotonic()
    for delivery in deliveries:
        if delivery.status != DeliveryStatus.PENDING:
            continue
        if time.monotonic() - started > LEASE.total_seconds() / 2:
            unsent.append(delivery.pk)
            continue
        if delivery.endpoint_id not in secrets_by_endpoint:
            secrets_by_endpoint[delivery.endpoint_id] = signing_secrets(delivery.endpoint_id, now)
        body = payload_of(delivery.event)
        headers = signature_headers(
            webhook_id=delivery.webhook_id,
            body=body,
            secrets_=secrets_by_endpoint[delivery.endpoint_id],
            now=now,
        )
        results.append((delivery, *_post(delivery.endpoint.url, body, headers)))
    with transaction.atomic():
        statuses = _attempts_record(results=results, now=now)
        if unsent:
            Delivery.objects.filter(pk__in=unsent, status=DeliveryStatus.PENDING).update(
                locked_until=None
            )
    return statuses


def _attempts_record(*, results: list, now: dt.datetime) -> dict[int, str]:
    """The attempts' log rows and each delivery's new state (delivered, due again on the
    retry schedule, or failed): one insert, and one update per distinct outcome (a batch
    delivered to a healthy receiver differs only in a few response times). An endpoint that
    answered once in the batch stops failing; one that only failed starts (or goes on)."""
    if not results:
        return {}
    Attempt.objects.bulk_create(
        Attempt(
            delivery=delivery, attempted_at=now, status_code=code, response_ms=elapsed, error=error
        )
        for delivery, code, elapsed, error in results
    )
    statuses: dict[int, str] = {}
    answered: set[int] = set()
    failing: dict[int, Endpoint] = {}
    # Deliveries whose new state is the same (most of a batch: delivered, 204, a few distinct
    # response times) are updated by one statement.
    updates: dict[tuple, list[int]] = {}
    for delivery, code, elapsed, error in results:
        retry = delivery.attempts  # attempts before this one
        state: dict = {"last_status_code": code, "last_response_ms": elapsed, "last_error": error}
        if code is not None and 200 <= code < 300:
            state |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
            answered.add(delivery.endpoint_id)
        elif retry < len(RETRY_SCHEDULE):
            state["next_attempt_at"] = now + RETRY_SCHEDULE[retry]
            failing[delivery.endpoint_id] = delivery.endpoint
        else:
            state |= {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
            failing[delivery.endpoint_id] = delivery.endpoint
        updates.setdefault(tuple(sorted(state.items())), []).append(delivery.pk)
        statuses[delivery.pk] = state.get("status", DeliveryStatus.PENDING)
    for state, pks in updates.items():
        Delivery.objects.filter(pk__in=pks).update(
            attempts=F("attempts") + 1, locked_until=None, **dict(state)
        )
    if answered:
        Endpoint.objects.filter(pk__in=answered, failing_since__isnull=False).update(
            failing_since=None
        )
    for endpoint_id, endpoint in failing.items():
        if endpoint_id not in answered:
            _endpoint_failed(endpoint=endpoint, now=now)
    return statuses


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Send one leased delivery and record the attempt; returns its new status."""
    sent = deliveries_send(ids=[delivery_id], now=now or timezone.now())
    if delivery_id in sent:
        return sent[delivery_id]
    return Delivery.objects.values_list("status", flat=True).get(pk=delivery_id)


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


def deliveries_send_due(
    *, now: dt.datetime | None = None, limit: int = BATCH, on_full: Callable[[], None] | None = None
) -> dict:
    """One bounded batch of due deliveries; ``more`` when the batch came back full. A full
    batch calls ``on_full`` (the task: queue the next batch) before sending, so another
    worker sends the next batch while this one sends its own."""
    now = now or timezone.now()
    taken = _take(now=now, limit=limit)
    if len(taken) == limit and on_full is not None:
        on_full()
    sent = deliveries_send(ids=taken, now=now)
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
