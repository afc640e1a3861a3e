"""Recall lists: read (the CPSC recall API's JSON, or a CSV for other regulators), matched to
products by UPC/GTIN, model number and name, and acted on.

Matching (``recall_match_reason``), strongest first:

- **GTIN**: the digits of a UPC-A (12), EAN-13 or GTIN-14, compared as GTIN-14 (zero-padded).
- **Model**: the model numbers compared without case, spaces and punctuation, so "HT-1500",
  "ht 1500" and "HT1500" are one model; a recall listing "HT-1500 / HT-1500B" names two.
- **Name**: every significant word of the recall's product name is in the product's title and
  the name has at least two such words, so a recall of a "Space heater" never matches a
  "Space blanket" or a "Patio heater" on a shared word.

A match (once per recall and product) raises an alert on the product, tags its open claims in
the queue ("recalled product") and e-mails each customer with a claim on it what the recall
says, in the language of their claim.
"""

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from claims.lifecycle import FINISHED_STATUSES
from claims.models import Claim
from claims.outbox import outbox_add
from marketplace.models import Product
from safety.exceptions import SafetyError
from safety.models import (
    AlertTrigger,
    MatchedOn,
    Recall,
    RecallMatch,
    RecallSource,
    Regulator,
)

RECALL_TAG = "recalled product"
MAX_RECALLS = 5000
CSV_COLUMNS = [
    "number",
    "title",
    "product_names",
    "models",
    "gtins",
    "hazard",
    "remedy",
    "url",
    "published_on",
    "description",
]
CSV_REQUIRED = ["number", "title"]
STOPWORDS = {
    "a",
    "an",
    "and",
    "the",
    "of",
    "for",
    "with",
    "in",
    "on",
    "by",
    "to",
    "or",
    "de",
    "la",
    "el",
    "les",
    "des",
    "du",
    "et",
    "y",
    "model",
    "models",
    "series",
    "brand",
    "recalls",
    "recall",
}


@dataclass
class ParsedRecall:
    number: str
    title: str
    description: str = ""
    hazard: str = ""
    remedy: str = ""
    url: str = ""
    published_on: dt.date | None = None
    product_names: list[str] = field(default_factory=list)
    model_numbers: list[str] = field(default_factory=list)
    gtins: list[str] = field(default_factory=list)


# --- normalising and matching -------------------------------------------------------------------


def gtin_normal(value: str) -> str:
    """GTIN-14 digits ('' if the value is not 8, 12, 13 or 14 digits)."""
    digits = re.sub(r"\D", "", value or "")
    return digits.zfill(14) if len(digits) in (8, 12, 13, 14) else ""


def model_normal(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (value or "").casefold())


def split_models(value: str) -> list[str]:
    """A recall's model field often lists several: split on commas, semicolons, slashes, "and"."""
    parts = re.split(r"[,;/|\n]|\band\b|\by\b|\bet\b", value or "")
    return [p.strip() for p in parts if model_normal(p)]


def _title_words(value: str) -> set[str]:
    found = set()
    for w in re.findall(r"[0-9a-zà-ÿ]+", (value or "").casefold()):
        if w in STOPWORDS or len(w) < 2:
            continue
        # Singular and plural are one word ("heaters" is "heater").
        found.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return found


def recall_match_reason(*, recall: Recall, product: Product) -> tuple[str, str] | None:
    """Why ``recall`` names ``product`` as (matched_on, value), or None."""
    gtin = gtin_normal(product.gtin)
    if gtin and gtin in {gtin_normal(g) for g in recall.gtins}:
        return MatchedOn.GTIN, product.gtin
    model = model_normal(product.model_number)
    if model and model in {model_normal(m) for m in recall.model_numbers}:
        return MatchedOn.MODEL, product.model_number
    title = _title_words(product.title)
    for name in recall.product_names:
        wanted = _title_words(name)
        if len(wanted) >= 2 and wanted <= title:
            return MatchedOn.TITLE, name
    return None


