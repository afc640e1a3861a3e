"""Demo mode only: a webhook receiver inside the demo, and a staff page showing what arrived.

``seed_demo`` subscribes the demo seller's client to every event type at
``/api/demo-receiver/<endpoint id>/``; the receiver checks each delivery's signature with the
``standardwebhooks`` library and the endpoint's live secrets, and keeps the last 50 in the
cache (shared by web and worker in ``make run``)."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from backoffice.views import staff_view
from claims.lifecycle import PartyStatus
from claims.models import Claim
from webhooks.models import EventType
from webhooks.services import signing_secrets

CACHE_KEY = "demo-webhooks-received"
KEEP = 50


def _demo_only():
    if not settings.DEMO_MODE:
        raise Http404


@csrf_exempt
@require_POST
def receive(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    _demo_only()
    body = request.body[:100_000]
    headers = {k.lower(): v for k, v in request.headers.items()}
    payload, verified = None, False
    for secret in signing_secrets(endpoint_id, timezone.now()):
        try:
            payload = Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            continue
        verified = True
        break
    entry = {
        "received_at": timezone.now().isoformat(),
        "webhook_id": headers.get("webhook-id", "")[:60],
        "verified": verified,
        "type": (payload or {}).get("type", ""),
        "claim": ((payload or {}).get("data") or {}).get("claim", ""),
        "status": ((payload or {}).get("data") or {}).get("status", ""),
    }
    received = [entry, *(cache.get(CACHE_KEY) or [])][:KEEP]
    cache.set(CACHE_KEY, received, timeout=None)
    return HttpResponse(status=204 if verified else 400)


def _label(choices, value: str) -> str:
    return choices(value).label if value in choices.values else value


def _when(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


@require_safe
@staff_view("api.manage_apiclient")
def received(request: HttpRequest) -> HttpResponse:
    """The deliveries as staff read them: the time in the viewer's zone and format, the event
    type's and status's labels, each claim linked to its staff page (one query)."""
    _demo_only()
    entries = cache.get(CACHE_KEY) or []
    references = {e.get("claim") for e in entries if e.get("claim")}
    claim_ids = dict(Claim.objects.filter(reference__in=references).values_list("reference", "pk"))
    rows = [
        {
            **entry,
            "received": _when(entry.get("received_at")),
            "type_label": _label(EventType, entry.get("type", "")),
            # payloads carry the party-facing status (claims.lifecycle.PartyStatus)
            "status_label": _label(PartyStatus, entry.get("status", "")),
            "claim_id": claim_ids.get(entry.get("claim")),
        }
        for entry in entries
    ]
    return render(request, "backoffice/demo_webhooks.html", {"received": rows})
