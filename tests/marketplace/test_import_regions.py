"""Issue 16: orders from Canada and the EU member states import with the customer's province
(Quebec customers' deadlines count Quebec's holidays) and prices read the files' way."""

import json

import pytest
from django.core.management import CommandError, call_command

from marketplace.models import Customer, OrderLine

pytestmark = pytest.mark.django_db


def _row(**overrides) -> dict:
    row = {
        "order_number": "CA-1",
        "placed_at": "2026-09-01T10:00:00-04:00",
        "region": "CA",
        "currency": "CAD",
        "customer_id": "C-QC-1",
        "customer_name": "Léa Tremblay",
        "customer_email": "lea@example.com",
        "city": "Montréal",
        "country": "CA",
        "subdivision": "qc",
        "line_number": 1,
        "product_id": "P-1",
        "product_title": "Radiateur",
        "seller_id": "S-1",
        "seller_name": "Chaleur Inc.",
        "seller_email": "ops@chaleur.test",
        "quantity": 1,
        "unit_price": "1,049.00",
        "delivered_on": "2026-09-04",
    }
    row.update(overrides)
    return row


def test_import_keeps_the_customers_province_and_reads_prices_the_files_way(tmp_path):
    path = tmp_path / "orders.jsonl"
    rows = [
        _row(),
        _row(
            order_number="DE-1",
            region="DE",
            currency="EUR",
            customer_id="C-DE-1",
            customer_email="jonas@example.com",
            country="DE",
            subdivision="",
            seller_id="S-2",
            seller_email="ops@heiz.test",
            unit_price="89.90",
        ),
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    # when
    call_command("import_orders", str(path), "--format", "jsonl")
    # then
    assert Customer.objects.get(marketplace_id="C-QC-1").subdivision == "QC"
    prices = dict(OrderLine.objects.values_list("order__number", "unit_price_minor"))
    assert prices == {"CA-1": 104_900, "DE-1": 8_990}


def test_a_subdivision_that_is_not_a_code_is_refused(tmp_path, capsys):
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(_row(subdivision="Province of Quebec")))
    with pytest.raises(CommandError, match="problem"):
        call_command("import_orders", str(path), "--format", "jsonl")
    assert "subdivision must be an ISO 3166-2 code" in capsys.readouterr().err
    assert not Customer.objects.exists()
