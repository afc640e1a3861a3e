"""What to withhold from seller disbursements, as CSV for the disbursement system."""

import csv
from collections.abc import Iterable, Iterator

from claims.money import format_minor
from claims_site.spreadsheets import Echo, csv_safe
from sellers.selectors import withholdings_due

HEADER = [
    "recovery_id",
    "seller_id",
    "seller_name",
    "claim_reference",
    "reason",
    "currency",
    "outstanding_minor",
    "outstanding",
]


def withholding_rows(*, currency: str | None = None) -> Iterator[list]:
    yield HEADER
    for recovery in withholdings_due(currency=currency).iterator(chunk_size=500):
        yield [
            recovery.pk,
            recovery.seller.marketplace_id,
            recovery.seller.legal_name,
            recovery.claim.reference,
            recovery.reason,
            recovery.currency,
            recovery.outstanding_minor,
            format_minor(recovery.outstanding_minor, recovery.currency),
        ]


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """Each row as one CSV line, every text cell escaped against formula injection."""
    writer = csv.writer(Echo())
    for row in rows:
        yield writer.writerow([cell if isinstance(cell, int) else csv_safe(cell) for cell in row])
