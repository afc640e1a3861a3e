"""The sellers' monthly gross proceeds arrive with the import (``import_orders --gross``), and
the insurance requirement is computed from them per the region's threshold, never typed."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from claims.models import Region
from sellers.models import INSURANCE_GRACE_DAYS, Seller, SellerMonthlyGross, month_end
from tests.factories import SellerFactory
from tests.marketplace.test_import_orders import GOOD, _write

pytestmark = pytest.mark.django_db

GROSS_HEADER = "seller_id,month,currency,gross_proceeds"


def _months_back(n: int) -> dt.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _gross(tmp_path, rows, name="gross.csv"):
    path = tmp_path / name
    path.write_text("\n".join([GROSS_HEADER, *rows]))
    return path


def test_imported_gross_over_the_threshold_requires_insurance(tmp_path, capsys):
    # given: the orders and, with them, S-1 over USD 10,000 three months ago, S-2 under
    m3, m2 = _months_back(3), _months_back(2)
    gross = _gross(
        tmp_path,
        [
            f'S-1,{m3:%Y-%m},USD,"12,500.00"',
            f"S-1,{m2:%Y-%m},USD,9000",
            f"S-2,{m3:%Y-%m},USD,10000.00",
        ],
    )
    # when
    call_command("import_orders", str(_write(tmp_path, GOOD)), "--gross", str(gross))
    # then
    assert "Imported 3 seller month(s) of gross proceeds." in capsys.readouterr().out
    s1, s2 = Seller.objects.get(marketplace_id="S-1"), Seller.objects.get(marketplace_id="S-2")
    assert SellerMonthlyGross.objects.get(seller=s1, month=m3).gross_minor == 1_250_000
    assert s1.insurance_required
    assert s1.insurance_required_since == month_end(m3) + dt.timedelta(days=INSURANCE_GRACE_DAYS)
    assert not s2.insurance_required  # exactly the threshold is not over it


def test_the_requirement_starts_30_days_after_the_month(tmp_path):
    seller = SellerFactory(marketplace_id="S-9")
    last_month = _months_back(1)
    call_command(
        "import_orders", "--gross", str(_gross(tmp_path, [f"S-9,{last_month:%Y-%m},USD,20000"]))
    )
    seller = Seller.objects.get(pk=seller.pk)
    deadline = month_end(last_month) + dt.timedelta(days=30)
    assert not seller.insurance_required_on(deadline - dt.timedelta(days=1))
    assert seller.insurance_required_on(deadline)


def test_the_threshold_is_the_regions(tmp_path):
    seller = SellerFactory(marketplace_id="S-9")
    call_command(
        "import_orders", "--gross", str(_gross(tmp_path, [f"S-9,{_months_back(3):%Y-%m},USD,5000"]))
    )
    assert not Seller.objects.get(pk=seller.pk).insurance_required
    Region.objects.filter(code="US").update(insurance_required_gross_minor=400_000)
    assert Seller.objects.get(pk=seller.pk).insurance_required


def test_reimporting_a_month_replaces_its_figure(tmp_path):
    SellerFactory(marketplace_id="S-9")
    month = f"{_months_back(3):%Y-%m}"
    call_command("import_orders", "--gross", str(_gross(tmp_path, [f"S-9,{month},USD,20000"])))
    call_command("import_orders", "--gross", str(_gross(tmp_path, [f"S-9,{month},USD,20000"])))
    assert SellerMonthlyGross.objects.count() == 1
    call_command("import_orders", "--gross", str(_gross(tmp_path, [f"S-9,{month},USD,800"])))
    row = SellerMonthlyGross.objects.get()
    assert row.gross_minor == 80_000
    assert not Seller.objects.get(marketplace_id="S-9").insurance_required


def test_gross_as_json_lines(tmp_path):
    SellerFactory(marketplace_id="S-9")
    path = tmp_path / "gross.jsonl"
    path.write_text(
        f'{{"seller_id": "S-9", "month": "{_months_back(3):%Y-%m}", "currency": "USD", '
        '"gross_proceeds": "15000.00"}\n'
    )
    call_command("import_orders", "--gross", str(path))
    assert Seller.objects.get(marketplace_id="S-9").insurance_required


def test_bad_gross_rows_are_each_reported_and_nothing_is_imported(tmp_path, capsys):
    # given: good orders, and a gross file with a problem on each line
    SellerFactory(marketplace_id="S-9")
    m3 = f"{_months_back(3):%Y-%m}"
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    gross = _gross(
        tmp_path,
        [
            f"S-404,{m3},USD,100",
            f"S-9,{m3},CAD,100",
            f"S-9,{future},USD,100",
            "S-9,March,USD,100",
            f"S-9,{m3},USD,-5",
            f"S-9,{m3},USD,1.234",
            f"S-1,{m3},USD,100",
            f"S-1,{m3},USD,200",
        ],
    )
    # when
    with pytest.raises(CommandError, match="7 problem"):
        call_command("import_orders", str(_write(tmp_path, GOOD)), "--gross", str(gross))
    # then: every line named, nothing written (not even the good orders)
    err = capsys.readouterr().err
    for expected in [
        "gross line 2: seller_id: Seller 'S-404' is not known",
        "gross line 3: currency: CAD is not the seller's currency (USD)",
        "gross line 4: month: The month is still to come.",
        "gross line 5: month: Not a month (YYYY-MM).",
        "gross line 6: gross_proceeds: Cannot be negative.",
        "gross line 7: gross_proceeds: Too many decimals: USD amounts have at most 2 decimal",
        f"gross line 9: seller_id S-1 month {m3} already appears on line 8",
    ]:
        assert expected in err
    assert not SellerMonthlyGross.objects.exists()
    assert not Seller.objects.filter(marketplace_id="S-1").exists()


def test_a_missing_gross_column_is_reported(tmp_path):
    path = tmp_path / "gross.csv"
    path.write_text("seller_id,month\nS-1,2026-01\n")
    with pytest.raises(CommandError):
        call_command("import_orders", "--gross", str(path))


def test_nothing_to_import_is_an_error():
    with pytest.raises(CommandError, match="Give an orders file"):
        call_command("import_orders")


def test_the_admin_shows_the_imported_gross_and_offers_no_typed_figure(client, tmp_path):
    # given: a superuser on the seller's change page
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@staff.test", "pw")
    seller = SellerFactory(marketplace_id="S-9")
    call_command(
        "import_orders",
        "--gross",
        str(_gross(tmp_path, [f"S-9,{_months_back(3):%Y-%m},USD,20000"])),
    )
    client.force_login(admin)
    # when
    body = client.get(reverse("admin:sellers_seller_change", args=[seller.pk])).content.decode()
    # then: no input for the gross, the imported month and the computed requirement shown
    assert 'name="monthly_gross-0-gross_minor"' not in body
    assert "$20,000.00" in body and "insurance required from" in body.lower()
    form = (
        client.get(reverse("admin:sellers_seller_change", args=[seller.pk]))
        .context["adminform"]
        .form
    )
    assert not any("gross" in name for name in form.fields)
