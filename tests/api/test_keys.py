"""Keys: shown once, stored hashed, scoped, revocable, last use recorded, rate limited."""

import datetime as dt

import pytest
from django.utils import timezone

from api.models import ApiKey, ClientKind
from api.services import ApiClientError, api_client_create, api_key_issue, api_key_revoke, key_hash
from tests.api.conftest import problem_of

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


def test_key_is_stored_only_as_its_hash(api_keys):
    # given
    secret = api_keys["seller_a"].secret
    # then
    key = ApiKey.objects.get(client__name="seller_a")
    assert secret.startswith(f"cdk_{key.prefix}_")
    assert key.hashed == key_hash(secret)
    stored = [str(v) for v in ApiKey.objects.values_list(flat=False).get(pk=key.pk)]
    assert not any(secret in value for value in stored)


def test_request_without_key_is_401_problem(client):
    response = client.get(CLAIMS)
    assert response.status_code == 401
    assert problem_of(response)["type"].endswith("not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer cdk_abc_def", "Basic dXNlcjpwdw==", "Bearer ", "Token x"],
)
def test_bad_keys_are_401(client, api_keys, header):
    response = client.get(CLAIMS, headers={"Authorization": header})
    assert response.status_code == 401
    problem_of(response)


def test_tampered_key_with_a_real_prefix_is_401(client, api_keys):
    secret = api_keys["seller_a"].secret
    response = client.get(CLAIMS, headers={"Authorization": f"Bearer {secret[:-2]}xx"})
    assert response.status_code == 401


def test_revoked_key_is_refused_at_once(api_keys):
    # given
    seller = api_keys["seller_a"]
    assert seller.get(CLAIMS).status_code == 200
    key = ApiKey.objects.get(client__name="seller_a")
    # when
    assert api_key_revoke(key_id=key.pk) is True
    # then
    response = seller.get(CLAIMS)
    assert response.status_code == 401
    assert "revoked" in problem_of(response)["detail"]
    assert api_key_revoke(key_id=key.pk) is False  # a second revocation changes nothing


def test_last_use_is_recorded_at_most_once_a_minute(api_keys):
    seller = api_keys["seller_a"]
    key = ApiKey.objects.get(client__name="seller_a")
    assert key.last_used_at is None
    seller.get(CLAIMS)
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=5)
    seller.get(CLAIMS)
    key.refresh_from_db()
    assert key.last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    seller.get(CLAIMS)
    key.refresh_from_db()
    assert key.last_used_at > first - dt.timedelta(minutes=1)


def test_rate_limit_is_per_key(api_keys):
    # given: seller A's key allows 3 requests a minute
    ApiKey.objects.filter(client__name="seller_a").update(rate_per_minute=3)
    a, b = api_keys["seller_a"], api_keys["seller_b"]
    # when
    codes = [a.get(CLAIMS).status_code for _ in range(4)]
    # then
    assert codes == [200, 200, 200, 429]
    body = problem_of(a.get(CLAIMS))
    assert body["type"].endswith("rate-limited")
    assert int(a.get(CLAIMS)["Retry-After"]) > 0
    assert b.get(CLAIMS).status_code == 200  # another key has its own count


def test_key_scopes_are_limited_by_kind(seller_a):
    client = api_client_create(
        name="s", kind=ClientKind.SELLER, contact_email="a@b.test", seller=seller_a
    )
    with pytest.raises(ApiClientError, match="marketplace:write"):
        api_key_issue(client=client, scopes=["marketplace:write"])
    with pytest.raises(ApiClientError, match="Unknown"):
        api_key_issue(client=client, scopes=["claims:everything"])
    issued = api_key_issue(client=client, scopes=["claims:read"])
    assert issued.key.scopes == ["claims:read"]


def test_client_kind_names_what_it_is_limited_to(seller_a):
    with pytest.raises(ApiClientError):
        api_client_create(name="s", kind=ClientKind.SELLER, contact_email="a@b.test")
    with pytest.raises(ApiClientError):
        api_client_create(name="i", kind=ClientKind.INSURER, contact_email="a@b.test")
