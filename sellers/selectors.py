"""Reads of the seller journey: scoped, prefetched, shared by the pages and the admin."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from claims.models import Claim, ClaimStatus, Evidence
from claims.money import format_minor
from marketplace.models import OrderLine
from sellers.models import (
    InsuranceCertificate,
    Recovery,
    RecoveryStatus,
    Seller,
    SellerNotice,
    SellerResponse,
)

OUTSTANDING = (RecoveryStatus.OPEN, RecoveryStatus.APPEALED)


def responses_for_claim(*, claim: Claim) -> list[SellerResponse]:
    return list(SellerResponse.objects.filter(claim=claim).order_by("-version"))


def evidence_names(*, ids: list[int]) -> list[tuple[int, str]]:
    return [(e.pk, str(e)) for e in Evidence.objects.filter(pk__in=ids).order_by("pk")]


def recoveries_for_seller(*, seller: Seller):
    return (
        Recovery.objects.filter(seller=seller)
        .select_related("claim")
        .prefetch_related("withholdings")
        .order_by("-opened_at")
    )


def withholdings_due(*, currency: str | None = None):
    """Open recoveries with an amount left to withhold, on decided claims (the export)."""
    query = (
        Recovery.objects.filter(
            status=RecoveryStatus.OPEN,
            claim__approved_total_minor__isnull=False,
            withheld_minor__lt=F("amount_minor"),
        )
        .select_related("claim", "seller")
        .order_by("seller__marketplace_id", "opened_at")
    )
    if currency:
        query = query.filter(currency=currency)
    return query


@dataclass(frozen=True)
class Standing:
    claims: int
    orders: int
    claims_per_1000_orders: float | None
    notified: int
    responded: int
    on_time: int
    outstanding: dict[str, int]
    insurance_required: bool
    certificate: InsuranceCertificate | None

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.notified if self.notified else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.notified if self.notified else None

    @property
    def outstanding_display(self) -> str:
        if not self.outstanding:
            return "0"
        return ", ".join(format_minor(v, c) for c, v in sorted(self.outstanding.items()))

    @property
    def insurance_display(self) -> str:
        from django.utils.translation import gettext as _

        if self.certificate:
            return _("valid until %(date)s") % {"date": self.certificate.expiry_date.isoformat()}
        return _("missing (required)") if self.insurance_required else _("none (not required)")

    def summary(self) -> str:
        from django.utils.translation import gettext as _

        def pct(value):
            return "—" if value is None else f"{value:.0%}"

        per_1000 = (
            "—" if self.claims_per_1000_orders is None else f"{self.claims_per_1000_orders:.1f}"
        )
        return _(
            "%(per)s claims per 1,000 orders; responded %(rate)s, on time %(ontime)s; "
            "recoveries outstanding %(owed)s; insurance %(ins)s"
        ) % {
            "per": per_1000,
            "rate": pct(self.response_rate),
            "ontime": pct(self.on_time_rate),
            "owed": self.outstanding_display,
            "ins": self.insurance_display,
        }


def seller_standing(*, seller: Seller, today: dt.date | None = None) -> Standing:
    """The seller's record in six queries, whatever the number of claims."""
    today = today or timezone.now().date()
    claims = Claim.objects.filter(seller=seller).count()
    orders = OrderLine.objects.filter(seller=seller).values("order_id").distinct().count()
    notices = SellerNotice.objects.filter(seller=seller)
    first_answer = SellerResponse.objects.filter(version=1)
    # A notice joins to every version of the answer: count notices, not joined rows.
    counts = notices.aggregate(
        notified=Count("pk", distinct=True),
        responded=Count("pk", distinct=True, filter=Q(claim__seller_responses__in=first_answer)),
        on_time=Count(
            "pk",
            distinct=True,
            filter=Q(
                claim__seller_responses__in=first_answer.filter(
                    created_at__lte=F("claim__seller_respond_by")
                )
            ),
        ),
    )
    outstanding = {
        row["currency"]: row["owed"]
        for row in Recovery.objects.filter(seller=seller, status__in=OUTSTANDING)
        .values("currency")
        .annotate(owed=Sum(F("amount_minor") - F("withheld_minor")))
    }
    certificate = (
        InsuranceCertificate.objects.filter(
            seller=seller, status="valid", expiry_date__gt=today, effective_date__lte=today
        )
        .order_by("-expiry_date")
        .first()
    )
    return Standing(
        claims=claims,
        orders=orders,
        claims_per_1000_orders=claims * 1000 / orders if orders else None,
        notified=counts["notified"],
        responded=counts["responded"],
        on_time=counts["on_time"],
        outstanding=outstanding,
        insurance_required=seller.insurance_required,
        certificate=certificate,
    )


def claims_overdue_for_escalation_count(*, now: dt.datetime | None = None) -> int:
    """Claims still awaiting their seller past the deadline: what the escalation sweeper has
    yet to move (claim_seller_overdue_idx)."""
    now = now or timezone.now()
    return Claim.objects.filter(
        status=ClaimStatus.AWAITING_SELLER, seller_respond_by__lt=now
    ).count()
