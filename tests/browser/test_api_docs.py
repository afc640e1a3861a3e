"""The API's interactive docs (Swagger UI) in a real browser: every file from the site itself
(no CDN), nothing refused by the site's content security policy, no script error, and a call
made from the page with a key answers."""

import pytest

from api.services import key_hash

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_docs_load_from_the_site_only_and_try_a_call(page, live_server):
    from api.models import DEFAULT_SCOPES, ApiClient, ApiKey, ClientKind

    # given: an order system's key
    client = ApiClient.objects.create(name="Docs", kind=ClientKind.ORDER_SYSTEM)
    secret = "cdk_docstest_the-docs-page-key"  # noqa: S105 - a test key
    ApiKey.objects.create(
        client=client,
        prefix="docstest",
        hashed=key_hash(secret),
        scopes=list(DEFAULT_SCOPES[ClientKind.ORDER_SYSTEM]),
    )
    elsewhere, problems = [], []
    page.on("request", lambda r: r.url.startswith(live_server.url) or elsewhere.append(r.url))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    # when: the docs load, the key is given, and the events list is tried out
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    page.click("button.authorize")
    page.fill(".auth-container input", secret)
    page.click(".auth-btn-wrapper button.authorize")
    page.click("button.close-modal")
    events = page.locator(".opblock-get", has=page.locator("[data-path='/api/v1/events/']"))
    events.locator(".opblock-summary").click()
    page.click("button.try-out__btn")
    page.click("button.execute")
    status = page.locator(".live-responses-table .response .response-col_status").first
    # then
    assert status.inner_text().strip() == "200"
    assert elsewhere == [] and problems == []
