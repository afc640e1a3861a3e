"""Inbound upserts by marketplace id: single and batch, every row validated, all or nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import Seller, SellerMonthlyGross
from tests.api.conftest import problem_of
from tests.support.rows import order_line_row as line

pytestmark = pytest.mark.django_db


def test_order_line_upsert_creates_everything_once(api_keys):
    # given
    orders = api_keys["order_system"]
    # when
    first = orders.post("/api/v1/order-lines/", line())
    again = orders.post("/api/v1/order-lines/", line(unit_price="30.00"))
    # then
    assert first.status_code == 200, first.json()
    assert first.json()["unit_price_minor"] == 2499
    assert again.json()["unit_price_minor"] == 3000
    assert OrderLine.objects.get().unit_price_minor == 3000
    assert Customer.objects.get().phone == "+14155550100"
    assert Customer.objects.get().email == "ann@example.com"
    assert (Order.objects.count(), Product.objects.count()) == (1, 1)


def test_batch_with_bad_rows_writes_nothing_and_names_each_row(api_keys):
    # given: rows 1, 2 and 4 are bad, row 3 repeats row 0's key
    rows = [
        line(1),
        line(2, unit_price="24.999"),
        line(3, customer_email="not-an-email", region="ZZ"),
        line(1),
        line(5, delivered_on="2026-08-01"),
    ]
    # when
    response = api_keys["order_system"].post("/api/v1/order-lines/batch/", {"rows": rows})
    # then
    assert response.status_code == 400
    body = problem_of(response)
    assert body["type"].endswith("validation")
    assert {(e["index"], e["field"]) for e in body["errors"]} == {
        (1, "unit_price"),
        (2, "customer_email"),
        (2, "region"),
        (3, ""),
        (4, "delivered_on"),
    }
    duplicate = next(e for e in body["errors"] if e["index"] == 3)
    assert duplicate["detail"] == "order_number 114-1 line_number 1 already appears in row 0."
    assert not OrderLine.objects.exists()
    assert not Seller.objects.filter(marketplace_id="S-1").exists()


def test_batch_of_good_rows_is_written_in_one_go(api_keys):
    rows = [line(n) for n in range(1, 6)]
    response = api_keys["order_system"].post("/api/v1/order-lines/batch/", {"rows": rows})
    assert response.status_code == 200, response.json()
    assert response.json() == {"count": 5, "ids": [f"114-1:{n}" for n in range(1, 6)]}
    assert OrderLine.objects.count() == 5


@pytest.mark.parametrize(
    "body",
    [{"rows": []}, {"rows": "x"}, {"lines": [1]}, [1, 2], {"rows": [1]}],
    ids=["empty", "not-a-list", "no-rows", "array", "row-not-object"],
)
def test_batch_shape_is_checked(api_keys, body):
    response = api_keys["order_system"].post("/api/v1/order-lines/batch/", body)
    assert response.status_code == 400
    assert problem_of(response)["errors"]


def test_batch_size_is_limited(api_keys):
    rows = [line(n) for n in range(1, 1002)]
    response = api_keys["order_system"].post("/api/v1/order-lines/batch/", {"rows": rows})
    assert response.status_code == 400
    assert "At most 1000" in problem_of(response)["errors"][0]["detail"]


def test_customers_products_orders_in_separate_calls(api_keys):
    orders = api_keys["order_system"]
    # a product needs its seller; an order needs its customer
    response = orders.post(
        "/api/v1/products/", {"product_id": "P-9", "title": "Heater", "seller_id": "S-404"}
    )
    assert response.status_code == 400
    assert problem_of(response)["errors"] == [
        {"field": "seller_id", "detail": "Seller 'S-404' is not known (send it first)."}
    ]
    seller = {"seller_id": "S-9", "name": "Heat Co", "email": "ops@heat.test", "region": "US"}
    assert orders.post("/api/v1/sellers/", seller).status_code == 200
    product = {"product_id": "P-9", "title": "Heater", "seller_id": "S-9"}
    assert orders.post("/api/v1/products/", product).json()["seller_id"] == "S-9"
    customer = {"customer_id": "C-9", "name": "Bo", "email": "bo@example.test"}
    assert orders.post("/api/v1/customers/batch/", {"rows": [customer]}).json()["count"] == 1
    order = {
        "order_number": "O-9",
        "placed_at": "2026-09-01T10:00:00+02:00",
        "region": "US",
        "currency": "USD",
        "customer_id": "C-9",
    }
    response = orders.post("/api/v1/orders/", order)
    assert response.status_code == 200, response.json()
    assert Order.objects.get(number="O-9").customer.marketplace_id == "C-9"
    naive = orders.post("/api/v1/orders/", {**order, "placed_at": "2026-09-01T10:00:00"})
    assert problem_of(naive)["errors"][0]["field"] == "placed_at"


def _past_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=70)).replace(day=1)


def _seller(month: dt.date, gross: str, **overrides) -> dict:
    """Seller S-9 in the US with one month's gross proceeds."""
    return {
        "seller_id": "S-9",
        "name": "Heat Co",
        "email": "ops@heat.test",
        "region": "US",
        "monthly_gross": [{"month": f"{month:%Y-%m}", "gross_proceeds": gross}],
        **overrides,
    }


