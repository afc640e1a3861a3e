"""Valid defaults for every model. Claims are built through the services, as in real use."""

import datetime as dt

import factory
from django.utils import timezone

from claims import lifecycle
from claims.actors import Actor
from claims.models import ClaimStatus, IncidentKind, LossKind, Region
from claims.services import LossInput, claim_create, claim_transition
from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import Seller


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
    monthly_gross_minor = 500_000


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
