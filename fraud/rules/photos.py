"""Evidence photos: reused or near-duplicate images, and photos taken before the purchase."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from fraud.models import EvidencePhoto
from fraud.rules import Finding, explains, refs, rule


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def photo_matches(*, photo: EvidencePhoto, max_distance: int) -> list[tuple[EvidencePhoto, int]]:
    """Customers' photos in other claims within ``max_distance`` bits; candidates come from band
    indexes."""
    candidates = (
        EvidencePhoto.objects.screened()
        .filter(
            Q(band0=photo.band0)
            | Q(band1=photo.band1)
            | Q(band2=photo.band2)
            | Q(band3=photo.band3)
        )
        .exclude(claim_id=photo.claim_id)
        .select_related("claim")[:200]
    )
    found = [(other, hamming(photo.phash, other.phash)) for other in candidates]
    return sorted(
        [(o, d) for o, d in found if d <= max_distance], key=lambda pair: (pair[1], pair[0].pk)
    )


@rule(
    code="duplicate_photo",
    label=gettext_lazy("Duplicate photo"),
    description=gettext_noop("The same or a nearly identical photo appears in another claim"),
    weight=35,
    params={"max_distance": 3},
)
def duplicate_photo(ctx, params: dict) -> Finding | None:
    limit = int(params.get("max_distance", 3))
    matches = []
    for photo in ctx.photos:
        for other, distance in photo_matches(photo=photo, max_distance=limit):
            matches.append(
                {
                    "evidence_id": photo.evidence_id,
                    "other_evidence_id": other.evidence_id,
                    "reference": other.claim.reference,
                    "distance": distance,
                }
            )
    if not matches:
        return None
    references = sorted({m["reference"] for m in matches})
    return Finding(
        inputs={
            "matches": matches[:20],
            "max_distance": limit,
            "claims": len(references),
            "references": references[:20],
            "distance": min(m["distance"] for m in matches),
        },
    )


@explains("duplicate_photo")
def duplicate_photo_explain(inputs: dict) -> str:
    n, best = inputs["claims"], inputs["distance"]
    if best == 0:
        sentence = ngettext(
            "The same photo appears in %(n)d other claim: %(refs)s",
            "The same photo appears in %(n)d other claims: %(refs)s",
            n,
        )
    else:
        sentence = ngettext(
            "A nearly identical photo (distance %(d)d) appears in %(n)d other claim: %(refs)s",
            "A nearly identical photo (distance %(d)d) appears in %(n)d other claims: %(refs)s",
            n,
        )
    return sentence % {"n": n, "d": best, "refs": refs(inputs["references"])}


@rule(
    code="photo_before_purchase",
    label=gettext_lazy("Photo older than the purchase"),
    description=gettext_noop("A photo's camera date is before the purchase"),
    weight=30,
    params={"grace_days": 0},
)
def photo_before_purchase(ctx, params: dict) -> Finding | None:
    grace = dt.timedelta(days=int(params.get("grace_days", 0)))
    placed = ctx.claim.order_line.order.placed_at
    early = [p for p in ctx.photos if p.taken_at is not None and p.taken_at < placed - grace]
    if not early:
        return None
    return Finding(
        inputs={
            "placed_at": placed.isoformat(),
            "photos": [
                {"evidence_id": p.evidence_id, "taken_at": p.taken_at.isoformat()} for p in early
            ],
        },
    )


def _local_day(moment: str) -> str:
    """A stored ISO date-time as a date in the reader's zone and format."""
    return date_format(timezone.localtime(dt.datetime.fromisoformat(moment)).date())


@explains("photo_before_purchase")
def photo_before_purchase_explain(inputs: dict) -> str:
    photos = inputs["photos"]
    earliest = min((p["taken_at"] for p in photos), key=dt.datetime.fromisoformat)
    return ngettext(
        "%(n)d photo taken before the purchase on %(placed)s (earliest %(taken)s).",
        "%(n)d photos taken before the purchase on %(placed)s (earliest %(taken)s).",
        len(photos),
    ) % {
        "n": len(photos),
        "placed": _local_day(inputs["placed_at"]),
        "taken": _local_day(earliest),
    }
