"""Supervisors manage API clients and keys on /staff/api-clients/."""

import pytest
from django.urls import reverse

from api.models import ApiClient, ApiKey, ClientKind
from api.services import api_client_create, api_key_issue, key_hash

pytestmark = pytest.mark.django_db

PAGE = "/staff/api-clients/"


@pytest.fixture
def order_client(db):
    return api_client_create(
        name="Order system", kind=ClientKind.ORDER_SYSTEM, contact_email="ops@market.test"
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [("supervisor", 200), ("agent", 403), ("analyst", 403), ("outsider", 403), (None, 302)],
)
def test_page_is_for_supervisors(client, cast, order_client, who, expected):
    if who:
        client.force_login(cast[who])
    key = api_key_issue(client=order_client).key
    assert client.get(PAGE).status_code == expected
    assert client.head(PAGE).status_code == expected
    issue = client.post(reverse("backoffice:api-key-issue", args=[order_client.pk]), {})
    revoke = client.post(reverse("backoffice:api-key-revoke", args=[key.pk]))
    if who != "supervisor":
        assert issue.status_code == revoke.status_code == expected
        assert ApiKey.objects.count() == 1 and ApiKey.objects.get().revoked_at is None


def test_get_on_post_only_pages_is_405(client, supervisor, order_client):
    client.force_login(supervisor)
    key = api_key_issue(client=order_client).key
    assert (
        client.get(reverse("backoffice:api-key-issue", args=[order_client.pk])).status_code == 405
    )
    assert client.get(reverse("backoffice:api-key-revoke", args=[key.pk])).status_code == 405


def test_supervisor_adds_a_seller_client(client, supervisor, seller_a):
    client.force_login(supervisor)
    response = client.post(
        PAGE,
        {
            "name": "Seller A tools",
            "kind": "seller",
            "contact_email": "dev@a.test",
            "seller": "S-A",
        },
    )
    assert response.status_code == 302
    added = ApiClient.objects.get()
    assert (added.kind, added.seller, added.created_by) == ("seller", seller_a, supervisor)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "seller", "seller": ""}, "seller"),
        ({"kind": "seller", "seller": "S-404"}, "seller"),
        ({"kind": "order_system", "seller": "S-A"}, "seller"),
        ({"kind": "insurer"}, "insurer_email"),
        ({"kind": "robot"}, "kind"),
        ({"kind": "order_system", "contact_email": "nope"}, "contact_email"),
    ],
)
def test_bad_client_is_refused_and_input_kept(client, supervisor, seller_a, data, field):
    client.force_login(supervisor)
    form = {"name": "Typed name", "contact_email": "dev@a.test", **data}
    response = client.post(PAGE, form)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'value="Typed name"' in response.content.decode()
    assert not ApiClient.objects.exists()


def test_key_is_shown_once_and_stored_hashed(client, supervisor, order_client):
    # given
    client.force_login(supervisor)
    url = reverse("backoffice:api-key-issue", args=[order_client.pk])
    prefix = f"key-{order_client.pk}"
    # when
    response = client.post(
        url, {f"{prefix}-scopes": ["marketplace:write"], f"{prefix}-rate_per_minute": "120"}
    )
    # then
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["issued"].secret
    assert secret in response.content.decode()
    key = ApiKey.objects.get()
    assert (key.hashed, key.rate_per_minute, key.created_by) == (key_hash(secret), 120, supervisor)
    again = client.get(PAGE).content.decode()
    assert secret not in again and f"{key.prefix}…" in again


def _issue(client, api_client, *, scopes: list[str], rate: str):
    """Post the new-key form of ``api_client``'s row."""
    prefix = f"key-{api_client.pk}"
    return client.post(
        reverse("backoffice:api-key-issue", args=[api_client.pk]),
        {f"{prefix}-scopes": scopes, f"{prefix}-rate_per_minute": rate},
    )


def test_key_with_a_scope_beyond_its_kind_is_refused(client, supervisor, order_client):
    client.force_login(supervisor)
    response = _issue(client, order_client, scopes=["claims:read"], rate="60")
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_supervisor_revokes_a_key(client, supervisor, order_client):
    client.force_login(supervisor)
    key = api_key_issue(client=order_client).key
    response = client.post(reverse("backoffice:api-key-revoke", args=[key.pk]))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == supervisor
    page = client.get(PAGE).content.decode()
    assert "revoked" in page


def test_both_forms_use_the_staff_pages_one_error_summary(client, supervisor, order_client):
    # The page's forms summarise their errors as every staff form does
    # (backoffice/_errors.html), with each field's error beside the field.
    client.force_login(supervisor)
    prefix = f"key-{order_client.pk}"
    refused_key = _issue(client, order_client, scopes=["claims:read"], rate="0").content.decode()
    refused_client = client.post(PAGE, {"name": "Typed", "kind": "robot"}).content.decode()
    for page in (refused_key, refused_client):
        assert page.count('class="error-summary"') == 1
        assert (
            '<div class="error-summary" role="alert" tabindex="-1"><p>Please check the '
            "highlighted answers</p></div>" in page
        )
        assert "Please correct these problems" not in page
    assert f'id="id_{prefix}-scopes-error"' in refused_key
    assert f'id="id_{prefix}-rate_per_minute-error"' in refused_key
    assert 'id="id_kind-error"' in refused_client
