"""Orders sent with their lines (``OrderRow.lines``): each line names its product, sent
before; the line's seller is the product's; all or nothing; every problem by its place."""

import pytest

from marketplace.models import Order, OrderLine
from tests.api.conftest import problem_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(api_keys):
    """Seller S-9 (US) with products P-1 and P-2, and customer C-9, through the API."""
    orders = api_keys["order_system"]
    seller = {"seller_id": "S-9", "name": "Heat Co", "email": "ops@heat.test", "region": "US"}
    assert orders.post("/api/v1/sellers/", seller).status_code == 200
    products = [
        {"product_id": f"P-{n}", "title": f"Heater {n}", "seller_id": "S-9"} for n in (1, 2)
    ]
    assert orders.post("/api/v1/products/batch/", {"rows": products}).status_code == 200
    customer = {"customer_id": "C-9", "name": "Bo", "email": "bo@example.test"}
    assert orders.post("/api/v1/customers/", customer).status_code == 200
    return orders


def _order(number: str = "O-1", lines: list | None = None, **overrides) -> dict:
    return {
        "order_number": number,
        "placed_at": "2026-09-01T10:00:00Z",
        "region": "US",
        "currency": "USD",
        "customer_id": "C-9",
        "lines": [
            {"line_number": 1, "product_id": "P-1", "quantity": 2, "unit_price": "24.99"},
            {
                "line_number": 2,
                "product_id": "P-2",
                "quantity": 1,
                "unit_price": "1,200.00",
                "delivered_on": "2026-09-04",
            },
        ]
        if lines is None
        else lines,
        **overrides,
    }


def _errors(response) -> set[tuple]:
    return {(e.get("index"), e["field"]) for e in problem_of(response)["errors"]}


def test_orders_with_their_lines_are_written_with_the_products_seller(catalogue):
    # when
    response = catalogue.post(
        "/api/v1/orders/batch/", {"rows": [_order("O-1"), _order("O-2", lines=[])]}
    )
    # then
    assert response.status_code == 200, response.json()
    assert response.json() == {"count": 2, "ids": ["O-1", "O-2"]}
    lines = OrderLine.objects.select_related("order", "product", "seller").order_by(
        "order__number", "line_number"
    )
    assert [
        (
            ln.order.number,
            ln.line_number,
            ln.product.marketplace_id,
            ln.seller.marketplace_id,
            ln.quantity,
            ln.currency,
            ln.unit_price_minor,
            str(ln.delivered_on),
        )
        for ln in lines
    ] == [
        ("O-1", 1, "P-1", "S-9", 2, "USD", 2499, "None"),
        ("O-1", 2, "P-2", "S-9", 1, "USD", 120000, "2026-09-04"),
    ]
    assert Order.objects.count() == 2


def test_an_order_sent_again_updates_its_lines_and_keeps_the_ones_not_named(catalogue):
    assert catalogue.post("/api/v1/orders/", _order()).status_code == 200
    # when: line 1's price changes; line 2 is not sent this time
    again = _order(
        lines=[{"line_number": 1, "product_id": "P-1", "quantity": 3, "unit_price": "20"}]
    )
    response = catalogue.post("/api/v1/orders/", again)
    # then
    assert response.status_code == 200, response.json()
    assert dict(OrderLine.objects.values_list("line_number", "unit_price_minor")) == {
        1: 2000,
        2: 120000,
    }


