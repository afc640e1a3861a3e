"""The rows' validation (``marketplace.rows``): an order line is checked by its parts' own rows,
each distinct customer, order, product and seller once a batch, and the fields' one-step
checks give what DRF's own steps give."""

import datetime as dt

import pytest
from rest_framework import serializers
from rest_framework.fields import SkipField

from marketplace import rows as r
from marketplace.importer import REQUIRED
from tests.support.rows import order_line_row as line

pytestmark = pytest.mark.django_db

KEYS = ("order_number", "line_number")


def refused(rows: list[dict]) -> set[tuple[int, str]]:
    with pytest.raises(r.RowsRefused) as caught:
        r.rows_validate(r.OrderLineRow, rows, keys=KEYS)
    return {(e.index, e.field) for e in caught.value.errors}


def test_each_distinct_customer_order_product_and_seller_is_checked_once_a_batch(monkeypatch):
    # given: counting each kind's own row checks
    calls = {}
    for row in (r.CustomerRow, r.OrderRow, r.ProductRow, r.SellerRow):

        def counted(self, attrs, _row=row, _real=row.validate):
            calls[_row.__name__] = calls.get(_row.__name__, 0) + 1
            return _real(self, attrs)

        monkeypatch.setattr(row, "validate", counted)
    # two orders of two lines each, one customer, one seller, four products
    rows = [line(1), line(2), line(1, order_number="114-2"), line(2, order_number="114-2")]
    # when
    clean = r.rows_validate(r.OrderLineRow, rows, keys=KEYS)
    # then
    assert calls == {"CustomerRow": 1, "OrderRow": 2, "ProductRow": 2, "SellerRow": 1}
    assert [c["customer_phone"] for c in clean] == ["+14155550100"] * 4
    assert [c["unit_price_minor"] for c in clean] == [2499] * 4


def test_a_customer_sent_again_with_other_values_is_checked_again_by_its_own_line():
    # given: line 2 names line 0's customer with a bad e-mail, line 3 with a bad phone
    rows = [
        line(1),
        line(2),
        line(3, customer_email="not-an-email"),
        line(4, customer_phone="12"),
        line(5, customer_email="not-an-email"),
    ]
    # then: each bad one by its own index, the good ones not
    assert refused(rows) == {(2, "customer_email"), (3, "customer_phone"), (4, "customer_email")}


def test_a_seller_or_product_sent_again_with_bad_values_is_reported_by_its_own_line():
    rows = [line(1), line(2, seller_email="nope"), line(3, product_id="P-1", product_title="")]
    assert refused(rows) == {(1, "seller_email"), (2, "product_title")}


def test_a_bad_region_is_reported_once_though_the_order_and_the_seller_both_name_it():
    with pytest.raises(r.RowsRefused) as caught:
        r.rows_validate(r.OrderLineRow, [line(1, region="ZZ")], keys=KEYS)
    assert [(e.field, e.detail) for e in caught.value.errors] == [
        ("region", "'ZZ' is not a known region.")
    ]


def test_the_line_is_checked_against_its_order():
    rows = [
        line(1, delivered_on="2026-08-31"),
        line(2, unit_price="1.001"),
        line(3, currency="CAD"),
    ]
    assert refused(rows) == {(0, "delivered_on"), (1, "unit_price"), (2, "currency")}


def test_the_flat_row_is_made_of_the_kinds_own_fields():
    flat = r.OrderLineRow().fields
    customer, product, seller = r.CustomerRow().fields, r.ProductRow().fields, r.SellerRow().fields
    assert flat["customer_name"].max_length == customer["name"].max_length == 200
    assert flat["product_title"].max_length == product["title"].max_length == 300
    assert type(flat["seller_email"]) is type(seller["email"]) is r.Email
    assert set(REQUIRED) == {
        "order_number",
        "placed_at",
        "region",
        "currency",
        "customer_id",
        "customer_name",
        "customer_email",
        "line_number",
        "product_id",
        "product_title",
        "seller_id",
        "seller_name",
        "seller_email",
        "quantity",
        "unit_price",
    }


def test_one_row_validates_through_drfs_own_entry_point():
    serializer = r.OrderLineRow(data=line(1, quantity="2", country="us"))
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["unit_price_minor"] == 2499
    assert serializer.validated_data["quantity"] == 2
    assert serializer.validated_data["country"] == "US"


# The one-step checks against DRF's own steps for the same field (``super(Fast, field)``).
FIELDS = {
    "text": r._text(5),
    "optional_text": r._text(5, required=False),
    "country": r._text(2, required=False, min_length=2),
    "email": r.Email(max_length=30),
    "integer": r.Integer(min_value=1, max_value=10),
    "date": r.OptionalDate(),
    "time": r.AwareDateTime(),
}
VALUES = {
    "text": ["abc", "  abc ", "", "   ", "abcdef", "a\x00b", "\ud800", 12, 1.5, True, None, ["x"]],
    "email": ["a@b.co", " A@B.co ", "not-an-email", "a@b", f"{'x' * 30}@b.co", "a@b.co\x00", 5],
    "integer": [1, 10, 11, 0, -1, "3", "03", "3.0", "\u0663", "1e3", " 3", True, 2.0, 2.5, None],
    "date": ["2026-09-10", "20260910", "2026-9-1", "2026-02-30", "10/09/2026", None, 5],
    "time": [
        "2026-09-01T10:00:00Z",
        "2026-09-01T10:00:00+02:00",
        " 2026-09-01T10:00:00Z",
        "2026-09-01T10:00:00",
        "2026-09-01 10:00+05:30",
        "2026-09-01",
        "9999-12-31T23:59:59-14:00",
        "garbage",
        5,
        None,
    ],
}
VALUES["optional_text"] = VALUES["country"] = VALUES["text"] + ["A", "ab"]


def _bound(name: str):
    return type("One", (serializers.Serializer,), {name: FIELDS[name]})().fields[name]


def _outcome(run, value):
    try:
        return "ok", run(value)
    except serializers.ValidationError as exc:
        return "refused", exc.detail
    except SkipField:
        return "skipped", None


@pytest.mark.parametrize(
    ("name", "value"),
    [(name, value) for name, values in VALUES.items() for value in values]
    + [(name, serializers.empty) for name in FIELDS],
)
def test_the_one_step_checks_give_what_drfs_own_steps_give(name, value):
    field = _bound(name)
    assert _outcome(field.run_validation, value) == _outcome(
        super(r.Fast, field).run_validation, value
    )


def test_an_empty_optional_date_is_no_date():
    assert _bound("date").run_validation("") is None


def test_an_aware_time_is_read_in_the_current_zone():
    value = _bound("time").run_validation("2026-09-01T10:00:00+02:00")
    assert value == dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)
    assert value.utcoffset() == _bound("time").enforce_timezone(value).utcoffset()