# --- reading ------------------------------------------------------------------------------------


def _names(items, key: str) -> list[str]:
    out = []
    for item in items or []:
        value = item.get(key) if isinstance(item, dict) else item
        if value and str(value).strip():
            out.append(str(value).strip())
    return out


def parse_cpsc_json(text: str) -> list[ParsedRecall]:
    """The CPSC recall API's JSON: a list of recalls (RecallNumber, Title, Description, URL,
    RecallDate, Products[Name, Model], ProductUPCs[UPC], Hazards[Name], Remedies[Name])."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SafetyError(_("This is not valid JSON: %(error)s.") % {"error": exc.msg}) from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise SafetyError(_("Expected a list of recalls."))
    if len(data) > MAX_RECALLS:
        raise SafetyError(_("At most %(n)d recalls per file.") % {"n": MAX_RECALLS})
    recalls = []
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise SafetyError(_("Recall %(n)d is not an object.") % {"n": position})
        number = str(item.get("RecallNumber") or item.get("RecallID") or "").strip()
        title = str(item.get("Title") or "").strip()
        if not number or not title:
            raise SafetyError(_("Recall %(n)d has no RecallNumber or no Title.") % {"n": position})
        products = item.get("Products") or []
        models = [m for p in products if isinstance(p, dict) for m in split_models(p.get("Model"))]
        published = parse_datetime(str(item.get("RecallDate") or "")) or parse_date(
            str(item.get("RecallDate") or "")[:10]
        )
        recalls.append(
            ParsedRecall(
                number=number[:60],
                title=title[:500],
                description=str(item.get("Description") or ""),
                hazard="; ".join(_names(item.get("Hazards"), "Name")),
                remedy="; ".join(
                    _names(item.get("Remedies"), "Name")
                    or _names(item.get("RemedyOptions"), "Option")
                ),
                url=str(item.get("URL") or "")[:500],
                published_on=published.date() if isinstance(published, dt.datetime) else published,
                product_names=_names(products, "Name"),
                model_numbers=models,
                gtins=[g for g in _names(item.get("ProductUPCs"), "UPC") if gtin_normal(g)],
            )
        )
    return recalls


def parse_csv(text: str) -> list[ParsedRecall]:
    """A CSV with a header: number, title (required), product_names, models, gtins (several
    separated by ``|``), hazard, remedy, url, published_on (YYYY-MM-DD), description."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise SafetyError(_("The CSV needs the columns: %(cols)s.") % {"cols": ", ".join(missing)})
    recalls, errors = [], []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not row.get("number") or not row.get("title"):
            errors.append(_("line %(n)d: number and title are required") % {"n": line})
            continue
        published = None
        if row.get("published_on"):
            published = parse_date(row["published_on"])
            if published is None:
                errors.append(_("line %(n)d: published_on is not YYYY-MM-DD") % {"n": line})
        recalls.append(
            ParsedRecall(
                number=row["number"][:60],
                title=row["title"][:500],
                description=row.get("description", ""),
                hazard=row.get("hazard", ""),
                remedy=row.get("remedy", ""),
                url=row.get("url", "")[:500],
                published_on=published,
                product_names=[
                    p.strip() for p in row.get("product_names", "").split("|") if p.strip()
                ],
                model_numbers=[
                    m for p in row.get("models", "").split("|") for m in split_models(p)
                ],
                gtins=[g for g in row.get("gtins", "").split("|") if gtin_normal(g)],
            )
        )
        if len(recalls) > MAX_RECALLS:
            raise SafetyError(_("At most %(n)d recalls per file.") % {"n": MAX_RECALLS})
    if errors:
        raise SafetyError("; ".join(errors))
    return recalls


# --- importing and acting -----------------------------------------------------------------------


