"""A customer's data export: every table's rows about them, and their files, in one archive.

The tables are found, not listed: every model with a path of foreign keys to
``marketplace.Customer`` is exported, unless ``WITHHELD`` names it with the reason the law
allows. A model added later is therefore in the export from its first migration (a test fails
if a table reaches customers without being exported or withheld on purpose).

Fraud screening is kept back from the tables that are exported too (``PRESENTED``): a
claim's status reads in the customer's words, as on the claim page, without its risk score
or who holds it, and its events are the claim page's history; no staff member is named.

The archive (a ZIP) holds ``data.json`` (one list of rows per table, every other field as
stored, labelled), ``README.txt`` (what it is, in the customer's language) and ``files/`` (the
customer's evidence files as they were kept). Sealed values (``payouts.crypto``) are given as
their masked form: the archive may be downloaded on a shared computer, and the customer's full
account number is not needed to see what is held.
"""

import io
import json
import zipfile
from collections import deque
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.actors import Actor
from claims.models import Party
from marketplace.models import Customer
from payouts.crypto import EncryptedCharField
from portal.progress import customer_events
from portal.selectors import claim_timeline
from portal.wording import CLAIMS_TEAM, actor_words, customer_status

MAX_DEPTH = 4

# Tables that reach a customer but are not handed over, each with its reason. Fraud-prevention
# records are exempt from the right of access while disclosure would prejudice the prevention
# of fraud (GDPR art. 23(1)(d) and (i), UK DPA 2018 sch. 2 para. 2, PIPEDA s. 9(3)(d)); the
# ledger is the marketplace's own accounting (the customer's payouts are exported).
_TO_SELLER = gettext_lazy("messages to the seller (your claim's facts are exported)")
WITHHELD: dict[str, object] = {
    "fraud.assessment": gettext_lazy("fraud prevention"),
    "fraud.rulehit": gettext_lazy("fraud prevention"),
    "fraud.fraudreview": gettext_lazy("fraud prevention"),
    "fraud.referral": gettext_lazy("fraud prevention"),
    "fraud.claimattribute": gettext_lazy("fraud prevention"),
    "fraud.evidencephoto": gettext_lazy("fraud prevention"),
    "fraud.watchlistentry": gettext_lazy("fraud prevention"),
    "payouts.ledgertransaction": gettext_lazy("the marketplace's accounting; payouts are exported"),
    "payouts.ledgerentry": gettext_lazy("the marketplace's accounting; payouts are exported"),
    "payouts.qasample": gettext_lazy("internal quality review of staff decisions"),
    "backoffice.slabreach": gettext_lazy("internal measure of the staff's service levels"),
    "sellers.recovery": gettext_lazy("the seller's account with the marketplace"),
    "sellers.withholding": gettext_lazy("the seller's account with the marketplace"),
    "sellers.reminder": _TO_SELLER,
    "sellers.sellernotice": _TO_SELLER,
    # What the seller's and the order system's integrations were sent about the claim.
    "webhooks.apievent": _TO_SELLER,
    # The staff's own reminders and labels on the claim (who holds it, what to do next).
    "backoffice.notification": gettext_lazy("the staff's own reminders and labels"),
    "backoffice.claimtag": gettext_lazy("the staff's own reminders and labels"),
}

# Rows of an exported table that belong to someone else: the seller's own evidence is the
# seller's material (staff share a file with the customer when it is addressed to them).
ROW_FILTERS: dict[str, Q] = {
    "claims.evidence": Q(uploaded_by_party=Party.CUSTOMER),
}


# Fields of an exported table that are the marketplace's screening or internal work, not the
# customer's data: the fraud score, who holds the claim, who edited it and why.
INTERNAL_FIELDS: dict[str, frozenset[str]] = {
    "claims.claim": frozenset({"risk_score", "risk_level", "assignee_id"}),
    "claims.historicalclaim": frozenset(
        {"risk_score", "risk_level", "assignee_id", "history_user_id", "history_change_reason"}
    ),
}
# Status fields, given in the customer's words (``portal.wording.customer_status``, the one
# mapping the claim pages use): a fraud hold reads as checking, as on the claim page.
STATUS_FIELDS: dict[str, str] = {"claims.claim": "status", "claims.historicalclaim": "status"}


@dataclass(frozen=True)
class Source:
    """A table about customers, and the lookup from its rows to the customer."""

    label: str
    model: type[models.Model]
    path: str


def _forward_relations(model):
    for field in model._meta.get_fields():
        if (
            field.is_relation
            and field.concrete
            and (field.many_to_one or field.one_to_one)
            and field.related_model is not None
        ):
            yield field


def customer_sources() -> list[Source]:
    """Every model with a path of foreign keys to ``Customer`` (the shortest), sorted."""
    found = []
    for model in apps.get_models():
        if model is Customer or model._meta.proxy:
            continue
        queue = deque([(model, "")])
        seen = {model}
        path = None
        while queue and path is None:
            current, prefix = queue.popleft()
            if prefix.count("__") >= MAX_DEPTH:
                continue
            for field in _forward_relations(current):
                lookup = f"{prefix}__{field.name}" if prefix else field.name
                if field.related_model is Customer:
                    path = lookup
                    break
                if field.related_model not in seen and field.related_model._meta.app_label in (
                    "claims",
                    "marketplace",
                    "payouts",
                    "sellers",
                    "fraud",
                    "portal",
                    "backoffice",
                    "privacy",
                ):
                    seen.add(field.related_model)
                    queue.append((field.related_model, lookup))
        if path is not None:
            found.append(Source(model._meta.label_lower, model, path))
    return sorted(found, key=lambda source: source.label)


