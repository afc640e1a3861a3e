"""Trigram indexes behind the staff search (backoffice/search.py), on PostgreSQL only.

Built concurrently: on a database with a million claims the tables stay writable meanwhile.
"""

from django.db import migrations

from backoffice.db_operations import (
    AddIndexOnPostgres,
    TrigramExtensionOnPostgres,
    trigram_index,
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("backoffice", "0002_notifications"),
        ("claims", "0011_reduction_reasons"),
        ("marketplace", "0001_initial"),
        ("payouts", "0005_reduction_reasons"),
        ("sellers", "0004_insurance_proof"),
    ]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS pg_trgm; does nothing on SQLite.
        TrigramExtensionOnPostgres(),
        AddIndexOnPostgres("claims.Claim", trigram_index("claim_reference_trgm", "reference")),
        AddIndexOnPostgres("marketplace.Customer", trigram_index("customer_name_trgm", "name")),
        AddIndexOnPostgres("marketplace.Customer", trigram_index("customer_email_trgm", "email")),
        AddIndexOnPostgres(
            "marketplace.Customer", trigram_index("customer_phone_trgm", "phone", upper=False)
        ),
        AddIndexOnPostgres("marketplace.Order", trigram_index("order_number_trgm", "number")),
        AddIndexOnPostgres("marketplace.Product", trigram_index("product_title_trgm", "title")),
        AddIndexOnPostgres("sellers.Seller", trigram_index("seller_name_trgm", "legal_name")),
        AddIndexOnPostgres(
            "payouts.Payout", trigram_index("payout_reference_trgm", "provider_reference")
        ),
    ]