def test_every_problem_of_every_line_comes_at_once_and_nothing_is_written(catalogue):
    # given: row 0 is fine; row 1 has an unknown product, a line with two problems, a delivery
    # before the order, a line number twice and a line that is no object
    rows = [
        _order("O-1"),
        _order(
            "O-2",
            lines=[
                {"line_number": 1, "product_id": "P-404", "quantity": 1, "unit_price": "5"},
                {"line_number": 2, "product_id": "P-1", "quantity": 0, "unit_price": "5.001"},
                {
                    "line_number": 3,
                    "product_id": "P-1",
                    "quantity": 1,
                    "unit_price": "5",
                    "delivered_on": "2026-08-01",
                },
                {"line_number": 3, "product_id": "P-2", "quantity": 1, "unit_price": "5"},
                "not a line",
            ],
        ),
    ]
    # when
    response = catalogue.post("/api/v1/orders/batch/", {"rows": rows})
    # then
    assert response.status_code == 400
    assert _errors(response) == {
        (1, "lines.0.product_id"),
        (1, "lines.1.quantity"),
        (1, "lines.1.unit_price"),
        (1, "lines.2.delivered_on"),
        (1, "lines.3.line_number"),
        (1, "lines.4"),
    }
    details = {e["field"]: e["detail"] for e in problem_of(response)["errors"]}
    assert details["lines.0.product_id"] == "Product 'P-404' is not known (send it first)."
    assert details["lines.3.line_number"] == "The same line number appears twice."
    assert details["lines.2.delivered_on"] == "The delivery is before the order was placed."
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_a_bad_price_is_reported_beside_a_bad_line_of_the_same_order(catalogue):
    # A line refused on its own does not hide another line's price, judged in the order's
    # currency once the lines' own fields passed... and when they did not.
    order = _order(
        lines=[
            {"line_number": 1, "product_id": "P-1", "quantity": 1, "unit_price": "5.001"},
            {"line_number": 2, "product_id": "P-2", "quantity": "many", "unit_price": "-1"},
        ]
    )
    response = catalogue.post("/api/v1/orders/", order)
    assert response.status_code == 400
    assert {e["field"] for e in problem_of(response)["errors"]} == {
        "lines.0.unit_price",
        "lines.1.quantity",
        "lines.1.unit_price",
    }


@pytest.mark.parametrize(
    ("overrides", "order_field"),
    [
        ({"currency": "EUR"}, "currency"),
        ({"customer_id": "C-404"}, "customer_id"),
        ({"placed_at": "2026-09-01T10:00:00"}, "placed_at"),
        ({"currency": "XYZ"}, "currency"),
    ],
    ids=["currency-not-the-regions", "unknown-customer", "naive-time", "unknown-currency"],
)
def test_a_refused_order_still_has_its_lines_prices_judged(catalogue, overrides, order_field):
    order = _order(
        lines=[{"line_number": 1, "product_id": "P-1", "quantity": 1, "unit_price": "-5"}],
        **overrides,
    )
    response = catalogue.post("/api/v1/orders/", order)
    assert response.status_code == 400
    assert {e["field"] for e in problem_of(response)["errors"]} == {
        order_field,
        "lines.0.unit_price",
    }


@pytest.mark.parametrize("lines", ["x", [1], None], ids=["text", "number-item", "null"])
def test_lines_that_are_not_a_list_of_objects_are_refused(catalogue, lines):
    response = catalogue.post("/api/v1/orders/", _order(lines=lines) | {"lines": lines})
    assert response.status_code == 400
    assert {e["field"].split(".")[0] for e in problem_of(response)["errors"]} == {"lines"}
    assert not Order.objects.exists()


def test_a_request_carries_at_most_a_thousand_lines(catalogue):
    many = [
        {"line_number": n, "product_id": "P-1", "quantity": 1, "unit_price": "1"}
        for n in range(1, 502)
    ]
    rows = [_order("O-1", lines=many), _order("O-2", lines=many)]
    response = catalogue.post("/api/v1/orders/batch/", {"rows": rows})
    assert response.status_code == 400
    assert problem_of(response)["errors"][0]["detail"] == (
        "At most 1,000 order lines per request (these orders have 1,002); send the rest in another."
    )
    assert not Order.objects.exists()


@pytest.mark.parametrize("use_sql", [True, False], ids=["postgresql", "orm"])
def test_both_writers_store_the_same_lines(catalogue, use_sql):
    from marketplace import rows as r
    from marketplace import services

    rows = [_order("O-1")]
    context = {
        "customer_ids": r.customer_ids({"C-9"}),
        "product_sellers": r.product_sellers({"P-1", "P-2"}),
    }
    clean = r.rows_validate(r.OrderRow, rows, keys=("order_number",), context=context)
    services.orders_upsert(rows=clean, use_sql=use_sql)
    assert sorted(
        OrderLine.objects.values_list("line_number", "seller__marketplace_id", "unit_price_minor")
    ) == [(1, "S-9", 2499), (2, "S-9", 120000)]