def test_seller_monthly_gross_drives_the_insurance_requirement(api_keys):
    # given: a month well over the region's USD 10,000 threshold
    month = _past_month()
    seller = _seller(month, "25,000.00")
    # when
    response = api_keys["order_system"].post("/api/v1/sellers/", seller)
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["insurance_required"] is True
    assert SellerMonthlyGross.objects.get().gross_minor == 2_500_000
    # and a correction of the same month through the flat gross rows replaces it
    rows = [
        {
            "seller_id": "S-9",
            "month": f"{month:%Y-%m}",
            "currency": "USD",
            "gross_proceeds": "9000",
        }
    ]
    response = api_keys["order_system"].post("/api/v1/seller-gross/batch/", {"rows": rows})
    assert response.status_code == 200, response.json()
    assert SellerMonthlyGross.objects.get().gross_minor == 900_000
    assert not Seller.objects.get(marketplace_id="S-9").insurance_required


def test_future_month_and_wrong_currency_are_refused(api_keys):
    future = timezone.localdate().replace(day=1) + dt.timedelta(days=40)
    seller = _seller(future, "1")
    response = api_keys["order_system"].post("/api/v1/sellers/", seller)
    assert problem_of(response)["errors"][0]["field"] == "monthly_gross.0.month"
    assert not Seller.objects.filter(marketplace_id="S-9").exists()


def test_batch_sent_again_writes_what_changed_and_keeps_the_rest(api_keys):
    # given: a batch stored once
    orders = api_keys["order_system"]
    first = orders.post("/api/v1/order-lines/batch/", {"rows": [line(1), line(2)]})
    assert first.status_code == 200, first.json()
    products = dict(Product.objects.values_list("marketplace_id", "pk"))
    # when: sent again with one product renamed, the seller's e-mail and the price changed
    again = orders.post(
        "/api/v1/order-lines/batch/",
        {
            "rows": [
                line(1, product_title="CO alarm", seller_email="Desk@Acme.test"),
                line(2, unit_price="19.50"),
            ]
        },
    )
    # then: the changes are stored, the unchanged rows kept (same ids), nothing doubled
    assert again.status_code == 200, again.json()
    assert Product.objects.get(marketplace_id="P-1").title == "CO alarm"
    assert Product.objects.get(marketplace_id="P-2").title == "CO detector"
    assert dict(Product.objects.values_list("marketplace_id", "pk")) == products
    assert Seller.objects.get(marketplace_id="S-1").email == "desk@acme.test"
    assert OrderLine.objects.get(line_number=2).unit_price_minor == 1950
    assert OrderLine.objects.get(line_number=1).product.seller.email == "desk@acme.test"
    assert Seller.history.filter(marketplace_id="S-1").count() == 2


