"""Demo data for fraud review: every demo claim scored, and a fraud ring the rules find.

The ring: four customers at one flat (spelled four ways), one phone in two formats, two of them
paid to one account, all claiming just under the threshold against one seller, with the same
photo (taken, by its camera date, before the purchases). The first is confirmed as fraud
(its address goes on the watchlist); the others wait in the analyst queue.
"""

import datetime as dt
import io
import random

from PIL import Image, ImageDraw

from claims.actors import Actor
from claims.demo import DEMO_CUSTOMER_EMAIL
from claims.lifecycle import Via
from claims.models import Claim, ClaimStatus, Evidence, EvidenceKind, IncidentKind, LossKind
from claims.services import LossInput, claim_create, claim_transition, evidence_attach
from claims.uploads import evidence_check
from fraud.models import Assessment
from fraud.scoring import (
    fraud_attributes_record,
    fraud_photo_record,
    fraud_route,
    fraud_score_claim,
)
from fraud.services import fraud_confirm
from marketplace.models import Customer, OrderLine

RING_STORY = "The heater overheated and set the rug on fire; I burned my hand."
RING = [
    ("Dana Whitlock", "dana.whitlock@gmail.com", "(217) 555-0143", "41 Harbor Street", "Apt 2"),
    (
        "Dan Whitlock",
        "d.ana.whitlock+claims@gmail.com",
        "+1 217 555 0143",
        "41 Harbor St.",
        "Apt #2",
    ),
    ("Morgan Lee", "morgan.lee.88@outlook.com", "217-555-0190", "41 harbor street", "apartment 2"),
    ("Casey Brandt", "casey.brandt@example.net", "217 555 0177", "41 Harbor St", "Unit 2"),
]


def _ring_photo(taken_at: dt.datetime) -> bytes:
    rng = random.Random(41)
    image = Image.new("RGB", (640, 480), (90, 70, 60))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(600), rng.randrange(440)
        draw.ellipse(
            [x, y, x + rng.randrange(30, 140), y + rng.randrange(30, 100)],
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    draw.text((20, 20), "scorched heater", fill=(255, 255, 255))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def demo_seed_fraud(*, region, sellers, users, now: dt.datetime) -> dict:
    # Score the demo's history first (no routing: those claims are past screening).
    for evidence in Evidence.objects.filter(content_type__startswith="image/"):
        fraud_photo_record(evidence=evidence)
    for claim in Claim.objects.exclude(status=ClaimStatus.SUBMITTED).order_by("submitted_at"):
        fraud_score_claim(claim=claim, now=claim.submitted_at)

    # The ring claims on order lines the demo left unclaimed (the order system's rows), from
    # four customers of one seller, whose contact details the ring shares.
    free = (
        OrderLine.objects.filter(
            claims__isnull=True, delivered_on__gte=(now - dt.timedelta(days=80)).date()
        )
        .exclude(order__customer__email=DEMO_CUSTOMER_EMAIL)
        .select_related("order__customer")
        .order_by("seller_id", "pk")
    )
    by_seller: dict[int, dict[int, OrderLine]] = {}
    for line in free:
        by_seller.setdefault(line.seller_id, {}).setdefault(line.order.customer_id, line)
    lines = next(list(found.values())[:4] for found in by_seller.values() if len(found) >= 4)
    photo = _ring_photo(now - dt.timedelta(days=200))
    ring = []
    for i, ((name, email, phone, line1, line2), line) in enumerate(zip(RING, lines, strict=True)):
        Customer.objects.filter(pk=line.order.customer_id).update(
            name=name,
            email=email,
            phone=phone,
            address_line1=line1,
            address_line2=line2,
            city="Springfield",
            postal_code="62701",
            country="US",
        )
        customer = Customer.objects.get(pk=line.order.customer_id)
        submitted = now - dt.timedelta(days=8 - 2 * i)
        claim = claim_create(
            order_line=line,
            incident_date=line.delivered_on,
            incident_kind=IncidentKind.BOTH,
            description=RING_STORY,
            people_injured=1,
            losses=[
                LossInput(kind=LossKind.PURCHASE_PRICE, amount_minor=line.total_minor),
                LossInput(
                    kind=LossKind.MEDICAL,
                    # the total lands just under the USD 1,000 threshold
                    amount_minor=95_000 + 1_000 * i - line.total_minor,
                    description="Burn clinic",
                ),
            ],
            actor=Actor.customer(customer),
            now=submitted,
        )
        clean = evidence_check(data=photo, filename=f"IMG_{2040 + i}.jpg")
        evidence = evidence_attach(
            claim=claim, clean=clean, kind=EvidenceKind.DAMAGE_PHOTO, actor=Actor.customer(customer)
        )
        fraud_photo_record(evidence=evidence, taken_at=clean.taken_at)
        fraud_attributes_record(
            claim=claim,
            payout_fingerprint="acct-fp-7f3a9c" if i < 2 else None,
            device="ios-7c1e" if i % 2 else None,
        )
        claim = claim_transition(
            claim=claim,
            to=ClaimStatus.SCREENING,
            actor=Actor.system("screening"),
            now=submitted,
            via=Via.SCREENING,
        )
        assessment = fraud_score_claim(claim=claim, trigger=Assessment.Trigger.SCREENING)
        fraud_route(claim=claim, assessment=assessment)
        ring.append(claim)
    fraud_confirm(
        claim=ring[0],
        actor=Actor.staff(users["analyst"]),
        note="Same flat, same photo as three other new accounts; photo taken before purchase.",
        explanation="We could not verify the damage described in this claim.",
        watchlist_kinds=["address", "phone"],
    )
    return {"ring": [c.reference for c in ring]}
