"""A read refused for a bad query parameter says which parameter and what it takes; only a
refused write says that nothing was changed."""

import pytest

from tests.api.conftest import problem_of

pytestmark = pytest.mark.django_db


def test_a_bad_status_filter_names_the_filter_and_the_statuses_it_takes(api_keys):
    # when
    response = api_keys["seller_a"].get("/api/v1/claims/", {"status": "nonsense"})
    # then
    assert response.status_code == 400
    body = problem_of(response)
    assert "nothing was changed" not in body["detail"]
    assert "query" in body["detail"]
    [error] = body["errors"]
    assert error["field"] == "status"
    assert "nonsense" in error["detail"]
    assert "with_seller" in error["detail"] and "not_approved" in error["detail"]


@pytest.mark.parametrize("name", ["respond_by_before", "updated_after"])
def test_a_bad_date_filter_says_what_a_date_looks_like(api_keys, name):
    response = api_keys["seller_a"].get("/api/v1/claims/", {name: "last tuesday"})
    assert response.status_code == 400
    body = problem_of(response)
    assert "nothing was changed" not in body["detail"]
    [error] = body["errors"]
    assert error["field"] == name
    assert "2026-09-01T10:00:00Z" in error["detail"]


def test_a_bad_event_cursor_is_a_query_problem(api_keys):
    response = api_keys["seller_a"].get("/api/v1/events/", {"after": "x"})
    assert response.status_code == 400
    assert "nothing was changed" not in problem_of(response)["detail"]


def test_a_refused_write_still_says_nothing_was_changed(api_keys):
    response = api_keys["order_system"].post("/api/v1/customers/", {"nonsense": 1})
    assert response.status_code == 400
    assert "nothing was changed" in problem_of(response)["detail"]


# Every list endpoint, with a key that may read it.
LISTS = [
    "/api/v1/claims/",
    "/api/v1/events/",
    "/api/v1/webhooks/endpoints/",
    "/api/v1/certificates/",
]


def test_a_mistyped_filter_is_refused_naming_it_and_the_parameters_taken(api_keys):
    # when: "statuss" for "status"
    response = api_keys["seller_a"].get("/api/v1/claims/", {"statuss": "with_seller"})
    # then: not the unfiltered list, but the parameter named with those the list takes
    assert response.status_code == 400
    body = problem_of(response)
    assert "query" in body["detail"]
    [error] = body["errors"]
    assert error["field"] == "statuss"
    assert "not a query parameter" in error["detail"]
    for taken in ("status", "respond_by_before", "updated_after", "cursor", "page_size"):
        assert taken in error["detail"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_refuses_an_unknown_query_parameter(api_keys, path):
    # when
    response = api_keys["seller_a"].get(path, {"nonsense": "1", "sort": "id"})
    # then: each unknown parameter named
    assert response.status_code == 400
    body = problem_of(response)
    assert sorted(e["field"] for e in body["errors"]) == ["nonsense", "sort"]


def test_every_documented_query_parameter_is_taken(client, api_keys):
    # given: the query parameters the published schema documents for each list
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    documented = {
        path: [
            p["name"]
            for p in schema["paths"][path]["get"].get("parameters", [])
            if p["in"] == "query"
        ]
        for path in LISTS
    }
    assert "status" in documented["/api/v1/claims/"]
    assert "cursor" in documented["/api/v1/claims/"]
    assert "after" in documented["/api/v1/events/"]
    for path, names in documented.items():
        for name in names:
            # when
            response = api_keys["seller_a"].get(path, {name: ""})
            # then: its value may be refused, never the parameter itself
            if response.status_code == 400:
                refused = [e["detail"] for e in problem_of(response)["errors"]]
                assert not any("not a query parameter" in d for d in refused), (path, refused)


def test_the_next_page_link_is_followed_with_its_cursor(api_keys, seller_a):
    # given: two claims, one a page
    from tests.api.test_scopes import _notified

    _notified(seller_a), _notified(seller_a)
    first = api_keys["seller_a"].get("/api/v1/claims/", {"page_size": 1})
    assert first.status_code == 200, first.json()
    # when
    second = api_keys["seller_a"].get(first.json()["next"])
    # then
    assert second.status_code == 200, second.json()
    assert len(second.json()["results"]) == 1