@pytest.mark.parametrize(
    ("price", "field_detail"),
    [("24.990", "unit_price"), ("1e3", "unit_price"), ("99999999999999999999", "unit_price")],
)
def test_plain_amounts_are_still_checked(api_keys, price, field_detail):
    # given / when
    response = api_keys["order_system"].post("/api/v1/order-lines/", line(unit_price=price))
    # then
    assert response.status_code == 400
    assert [e["field"] for e in problem_of(response)["errors"]] == [field_detail]
    assert not OrderLine.objects.exists()


def test_a_customer_repeated_with_other_values_is_checked_on_each_line(api_keys):
    # given: lines 0 and 1 name one customer alike (checked once); line 2 names them again
    # with a bad e-mail, line 3 with another (valid) name
    rows = [
        line(1),
        line(2),
        line(3, customer_email="ann@"),
        line(4, customer_name="A. Lee"),
    ]
    # when
    response = api_keys["order_system"].post("/api/v1/order-lines/batch/", {"rows": rows})
    # then: the bad line by its index, nothing written
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in problem_of(response)["errors"]] == [
        (2, "customer_email")
    ]
    assert not Customer.objects.exists()
    # and without it, the first line naming the customer says what is stored
    response = api_keys["order_system"].post(
        "/api/v1/order-lines/batch/", {"rows": [rows[0], rows[1], rows[3]]}
    )
    assert response.status_code == 200, response.json()
    assert Customer.objects.get().name == "Ann Lee"


@pytest.mark.parametrize(
    "other",
    [
        {"quantity": 0},
        {"region": "ZZ"},
        {"customer_email": "ann@"},
        {"delivered_on": "2026-08-01"},
    ],
    ids=["bad-quantity", "unknown-region", "bad-email", "delivered-before-placed"],
)
def test_a_bad_amount_is_reported_with_the_rows_other_problems(api_keys, other):
    # given: a line whose unit price is no amount and which has one other problem
    row = line(unit_price="abc", **other)
    # when
    response = api_keys["order_system"].post("/api/v1/order-lines/", row)
    # then: both in one answer, so the sender fixes them in one round trip
    assert response.status_code == 400
    fields = {e["field"] for e in problem_of(response)["errors"]}
    assert fields == {"unit_price", *other}
    assert not OrderLine.objects.exists()


@pytest.mark.parametrize(("price", "said"), [("abc", "is not an amount"), ("-5", "negative")])
@pytest.mark.parametrize(
    ("other", "refused"),
    [
        ({"currency": "EUR"}, {"currency"}),
        ({"currency": "XYZ"}, {"currency"}),
        ({"region": "ZZ", "currency": "XYZ"}, {"region"}),
    ],
    ids=["not-the-regions-currency", "unknown-currency", "unknown-region-and-currency"],
)
def test_a_price_is_judged_without_its_currency_when_the_currency_is_refused(
    api_keys, other, refused, price, said
):
    # given: a line whose currency cannot be used and whose price is wrong in any currency
    row = line(unit_price=price, **other)
    # when
    response = api_keys["order_system"].post("/api/v1/order-lines/", row)
    # then: both in one answer
    assert response.status_code == 400
    errors = {e["field"]: e["detail"] for e in problem_of(response)["errors"]}
    assert set(errors) == {*refused, "unit_price"}
    assert said in errors["unit_price"]
    assert not OrderLine.objects.exists()


@pytest.mark.parametrize("price", ["1.001", "$5", "24.99"])
def test_a_price_that_only_its_currency_can_judge_waits_for_a_valid_currency(api_keys, price):
    # given: a US line in euros, its price's decimals and sign being the currency's to judge
    row = line(unit_price=price, currency="EUR")
    # when
    response = api_keys["order_system"].post("/api/v1/order-lines/", row)
    # then: only the currency is refused
    assert response.status_code == 400
    assert [e["field"] for e in problem_of(response)["errors"]] == ["currency"]


