"""The flat order-line row (``marketplace.rows.OrderLineRow``) that the API's batches and
``import_orders`` take, for tests: one line of order 114-1 for customer C-1 and seller S-1."""


def order_line_row(n: int = 1, **overrides) -> dict:
    row = {
        "order_number": "114-1",
        "placed_at": "2026-09-01T10:00:00Z",
        "region": "US",
        "currency": "USD",
        "customer_id": "C-1",
        "customer_name": "Ann Lee",
        "customer_email": "Ann@Example.com",
        "customer_phone": "(415) 555-0100",
        "country": "US",
        "line_number": n,
        "product_id": f"P-{n}",
        "product_title": "CO detector",
        "seller_id": "S-1",
        "seller_name": "Acme LLC",
        "seller_email": "ops@acme.test",
        "quantity": 1,
        "unit_price": "24.99",
        "delivered_on": "2026-09-04",
    }
    return {**row, **overrides}
