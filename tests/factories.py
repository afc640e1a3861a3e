"""Valid defaults for every model. Claims are built through the services, as in real use."""

import datetime as dt

import factory
from django.utils import timezone

from claims import lifecycle
from claims.actors import Actor
from claims.models import ClaimStatus, IncidentKind, LossKind, Region
from claims.services import LossInput, claim_create, claim_transition
from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import (
    CertificateStatus,
    InsuranceCertificate,
    InsurerRating,
    Seller,
    SellerMonthlyGross,
)


def us() -> Region:
    return Region.objects.get(code="US")


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    marketplace_id = factory.Sequence(lambda n: f"S-T{n:05d}")
    legal_name = factory.Faker("company")
    email = factory.Sequence(lambda n: f"seller{n}@sellers.test")
    region = factory.LazyFunction(us)
    currency = "USD"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    marketplace_id = factory.Sequence(lambda n: f"C-T{n:05d}")
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.test")
    phone = factory.Sequence(lambda n: f"+1415555{n % 10000:04d}")
    address_line1 = factory.Faker("street_address")
    city = "Springfield"
    postal_code = "62701"
    country = "US"
    account_created_on = dt.date(2024, 1, 1)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    marketplace_id = factory.Sequence(lambda n: f"P-T{n:05d}")
    title = "Space heater 1500W"
    category = "Appliances"
    seller = factory.SubFactory(SellerFactory)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"T-{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    region = factory.LazyFunction(us)
    currency = "USD"
    placed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=20))


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    line_number = factory.Sequence(lambda n: n % 30000 + 1)
    product = factory.SubFactory(ProductFactory)
    seller = factory.SelfAttribute("product.seller")
    quantity = 1
    currency = "USD"
    unit_price_minor = 4999
    delivered_on = factory.LazyFunction(lambda: (timezone.now() - dt.timedelta(days=15)).date())


def claim_new(*, order_line=None, amount_minor: int = 25_000, **overrides):
    """A freshly submitted claim, made by the claim_create service."""
    line = order_line or OrderLineFactory()
    kwargs = {
        "order_line": line,
        "incident_date": (line.delivered_on or timezone.now().date()) + dt.timedelta(days=1),
        "incident_kind": IncidentKind.PROPERTY_DAMAGE,
        "description": "The heater caught fire and scorched the floor.",
        "people_injured": 0,
        "losses": [LossInput(kind=LossKind.PROPERTY, amount_minor=amount_minor)],
        "actor": Actor.customer(line.order.customer),
    }
    kwargs.update(overrides)
    return claim_create(**kwargs)


# The shortest legal route from submitted to each state, for putting a claim there in tests.
ROUTES: dict[str, list[str]] = {
    ClaimStatus.SUBMITTED: [],
    ClaimStatus.SCREENING: ["screening"],
    ClaimStatus.FRAUD_HOLD: ["screening", "fraud_hold"],
    ClaimStatus.AWAITING_SELLER: ["screening", "awaiting_seller"],
    ClaimStatus.SELLER_RESPONDED: ["screening", "awaiting_seller", "seller_responded"],
    ClaimStatus.ESCALATED: ["screening", "awaiting_seller", "escalated"],
    ClaimStatus.NEEDS_INFO: ["screening", "needs_info"],
    ClaimStatus.UNDER_REVIEW: ["screening", "under_review"],
    ClaimStatus.APPROVED: ["screening", "under_review", "approved"],
    ClaimStatus.DENIED: ["screening", "denied"],
    ClaimStatus.APPEALED: ["screening", "denied", "appealed"],
    ClaimStatus.PAYOUT_PENDING: ["screening", "under_review", "approved", "payout_pending"],
    ClaimStatus.PAID: ["screening", "under_review", "approved", "payout_pending", "paid"],
    ClaimStatus.WITHDRAWN: ["withdrawn"],
    ClaimStatus.CLOSED: ["withdrawn", "closed"],
}