def test_an_order_with_a_wrong_currency_and_an_unknown_customer_reports_both(api_keys):
    response = api_keys["order_system"].post(
        "/api/v1/orders/",
        {
            "order_number": "114-9",
            "placed_at": "2026-09-01T10:00:00Z",
            "region": "US",
            "currency": "EUR",
            "customer_id": "C-nobody",
        },
    )
    assert response.status_code == 400
    assert {e["field"] for e in problem_of(response)["errors"]} == {"currency", "customer_id"}
    assert not Order.objects.exists()


def test_an_order_placed_in_the_future_is_refused(api_keys):
    # given: an order placed in 2099
    row = line(placed_at="2099-01-01T10:00:00Z", delivered_on=None)
    # when
    response = api_keys["order_system"].post("/api/v1/order-lines/", row)
    # then
    assert response.status_code == 400
    [error] = problem_of(response)["errors"]
    assert error["field"] == "placed_at"
    assert "future" in error["detail"]
    assert not Order.objects.exists()


def test_an_order_placed_a_minute_ahead_of_our_clock_is_taken(api_keys):
    # given: the sender's clock a minute ahead of ours
    soon = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    # when
    response = api_keys["order_system"].post(
        "/api/v1/order-lines/", line(placed_at=soon, delivered_on=None)
    )
    # then
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(("quantity", "status"), [(10_000, 200), (10_001, 400), (10**9, 400)])
def test_a_lines_quantity_is_at_most_ten_thousand(api_keys, quantity, status):
    response = api_keys["order_system"].post("/api/v1/order-lines/", line(quantity=quantity))
    assert response.status_code == status, response.json()
    if status == 400:
        [error] = problem_of(response)["errors"]
        assert error["field"] == "quantity"
        assert "10,000" in error["detail"]
        assert not OrderLine.objects.exists()


def test_every_bad_quantity_is_refused_in_the_same_words(api_keys):
    # given: too large, zero, negative, not whole, not a number, too long to be one
    quantities = [10_001, 10**9, 0, -3, 2.5, "2.5", "two", "9" * 1001]
    # when
    responses = [
        api_keys["order_system"].post("/api/v1/order-lines/", line(quantity=quantity))
        for quantity in quantities
    ]
    # then: one message, which says what a quantity may be
    details = set()
    for response in responses:
        [error] = problem_of(response)["errors"]
        assert error["field"] == "quantity"
        details.add(error["detail"])
    assert details == {"Give a whole number of units from 1 to 10,000."}
    assert not OrderLine.objects.exists()


def test_a_seller_with_a_bad_email_and_a_bad_gross_amount_reports_both(api_keys):
    seller = _seller(_past_month(), "abc", email="ops@")
    response = api_keys["order_system"].post("/api/v1/sellers/", seller)
    assert response.status_code == 400
    assert {e["field"] for e in problem_of(response)["errors"]} == {
        "email",
        "monthly_gross.0.gross_proceeds",
    }
    assert not Seller.objects.filter(marketplace_id="S-9").exists()


def test_a_gross_row_with_a_bad_month_and_a_bad_amount_reports_both(api_keys, seller_a):
    rows = [
        {
            "seller_id": "S-A",
            "month": "soon",
            "currency": seller_a.currency,
            "gross_proceeds": "abc",
        }
    ]
    response = api_keys["order_system"].post("/api/v1/seller-gross/batch/", {"rows": rows})
    assert response.status_code == 400
    assert {e["field"] for e in problem_of(response)["errors"]} == {"month", "gross_proceeds"}
    assert not SellerMonthlyGross.objects.exists()