def exported_sources() -> list[Source]:
    return [source for source in customer_sources() if source.label not in WITHHELD]


def _row(obj: models.Model) -> dict:
    label = obj._meta.label_lower
    internal = INTERNAL_FIELDS.get(label, frozenset())
    row = {}
    for field in obj._meta.concrete_fields:
        if field.attname in internal:
            continue
        value = field.value_from_object(obj)
        if field.name == STATUS_FIELDS.get(label):
            value = customer_status(value)
        if isinstance(field, EncryptedCharField):
            value = f"••••{value[-4:]}" if value else ""
        elif isinstance(field, models.FileField):
            value = value.name if value else ""
        elif field.name in ("secret_hash", "fingerprint"):
            continue  # keys to links and comparisons, not information about the customer
        row[field.attname] = value
    return row


def _claim_events(customer: Customer) -> list[dict]:
    """The claims' events as the claim page's history tells them (``customer_events``):
    the customer's own, what was addressed to them and every step in their words; never an
    internal note, a screening reason or a staff member's name."""
    rows = []
    for claim in customer.claims.order_by("pk"):
        for event, entry in customer_events(claim_timeline(claim=claim)):
            rows.append(
                {
                    "id": event.pk,
                    "claim_id": event.claim_id,
                    "kind": event.kind,
                    "from_status": customer_status(event.from_status),
                    "to_status": customer_status(event.to_status),
                    "by": actor_words(event.actor_party),
                    "text": entry.text,
                    "quote": entry.quote,
                    "created_at": event.created_at,
                }
            )
    return rows


def _payee_events(customer: Customer) -> list[dict]:
    """Changes of the payment details, the staff side as the claims team (its note, which
    names who asked and who approved, is left out; what changed is there, masked)."""
    rows = []
    for event in customer.payee_events.order_by("pk"):
        row = _row(event)
        if event.actor_label != Actor.customer(customer).label:
            row["actor_label"] = str(CLAIMS_TEAM)
            row["reason"] = ""
        row.pop("actor_id", None)
        rows.append(row)
    return rows


# Tables written as the claim page shows them rather than as stored, by table.
PRESENTED = {
    "claims.claimevent": _claim_events,
    "payouts.payeeevent": _payee_events,
}


@dataclass(frozen=True)
class Archive:
    filename: str
    content: bytes
    summary: dict


def customer_archive(customer: Customer) -> Archive:
    """Build the archive of everything held about ``customer`` (in memory: a customer's files
    are bounded by the upload limits)."""
    now = timezone.now()
    tables = {"marketplace.customer": [_row(customer)]}
    files: list[tuple[str, models.fields.files.FieldFile]] = []
    for source in exported_sources():
        rows = (
            source.model._default_manager.filter(**{source.path: customer})
            .filter(ROW_FILTERS.get(source.label, Q()))
            .order_by("pk")
        )
        if source.label in PRESENTED:
            tables[source.label] = PRESENTED[source.label](customer)
        else:
            tables[source.label] = [_row(obj) for obj in rows]
        for obj in rows:
            for field in obj._meta.concrete_fields:
                if isinstance(field, models.FileField) and getattr(obj, field.attname):
                    name = PurePosixPath(getattr(obj, field.attname).name).name
                    files.append(
                        (f"files/{source.label}/{obj.pk}/{name}", getattr(obj, field.name))
                    )
    summary = {
        "tables": {label: len(rows) for label, rows in tables.items() if rows},
        "files": len(files),
        "withheld": sorted(WITHHELD),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(
                {"customer": customer.marketplace_id, "produced_at": now, "tables": tables},
                cls=DjangoJSONEncoder,
                indent=1,
                ensure_ascii=False,
            ),
        )
        archive.writestr("README.txt", _readme(customer, summary, now))
        for path, stored in files:
            try:
                with stored.open("rb") as handle:
                    archive.writestr(path, handle.read())
            except FileNotFoundError:
                archive.writestr(f"{path}.missing.txt", _("This file is no longer stored."))
    return Archive(
        filename=f"claimdesk-data-{customer.marketplace_id}-{now:%Y%m%d}.zip",
        content=buffer.getvalue(),
        summary=summary,
    )


def _readme(customer: Customer, summary: dict, now) -> str:
    lines = [
        _("Your data held by the marketplace's product guarantee (Claimdesk)"),
        "",
        _("Produced on %(date)s for %(name)s.")
        % {"date": now.date().isoformat(), "name": customer.name},
        _(
            "data.json holds every record about you, table by table, as it is stored, except "
            "that your claims' status and history read as on your claim page; files/ holds the "
            "files you and others sent with your claims. Account numbers are shown by their "
            "last four digits only."
        ),
        "",
        _("Records kept from this export, as the law allows (fraud prevention, accounting):"),
        *[f"- {label}: {reason}" for label, reason in sorted(WITHHELD.items())],
    ]
    return "\n".join(str(line) for line in lines) + "\n"