def claim_in(status: str, **kwargs):
    """A claim walked through the transition service into ``status``."""
    claim = claim_new(**kwargs)
    for step in ROUTES[status]:
        updates = {}
        if step == ClaimStatus.APPROVED:
            # What the decision service writes with an approval (the test puts it there).
            updates = {"approved_total_minor": claim.claimed_total_minor, "funding": "concession"}
        elif step == ClaimStatus.ESCALATED:
            # What the escalation writes: a step-in above the threshold, else a concession.
            above = claim.claimed_total_minor > claim.region.threshold_minor
            updates = {"funding": "step_in" if above else "concession"}
        claim = claim_transition(
            claim=claim,
            to=step,
            actor=Actor.system("test setup"),
            updates=updates,
            via=min(lifecycle.owners(claim.status, step)),
        )
    return claim


# --- proof of insurance -------------------------------------------------------------------


def certificate_pdf(text: str = "Certificate of liability insurance") -> bytes:
    """A real one-page PDF (Pillow writes a complete file), as a seller's scan would be: the
    same bytes for the same text (Pillow dates a file to the second it is written, so two calls
    a second apart would be two different files to the duplicate check)."""
    import datetime as dt
    import io

    from PIL import Image, ImageDraw

    page = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(page).text((20, 20), text, fill="black")
    out = io.BytesIO()
    written = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC).timetuple()
    page.save(out, "PDF", creationDate=written, modDate=written)
    return out.getvalue()


def certificate_form_data(**overrides) -> dict:
    """What a seller types on the certificate form (and staff confirm): values that pass."""
    return {
        "insurer_name": "Harbor Mutual",
        "policy_number": "GL-00001",
        "occurrence_based": "1",
        "per_occurrence": "1,000,000.00",
        "aggregate": "2,000,000.00",
        "deductible": "5,000.00",
        "insurer_rating": "A",
        "marketplace_additional_insured": "on",
        "cancellation_notice_days": "30",
        "effective_date": "2026-01-01",
        "expiry_date": "2030-12-31",
        **overrides,
    }


def gross_imported(seller: Seller, gross_minor: int, *, months_ago: int = 3):
    """One imported month of the seller's gross proceeds, ``months_ago`` calendar months back
    (3 by default: far enough that the 30 days to get insured are over)."""
    month = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    row, _ = SellerMonthlyGross.objects.update_or_create(
        seller=seller,
        month=month,
        defaults={"currency": seller.currency, "gross_minor": gross_minor},
    )
    return row


def verifier():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="verifier", defaults={"is_staff": True, "email": "verifier@staff.test"}
    )
    return user


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate with its document. Awaiting verification unless ``verified=True``: then
    verified by staff and valid (the only way a certificate counts)."""

    class Meta:
        model = InsuranceCertificate

    class Params:
        verified = factory.Trait(
            status=CertificateStatus.VALID,
            verified_at=factory.LazyFunction(timezone.now),
            verified_by=factory.LazyFunction(verifier),
        )

    seller = factory.SubFactory(SellerFactory)
    insurer_name = "Harbor Mutual"
    policy_number = factory.Sequence(lambda n: f"GL-{n:05d}")
    occurrence_based = True
    currency = "USD"
    per_occurrence_minor = 100_000_000
    aggregate_minor = 200_000_000
    deductible_minor = 500_000
    insurer_rating = InsurerRating.A
    marketplace_additional_insured = True
    cancellation_notice_days = 30
    effective_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    expiry_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=300))
    document = factory.django.FileField(filename="certificate.pdf", data=certificate_pdf())
    document_content_type = "application/pdf"
    status = CertificateStatus.PENDING


def line_in_region(code: str, *, subdivision: str = "", **customer) -> OrderLine:
    """A delivered order line of a customer in region ``code`` (made active: the launch regions
    other than the US start inactive), priced in the region's currency."""
    region = Region.objects.get(code=code)
    if not region.active:
        region.active = True
        region.save(update_fields=["active"])
    country = code if region.union or code in ("CA", "GB", "US") else ""
    seller = SellerFactory(region=region, currency=region.currency)
    return OrderLineFactory(
        order__region=region,
        order__currency=region.currency,
        order__customer__country=country,
        order__customer__subdivision=subdivision,
        order__customer__phone="",
        product__seller=seller,
        currency=region.currency,
        **{f"order__customer__{k}": v for k, v in customer.items()},
    )
