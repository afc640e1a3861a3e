"""Erasure by pseudonymisation: the customer's personal values leave every table, while the
claims, their events, the payouts and the ledger stay whole and balanced.

What is personal is said once: the customer's identifying values (``personal_values``) are
replaced wherever they occur in the text of any row about the customer (every table
``privacy.export.customer_sources`` finds, withheld ones included), and the free text the
customer wrote (``FREE_TEXT``) is replaced whole, since it may hold anything (a child's name, a
diagnosis). Amounts, dates, statuses, references and ids stay: the money records remain
meaningful and the ledger untouched. Files the customer sent are deleted from storage once the
transaction commits.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Q

from claims.models import Party
from marketplace.models import Customer
from payouts.crypto import EncryptedCharField
from payouts.models import Payout, ProviderRecord
from privacy.export import customer_sources
from privacy.models import ErasureInProgress

ERASED = "[erased]"

# Free text the customer wrote, or that names where their money goes: replaced whole.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "claims.claim": ("description",),
    "claims.historicalclaim": ("description",),
    "claims.lossitem": ("description",),
    "claims.evidence": ("original_name",),
    "claims.accesslink": ("email",),
    "payouts.payeedetails": (
        "holder_name",
        "bank_code",
        "account_number",
        "card_token",
        "last4",
        "fingerprint",
    ),
    "payouts.payeechange": ("holder_name", "bank_code", "account_number", "card_token", "last4"),
}
# Rows the customer wrote themselves on a shared table: their text is replaced whole.
FREE_TEXT_ROWS: dict[str, tuple[Q, tuple[str, ...]]] = {
    "claims.claimevent": (Q(actor_party=Party.CUSTOMER), ("reason",)),
}
# Rows that exist only to link the customer to other claims (fraud rules' normalised
# identifiers and photo hashes): deleted, they would identify the customer by comparison.
DELETED = ("fraud.claimattribute", "fraud.evidencephoto")
# Tables kept as they are: confirmed fraud is kept for fraud prevention as the law allows; the
# ledger holds amounts and references only; the erasure's own record.
KEPT = ("fraud.watchlistentry", "payouts.ledgertransaction", "payouts.ledgerentry")


def personal_values(customer: Customer) -> list[str]:
    """The customer's identifying values, longest first (a name before its parts)."""
    values = {
        customer.name,
        customer.email,
        customer.email.lower(),
        customer.phone,
        customer.address_line1,
        customer.address_line2,
    }
    return sorted((v for v in values if v and len(v) >= 4), key=len, reverse=True)


def _scrub(value, needles: list[str]):
    """Replace each needle inside strings, walking JSON values (never inside numbers)."""
    if isinstance(value, str):
        for needle in needles:
            if needle in value:
                value = value.replace(needle, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


def _text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not f.choices
        and not f.primary_key
    ]


@dataclass
class Erasure:
    rows: dict[str, int] = field(default_factory=dict)
    files: list[tuple[object, str]] = field(default_factory=list)

    def count(self, label: str, n: int = 1) -> None:
        if n:
            self.rows[label] = self.rows.get(label, 0) + n


def _blank_for(f: models.Field):
    """What replaces a whole value: nothing where the column allows it, else a marker that
    fits (the payee "kind" constraints want an account and a bank code present)."""
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, EncryptedCharField) or f.name == "bank_code":
        return "erased"
    if f.blank:
        return ""
    return ERASED[: f.max_length] if f.max_length else ERASED


def _rewrite(
    model, label: str, rows: Iterable, needles: list[str], whole: tuple, erasure, *, files=False
):
    """Scrub the rows' text (``whole`` fields replaced entirely); with ``files``, note their
    stored files for deletion in the same pass over the rows."""
    fields = _text_fields(model)
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    for obj in rows:
        if files:
            erasure.files.extend(
                (f.storage, getattr(obj, f.attname).name)
                for f in file_fields
                if getattr(obj, f.attname)
            )
        changes = {}
        for f in fields:
            old = getattr(obj, f.attname)
            if old in (None, ""):
                continue
            new = _blank_for(f) if f.name in whole else _scrub(old, needles)
            if new != old:
                changes[f.attname] = new
        if changes:
            model._default_manager.filter(pk=obj.pk).update(**changes)
            erasure.count(label)


def customer_erase_rows(customer: Customer) -> Erasure:
    """Pseudonymise everything about ``customer``; call inside ``transaction.atomic``."""
    erasure = Erasure()
    needles = personal_values(customer)
    marker = ErasureInProgress.objects.create()
    try:
        for source in customer_sources():
            if source.label in KEPT:
                continue
            rows = source.model._default_manager.filter(**{source.path: customer})
            if source.label in DELETED:
                deleted, _by_model = rows.delete()
                erasure.count(source.label, deleted)
                continue
            whole = FREE_TEXT.get(source.label, ())
            _rewrite(
                source.model, source.label, rows.iterator(), needles, whole, erasure, files=True
            )
            if source.label in FREE_TEXT_ROWS:
                condition, fields = FREE_TEXT_ROWS[source.label]
                _rewrite(
                    source.model,
                    source.label,
                    rows.filter(condition).iterator(),
                    needles,
                    fields,
                    erasure,
                )
        # The payment provider's memory (the adapters on this machine) is linked to the
        # customer's payouts by their idempotency keys, not by a foreign key.
        keys = Payout.objects.filter(claim__customer=customer).values("idempotency_key")
        _rewrite(
            ProviderRecord,
            "payouts.providerrecord",
            ProviderRecord.objects.filter(idempotency_key__in=keys).iterator(),
            needles,
            ("payee",),
            erasure,
        )
        Customer.objects.filter(pk=customer.pk).update(
            name=f"Erased customer {customer.pk}",
            email=f"erased-{customer.pk}@erased.invalid",
            phone="",
            address_line1="",
            address_line2="",
            city="",
            postal_code="",
        )
        erasure.count("marketplace.customer")
    finally:
        marker.delete()
    files = list(erasure.files)
    transaction.on_commit(lambda: _delete_files(files))
    return erasure


def _delete_files(files: list[tuple[object, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def archive_json(erasure: Erasure) -> str:
    return json.dumps({"rows": erasure.rows, "files": len(erasure.files)})
