"""Contract: every endpoint's responses, errors included, validate against the published
OpenAPI schema (schemathesis' conformance checks), and generated requests never cause a
server error."""

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_ingest import line
from tests.api.test_scopes import INGEST

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
_DJANGO = get_wsgi_application()


def APP(environ, start_response):
    """The project's WSGI application, except that, as in Django's test client, the request
    does not close the database connection (the test's transaction lives on it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = _DJANGO(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return openapi.from_dict(response.json())


def _operations(schema):
    return [
        (op.path, op.method.upper(), op) for op in (r.ok() for r in schema.get_all_operations())
    ]


def _check(
    operation,
    *,
    headers,
    body=None,
    path_parameters=None,
    query=None,
    expect,
    media_type="application/json",
):
    kwargs = {"headers": headers}
    if body is not None:
        kwargs["body"] = body
        kwargs["media_type"] = media_type
    if path_parameters:
        kwargs["path_parameters"] = path_parameters
    if query:
        kwargs["query"] = query
    case = operation.Case(**kwargs)
    response = case.call(app=APP)
    assert response.status_code == expect, (operation.path, response.text[:500])
    case.validate_response(response, checks=CHECKS)
    return response


def test_every_operation_is_published(schema):
    published = {(path, method) for path, method, _ in _operations(schema)}
    assert ("/api/v1/claims/", "GET") in published
    assert ("/api/v1/claims/{reference}/", "GET") in published
    assert {(p, "POST") for p in INGEST} <= published


def test_every_response_conforms(schema, api_keys, claims_for_contract):
    """Success, validation error, missing key, wrong scope, missing Idempotency-Key, a
    replay, a reused key and not found, on every operation."""
    orders = api_keys["order_system"]
    orders.post("/api/v1/customers/", INGEST["/api/v1/customers/"])
    order = {
        "order_number": "O-1",
        "placed_at": "2026-09-01T10:00:00Z",
        "region": "US",
        "currency": "USD",
        "customer_id": "C-1",
    }
    bodies = {**INGEST, "/api/v1/orders/": order, "/api/v1/orders/batch/": {"rows": [order]}}
    owner = {"Authorization": f"Bearer {orders.secret}"}
    seller = {"Authorization": f"Bearer {api_keys['seller_a'].secret}"}
    checked = 0
    for path, method, operation in _operations(schema):
        if method == "POST" and path in bodies:
            good = bodies[path]
            bad = {"rows": [{"nonsense": 1}]} if path.endswith("batch/") else {"nonsense": 1}
            key = {"Idempotency-Key": f"contract-{path}"}
            _check(operation, headers={**owner, **key}, body=good, expect=200)
            replay = _check(operation, headers={**owner, **key}, body=good, expect=200)
            assert replay.headers["idempotent-replayed"] == ["true"]
            _check(operation, headers={**owner, **key}, body=bad, expect=422)
            _check(
                operation, headers={**owner, "Idempotency-Key": f"b-{path}"}, body=bad, expect=400
            )
            _check(operation, headers=owner, body=good, expect=400)
            _check(operation, headers={**seller, **key}, body=good, expect=403)
            _check(operation, headers=key, body=good, expect=401)
        elif path == "/api/v1/claims/{reference}/responses/":
            mine = {"reference": claims_for_contract["a"].reference}
            theirs = {"reference": claims_for_contract["b"].reference}
            key = {"Idempotency-Key": "contract-respond"}
            good = {"decision": "accept", "reasons": "Ours."}
            ok = {"path_parameters": mine, "body": good}
            _check(operation, headers={**seller, **key}, **ok, expect=201)
            _check(operation, headers={**seller, **key}, **ok, expect=201)  # replayed
            again = {"Idempotency-Key": "contract-respond-2"}
            bad = {"decision": "shrug"}
            _check(
                operation, headers={**seller, **again}, path_parameters=mine, body=bad, expect=400
            )
            _check(operation, headers={**seller, **key}, path_parameters=mine, body=bad, expect=422)
            _check(
                operation,
                headers={**seller, "Idempotency-Key": "contract-respond-3"},
                path_parameters=theirs,
                body=good,
                expect=404,
            )
            _check(operation, headers={**owner, "Idempotency-Key": "r-4"}, **ok, expect=403)
        elif path == "/api/v1/claims/{reference}/payment/":
            mine = {"reference": claims_for_contract["a"].reference}
            body = {"amount": "1.00", "paid_on": "2026-01-01", "reference": "T"}
            key = {"Idempotency-Key": "contract-payment"}
            _check(
                operation, headers={**seller, **key}, path_parameters=mine, body=body, expect=409
            )
            _check(operation, headers={**owner, **key}, path_parameters=mine, body=body, expect=403)
        elif path == "/api/v1/payouts/{payout_id}/status/":
            provider = {"Authorization": f"Bearer {api_keys['payment_provider'].secret}"}
            key = {"Idempotency-Key": "contract-payout"}
            unknown = {"payout_id": "PO-unknown"}
            body = {"status": "paid"}
            _check(
                operation,
                headers={**provider, **key},
                path_parameters=unknown,
                body=body,
                expect=404,
            )
            other = {"Idempotency-Key": "contract-payout-2"}
            bad = {"status": "returned"}
            _check(
                operation,
                headers={**provider, **other},
                path_parameters=unknown,
                body=bad,
                expect=400,
            )
            _check(
                operation,
                headers={**seller, "Idempotency-Key": "contract-payout-3"},
                path_parameters=unknown,
                body=body,
                expect=403,
            )
        elif path == "/api/v1/events/":
            _check(operation, headers=seller, expect=200)
            _check(operation, headers=seller, query={"after": "evt_1"}, expect=200)
            _check(operation, headers=seller, query={"after": "x"}, expect=400)
            _check(operation, headers=seller, query={"afer": "evt_1"}, expect=400)
            _check(operation, headers={}, expect=401)
        elif path == "/api/v1/webhooks/endpoints/" and method == "GET":
            _check(operation, headers=seller, expect=200)
            _check(operation, headers={}, expect=401)
        elif path == "/api/v1/webhooks/endpoints/":
            body = {"url": "http://127.0.0.1:9/h", "event_types": ["claim.paid"]}
            key = {"Idempotency-Key": "contract-endpoint"}
            _check(operation, headers={**seller, **key}, body=body, expect=201)
            bad = {"url": "nope", "event_types": []}
            _check(
                operation,
                headers={**seller, "Idempotency-Key": "contract-endpoint-2"},
                body=bad,
                expect=400,
            )
        elif path == "/api/v1/webhooks/endpoints/{id}/rotate-secret/":
            from webhooks.models import Endpoint

            mine = {"id": Endpoint.objects.get().pk}
            key = {"Idempotency-Key": "contract-rotate"}
            _check(operation, headers={**seller, **key}, path_parameters=mine, expect=200)
            _check(
                operation,
                headers={**owner, "Idempotency-Key": "contract-rotate-2"},
                path_parameters=mine,
                expect=404,
            )
        elif path == "/api/v1/certificates/" and method == "GET":
            _check(operation, headers=seller, expect=200)
            _check(operation, headers=owner, expect=403)
            _check(operation, headers={}, expect=401)
        elif path == "/api/v1/certificates/":
            from tests.api.test_certificates import FIELDS
            from tests.factories import certificate_pdf

            form = {"media_type": "multipart/form-data"}
            good = {**FIELDS, "document": certificate_pdf()}
            key = {"Idempotency-Key": "contract-certificate"}
            _check(operation, headers={**seller, **key}, body=good, expect=201, **form)
            _check(operation, headers={**seller, **key}, body=good, expect=201, **form)
            again = {"Idempotency-Key": "contract-certificate-2"}
            _check(operation, headers={**seller, **again}, body=FIELDS, expect=400, **form)
            _check(operation, headers={**seller, **key}, body=FIELDS, expect=422, **form)
            other = {"Idempotency-Key": "contract-certificate-3"}
            _check(operation, headers={**owner, **other}, body=good, expect=403, **form)
        elif path == "/api/v1/claims/":
            _check(operation, headers=seller, expect=200)
            _check(operation, headers=seller, query={"status": "nonsense"}, expect=400)
            _check(operation, headers=seller, query={"statuss": "with_seller"}, expect=400)
            _check(operation, headers=owner, expect=403)
            _check(operation, headers={}, expect=401)
        elif path == "/api/v1/claims/{reference}/":
            mine = {"reference": claims_for_contract["a"].reference}
            theirs = {"reference": claims_for_contract["b"].reference}
            _check(operation, headers=seller, path_parameters=mine, expect=200)
            _check(operation, headers=seller, path_parameters=theirs, expect=404)
            _check(operation, headers=owner, path_parameters=mine, expect=403)
        else:
            raise AssertionError(f"no contract case for {method} {path}")
        checked += 1
    assert checked == len(_operations(schema))


@pytest.fixture
def claims_for_contract(seller_a, seller_b):
    from tests.api.test_scopes import _notified

    return {"a": _notified(seller_a), "b": _notified(seller_b)}


def test_generated_requests_conform(schema, api_keys):
    """Requests generated from the schema (hypothesis), for every operation: no server error
    and every answer as documented."""
    orders = api_keys["order_system"].secret
    for _path, _method, operation in _operations(schema):
        strategy = operation.as_strategy()

        @settings(
            max_examples=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {orders}"}
            response = case.call(app=APP)
            case.validate_response(response, checks=CHECKS)

        from hypothesis import given

        given(strategy)(run)()


def test_single_row_example_matches_schema(schema, api_keys):
    """The example of the README (one order line) is accepted as the schema says."""
    operation = dict(((p, m), o) for p, m, o in _operations(schema))[
        ("/api/v1/order-lines/", "POST")
    ]
    headers = {
        "Authorization": f"Bearer {api_keys['order_system'].secret}",
        "Idempotency-Key": "readme-1",
    }
    _check(operation, headers=headers, body=line(), expect=200)


def test_every_event_type_conforms(schema, api_keys, seller_a_news):
    """Each event family's payload, as the events endpoint returns it, validates against the
    published schema (its ``oneOf`` by ``type``)."""
    import json

    from claims.actors import Actor
    from claims.events import claim_event_add
    from claims.models import EventKind

    recovery = seller_a_news.recoveries.get()
    for step, extra in [
        ("amount", {"was_minor": 1}),
        ("withheld", {"amount_minor": 1}),
        ("appeal_upheld", {}),
    ]:
        claim_event_add(
            claim=seller_a_news,
            kind=EventKind.RECOVERY,
            actor=Actor.system("contract"),
            reason="note",
            data={"recovery_id": recovery.pk, "step": step, **extra},
        )
    operation = dict(((p, m), o) for p, m, o in _operations(schema))[("/api/v1/events/", "GET")]
    seen = set()
    for kind in ("seller_a", "order_system"):
        headers = {"Authorization": f"Bearer {api_keys[kind].secret}"}
        response = _check(operation, headers=headers, expect=200)
        seen |= {e["type"] for e in json.loads(response.text)["data"]}
    assert {
        "claim.awaiting_seller",
        "claim.seller_reminder_due",
        "recovery.opened",
        "recovery.amount_fixed",
        "recovery.withheld",
        "recovery.appeal_decided",
        "safety.alert_raised",
        "product.suspend_listings",
    } <= seen
