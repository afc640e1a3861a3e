"""The demo's API clients and keys (``seed_demo``): the order system, a seller, an insurer.

Like the demo password, the demo keys are fixed and printed: they exist only in demo data.
Each is stored hashed like any key, and re-made if a supervisor revoked it."""

from django.db import transaction

from api.models import DEFAULT_SCOPES, ApiClient, ApiKey, ClientKind
from api.services import key_hash

DEMO_KEYS = {
    # name: (kind, prefix, secret)
    "Demo order system": (
        ClientKind.ORDER_SYSTEM,
        "demoorders",
        "cdk_demoorders_claimdesk-demo-order-system",  # noqa: S105 - demo data, printed
    ),
    "Demo seller": (
        ClientKind.SELLER,
        "demoseller",
        "cdk_demoseller_claimdesk-demo-seller",  # noqa: S105
    ),
    "Demo insurer": (
        ClientKind.INSURER,
        "demoinsurer",
        "cdk_demoinsurer_claimdesk-demo-insurer",  # noqa: S105
    ),
}


def _demo_seller():
    """The seller with the most claims waiting for its answer, so the demo key has work."""
    from django.db.models import Count, Q

    from claims.models import ClaimStatus
    from sellers.models import Seller

    waiting = Q(claims__status=ClaimStatus.AWAITING_SELLER, claims__seller_notice__isnull=False)
    return (
        Seller.objects.annotate(waiting=Count("claims", filter=waiting))
        .order_by("-waiting", "id")
        .first()
    )


@transaction.atomic
def demo_api_clients() -> list[tuple[ApiClient, str]]:
    from sellers.demo import INSURER_EMAIL

    out = []
    for name, (kind, prefix, secret) in DEMO_KEYS.items():
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            seller = _demo_seller() if kind == ClientKind.SELLER else None
            if kind == ClientKind.SELLER and seller is None:
                continue
            client = ApiClient.objects.create(
                name=name,
                kind=kind,
                seller=seller,
                insurer_email=INSURER_EMAIL if kind == ClientKind.INSURER else "",
                contact_email=f"{prefix}@clients.example",
            )
        ApiKey.objects.update_or_create(
            prefix=prefix,
            defaults={
                "client": client,
                "hashed": key_hash(secret),
                "scopes": list(DEFAULT_SCOPES[kind]),
                "revoked_at": None,
                "revoked_by": None,
            },
        )
        out.append((client, secret))
        if kind == ClientKind.SELLER:
            _demo_endpoint(client)
    return out


def _demo_endpoint(client) -> None:
    """The demo seller's client hears every event at the demo's own receiver."""
    from django.conf import settings
    from django.urls import reverse

    from webhooks.models import Endpoint, EventType
    from webhooks.services import endpoint_create

    if Endpoint.objects.filter(client=client).exists():
        return
    endpoint, _secret = endpoint_create(
        client=client, url="http://127.0.0.1/placeholder", event_types=list(EventType.values)
    )
    endpoint.url = settings.SITE_URL + reverse("demo-webhook-receive", args=[endpoint.pk])
    endpoint.save(update_fields=["url"])
