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
