"""A deterministic, realistic demo data set, built through the same services as real use."""

import datetime as dt
import io
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from faker import Faker
from PIL import Image, ImageDraw

from claims import lifecycle, roles
from claims.actors import Actor
from claims.demo_access import demo_medical_access, demo_regional_agents, demo_staff_regions
from claims.models import (
    Claim,
    ClaimStatus,
    DenialReason,
    EvidenceKind,
    IncidentKind,
    LossKind,
    Outbox,
    Region,
    StaffProfile,
)
from claims.outbox import recorded_only
from claims.services import LossInput, claim_create, claim_transition, evidence_add
from marketplace.models import Customer, Order, OrderLine, Product
from payouts.demo import demo_seed_payouts
from payouts.services.funding import funding_for
from payouts.services.payouts import SYSTEM as PAYOUT_SYSTEM
from sellers.demo import demo_seed_party_payments, demo_seed_sellers, seller_link
from sellers.models import ResponseDecision, Seller
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.responses import seller_response_submit

S = ClaimStatus
DEMO_PASSWORD = "claimdesk-demo"  # noqa: S105 - printed for demo logins on purpose
DEMO_USERS = [
    # username, role, superuser
    ("agent", roles.AGENT, False),
    ("agent2", roles.AGENT, False),
    ("analyst", roles.ANALYST, False),
    ("supervisor", roles.SUPERVISOR, False),
    ("safety", roles.SAFETY, False),
    ("admin", None, True),
]
# The demo supervisor's second factor (supervisors must have one): an authenticator key anyone
# trying the demo can add to an app (or read codes from `manage.py demo_code`), and backup
# codes. Demo data only: real accounts get a random key from the admin (TOTP devices).
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret
DEMO_BACKUP_CODES = [f"demo-backup-{n:02d}" for n in range(1, 11)]
# The route each demo claim takes to its final state.
_REVIEW = [S.SCREENING, S.AWAITING_SELLER, S.SELLER_RESPONDED, S.UNDER_REVIEW]
PATHS: dict[str, list[str]] = {
    S.SUBMITTED: [],
    S.SCREENING: [S.SCREENING],
    S.FRAUD_HOLD: [S.SCREENING, S.FRAUD_HOLD],
    S.AWAITING_SELLER: [S.SCREENING, S.AWAITING_SELLER],
    S.SELLER_RESPONDED: [S.SCREENING, S.AWAITING_SELLER, S.SELLER_RESPONDED],
    S.ESCALATED: [S.SCREENING, S.AWAITING_SELLER, S.ESCALATED],
    S.NEEDS_INFO: [*_REVIEW, S.NEEDS_INFO],
    S.UNDER_REVIEW: _REVIEW,
    S.APPROVED: [*_REVIEW, S.APPROVED],
    S.DENIED: [*_REVIEW, S.DENIED],
    S.APPEALED: [*_REVIEW, S.DENIED, S.APPEALED],
    S.PAYOUT_PENDING: [*_REVIEW, S.APPROVED, S.PAYOUT_PENDING],
    S.PAID: [*_REVIEW, S.APPROVED, S.PAYOUT_PENDING, S.PAID],
    S.WITHDRAWN: [S.SCREENING, S.WITHDRAWN],
    S.CLOSED: [*_REVIEW, S.APPROVED, S.PAYOUT_PENDING, S.PAID, S.CLOSED],
}
DEMO_CUSTOMER_EMAIL = "jamie.rivera@example.com"
DEMO_ORDER_NUMBER = "112-0000001-0000001"

PRODUCTS = [
    ("Carbon monoxide detector", "Home safety"),
    ("Space heater 1500W", "Appliances"),
    ("Children's pajamas", "Clothing"),
    ("Phone charger USB-C", "Electronics"),
    ("Electric kettle", "Kitchen"),
    ("Hoverboard", "Toys"),
    ("Pressure cooker", "Kitchen"),
    ("Extension cord", "Electronics"),
    ("Bicycle helmet", "Sports"),
    ("Hair dryer", "Beauty"),
    ("Power bank 20000mAh", "Electronics"),
    ("Crib mattress", "Baby"),
]


