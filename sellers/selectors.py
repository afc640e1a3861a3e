"""Reads of the seller journey: scoped, prefetched, shared by the pages and the admin."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone

from claims.models import Claim, ClaimStatus, Evidence
from claims.money import format_minor
from marketplace.models import OrderLine
from sellers.models import (
    STEP_IN_DECIDING,
    CertificateStatus,
    CertificateVerification,
    InsuranceCertificate,
    Recovery,
    RecoveryStatus,
    Seller,
    SellerMonthlyGross,
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
            from django.utils.translation import gettext as _

            # No amount to write in a currency: words, as the inbox and staff pages read it.
            return _("none")
        return ", ".join(format_minor(v, c) for c, v in sorted(self.outstanding.items()))

    @property
    def insurance_display(self) -> str:
        from django.utils.formats import date_format
        from django.utils.translation import gettext as _

        if self.certificate:
            # The one date format of every page (FORMAT_MODULE_PATH), not ISO.
            expiry = date_format(self.certificate.expiry_date, "DATE_FORMAT")
            return _("valid until %(date)s") % {"date": expiry}
        return _("missing (required)") if self.insurance_required else _("none (not required)")

    def summary(self) -> str:
        from babel.numbers import format_decimal, format_percent
        from django.utils.translation import gettext as _

        from claims.money import reader_locale

        # The reader's way of writing numbers ("87 %", "2,5" in French), as every amount is.
        locale = reader_locale()

        def pct(value):
            return "—" if value is None else format_percent(value, locale=locale)

        per_1000 = (
            "—"
            if self.claims_per_1000_orders is None
            else format_decimal(self.claims_per_1000_orders, format="#,##0.0", locale=locale)
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
        # Owed once the claim is decided (its appeal window set); nothing before.
        for row in Recovery.objects.filter(
            seller=seller, status__in=OUTSTANDING, appeal_due__isnull=False
        )
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


# --- proof of insurance: the staff verification queue, the requirement from imported gross ---

CERTIFICATE_PAGE_SIZE = 25


def certificates_awaiting(*, user, after: str = "", size: int = CERTIFICATE_PAGE_SIZE):
    """Certificates awaiting verification of sellers of ``user``'s regions (need-to-know,
    ``claims.scope``), oldest first: one page of the staff pages' keyset engine
    (``backoffice.selectors.keyset_page``, no COUNT(*)).

    ``after`` is the previous page's cursor (``<submitted ISO time>~<id>``); one the engine
    cannot read raises ``backoffice.selectors.BadCursor``."""
    # backoffice.selectors imports this module: its engine is imported when called.
    from backoffice.selectors import keyset_page
    from claims.scope import sellers_visible_to

    query = sellers_visible_to(
        user, InsuranceCertificate.objects.filter(status=CertificateStatus.PENDING), seller="seller"
    )
    page = keyset_page(
        query.select_related("seller__region").annotate(
            first_month_over=first_month_over_threshold("seller_id")
        ),
        field="created_at",
        desc=False,
        after=after,
        size=size,
    )
    for certificate in page.rows:
        certificate.seller.first_month_over_threshold = certificate.first_month_over
    return page


def certificate_for_verification(*, pk: int, user) -> InsuranceCertificate:
    """One certificate of a seller of ``user``'s regions, with its seller, region and every
    verification so far."""
    from claims.scope import sellers_visible_to

    return (
        sellers_visible_to(user, InsuranceCertificate.objects.all(), seller="seller")
        .select_related("seller__region", "verified_by")
        .prefetch_related(
            Prefetch(
                "verifications",
                queryset=CertificateVerification.objects.select_related("actor").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .get(pk=pk)
    )


def first_month_over_threshold(seller_ref: str = "pk") -> Subquery:
    """The first imported month whose gross exceeded the seller's region threshold (or NULL),
    for ``.annotate()``: set it on the seller as ``first_month_over_threshold`` and
    ``Seller.insurance_required`` needs no query of its own."""
    return Subquery(
        SellerMonthlyGross.objects.filter(
            seller_id=OuterRef(seller_ref),
            gross_minor__gt=F("seller__region__insurance_required_gross_minor"),
        )
        .order_by("month")
        .values("month")[:1]
    )


def monthly_gross_for(*, seller: Seller, months: int = 12) -> list[SellerMonthlyGross]:
    """The seller's latest imported months, newest first."""
    return list(SellerMonthlyGross.objects.filter(seller=seller).order_by("-month")[:months])


def claims_overdue_for_escalation_count(*, now: dt.datetime | None = None) -> int:
    """Claims still awaiting their seller past the deadline: what the escalation sweeper has
    yet to move (claim_seller_overdue_idx)."""
    now = now or timezone.now()
    return Claim.objects.filter(
        status=ClaimStatus.AWAITING_SELLER, seller_respond_by__lt=now
    ).count()


