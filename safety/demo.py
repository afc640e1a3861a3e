"""Demo data for product safety: facts on every demo claim, an alert per regulator (US, Canada,
EU, UK), one near its deadline, one filed, and a CPSC recall matched to a demo product.

Canada, the EU and the UK are not accepting claims yet: the demo switches them on only while
it files their three claims, as a pilot would, and back off after.
"""

import datetime as dt
from pathlib import Path

from django.db import transaction

from claims.actors import Actor
from claims.models import Claim, IncidentKind, LossKind, Region
from claims.services import LossInput, claim_create
from marketplace.models import Customer, Order, OrderLine, Product
from safety.clocks import safety_clocks_sweep
from safety.models import AlertStatus, RecallSource, Regulator, SafetyAlert
from safety.recalls import recalls_import
from safety.services import (
    alert_draft_save,
    alert_file,
    incident_facts_record,
    safety_alerts_raise,
)

SAMPLES = Path(__file__).resolve().parent / "samples"
IDENTIFIERS = {
    # title: (GTIN, model)
    "Space heater 1500W": ("012345678905", "HT-1500"),
    "Carbon monoxide detector": ("0850001234562", "CO-100"),
    "Hair dryer": ("5012345678900", "HD-220"),
    "Phone charger USB-C": ("", "PC-65W"),
}
QUIET = {"hazard": "other", "medical_care": "none", "death": False, "child_hurt": "none"}


def _foreign_claim(*, region: Region, product: Product, n: int, submitted: dt.datetime, text: str):
    customer = Customer.objects.create(
        marketplace_id=f"C-S{region.code}{n}",
        name=f"Demo customer {region.code}",
        email=f"safety-{region.code.lower()}@example.com",
        country=region.code,
    )
    order = Order.objects.create(
        number=f"SAFETY-{region.code}-{n}",
        customer=customer,
        region=region,
        currency=region.currency,
        placed_at=submitted - dt.timedelta(days=20),
    )
    line = OrderLine.objects.create(
        order=order,
        line_number=1,
        product=product,
        seller=product.seller,
        currency=region.currency,
        unit_price_minor=4_999,
        delivered_on=(submitted - dt.timedelta(days=15)).date(),
    )
    return _claim(line=line, submitted=submitted, text=text)


def _claim(*, line: OrderLine, submitted: dt.datetime, text: str) -> Claim:
    # Left just filed (submitted): screening and fraud scoring come next, as for a new claim.
    return claim_create(
        order_line=line,
        incident_date=(submitted - dt.timedelta(days=1)).date(),
        incident_kind=IncidentKind.PERSONAL_INJURY,
        description=text,
        people_injured=1,
        losses=[
            LossInput(kind=LossKind.PURCHASE_PRICE, amount_minor=line.total_minor),
            LossInput(kind=LossKind.MEDICAL, amount_minor=85_000, description="Hospital"),
        ],
        actor=Actor.customer(line.order.customer),
        now=submitted,
    )