@pytest.mark.parametrize(
    ("other", "refused"),
    [({"seller_id": "S-nobody"}, "seller_id"), ({"currency": "EUR"}, "currency")],
    ids=["unknown-seller", "not-the-sellers-currency"],
)
@pytest.mark.parametrize(("gross", "said"), [("abc", "is not an amount"), ("-5", "negative")])
def test_a_gross_row_whose_currency_is_refused_still_judges_its_amount(
    api_keys, seller_a, other, refused, gross, said
):
    # given: a row whose currency cannot be used and whose amount is wrong in any currency
    row = {
        "seller_id": "S-A",
        "month": f"{_past_month():%Y-%m}",
        "currency": seller_a.currency,
        "gross_proceeds": gross,
        **other,
    }
    # when
    response = api_keys["order_system"].post("/api/v1/seller-gross/batch/", {"rows": [row]})
    # then: both in one answer
    assert response.status_code == 400
    errors = {e["field"]: e["detail"] for e in problem_of(response)["errors"]}
    assert set(errors) == {refused, "gross_proceeds"}
    assert said in errors["gross_proceeds"]
    assert not SellerMonthlyGross.objects.exists()


def _months_ago(n: int) -> str:
    month = timezone.localdate().replace(day=1)
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return f"{month:%Y-%m}"


def _refused_seller(api_keys, monthly_gross, **overrides) -> set[tuple[str, str]]:
    seller = {**_seller(_past_month(), "1"), "monthly_gross": monthly_gross, **overrides}
    response = api_keys["order_system"].post("/api/v1/sellers/", seller)
    assert response.status_code == 400, response.json()
    assert not Seller.objects.filter(marketplace_id="S-9").exists()
    assert not SellerMonthlyGross.objects.exists()
    return {(e["field"], e["detail"]) for e in problem_of(response)["errors"]}


def test_a_bad_month_does_not_hide_the_other_months_amounts(api_keys):
    # given: entry 1's month is bad, and entries 0, 1 and 2 have bad amounts
    monthly_gross = [
        {"month": _months_ago(3), "gross_proceeds": "abc"},
        {"month": "soon", "gross_proceeds": "-5"},
        {"month": _months_ago(2), "gross_proceeds": "1.001"},
        {"month": _months_ago(1), "gross_proceeds": "12,500.00"},
    ]
    # when
    errors = _refused_seller(api_keys, monthly_gross)
    # then: every entry's problems, by its index
    assert {field for field, _ in errors} == {
        "monthly_gross.0.gross_proceeds",
        "monthly_gross.1.month",
        "monthly_gross.1.gross_proceeds",
        "monthly_gross.2.gross_proceeds",
    }
    assert ("monthly_gross.1.gross_proceeds", "Cannot be negative.") in errors


def test_every_bad_amount_and_a_month_twice_come_at_once(api_keys):
    monthly_gross = [
        {"month": _months_ago(2), "gross_proceeds": "1"},
        {"month": _months_ago(2), "gross_proceeds": "abc"},
        {"month": _months_ago(1), "gross_proceeds": "-1"},
    ]
    errors = _refused_seller(api_keys, monthly_gross)
    assert {field for field, _ in errors} == {
        "monthly_gross.1.month",
        "monthly_gross.1.gross_proceeds",
        "monthly_gross.2.gross_proceeds",
    }


def test_an_unknown_region_does_not_hide_the_months_amounts(api_keys):
    # given: no currency to judge them in, and amounts wrong in any currency
    monthly_gross = [
        {"month": _months_ago(2), "gross_proceeds": "abc"},
        {"month": "soon", "gross_proceeds": "-1"},
        {"month": _months_ago(1), "gross_proceeds": "1.001"},
    ]
    errors = _refused_seller(api_keys, monthly_gross, region="ZZ")
    assert {field for field, _ in errors} == {
        "region",
        "monthly_gross.0.gross_proceeds",
        "monthly_gross.1.month",
        "monthly_gross.1.gross_proceeds",
    }
