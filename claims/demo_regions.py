"""Demo claims in every launch region beside the US, each in its language (issue 16).

Each region is opened (made active), gets one seller and three customers, and three claims
filed in the customer's language: one just received, one with the seller (its deadline in the
region's calendar and zone), one under review. Canada has a Quebec customer writing in French
and an Ontario one in English; the German seller is a reseller whose producer's insurer gets
the claim (the EU producer chain).
"""

import datetime as dt
import random

from django.utils import timezone
from faker import Faker

from claims import lifecycle
from claims.actors import Actor
from claims.models import ClaimStatus, IncidentKind, LossKind, Region
from claims.services import LossInput, claim_create, claim_transition
from marketplace.models import Customer, Order, OrderLine, Product
from portal.languages import customer_language
from sellers.models import ProducerDeclaration, Seller

S = ClaimStatus

# code: (Faker locale, [(customer language, subdivision)], the seller's language, a product)
REGIONS = {
    "CA": ("fr_CA", [("fr", "QC"), ("en", "ON"), ("fr", "QC")], "fr-ca", "Radiateur d'appoint"),
    "GB": ("en_GB", [("en", ""), ("en", ""), ("en", "")], "en", "Electric blanket"),
    "DE": ("de_DE", [("de", ""), ("de", ""), ("de", "")], "de", "Heizlüfter 2000 W"),
    "FR": ("fr_FR", [("fr", ""), ("fr", ""), ("fr", "")], "fr", "Bouilloire électrique"),
    "IT": ("it_IT", [("en", ""), ("en", ""), ("en", "")], "en", "Asciugacapelli"),
    "ES": ("es_ES", [("es", ""), ("es", ""), ("es", "")], "es", "Olla a presión"),
    "NL": ("nl_NL", [("en", ""), ("en", ""), ("en", "")], "en", "Waterkoker"),
    "IE": ("en_IE", [("en", ""), ("en", ""), ("en", "")], "en", "Hair straightener"),
}
STORIES = {
    "en": "The appliance overheated and burned the kitchen worktop while it was switched on.",
    "fr": "L'appareil a surchauffé et a brûlé le plan de travail de la cuisine pendant son "
    "utilisation.",
    "de": "Das Gerät hat sich überhitzt und während des Betriebs die Arbeitsplatte in der "
    "Küche verbrannt.",
    "es": "El aparato se sobrecalentó y quemó la encimera de la cocina mientras estaba encendido.",
}
ROUTES = [[], [S.SCREENING, S.AWAITING_SELLER], [S.SCREENING, S.UNDER_REVIEW]]


def demo_seed_regions(*, now: dt.datetime | None = None) -> int:
    """Open every launch region and file its demo claims. Returns how many claims."""
    now = now or timezone.now()
    rng = random.Random(1616)
    made = 0
    for n, (code, (faker_locale, people, seller_language, title)) in enumerate(REGIONS.items()):
        region = Region.objects.get(code=code)
        Region.objects.filter(pk=region.pk).update(active=True)
        region.refresh_from_db()
        fake = Faker(faker_locale)
        fake.seed_instance(1616 + n)
        seller = Seller.objects.create(
            marketplace_id=f"S-{code}-1",
            legal_name=fake.company(),
            contact_name=fake.name(),
            email=f"seller.{code.lower()}@sellers.example",
            region=region,
            currency=region.currency,
            language=seller_language,
        )
        product = Product.objects.create(
            marketplace_id=f"P-{code}-1", title=title, category="Appliances", seller=seller
        )
        if region.union == "EU" and code == "DE":
            ProducerDeclaration.objects.create(
                seller=seller,
                producer_name="Heizwerk Produktion GmbH",
                producer_country="DE",
                insurer_name="Rhein Haftpflicht AG",
                insurer_email="schaden@rhein-haftpflicht.example",
                insurer_policy_number="RH-2026-4411",
            )
        for i, (language, subdivision) in enumerate(people):
            customer = Customer.objects.create(
                marketplace_id=f"C-{code}-{i + 1}",
                name=fake.name(),
                email=f"customer.{code.lower()}{i + 1}@example.com",
                city=fake.city(),
                postal_code=fake.postcode(),
                country=code,
                subdivision=subdivision,
                account_created_on=(now - dt.timedelta(days=400 + 30 * i)).date(),
            )
            placed = now - dt.timedelta(days=30 + 5 * i)
            order = Order.objects.create(
                number=f"{code}-{2026000 + 10 * n + i}",
                customer=customer,
                region=region,
                currency=region.currency,
                placed_at=placed,
            )
            line = OrderLine.objects.create(
                order=order,
                line_number=1,
                product=product,
                seller=seller,
                currency=region.currency,
                unit_price_minor=rng.choice([3999, 5999, 8990]),
                delivered_on=(placed + dt.timedelta(days=3)).date(),
            )
            filed = now - dt.timedelta(days=4 - i, hours=2)
            claim = claim_create(
                order_line=line,
                incident_date=(filed - dt.timedelta(days=2)).date(),
                incident_kind=IncidentKind.PROPERTY_DAMAGE,
                description=STORIES[language],
                people_injured=0,
                losses=[
                    LossInput(kind=LossKind.PURCHASE_PRICE, amount_minor=line.total_minor),
                    LossInput(kind=LossKind.PROPERTY, amount_minor=rng.randrange(8_000, 60_000)),
                ],
                actor=Actor.customer(customer),
                # as the portal files it: French is Canadian French for a customer in Canada
                language=customer_language(customer=customer, language=language),
                now=filed,
            )
            at = filed
            for step in ROUTES[i % len(ROUTES)]:
                at += dt.timedelta(hours=6)
                claim = claim_transition(
                    claim=claim,
                    to=step,
                    actor=Actor.system("screening" if step == S.SCREENING else "fraud scoring"),
                    now=at,
                    via=min(lifecycle.owners(claim.status, step)),
                )
            if claim.status != S.SUBMITTED:
                # Past screening, like the demo's history: scored, not routed (fraud.demo).
                from fraud.scoring import fraud_score_claim

                fraud_score_claim(claim=claim, now=claim.submitted_at)
            if claim.status == S.AWAITING_SELLER:
                # What the seller notification does (the demo records e-mails, sends none).
                from sellers.demo import seller_link
                from sellers.services.responses import producer_chain_hand_off

                seller_link(claim, now)  # the link that lists the claim in the seller's inbox
                producer_chain_hand_off(claim=claim, now=at)
            made += 1
    return made