@transaction.atomic
def demo_seed_safety(*, now: dt.datetime, users: dict) -> dict:
    products = {p.title: p for p in Product.objects.select_related("seller")}
    for title, (gtin, model) in IDENTIFIERS.items():
        Product.objects.filter(pk=products[title].pk).update(gtin=gtin, model_number=model)
    # Every demo claim gets the customer's answers; most are not safety incidents.
    for claim in Claim.objects.filter(safety_facts__isnull=True):
        injured = claim.incident_kind != IncidentKind.PROPERTY_DAMAGE
        incident_facts_record(
            claim=claim,
            facts={**QUIET, "medical_care": "first_aid" if injured else "none"},
        )
    # The back office's serious claim (a charger exploded, children in hospital): CPSC, filed.
    serious = Claim.objects.filter(description__startswith="The charger exploded").first()
    if serious is not None:
        incident_facts_record(
            claim=serious,
            facts={
                "hazard": "fire_smoke",
                "medical_care": "hospital_admission",
                "death": False,
                "child_hurt": "under_14",
                "product_model": "PC-65W",
                "batch_serial": "B2411",
                "kept_for_inspection": True,
            },
        )
    # Near its deadline: a child burned by pajamas that caught fire, 20 hours ago (CPSC, 24 h).
    us = Region.objects.get(code="US")
    pajamas_line = (
        OrderLine.objects.filter(product=products["Children's pajamas"], order__region=us)
        .exclude(claims__isnull=False)
        .first()
    )
    near = _claim(
        line=pajamas_line,
        submitted=now - dt.timedelta(hours=20),
        text="The pajamas caught fire from a candle and my daughter (4) was burned.",
    )
    incident_facts_record(
        claim=near,
        facts={
            "hazard": "fire_smoke",
            "medical_care": "hospital_admission",
            "death": False,
            "child_hurt": "under_5",
            "product_model": "",
            "batch_serial": "",
            "kept_for_inspection": True,
        },
    )
    # One claim each in Canada, the EU (Germany) and the UK (switched on only for the filing).
    pilots = {
        "CA": (
            "Carbon monoxide detector",
            "poisoning",
            "emergency_room",
            30,
            "The detector never sounded; we were taken to the emergency room with CO poisoning.",
        ),
        "DE": (  # an EU member state (the EU's regulator covers its members)
            "Hair dryer",
            "electric_shock",
            "hospital_admission",
            10,
            "The hair dryer gave me an electric shock and I spent a night in hospital.",
        ),
        "GB": (
            "Extension cord",
            "fire_smoke",
            "none",
            5,
            "The extension cord melted and started a small fire behind the sofa.",
        ),
    }
    regions = {r.code: r for r in Region.objects.filter(code__in=pilots)}
    was_active = {code: r.active for code, r in regions.items()}
    Region.objects.filter(code__in=pilots).update(active=True)
    for n, (code, (title, hazard, care, hours, text)) in enumerate(pilots.items()):
        region = Region.objects.get(code=code)
        claim = _foreign_claim(
            region=region,
            product=products[title],
            n=n,
            submitted=now - dt.timedelta(hours=hours),
            text=text,
        )
        incident_facts_record(
            claim=claim,
            facts={
                "hazard": hazard,
                "medical_care": care,
                "death": False,
                "child_hurt": "none",
                "product_model": "",
                "batch_serial": "",
                "kept_for_inspection": code != "GB",
            },
        )
    for code, active in was_active.items():
        Region.objects.filter(code=code).update(active=active)
    raised = safety_alerts_raise(now=now)
    officer = users["safety"]
    # The charger alert was reported in time: its draft completed and marked filed.
    if serious is not None:
        alert = SafetyAlert.objects.get(claims=serious, regulator__code="cpsc")
        alert_draft_save(
            alert=alert,
            user=officer,
            answers={
                "reporter_name": "Sam Safety, product-safety officer",
                "reporter_contact": "+1 202 555 0199, safety@claimdesk.example",
                "manufacturer": "Unknown manufacturer; imported by the seller",
                "defect": "The charger overheats and can explode while charging.",
                "corrective_action": "Listing suspended; the seller was asked to stop sales.",
            },
        )
        alert_file(
            alert=alert,
            user=officer,
            reference="CPSC-IR-2026-0413",
            sent_at=alert.aware_at + dt.timedelta(hours=20),
            now=now,
        )
    # A CPSC recall matched to the demo space heater by its UPC.
    recalls_import(
        text=(SAMPLES / "cpsc-recalls-sample.json").read_text(),
        source=RecallSource.CPSC,
        regulator=Regulator.objects.get(code="cpsc"),
        user=officer,
        now=now,
    )
    clocks = safety_clocks_sweep(now=now)
    return {
        "raised": raised,
        "live": SafetyAlert.objects.filter(status__in=[AlertStatus.OPEN]).count(),
        **clocks,
    }
