import json

import pytest
from django.core.management import CommandError, call_command

from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import Seller

pytestmark = pytest.mark.django_db

HEADER = (
    "order_number,placed_at,region,currency,customer_id,customer_name,customer_email,"
    "customer_phone,address_line1,city,postal_code,country,customer_since,line_number,"
    "product_id,product_title,product_category,seller_id,seller_name,seller_email,"
    "quantity,unit_price,delivered_on"
)
GOOD = [
    "114-1,2026-09-01T10:00:00Z,US,USD,C-1,Ann Lee,Ann@Example.com,(415) 555-0100,1 Main St,"
    "Springfield,62701,US,2020-05-01,1,P-1,CO detector,Home safety,S-1,Acme LLC,"
    "ops@acme.test,1,24.99,2026-09-04",
    "114-1,2026-09-01T10:00:00Z,US,USD,C-1,Ann Lee,ann@example.com,,1 Main St,Springfield,"
    "62701,US,2020-05-01,2,P-2,Space heater,Appliances,S-2,Heat Co,sales@heat.test,2,"
    "1,049.00,2026-09-05",
]


def _write(tmp_path, rows, name="orders.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *[r if r.count('"') else _quote(r) for r in rows]]))
    return path


def _quote(row: str) -> str:
    # The second sample has a thousands separator: quote the price column.
    parts = row.split(",")
    if len(parts) > 23:
        parts = [*parts[:21], f'"{parts[21]},{parts[22]}"', *parts[23:]]
    return ",".join(parts)


def test_import_csv_creates_everything(tmp_path, capsys):
    call_command("import_orders", str(_write(tmp_path, GOOD)))
    assert "Imported 2 order line(s)" in capsys.readouterr().out
    order = Order.objects.get(number="114-1")
    assert order.customer.email == "ann@example.com"
    assert order.customer.phone == "+14155550100"
    lines = list(OrderLine.objects.filter(order=order).order_by("line_number"))
    assert [(line.unit_price_minor, line.quantity) for line in lines] == [(2499, 1), (104_900, 2)]
    assert [line.seller.marketplace_id for line in lines] == ["S-1", "S-2"]
    assert Product.objects.count() == 2 and Seller.objects.count() == 2


def test_reimport_updates_instead_of_duplicating(tmp_path):
    path = _write(tmp_path, GOOD)
    call_command("import_orders", str(path))
    call_command("import_orders", str(path))
    assert OrderLine.objects.count() == 2
    assert Customer.objects.count() == 1


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path, capsys):
    bad = [
        GOOD[0],
        GOOD[0].replace("24.99", "24.999").replace(",1,P-1", ",3,P-1"),
        GOOD[0].replace("Ann@Example.com", "not-an-email").replace(",1,P-1", ",4,P-1"),
        GOOD[0].replace("2026-09-04", "2026-08-01").replace(",1,P-1", ",5,P-1"),
        GOOD[0].replace(",US,USD,", ",ZZ,USD,").replace(",1,P-1", ",6,P-1"),
        GOOD[0],
    ]
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_orders", str(_write(tmp_path, bad)))
    err = capsys.readouterr().err
    assert "line 3: unit_price: Too many decimals: USD amounts have at most 2 decimal" in err
    assert "line 4: customer_email: Enter a valid email address." in err
    assert "line 5: delivered_on: The delivery is before the order was placed." in err
    assert "line 6: region: 'ZZ' is not a known region." in err
    assert "line 7: order_number 114-1 line_number 1 already appears on line 2" in err
    assert not Order.objects.exists() and not Seller.objects.exists()


def test_missing_columns_are_named(tmp_path, capsys):
    path = tmp_path / "o.csv"
    path.write_text("order_number,region\n1,US\n")
    with pytest.raises(CommandError):
        call_command("import_orders", str(path))
    assert "missing column(s) placed_at" in capsys.readouterr().err


def test_import_json_lines(tmp_path):
    keys = HEADER.split(",")
    values = GOOD[0].split(",")
    row = dict(zip(keys, values, strict=True))
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(row) + "\n" + "{not json}\n")
    with pytest.raises(CommandError):
        call_command("import_orders", str(path))
    assert not Order.objects.exists()
    path.write_text(json.dumps(row) + "\n")
    call_command("import_orders", str(path))
    assert OrderLine.objects.get().unit_price_minor == 2499


def test_unreadable_or_unknown_files_fail_cleanly(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_orders", str(tmp_path / "missing.csv"))
    odd = tmp_path / "orders.xlsx"
    odd.write_text("x")
    with pytest.raises(CommandError, match="pass --format"):
        call_command("import_orders", str(odd))


def test_a_row_in_the_wrong_currency_reports_its_price_and_quantity_too(tmp_path, capsys):
    # given: a US line in euros, whose price is no amount and whose quantity is zero
    bad = GOOD[0].replace(",US,USD,", ",US,EUR,").replace(",1,24.99,", ",0,abc,")
    # when
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_orders", str(_write(tmp_path, [bad])))
    # then: every problem of the line at once
    err = capsys.readouterr().err
    assert "line 2: currency: EUR does not match region US (USD)." in err
    assert "line 2: unit_price: “abc” is not an amount." in err
    assert "line 2: quantity: Give a whole number of units from 1 to 10,000." in err
    assert not Order.objects.exists()
