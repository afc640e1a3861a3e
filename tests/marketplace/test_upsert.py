"""The order-line upsert behind the API's batches and ``import_orders``: one statement per table
on PostgreSQL, the ORM elsewhere; both write the same rows and leave unchanged rows alone."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from marketplace import rows as r
from marketplace import services
from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import Seller, SellerStatus
from tests.support.rows import order_line_row as line

pytestmark = pytest.mark.django_db

PATHS = pytest.mark.parametrize("use_sql", [True, False], ids=["sql", "orm"])


def upsert(rows: list[dict], *, use_sql: bool) -> services.UpsertResult:
    clean = r.rows_validate(r.OrderLineRow, rows, keys=("order_number", "line_number"))
    return services.order_lines_upsert(rows=clean, use_sql=use_sql)


def versions(model) -> dict:
    """Where each row's current version is (PostgreSQL's ``ctid``: every write of a row makes
    a new version elsewhere; a lock does not)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, ctid::text FROM {model._meta.db_table}")  # noqa: S608
        return dict(cursor.fetchall())


@PATHS
def test_it_writes_every_table_once_by_marketplace_id(use_sql):
    # when
    result = upsert(
        [line(1, product_gtin="0 12345 67890 5"), line(2, quantity="3")], use_sql=use_sql
    )
    # then
    assert (result.rows, result.orders, result.customers, result.products) == (2, 1, 1, 2)
    order = Order.objects.select_related("customer", "region").get(number="114-1")
    assert order.placed_at == dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC)
    assert (order.customer.email, order.customer.phone) == ("ann@example.com", "+14155550100")
    assert order.region.code == "US"
    lines = OrderLine.objects.filter(order=order).order_by("line_number")
    assert [(x.product.marketplace_id, x.quantity, x.unit_price_minor) for x in lines] == [
        ("P-1", 1, 2499),
        ("P-2", 3, 2499),
    ]
    assert Product.objects.get(marketplace_id="P-1").gtin == "012345678905"
    assert {x.seller.marketplace_id for x in lines} == {"S-1"}


@PATHS
def test_it_rewrites_only_the_rows_that_changed(use_sql):
    # given
    upsert([line(1), line(2)], use_sql=use_sql)
    before = {m: versions(m) for m in (Customer, Product, Order, OrderLine)}
    # when: the same batch again, but line 2's price
    upsert([line(1), line(2, unit_price="19.50")], use_sql=use_sql)
    # then: one new row version, line 2's; everything else as it was
    after = {m: versions(m) for m in (Customer, Product, Order, OrderLine)}
    assert after[Customer] == before[Customer]
    assert after[Product] == before[Product]
    assert after[Order] == before[Order]
    changed = [pk for pk, at in after[OrderLine].items() if before[OrderLine][pk] != at]
    assert changed == [OrderLine.objects.get(line_number=2).pk]
    assert OrderLine.objects.get(line_number=2).unit_price_minor == 1950


@PATHS
def test_a_line_moves_to_another_product_and_seller(use_sql):
    upsert([line(1)], use_sql=use_sql)
    upsert(
        [line(1, product_id="P-9", seller_id="S-9", seller_name="Nine", seller_email="9@s.test")],
        use_sql=use_sql,
    )
    moved = OrderLine.objects.select_related("product", "seller").get()
    assert (moved.product.marketplace_id, moved.seller.marketplace_id) == ("P-9", "S-9")
    assert Product.objects.get(marketplace_id="P-9").seller.marketplace_id == "S-9"


@PATHS
def test_a_customer_named_differently_on_later_lines_keeps_the_first_lines_values(use_sql):
    # A file may leave the customer's optional cells empty on an order's later lines.
    upsert([line(1), line(2, customer_phone="", customer_name="A. Lee")], use_sql=use_sql)
    customer = Customer.objects.get()
    assert (customer.name, customer.phone) == ("Ann Lee", "+14155550100")


def test_a_foreign_key_the_related_table_lacks_fails_the_statement():
    """No line is dropped quietly (the SQL joins its order, product and seller in)."""
    clean = r.rows_validate(r.OrderLineRow, [line(1)], keys=("order_number", "line_number"))
    with pytest.raises(IntegrityError), transaction.atomic():
        services._write(services.LINES, clean, use_sql=True)


def test_a_new_seller_and_a_renamed_one_get_history_rows_of_the_seller_as_stored():
    # given: a seller first sent, then suspended by staff
    upsert([line(1)], use_sql=True)
    assert [h.history_type for h in Seller.history.all()] == ["+"]
    Seller.objects.filter(marketplace_id="S-1").update(status=SellerStatus.SUSPENDED)
    # when: sent again unchanged, then renamed
    upsert([line(1)], use_sql=True)
    upsert([line(1, seller_name="Acme Inc.")], use_sql=True)
    # then: one history row for the rename, with the seller's own status
    assert Seller.history.count() == 2
    renamed = Seller.history.order_by("-history_id").first()
    assert (renamed.history_type, renamed.legal_name, renamed.status) == (
        "~",
        "Acme Inc.",
        SellerStatus.SUSPENDED,
    )


@PATHS
def test_text_is_stored_as_sent(use_sql):
    name = 'Zoë O\'Brien "Jr" \\ 🙂 {a,b}'
    upsert([line(1, customer_name=name, product_title="NULL")], use_sql=use_sql)
    assert Customer.objects.get().name == name
    assert Product.objects.get().title == "NULL"


@pytest.mark.parametrize(
    "service",
    [
        "customers_upsert",
        "products_upsert",
        "orders_upsert",
        "sellers_upsert",
        "gross_upsert",
        "order_lines_upsert",
    ],
)
def test_every_upsert_starts_with_the_connections_plans_discarded(service):
    """Production keeps its connections (CONN_MAX_AGE): the commit's foreign-key checks would
    otherwise run the plans cached while the tables were small (whole-table scans), each batch
    of a first load slower than the last (``benchmarks/api_ingest.py``)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        getattr(services, service)(rows=[])
    assert [q["sql"] for q in captured.captured_queries][:1] == ["DISCARD PLANS"]