def seller_claim_link(*, seller: Seller, claim: Claim):
    """The seller's latest link for ``claim`` that staff have not revoked: what the inbox acts
    through (and records on an answer), as the e-mailed link would. None: no such link."""
    from claims.models import AccessLink, LinkPurpose

    return (
        AccessLink.objects.select_related("claim", "seller")
        .filter(
            purpose=LinkPurpose.SELLER_RESPONSE,
            claim=claim,
            seller=seller,
            revoked_at__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class InboxRow:
    """One claim in the seller's inbox: what is asked of them and by when."""

    claim: Claim
    asked: str
    due: dt.datetime | None


def seller_inbox(*, seller: Seller, now: dt.datetime | None = None) -> list[InboxRow]:
    """Every claim the seller was sent (a link exists for it), newest first, with what is
    asked of them now (``seller_claim_ask``). Three queries, whatever the number of claims."""
    from claims.models import LinkPurpose

    now = now or timezone.now()
    latest = SellerResponse.objects.filter(claim=OuterRef("pk")).order_by("-version")
    claims = (
        Claim.objects.filter(
            seller=seller,
            access_links__purpose=LinkPurpose.SELLER_RESPONSE,
            access_links__seller=seller,
        )
        .distinct()
        .select_related("region", "order_line__product")
        .annotate(
            latest_decision=Subquery(latest.values("decision")[:1]),
        )
        .order_by("-submitted_at", "-pk")
    )
    claims = list(claims)
    from sellers.models import PartyPayment

    payments = {
        p.claim_id: p for p in PartyPayment.objects.filter(claim__in=[c.pk for c in claims])
    }
    recoveries: dict[int, list[Recovery]] = {}
    for recovery in Recovery.objects.filter(
        seller=seller, claim__in=[c.pk for c in claims], status__in=OUTSTANDING
    ):
        recoveries.setdefault(recovery.claim_id, []).append(recovery)
    return [
        InboxRow(
            claim,
            *seller_claim_ask(
                claim=claim,
                latest_decision=claim.latest_decision,
                payment=payments.get(claim.pk),
                recoveries=recoveries.get(claim.pk, []),
                now=now,
            ),
        )
        for claim in claims
    ]


def seller_claim_ask_now(
    *, claim: Claim, payment, history: list[SellerResponse] | None = None
) -> tuple[str, dt.datetime | None]:
    """``seller_claim_ask`` for one claim's pages (the answer page, the payment page): what is
    asked of the seller now and by when, the same words and deadline as their inbox. ``history``
    is the claim's answers newest first when the page has read them already."""
    if history is None:
        history = responses_for_claim(claim=claim)
    return seller_claim_ask(
        claim=claim,
        latest_decision=history[0].decision if history else None,
        payment=payment,
        recoveries=list(
            Recovery.objects.filter(
                seller_id=claim.seller_id, claim=claim, status__in=OUTSTANDING
            ).order_by("pk")
        ),
        now=timezone.now(),
    )


def seller_claim_ask(
    *, claim: Claim, latest_decision: str | None, payment, recoveries: list, now: dt.datetime
) -> tuple[str, dt.datetime | None]:
    """What the marketplace asks of the seller on this claim now, and by when."""
    from django.utils.translation import gettext as _

    from sellers.models import PartyPaymentStatus, ResponseDecision
    from sellers.services.responses import response_is_open

    if response_is_open(claim, now):
        if latest_decision is None:
            return (
                _("Answer: accept, dispute with your evidence, or hand it to your insurer."),
                claim.seller_respond_by,
            )
        if latest_decision == ResponseDecision.INSURER:
            return (
                _("With your insurer: they answer by the deadline."),
                claim.seller_respond_by,
            )
        return (_("Answered. You may change your answer until the deadline."), None)
    if payment is not None and payment.status in (
        PartyPaymentStatus.DUE,
        PartyPaymentStatus.DISPUTED,
    ):
        return (_("Pay the customer and record the payment."), payment.due_at)
    for recovery in recoveries:
        if recovery.status == RecoveryStatus.OPEN and not recovery.decided:
            return (str(STEP_IN_DECIDING), None)
        if recovery.status == RecoveryStatus.OPEN:
            return (
                _("You owe %(amount)s: it is withheld from your disbursements unless you appeal.")
                % {"amount": recovery.outstanding_display},
                recovery.appeal_due if recovery.appeal_due and recovery.appeal_due > now else None,
            )
        return (_("Your appeal is with us; nothing is withheld until we decide."), None)
    return (_("Nothing needed from you now."), None)


def producer_for_claim(claim):
    """The producer (and the producer's insurer) a reseller named for the claimed product, in a
    region of a union that has the producer chain (the EU); None elsewhere or when none named."""
    from sellers.models import ProducerDeclaration

    if claim.region.union != "EU":
        return None
    product_id = claim.order_line.product_id
    found = [
        d
        for d in ProducerDeclaration.objects.filter(seller_id=claim.seller_id)
        if d.product_id in (product_id, None)
    ]
    found.sort(key=lambda d: d.product_id is None)  # the product's own first
    return found[0] if found else None
