"""Supervisors manage API clients and keys on /staff/api-clients/."""

import re

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
    # revoking is a confirmation page first (GET), then its form (POST)
    assert client.get(reverse("backoffice:api-key-revoke", args=[key.pk])).status_code == 200
    assert client.put(reverse("backoffice:api-key-revoke", args=[key.pk])).status_code == 405


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
    form = _key_form(client, order_client, scopes=["marketplace:write"], rate="120")
    # when
    response = client.post(url, form)
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
    return client.post(
        reverse("backoffice:api-key-issue", args=[api_client.pk]),
        _key_form(client, api_client, scopes=scopes, rate=rate),
    )


def test_key_with_a_scope_beyond_its_kind_is_refused(client, supervisor, order_client):
    client.force_login(supervisor)
    response = _issue(client, order_client, scopes=["claims:read"], rate="60")
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_supervisor_revokes_a_key(client, supervisor, order_client):
    client.force_login(supervisor)
    key = api_key_issue(client=order_client).key
    response = client.post(
        reverse("backoffice:api-key-revoke", args=[key.pk]), {"confirm": "revoke"}
    )
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
        summary = page.split('<div class="error-summary" role="alert" tabindex="-1">')[1]
        assert summary.split("</div>")[0].strip() == (
            "<p>Nothing was recorded. Fix what is marked below:</p>"
        )
        assert "Please correct these problems" not in page
    assert f'id="id_{prefix}-scopes_error"' in refused_key
    assert f'id="id_{prefix}-rate_per_minute_error"' in refused_key
    assert 'id="id_kind_error"' in refused_client


# --- the tester's defects (issue a key twice, errors, revoke, demo webhooks) ------------------


def _key_form(client, api_client, *, scopes: list[str], rate: str) -> dict:
    """The new-key form of ``api_client``'s row as the page renders it, filled in."""
    page = client.get(PAGE).content.decode()
    prefix = f"key-{api_client.pk}"
    token = re.search(rf'name="{prefix}-token" value="([^"]+)"', page)
    return {
        f"{prefix}-scopes": scopes,
        f"{prefix}-rate_per_minute": rate,
        **({f"{prefix}-token": token.group(1)} if token else {}),
    }


def test_posting_the_same_key_form_again_issues_nothing_and_says_so(
    client, supervisor, order_client
):
    # given: a key issued from the page
    client.force_login(supervisor)
    url = reverse("backoffice:api-key-issue", args=[order_client.pk])
    form = _key_form(client, order_client, scopes=["marketplace:write"], rate="120")
    first = client.post(url, form)
    secret = first.context["issued"].secret
    # when: the browser reloads the page (the same POST again)
    again = client.post(url, form)
    # then: no second key, and the page says why no secret is shown
    assert ApiKey.objects.filter(client=order_client).count() == 1
    assert again.status_code == 409
    page = again.content.decode()
    assert secret not in page and again.context["issued"] is None
    assert "This key was issued already; its secret is shown only once." in page
    assert "Issue another key?" in page
    assert "no-store" in again["Cache-Control"]
    # and the form on that page issues another key, on purpose
    fresh = re.search(rf'name="key-{order_client.pk}-token" value="([^"]+)"', page).group(1)
    assert fresh != form[f"key-{order_client.pk}-token"]
    another = client.post(url, {**form, f"key-{order_client.pk}-token": fresh})
    assert another.status_code == 200
    assert ApiKey.objects.filter(client=order_client).count() == 2


def test_a_key_form_without_its_token_issues_nothing(client, supervisor, order_client):
    client.force_login(supervisor)
    prefix = f"key-{order_client.pk}"
    response = client.post(
        reverse("backoffice:api-key-issue", args=[order_client.pk]),
        {f"{prefix}-scopes": ["marketplace:write"], f"{prefix}-rate_per_minute": "120"},
    )
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_add_client_errors_sit_beside_their_fields(client, supervisor):
    # given / when: a client refused on three fields
    client.force_login(supervisor)
    response = client.post(
        PAGE, {"name": "Typed", "kind": "robot", "contact_email": "nope", "seller": ""}
    )
    page = response.content.decode()
    # then: each refused field is marked invalid and described by its own error, which sits
    # in the field's group with the project's error class
    assert response.status_code == 400
    for name in ("kind", "contact_email"):
        tag = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in tag
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert f"id_{name}_error" in described
        assert re.search(rf'<ul class="errorlist" id="id_{name}_error">', page)
    # every description a field points at is on the page
    for ids in re.findall(r'aria-describedby="([^"]+)"', page):
        for id_ in ids.split():
            assert f'id="{id_}"' in page, id_
    # the untouched name keeps what was typed and is not marked
    name_tag = re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)
    assert 'value="Typed"' in name_tag and "aria-invalid" not in name_tag


def test_the_key_forms_errors_are_described_too(client, supervisor, order_client):
    client.force_login(supervisor)
    form = _key_form(client, order_client, scopes=["claims:read"], rate="0")
    page = client.post(
        reverse("backoffice:api-key-issue", args=[order_client.pk]), form
    ).content.decode()
    prefix = f"key-{order_client.pk}"
    rate = re.search(rf'<input[^>]*name="{prefix}-rate_per_minute"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in rate
    for ids in re.findall(r'aria-describedby="([^"]+)"', page):
        for id_ in ids.split():
            assert f'id="{id_}"' in page, id_
    assert f'id="id_{prefix}-scopes_error"' in page


def test_revoking_a_key_asks_first_and_names_it(client, supervisor, order_client):
    # given
    client.force_login(supervisor)
    key = api_key_issue(client=order_client).key
    url = reverse("backoffice:api-key-revoke", args=[key.pk])
    # then: the list links to a confirmation step, it does not revoke in one click
    listing = client.get(PAGE).content.decode()
    assert f'href="{url}"' in listing
    assert f'action="{url}"' not in listing
    # when: the confirmation step is opened
    ask = client.get(url)
    # then: it names the key and its client and says what revoking does
    assert ask.status_code == 200
    text = ask.content.decode()
    assert f"{key.prefix}…" in text and order_client.name in text
    assert "fail at once" in text
    # when: the form is posted without the confirmation
    unconfirmed = client.post(url, {})
    # then: nothing changed, and the question is asked again
    key.refresh_from_db()
    assert unconfirmed.status_code == 400 and key.revoked_at is None
    assert "fail at once" in unconfirmed.content.decode()
    # when: confirmed
    done = client.post(url, {"confirm": "revoke"})
    # then
    key.refresh_from_db()
    assert done.status_code == 302 and key.revoked_by == supervisor
