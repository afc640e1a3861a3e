"""Import the marketplace's orders from a file: a thin reader in front of the API's row
validation (``marketplace.rows``) and upserts (``marketplace.services``).

Formats (docs/import-format.md): CSV with a header row, or JSON Lines (one object per line),
each row one order line with its order, customer, product and seller. Every row of both files
is validated first; one bad row means nothing is written. Re-importing a file updates the rows
it names (keyed by the marketplace's ids), so an import can be repeated.

A second file, the sellers' monthly gross proceeds (one row per seller and month), may come
with the orders or on its own; the insurance requirement is computed from those figures.
"""

import csv
import io
import json
from dataclasses import dataclass

from django.db import transaction

from marketplace.rows import (
    GrossRow,
    OrderLineRow,
    RowsRefused,
    rows_validate,
    seller_currencies,
)
from marketplace.services import UpsertResult, gross_upsert, order_lines_upsert

REQUIRED = [name for name, field in OrderLineRow().fields.items() if field.required]
GROSS_COLUMNS = list(GrossRow().fields)

ImportResult = UpsertResult


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s); nothing was imported")


@dataclass
class _Rows:
    where: list[str]
    values: list[dict]


def _read(data: str, fmt: str, required: list[str]) -> _Rows:
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(data))
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFailed([f"header: missing column(s) {', '.join(missing)}"])
        rows = _Rows([], [])
        for row in reader:
            # Line numbers as a spreadsheet shows them: the header is line 1.
            rows.where.append(f"line {reader.line_num}")
            rows.values.append({k: v for k, v in row.items() if k is not None})
        return rows
    rows = _Rows([], [])
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFailed([f"line {number}: not valid JSON ({exc.msg})"]) from exc
        if not isinstance(values, dict):
            raise ImportFailed([f"line {number}: expected an object"])
        rows.where.append(f"line {number}")
        rows.values.append(values)
    return rows


def _validate(serializer, rows: _Rows, *, keys, context=None) -> list[dict]:
    if not rows.values:
        raise ImportFailed(["the file has no rows"])
    try:
        return rows_validate(serializer, rows.values, keys=keys, context=context)
    except RowsRefused as exc:
        raise ImportFailed([_line(rows, e) for e in exc.errors]) from None


def _line(rows: _Rows, error) -> str:
    """``line 3: unit_price: Too many decimals: USD amounts have at most 2 decimal places.``"""
    if error.duplicate_of is not None:
        detail = f"{error.key_text} already appears on {rows.where[error.duplicate_of]}"
    else:
        detail = error.detail
    return f"{rows.where[error.index]}: {error.field + ': ' if error.field else ''}{detail}"


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "jsonl"):
        raise ImportFailed([f"unknown format {fmt!r}: use csv or jsonl"])


def orders_import(
    *, data: str | None, fmt: str, gross: str | None = None, gross_fmt: str | None = None
) -> ImportResult:
    """Validate every row of both files; raise ``ImportFailed`` listing each bad row (prefixed
    ``gross`` for the gross file), or import them all in one transaction.

    ``data`` (orders) or ``gross`` (the sellers' monthly gross proceeds) may be left out."""
    if data is None and gross is None:
        raise ImportFailed(["nothing to import: give an orders file, a gross file or both"])
    orders: list[dict] = []
    if data is not None:
        _check_format(fmt)
        read = _read(data, fmt, REQUIRED)
        orders = _validate(OrderLineRow, read, keys=("order_number", "line_number"))
    gross_rows: list[dict] = []
    if gross is not None:
        gross_fmt = gross_fmt or fmt
        _check_format(gross_fmt)
        try:
            read = _read(gross, gross_fmt, GROSS_COLUMNS)
            # The currency each seller is kept in: new sellers from the orders file, else
            # stored ones.
            currencies = seller_currencies({str(v.get("seller_id", "")) for v in read.values})
            currencies.update({r["seller_id"]: r["region"].currency for r in orders})
            gross_rows = _validate(
                GrossRow,
                read,
                keys=("seller_id", "month"),
                context={"seller_currencies": currencies},
            )
        except ImportFailed as exc:
            raise ImportFailed([f"gross {e}" for e in exc.errors]) from None
    with transaction.atomic():
        result = order_lines_upsert(rows=orders) if orders else UpsertResult()
        result.gross_months = gross_upsert(rows=gross_rows)
    return result