class ProductIndex:
    """Products by GTIN, model and title word, so a recall is weighed against the few products
    that could match (``recall_match_reason`` still decides), not the whole catalogue."""

    def __init__(self, products):
        self.by_gtin: dict[str, list[Product]] = {}
        self.by_model: dict[str, list[Product]] = {}
        self.by_word: dict[str, list[Product]] = {}
        for product in products:
            if gtin_normal(product.gtin):
                self.by_gtin.setdefault(gtin_normal(product.gtin), []).append(product)
            if model_normal(product.model_number):
                self.by_model.setdefault(model_normal(product.model_number), []).append(product)
            for word in _title_words(product.title):
                self.by_word.setdefault(word, []).append(product)

    def candidates(self, recall: Recall) -> list[Product]:
        found: dict[int, Product] = {}
        for gtin in recall.gtins:
            found.update((p.pk, p) for p in self.by_gtin.get(gtin_normal(gtin), []))
        for model in recall.model_numbers:
            found.update((p.pk, p) for p in self.by_model.get(model_normal(model), []))
        for name in recall.product_names:
            wanted = _title_words(name)
            if len(wanted) < 2:
                continue
            rarest = min(wanted, key=lambda w: len(self.by_word.get(w, [])))
            found.update((p.pk, p) for p in self.by_word.get(rarest, []))
        return sorted(found.values(), key=lambda p: p.pk)


@dataclass
class ImportResult:
    recalls: int = 0
    new_recalls: int = 0
    matches: list[RecallMatch] = field(default_factory=list)


def recalls_import(
    *, text: str, source: str, regulator: Regulator, user, now: dt.datetime | None = None
) -> ImportResult:
    """Read the whole file first (a bad file changes nothing), then store each recall once and
    act on each new match."""
    now = now or timezone.now()
    parsed = parse_cpsc_json(text) if source == RecallSource.CPSC else parse_csv(text)
    result = ImportResult(recalls=len(parsed))
    index = ProductIndex(Product.objects.only("pk", "title", "gtin", "model_number"))
    with transaction.atomic():
        for item in parsed:
            recall, created = Recall.objects.get_or_create(
                source=source,
                number=item.number,
                defaults={
                    "regulator": regulator,
                    "title": item.title,
                    "description": item.description,
                    "hazard": item.hazard,
                    "remedy": item.remedy,
                    "url": item.url,
                    "published_on": item.published_on,
                    "product_names": item.product_names,
                    "model_numbers": item.model_numbers,
                    "gtins": item.gtins,
                    "imported_at": now,
                },
            )
            result.new_recalls += created
            for product in index.candidates(recall):
                reason = recall_match_reason(recall=recall, product=product)
                if reason is None:
                    continue
                match = recall_match_record(
                    recall=recall, product=product, reason=reason, user=user, now=now
                )
                if match is not None:
                    result.matches.append(match)
    return result


def recall_match_record(
    *, recall: Recall, product: Product, reason, user, now
) -> RecallMatch | None:
    """Record a match once; on the first time, raise the alert, tag the open claims and tell
    the customers. Returns None if it was already recorded."""
    from backoffice.services import claim_tag_add
    from safety.services import alert_raise

    try:
        with transaction.atomic():
            match = RecallMatch.objects.create(
                recall=recall,
                product=product,
                matched_on=reason[0],
                matched_value=str(reason[1])[:300],
                created_at=now,
            )
    except IntegrityError:
        return None
    claims = list(Claim.objects.filter(order_line__product=product).select_related("customer"))
    alert_raise(
        product_id=product.pk,
        regulator=recall.regulator,
        trigger=AlertTrigger.RECALL,
        reasons=["recall"],
        claim_ids=[c.pk for c in claims if c.status not in FINISHED_STATUSES],
        aware_at=now,
        recall=recall,
        now=now,
    )
    for claim in claims:
        if claim.status not in FINISHED_STATUSES:
            claim_tag_add(claim=claim, user=user, name=RECALL_TAG)
        outbox_add(
            topic="safety.recall_notice",
            payload={"claim_id": claim.pk, "recall_id": recall.pk},
            dedupe_key=f"safety-recall:{recall.pk}:{claim.pk}",
        )
    return match
