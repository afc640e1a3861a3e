"""Idempotency-Key on every POST: replay, a different body refused, concurrent duplicates."""

import datetime as dt
import json
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from api.models import IdempotencyRecord
from marketplace import services
from marketplace.models import Customer
from tests.api.conftest import Caller, problem_of

URL = "/api/v1/customers/"
CUSTOMER = {"customer_id": "C-1", "name": "Ann Lee", "email": "ann@example.test"}


@pytest.mark.django_db
def test_replay_returns_the_first_response(api_keys):
    # given
    orders = api_keys["order_system"]
    first = orders.post(URL, CUSTOMER, idempotency_key="k-1")
    Customer.objects.update(name="Changed since")
    # when
    replay = orders.post(URL, CUSTOMER, idempotency_key="k-1")
    # then: the first answer, not a second write
    assert replay.status_code == first.status_code == 200
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Customer.objects.get().name == "Changed since"


@pytest.mark.django_db
def test_a_different_body_under_the_same_key_is_refused(api_keys):
    orders = api_keys["order_system"]
    orders.post(URL, CUSTOMER, idempotency_key="k-1")
    response = orders.post(URL, {**CUSTOMER, "name": "Someone else"}, idempotency_key="k-1")
    assert response.status_code == 422
    assert "different request" in problem_of(response)["detail"]
    assert Customer.objects.get().name == "Ann Lee"


@pytest.mark.django_db
def test_a_json_body_is_the_same_request_by_its_bytes(api_keys):
    """A retry sends the bytes it sent (the IETF Idempotency-Key draft's payload fingerprint):
    the same bytes replay, the same values written out otherwise are another request."""
    orders = api_keys["order_system"]
    sent = json.dumps(CUSTOMER)
    answers = [
        orders.client.post(
            URL,
            body,
            content_type="application/json",
            headers=orders._headers("k-bytes", None),
        )
        for body in (sent, sent, json.dumps(CUSTOMER, indent=2))
    ]
    assert [a.status_code for a in answers] == [200, 200, 422]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_refused_whole(api_keys, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    rows = [{**CUSTOMER, "customer_id": f"C-{i}"} for i in range(40)]
    response = api_keys["order_system"].post("/api/v1/customers/batch/", {"rows": rows})
    assert response.status_code == 413
    problem = problem_of(response)
    assert problem["title"] == "Content too large"
    assert problem["detail"] == (
        "The body is larger than 2,000 bytes; send fewer rows per request."
    )
    assert not Customer.objects.exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_refusal_is_replayed_too(api_keys):
    orders = api_keys["order_system"]
    bad = {**CUSTOMER, "email": "nope"}
    first = orders.post(URL, bad, idempotency_key="k-2")
    again = orders.post(URL, bad, idempotency_key="k-2")
    assert first.status_code == again.status_code == 400
    assert problem_of(again) == problem_of(first)


@pytest.mark.django_db
def test_keys_belong_to_their_client(api_keys, seller_a):
    # given: the order system used "k-1"
    api_keys["order_system"].post(URL, CUSTOMER, idempotency_key="k-1")
    other = IdempotencyRecord.objects.get()
    # when: another order-system client uses the same key
    from api.models import ClientKind
    from api.services import api_client_create, api_key_issue

    client = api_client_create(name="o2", kind=ClientKind.ORDER_SYSTEM, contact_email="o@x.test")
    second = Caller(Client(), api_key_issue(client=client).secret)
    response = second.post(URL, {**CUSTOMER, "name": "Bo"}, idempotency_key="k-1")
    # then: its own request, not the other client's answer
    assert response.status_code == 200 and response.json()["name"] == "Bo"
    assert IdempotencyRecord.objects.exclude(pk=other.pk).get().client == client


@pytest.mark.django_db
def test_a_key_is_forgotten_after_24_hours(api_keys):
    orders = api_keys["order_system"]
    orders.post(URL, CUSTOMER, idempotency_key="k-1")
    IdempotencyRecord.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    response = orders.post(URL, {**CUSTOMER, "name": "New"}, idempotency_key="k-1")
    assert response.status_code == 200 and "Idempotent-Replayed" not in response
    assert Customer.objects.get().name == "New"


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "x" * 256])
def test_post_needs_a_usable_key(api_keys, key):
    orders = api_keys["order_system"]
    headers = {"Idempotency-Key": key} if key else {}
    response = orders.client.post(
        URL,
        CUSTOMER,
        content_type="application/json",
        headers={"Authorization": f"Bearer {orders.secret}", **headers},
    )
    assert response.status_code == 400
    assert problem_of(response)["errors"][0]["field"] == "Idempotency-Key"
    assert not Customer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_object(api_keys, monkeypatch):
    """Eight requests with one key at once, on PostgreSQL: one write, eight equal answers."""
    assert connection.vendor == "postgresql"
    # given: the write takes a while, so the requests overlap
    real = services.customers_upsert

    def slow(**kwargs):
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(services, "customers_upsert", slow)
    secret = api_keys["order_system"].secret
    barrier = threading.Barrier(8)
    answers = []

    def call():
        try:
            barrier.wait()
            response = Caller(Client(), secret).post(URL, CUSTOMER, idempotency_key="same")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert len(answers) == 8
    assert {code for code, _ in answers} == {200}
    assert all(body == answers[0][1] for _, body in answers)
    assert Customer.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_the_same_key_concurrent_upserts_still_make_one_customer(api_keys, monkeypatch):
    """Different keys, same marketplace id: the upsert itself keeps one row per id."""
    secret = api_keys["order_system"].secret
    barrier = threading.Barrier(4)
    codes = []

    def call(n):
        try:
            barrier.wait()
            codes.append(
                Caller(Client(), secret).post(URL, CUSTOMER, idempotency_key=f"k{n}").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Customer.objects.count() == 1
    assert codes == [200] * 4


@pytest.mark.django_db
def test_a_multipart_retry_with_another_boundary_is_replayed(client):
    """Found on `make run`: curl picks a new multipart boundary for each call, so a retried
    answer with a file was refused as a different request."""
    from django.test.client import encode_multipart

    from tests.api.test_respond import _seller_key
    from tests.sellers.helpers import awaiting

    claim, _path = awaiting()
    seller = _seller_key(client, claim.seller)
    url = f"/api/v1/claims/{claim.reference}/responses/"
    fields = {"decision": "dispute", "reasons": "Used outdoors."}
    answers = []
    for boundary in ("first-boundary", "second-boundary"):
        answers.append(
            client.post(
                url,
                encode_multipart(boundary, fields),
                content_type=f"multipart/form-data; boundary={boundary}",
                headers={"Authorization": f"Bearer {seller.secret}", "Idempotency-Key": "m-1"},
            )
        )
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert answers[0].json() == answers[1].json()
