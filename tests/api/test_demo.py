"""The demo's API clients: one of each kind, keys that work, re-made after a revocation."""

import pytest

from api.demo import demo_api_clients
from api.models import ApiKey
from api.services import api_key_revoke
from tests.api.conftest import Caller
from tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_demo_keys_work_and_seeding_again_changes_nothing(client):
    # given
    SellerFactory()
    keys = dict((c.name, s) for c, s in demo_api_clients())
    # then
    assert set(keys) == {"Demo order system", "Demo seller", "Demo insurer"}
    order_system = Caller(client, keys["Demo order system"])
    body = {"customer_id": "C-9", "name": "Ann", "email": "ann@example.test"}
    assert order_system.post("/api/v1/customers/", body).status_code == 200
    assert Caller(client, keys["Demo seller"]).get("/api/v1/claims/").status_code == 200
    assert Caller(client, keys["Demo insurer"]).get("/api/v1/claims/").status_code == 200
    # a revoked demo key is made again by the next seeding, with the same secret
    api_key_revoke(key_id=ApiKey.objects.get(prefix="demoseller").pk)
    again = dict((c.name, s) for c, s in demo_api_clients())
    assert again == keys and ApiKey.objects.count() == 3
    assert Caller(client, keys["Demo seller"]).get("/api/v1/claims/").status_code == 200