def _photo(rng: random.Random, label: str) -> bytes:
    image = Image.new("RGB", (640, 480), tuple(rng.randrange(40, 220) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(600), rng.randrange(440)
        draw.rectangle(
            [x, y, x + rng.randrange(20, 120), y + rng.randrange(20, 90)],
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    draw.text((20, 20), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def demo_second_factor():
    """Give the demo supervisor its authenticator and backup codes (idempotent; a used backup
    code comes back on the next run). Returns the authenticator device."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    supervisor = get_user_model().objects.get(username="supervisor")
    app, _created = TOTPDevice.objects.get_or_create(
        user=supervisor,
        name="demo authenticator",
        defaults={"key": DEMO_TOTP_KEY, "confirmed": True},
    )
    backups, _created = StaticDevice.objects.get_or_create(
        user=supervisor, name="demo backup codes", defaults={"confirmed": True}
    )
    have = set(backups.token_set.values_list("token", flat=True))
    for code in DEMO_BACKUP_CODES:
        if code not in have:
            backups.token_set.create(token=code)
    return app


def is_seeded() -> bool:
    return get_user_model().objects.filter(username="supervisor").exists()


def _users() -> dict[str, object]:
    User = get_user_model()
    users = {}
    for username, role, superuser in DEMO_USERS:
        user = User.objects.create_user(
            username=username,
            email=f"{username}@claimdesk.example",
            password=DEMO_PASSWORD,
            is_staff=True,
            is_superuser=superuser,
            first_name=username.capitalize(),
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.create(user=user, time_zone="America/New_York")
        users[username] = user
    return users


def _sellers(fake: Faker, rng: random.Random, region: Region, today: dt.date) -> list[Seller]:
    # Their monthly gross and certificates come with the seller journey (sellers.demo).
    return [
        Seller.objects.create(
            marketplace_id=f"S-{1000 + i}",
            legal_name=fake.company(),
            contact_name=fake.name(),
            email=f"seller{i}@sellers.example",
            phone=f"+1202555{1000 + i:04d}",
            region=region,
            currency=region.currency,
        )
        for i in range(12)
    ]


def _orders(
    fake: Faker, rng: random.Random, region: Region, sellers: list[Seller], now: dt.datetime
) -> list[OrderLine]:
    products = [
        Product.objects.create(
            marketplace_id=f"P-{2000 + i}",
            title=title,
            category=category,
            seller=sellers[i % len(sellers)],
        )
        for i, (title, category) in enumerate(PRODUCTS)
    ]
    customers = []
    for i in range(150):
        email = DEMO_CUSTOMER_EMAIL if i == 0 else f"customer{i}@example.com"
        customers.append(
            Customer.objects.create(
                marketplace_id=f"C-{5000 + i}",
                name="Jamie Rivera" if i == 0 else fake.name(),
                email=email,
                phone=f"+1415555{i:04d}",
                address_line1=fake.street_address(),
                city=fake.city(),
                postal_code=fake.postcode(),
                country="US",
                account_created_on=(now - dt.timedelta(days=rng.randrange(30, 2000))).date(),
            )
        )
    lines = []
    for i in range(300):
        placed = now - dt.timedelta(days=rng.randrange(40, 110), hours=rng.randrange(24))
        order = Order.objects.create(
            number=DEMO_ORDER_NUMBER
            if i == 0
            else f"112-{1000000 + i:07d}-{rng.randrange(10**7):07d}",
            customer=customers[0] if i < 3 else customers[i % len(customers)],
            region=region,
            currency=region.currency,
            placed_at=placed,
        )
        for n in range(1, rng.choice([1, 1, 2, 3]) + 1):
            product = rng.choice(products)
            lines.append(
                OrderLine.objects.create(
                    order=order,
                    line_number=n,
                    product=product,
                    seller=product.seller,
                    quantity=1,
                    currency=region.currency,
                    unit_price_minor=rng.choice([1999, 3499, 5999, 8900, 12900, 24999]),
                    delivered_on=(placed + dt.timedelta(days=rng.randrange(2, 6))).date(),
                )
            )
    return lines


def _losses(rng: random.Random, line: OrderLine, big: bool) -> list[LossInput]:
    losses = [LossInput(kind=LossKind.PURCHASE_PRICE, amount_minor=line.total_minor)]
    if big:
        losses.append(
            LossInput(
                kind=LossKind.MEDICAL,
                amount_minor=rng.randrange(150_000, 900_000),
                description="Emergency room visit",
            )
        )
        losses.append(
            LossInput(kind=LossKind.LOST_EARNINGS, amount_minor=rng.randrange(50_000, 300_000))
        )
    else:
        losses.append(
            LossInput(
                kind=LossKind.PROPERTY,
                amount_minor=rng.randrange(2_000, 60_000),
                description="Scorched countertop",
            )
        )
    return losses


def _escalate_overdue(*, now: dt.datetime) -> None:
    while claim_escalate_overdue(now=now).more:
        pass


def demo_seed(*, now: dt.datetime | None = None) -> dict:
    # The demo's history is history: its e-mails and screening are recorded as done, not sent.
    with recorded_only(), transaction.atomic():
        return _demo_seed(now=now)


def _demo_seed(*, now: dt.datetime | None) -> dict:
    now = now or timezone.now()
    rng = random.Random(2026)
    fake = Faker("en_US")
    fake.seed_instance(2026)
    region = Region.objects.get(code="US")
    users = _users()
    demo_staff_regions(users=users)  # need-to-know: every demo staff member covers every region
    sellers = _sellers(fake, rng, region, now.date())
    lines = _orders(fake, rng, region, sellers, now)
    # The demo customer's first line stays free, so a visitor can file a claim for it.
    claimable = [line for line in lines if line.order.number != DEMO_ORDER_NUMBER]
    rng.shuffle(claimable)
    staff = Actor.staff(users["supervisor"])
    agents = [users["agent"], users["agent2"]]
    claims = []
    states = list(PATHS)
    links = {}  # claim id: the seller link its notification issued
    for i, line in enumerate(claimable[:135]):
        final = states[i % len(states)]
        steps = PATHS[final]
        delivered = line.delivered_on
        start = max(
            timezone.make_aware(dt.datetime.combine(delivered, dt.time(12)), dt.UTC)
            + dt.timedelta(days=2),
            now - dt.timedelta(days=80),
        )
        # Later steps need room before "now": start earlier for long paths.
        start = min(start, now - dt.timedelta(days=2 * len(steps) + 1, hours=i % 24))
        incident = (start - dt.timedelta(days=rng.randrange(0, 2))).date()
        incident = max(incident, delivered)
        big = i % 5 == 0
        claim = claim_create(
            order_line=line,
            incident_date=incident,
            incident_kind=IncidentKind.PERSONAL_INJURY if big else IncidentKind.PROPERTY_DAMAGE,
            description=fake.paragraph(nb_sentences=3),
            people_injured=1 if big else 0,
            losses=_losses(rng, line, big),
            actor=Actor.customer(line.order.customer),
            now=start,
        )
        if i % 3 == 0:
            evidence_add(
                claim=claim,
                data=_photo(rng, f"{claim.reference} product"),
                filename="IMG_0412.jpg",
                kind=EvidenceKind.PRODUCT_PHOTO,
                actor=Actor.customer(line.order.customer),
            )
        at = start
        for step in steps:
            at += dt.timedelta(days=1, hours=rng.randrange(1, 20))
            at = min(at, now - dt.timedelta(minutes=5))
            actor = staff
            updates = {}
            reason = ""
            if step == S.SELLER_RESPONDED:
                # The seller answers through its link, as on the seller's page.
                seller_response_submit(
                    link=links.get(claim.pk) or seller_link(claim, now),
                    decision=ResponseDecision.DISPUTE,
                    reasons="We dispute: the product was misused.",
                    now=at,
                )
                claim.refresh_from_db()
                continue
            if step == S.ESCALATED:
                # The seller let the deadline pass: the beat job escalates it when it runs
                # (above the threshold the marketplace steps in and opens a recovery).
                _escalate_overdue(now=claim.seller_respond_by + dt.timedelta(minutes=1))
                claim.refresh_from_db()
                continue
            if step == S.WITHDRAWN:
                actor = Actor.customer(claim.customer)
                reason = "Settled with the seller directly."
            elif step == S.APPEALED:
                actor = Actor.customer(claim.customer)
                reason = "The photos show the defect clearly."
            elif step == S.DENIED:
                reason = "The damage is not consistent with the product."
                updates = {"denial_reason": DenialReason.NOT_CAUSED}
            elif step == S.NEEDS_INFO:
                reason = "Please upload the medical bill from the emergency room."
            elif step == S.APPROVED:
                # The funding is the policy's (these history claims are all concessions).
                updates = {
                    "approved_total_minor": claim.claimed_total_minor,
                    "funding": funding_for(claim=claim).funding,
                }
            elif step == S.SCREENING:
                actor = Actor.system("screening")
            elif step in (S.FRAUD_HOLD, S.AWAITING_SELLER):
                actor = Actor.system("fraud scoring")
            elif step in (S.PAYOUT_PENDING, S.PAID):
                actor = PAYOUT_SYSTEM
            # The demo writes a back-dated history: each step is made as the service that owns
            # it would make it (the pipeline's rows are added by the payouts demo below; the
            # seller's answers and escalations above go through their services).
            claim = claim_transition(
                claim=claim,
                to=step,
                actor=actor,
                reason=reason,
                updates=updates,
                now=at,
                via=min(lifecycle.owners(claim.status, step)),
            )
            if step == S.AWAITING_SELLER:
                # As the seller's notification does: the link that puts the claim in the
                # seller's inbox, issued when the claim reaches them, not when they answer.
                links[claim.pk] = seller_link(claim, now)
        if i % 2 == 0 and claim.status not in (S.CLOSED, S.WITHDRAWN):
            Claim.objects.filter(pk=claim.pk).update(assignee=agents[i % 4 // 2])
        claims.append(claim)
    # The other apps' demo data (imported here: they import this module's constants).
    from backoffice.demo import demo_seed_backoffice
    from fraud.demo import demo_seed_fraud

    demo_seed_sellers(now=now, users=users)  # seller journey
    demo_seed_backoffice(now=now, users=users, lines=claimable[135:], rng=rng)  # staff pages
    demo_seed_payouts(users=users, now=now)  # payee details, payouts, the ledger
    # Big claims the seller or its insurer accepted: paid by them, or by the marketplace.
    demo_seed_party_payments(
        now=now, users=users, customer_email=DEMO_CUSTOMER_EMAIL, keep_free=DEMO_ORDER_NUMBER
    )
    # Last: the fraud rules score every demo claim, and a fraud ring is added.
    demo_seed_fraud(region=region, sellers=sellers, users=users, now=now)
    # Canada, the UK and the EU member states: claims in each region's language.
    from claims.demo_regions import demo_seed_regions

    demo_seed_regions(now=now)
    # Need-to-know: with the regions open, a Canada-only and a UK-only agent.
    regional = demo_regional_agents(users=users)
    # Product safety: facts, an alert per regulator, a filed report, a matched recall.
    from safety.demo import demo_seed_safety

    demo_seed_safety(now=now, users=users)
    from privacy.demo import demo_seed_privacy

    demo_seed_privacy(users=users)  # a legal hold and a data export on /staff/privacy/
    medical = demo_medical_access(users=users, now=now, rng=rng)  # /staff/medical-access/
    from sellers.demo import demo_seller_notices

    demo_seller_notices()  # the later demos' claims that reached their sellers
    Outbox.objects.filter(done_at__isnull=True).update(done_at=now)
    return {
        "users": list(users),
        # What the database holds at the end (the journeys above file claims of their own).
        "claims": Claim.objects.count(),
        "orders": Order.objects.count(),
        "sellers": Seller.objects.count(),
        "regional_agents": regional,
        "medical_accesses": medical,
    }
