"""Evidence photos: reused or near-duplicate images, and photos taken before the purchase."""

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fraud.models import EvidencePhoto
from fraud.rules import Finding, refs, rule


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
    best = min(m["distance"] for m in matches)
    sentence = (
        _("The same photo appears in %(n)d other claim(s): %(refs)s")
        if best == 0
        else _(
            "A nearly identical photo (distance %(d)d) appears in %(n)d other claim(s): %(refs)s"
        )
    )
    return Finding(
        explanation=sentence % {"n": len(references), "refs": refs(references), "d": best},
        inputs={"matches": matches[:20], "max_distance": limit},
    )


@rule(
    code="photo_before_purchase",
    description=gettext_noop("A photo's camera date is before the purchase"),
    weight=30,
    params={"grace_days": 0},
)
def photo_before_purchase(ctx, params: dict) -> Finding | None:
    import datetime as dt

    grace = dt.timedelta(days=int(params.get("grace_days", 0)))
    placed = ctx.claim.order_line.order.placed_at
    early = [p for p in ctx.photos if p.taken_at is not None and p.taken_at < placed - grace]
    if not early:
        return None
    first = min(early, key=lambda p: p.taken_at)
    return Finding(
        explanation=_(
            "%(n)d photo(s) taken before the purchase on %(placed)s (earliest %(taken)s)."
        )
        % {
            "n": len(early),
            "placed": date_format(placed.date()),
            "taken": date_format(first.taken_at.date()),
        },
        inputs={
            "placed_at": placed.isoformat(),
            "photos": [
                {"evidence_id": p.evidence_id, "taken_at": p.taken_at.isoformat()} for p in early
            ],
        },
    )
