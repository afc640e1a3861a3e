import itertools
import json
from dataclasses import dataclass

import pytest

from api.models import ClientKind
from api.services import api_client_create, api_key_issue
from tests.factories import SellerFactory

_keys = itertools.count()


@dataclass
class Caller:
    """A Django test client that sends one API key."""

    client: object
    secret: str
    api_client: object = None

    def _headers(self, idempotency_key, extra):
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        if idempotency_key is not False:
            headers["Idempotency-Key"] = idempotency_key or f"test-{next(_keys)}"
        return {**headers, **(extra or {})}

    def get(self, path, data=None, headers=None):
        return self.client.get(path, data, headers=self._headers(False, headers))

    def post(self, path, body, *, idempotency_key=None, headers=None):
        return self.client.post(
            path,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(idempotency_key, headers),
        )


@pytest.fixture
def caller(client):
    def make(secret: str, api_client=None) -> Caller:
        return Caller(client=client, secret=secret, api_client=api_client)

    return make


@pytest.fixture
def seller_a(db):
    return SellerFactory(marketplace_id="S-A", email="ops@seller-a.test")


@pytest.fixture
def seller_b(db):
    return SellerFactory(marketplace_id="S-B", email="ops@seller-b.test")


@pytest.fixture
def api_keys(db, seller_a, seller_b, caller):
    """One client and key of each kind (and a second seller), as a name -> Caller map."""
    specs = {
        "order_system": {"kind": ClientKind.ORDER_SYSTEM},
        "seller_a": {"kind": ClientKind.SELLER, "seller": seller_a},
        "seller_b": {"kind": ClientKind.SELLER, "seller": seller_b},
        "insurer": {"kind": ClientKind.INSURER, "insurer_email": "claims@insurer.test"},
        "payment_provider": {"kind": ClientKind.PAYMENT_PROVIDER},
    }
    out = {}
    for name, spec in specs.items():
        client = api_client_create(name=name, contact_email=f"{name}@clients.test", **spec)
        out[name] = caller(api_key_issue(client=client).secret, client)
    return out


def problem_of(response) -> dict:
    assert response["Content-Type"] == "application/problem+json", response.content
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == response.status_code
    return body


@pytest.fixture
def seller_a_news(seller_a):
    """A reminder and a recovery on A's claim, and a serious alert on A's product."""
    import datetime as dt

    from django.utils import timezone

    from claims.actors import Actor
    from claims.models import ClaimStatus
    from safety.models import Regulator
    from safety.services import alert_raise
    from sellers.models import RecoveryReason
    from sellers.services.recoveries import recovery_open
    from sellers.services.reminders import seller_reminders_send
    from sellers.services.responses import seller_notify
    from tests.factories import OrderLineFactory, claim_in

    claim = claim_in(
        ClaimStatus.AWAITING_SELLER, order_line=OrderLineFactory(product__seller=seller_a)
    )
    assert seller_notify(claim_id=claim.pk, event_id=0)
    assert seller_reminders_send(now=claim.seller_respond_by - dt.timedelta(hours=1)) == 1
    recovery_open(claim=claim, reason=RecoveryReason.NO_INSURANCE, actor=Actor.system("test"))
    alert_raise(
        product_id=claim.order_line.product_id,
        regulator=Regulator.objects.get(code="cpsc"),
        trigger="incident",
        reasons=["death"],
        claim_ids=[claim.pk],
        aware_at=timezone.now(),
    )
    return claim
