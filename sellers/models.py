import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from claims.models import AppendOnly
from claims.money import CURRENCY_CHOICES, format_minor


class SellerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Seller(models.Model):
    """A third-party seller, mirrored from the marketplace's seller directory."""

    marketplace_id = models.CharField(_("marketplace seller id"), max_length=40, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    region = models.ForeignKey("claims.Region", on_delete=models.PROTECT, related_name="sellers")
    status = models.CharField(
        _("status"), max_length=12, choices=SellerStatus, default=SellerStatus.ACTIVE
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    language = models.CharField(
        _("language of e-mails"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: the region's language."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SellerStatus.values), name="seller_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.marketplace_id})"

    @property
    def email_language(self) -> str:
        """The language of the seller's e-mails: their own setting, else the region's."""
        return self.language or self.region.language

    @cached_property
    def insurance_required_since(self) -> dt.date | None:
        """The day the seller must carry insurance from: ``INSURANCE_GRACE_DAYS`` after the end
        of the first imported month whose gross proceeds exceeded the region's threshold.

        Computed from the imported figures (``SellerMonthlyGross``), never typed. A queryset
        annotated with ``sellers.selectors.first_month_over_threshold`` as
        ``first_month_over_threshold`` saves the query."""
        if "first_month_over_threshold" in self.__dict__:
            first = self.__dict__["first_month_over_threshold"]
        else:
            first = (
                SellerMonthlyGross.objects.filter(
                    seller_id=self.pk,
                    gross_minor__gt=self.region.insurance_required_gross_minor,
                )
                .order_by("month")
                .values_list("month", flat=True)
                .first()
            )
        if first is None:
            return None
        return month_end(first) + dt.timedelta(days=INSURANCE_GRACE_DAYS)

    def insurance_required_on(self, day: dt.date) -> bool:
        since = self.insurance_required_since
        return since is not None and since <= day

    @property
    def insurance_required(self) -> bool:
        return self.insurance_required_on(timezone.localdate())


# The seller has this many days, after the month their gross first exceeded the threshold, to
# show valid proof of insurance (DOMAIN: "required ... within 30 days").
INSURANCE_GRACE_DAYS = 30


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month."""
    first_of_next = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_of_next - dt.timedelta(days=1)


class SellerMonthlyGross(models.Model):
    """A seller's gross proceeds in one calendar month, as the marketplace's import reported
    them (``manage.py import_orders --gross``). One row per seller and month: a re-import
    replaces the figure. The insurance requirement is computed from these rows."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="monthly_gross")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    gross_minor = models.BigIntegerField(_("gross proceeds (minor units)"))
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["seller", "-month"]
        verbose_name = _("monthly gross proceeds")
        verbose_name_plural = _("monthly gross proceeds")
        constraints = [
            # Re-importing a month updates its figure: never two figures for one month.
            models.UniqueConstraint(fields=["seller", "month"], name="monthly_gross_once"),
            models.CheckConstraint(
                condition=Q(gross_minor__gte=0), name="monthly_gross_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.month:%Y-%m}: {self.gross_display}"

    @property
    def gross_display(self) -> str:
        return format_minor(self.gross_minor, self.currency)


class ProducerDeclaration(models.Model):
    """In the EU a reseller may name the producer of what they sell and the producer's liability
    insurer (issue 16): a claim about such a product goes to that insurer, through the same
    hand-off as a seller's own insurer (links, deadline, reminders, escalation).

    One row for a product, or one for every product of the seller without its own row."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="producers")
    product = models.ForeignKey(
        "marketplace.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="producer_declarations",
        help_text=_("Empty: every product of this seller that has no declaration of its own."),
    )
    producer_name = models.CharField(_("producer"), max_length=200)
    producer_country = models.CharField(_("producer's country"), max_length=2, blank=True)
    insurer_name = models.CharField(_("producer's insurer"), max_length=200)
    insurer_email = models.EmailField(_("producer's insurer: claims e-mail"))
    insurer_policy_number = models.CharField(_("policy number"), max_length=60, blank=True)
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["seller", "product"]
        verbose_name = _("producer declaration")
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "product"], name="producer_one_per_seller_product"
            ),
            models.UniqueConstraint(
                fields=["seller"],
                condition=Q(product__isnull=True),
                name="producer_one_default_per_seller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer_name} ({self.insurer_name})"


class InsurerRating(models.TextChoices):
    """AM Best financial-strength ratings, best first. The program asks for A- or better."""

    A_PLUS_PLUS = "A++", "A++"
    A_PLUS = "A+", "A+"
    A = "A", "A"
    A_MINUS = "A-", "A-"
    B_PLUS_PLUS = "B++", "B++"
    B_PLUS = "B+", "B+"
    B = "B", "B"
    BELOW_B = "below_b", _("Below B")
    UNRATED = "unrated", _("Not rated")


class CertificateStatus(models.TextChoices):
    # Submitted by the seller: counts for nothing until staff verify it against its document.
    PENDING = "pending", _("Awaiting verification")
    # Staff confirmed the values against the document and they meet the policy.
    VALID = "valid", _("Verified")
    # Staff refused it, or the values they confirmed do not meet the policy.
    REJECTED = "rejected", _("Refused")


DOCUMENT_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/webp": "webp"}


def certificate_upload_to(instance: "InsuranceCertificate", filename: str) -> str:
    extension = DOCUMENT_EXTENSIONS.get(instance.document_content_type, "jpg")
    return f"insurance/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class InsuranceCertificate(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="certificates")
    insurer_name = models.CharField(_("insurer"), max_length=200)
    policy_number = models.CharField(_("policy number"), max_length=80)
    occurrence_based = models.BooleanField(_("occurrence-based cover"), default=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    per_occurrence_minor = models.BigIntegerField(_("per-occurrence limit (minor units)"))
    aggregate_minor = models.BigIntegerField(_("aggregate limit (minor units)"))
    deductible_minor = models.BigIntegerField(_("deductible (minor units)"), default=0)
    insurer_rating = models.CharField(_("insurer rating"), max_length=8, choices=InsurerRating)
    marketplace_additional_insured = models.BooleanField(
        _("marketplace named as additional insured"), default=False
    )
    cancellation_notice_days = models.PositiveSmallIntegerField(_("notice of cancellation (days)"))
    effective_date = models.DateField(_("effective from"))
    expiry_date = models.DateField(_("expires on"))
    # Blank only on certificates recorded before a document was required: those can only be
    # refused.
    document = models.FileField(
        _("certificate document"), upload_to=certificate_upload_to, blank=True, max_length=200
    )
    document_content_type = models.CharField(_("document type"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CertificateStatus, default=CertificateStatus.PENDING
    )
    check_failures = models.JSONField(_("failed checks"), default=list, blank=True)
    refusal_reason = models.TextField(_("reason given to the seller"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["seller", "-expiry_date"]
        permissions = [
            ("verify_certificate", _("Can verify insurance certificates against their document")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CertificateStatus.values), name="certificate_status_valid"
            ),
            # Only staff make a certificate count, and only against its document.
            models.CheckConstraint(
                condition=~Q(status="valid")
                | (Q(verified_at__isnull=False) & Q(verified_by__isnull=False) & ~Q(document="")),
                name="certificate_valid_is_verified",
            ),
            models.CheckConstraint(
                condition=Q(expiry_date__gt=models.F("effective_date")),
                name="certificate_expiry_after_effective",
            ),
            models.CheckConstraint(
                condition=Q(per_occurrence_minor__gte=0)
                & Q(aggregate_minor__gte=0)
                & Q(deductible_minor__gte=0),
                name="certificate_amounts_not_negative",
            ),
        ]
        indexes = [
            # Seller standing and expiry reminders: a seller's valid certificates by expiry.
            models.Index(fields=["seller", "status", "expiry_date"], name="certificate_valid_idx"),
            # The staff verification queue: certificates awaiting verification, oldest first.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="pending"),
                name="certificate_awaiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer_name} {self.policy_number}"


class VerificationOutcome(models.TextChoices):
    VERIFIED = "verified", _("Verified: meets the policy")
    FAILED = "failed", _("Verified: does not meet the policy")
    REFUSED = "refused", _("Refused")


class CertificateVerification(AppendOnly):
    """One staff verification of a certificate: who, when, what they corrected and the outcome.

    ``changes`` maps each field staff corrected to ``[what the seller typed, what staff
    confirmed]`` (JSON-safe values). Append-only."""

    certificate = models.ForeignKey(
        InsuranceCertificate, on_delete=models.PROTECT, related_name="verifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=10, choices=VerificationOutcome)
    changes = models.JSONField(_("values corrected"), default=dict, blank=True)
    failures = models.JSONField(_("failed checks"), default=list, blank=True)
    reason = models.TextField(_("reason given to the seller"), blank=True)
    created_at = models.DateTimeField(_("verified"), default=timezone.now)

    class Meta:
        ordering = ["certificate", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=VerificationOutcome.values),
                name="verification_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="refused") | ~Q(reason=""),
                name="verification_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.outcome}"


# --- issue 4: the seller's side of a claim ------------------------------------------------


class ResponseDecision(models.TextChoices):
    ACCEPT = "accept", _("Accept liability: we (or our insurer) will pay")
    DISPUTE = "dispute", _("Dispute the claim")
    INSURER = "insurer", _("Hand the claim to our insurer")


class ResponseParty(models.TextChoices):
    SELLER = "seller", _("Seller")
    INSURER = "insurer", _("Insurer")


class SellerNotice(models.Model):
    """The seller was told about a claim: starts the insurance-proof window (one per claim)."""

    claim = models.OneToOneField(
        "claims.Claim", on_delete=models.CASCADE, related_name="seller_notice"
    )
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="notices")
    notified_at = models.DateTimeField(_("notified"))
    insurance_proof_due = models.DateTimeField(_("insurance proof due"))
    insurance_checked_at = models.DateTimeField(_("insurance checked"), null=True, blank=True)

    class Meta:
        indexes = [
            # Insurance-window sweeper: notices whose window closed and were not checked yet.
            models.Index(
                fields=["insurance_proof_due"],
                condition=Q(insurance_checked_at__isnull=True),
                name="notice_proof_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} → {self.seller_id}"


class SellerResponse(AppendOnly):
    """One version of the seller's (or insurer's) answer. Append-only: a change is a new row."""

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="seller_responses"
    )
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="responses")
    version = models.PositiveIntegerField(_("version"))
    party = models.CharField(_("answered by"), max_length=10, choices=ResponseParty)
    decision = models.CharField(_("decision"), max_length=10, choices=ResponseDecision)
    reasons = models.TextField(_("reasons"), blank=True)
    insurer_name = models.CharField(_("insurer"), max_length=200, blank=True)
    insurer_email = models.EmailField(_("insurer e-mail"), blank=True)
    evidence_ids = models.JSONField(_("evidence"), default=list, blank=True)
    link = models.ForeignKey(
        "claims.AccessLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["claim", "version"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "version"], name="response_one_per_version"),
            models.CheckConstraint(
                condition=Q(decision__in=ResponseDecision.values), name="response_decision_valid"
            ),
            models.CheckConstraint(
                condition=~Q(decision="dispute") | ~Q(reasons=""),
                name="response_dispute_has_reasons",
            ),
            models.CheckConstraint(
                condition=~Q(decision="insurer") | ~Q(insurer_email=""),
                name="response_insurer_has_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} v{self.version}: {self.decision}"


class RecoveryReason(models.TextChoices):
    STEP_IN = "step_in", _("The marketplace stepped in and paid the customer")
    NO_INSURANCE = "no_insurance", _("No valid proof of insurance for a concession")


# A step-in's recovery before the claim is decided: the marketplace has stepped in but paid
# nothing yet (``Recovery.reason_text``, and the timeline step that opens one).
STEP_IN_UNDECIDED = _("The marketplace stepped in; the claim is not decided yet")
# The same, as the seller reads it (its statement, and the e-mail that the recovery opened).
STEP_IN_DECIDING = _(
    "The marketplace stepped in and is deciding the claim: once decided, you owe what it pays, "
    "and you may appeal then."
)


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPEALED = "appealed", _("Under appeal")
    SETTLED = "settled", _("Settled")
    WAIVED = "waived", _("Waived on appeal")
    CANCELLED = "cancelled", _("Cancelled (nothing was paid)")


class Recovery(models.Model):
    """Money the seller owes the marketplace for a claim it paid on the seller's behalf."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="recoveries")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="recoveries")
    reason = models.CharField(_("reason"), max_length=16, choices=RecoveryReason)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    withheld_minor = models.BigIntegerField(_("withheld so far (minor units)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=RecoveryStatus, default=RecoveryStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    # Empty until a decision fixes the amount: the seller's appeal window opens then.
    appeal_due = models.DateTimeField(_("appeal by"), null=True, blank=True)
    appeal_reason = models.TextField(_("seller's appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("appeal decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name_plural = _("recoveries")
        permissions = [
            ("decide_recovery", _("Can decide recovery appeals")),
            ("export_withholdings", _("Can export and record withholdings")),
        ]
        constraints = [
            # One recovery per claim and reason: a re-run of any job cannot open a second one.
            models.UniqueConstraint(fields=["claim", "reason"], name="recovery_one_per_reason"),
            models.CheckConstraint(
                condition=Q(status__in=RecoveryStatus.values), name="recovery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=RecoveryReason.values), name="recovery_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__gte=0)
                & Q(withheld_minor__gte=0)
                & Q(withheld_minor__lte=models.F("amount_minor")),
                name="recovery_withheld_within_amount",
            ),
        ]
        indexes = [
            # Seller statement and standing: a seller's recoveries by status.
            models.Index(fields=["seller", "status"], name="recovery_seller_idx"),
            # The Sellers area's lists (backoffice.lists): appeals and open recoveries by age.
            models.Index(
                fields=["appealed_at", "id"],
                condition=Q(status="appealed"),
                name="recovery_appealed_age_idx",
            ),
            models.Index(
                fields=["opened_at", "id"], condition=Q(status="open"), name="recovery_open_age_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.amount_display}"

    @property
    def amount_display(self) -> str:
        return format_minor(self.amount_minor, self.currency)

    @property
    def outstanding_minor(self) -> int:
        return self.amount_minor - self.withheld_minor

    @property
    def decided(self) -> bool:
        """Whether the claim is decided: the decision fixes the amount and starts the appeal
        window; until then nothing is owed (``withholding_record`` refuses)."""
        return self.appeal_due is not None

    @property
    def reason_text(self) -> str:
        """Why, in words true at the time: the marketplace has stepped in but paid nothing
        while the claim is undecided."""
        if self.reason == RecoveryReason.STEP_IN and not self.decided:
            return STEP_IN_UNDECIDED
        return self.get_reason_display()

    @property
    def outstanding_display(self) -> str:
        if not self.decided:
            return _("not owed until the claim is decided")
        return format_minor(self.outstanding_minor, self.currency)

    @property
    def withheld_display(self) -> str:
        return format_minor(self.withheld_minor, self.currency)

    @property
    def appeal_outcome_display(self) -> str:
        """How the seller's appeal was decided, once it was: upholding waives the recovery (the
        only way to *waived*, ``recovery_decide``); a rejected one goes on, whatever follows."""
        if self.decided_at is None:
            return ""
        if self.status == RecoveryStatus.WAIVED:
            return pgettext_lazy("appeal outcome", "Upheld")
        return pgettext_lazy("appeal outcome", "Rejected")


class Withholding(models.Model):
    """One amount kept back from one of the seller's disbursements against a recovery."""

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="withholdings")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    disbursement_reference = models.CharField(_("disbursement"), max_length=80)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recovery", "created_at"]
        constraints = [
            # The disbursement system may report a withholding twice: it is recorded once.
            models.UniqueConstraint(
                fields=["recovery", "disbursement_reference"], name="withholding_once"
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="withholding_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disbursement_reference}: {format_minor(self.amount_minor, self.currency)}"


class Reminder(models.Model):
    """A reminder that was sent; its key makes each reminder go out at most once."""

    key = models.CharField(max_length=80, unique=True)
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    certificate = models.ForeignKey(
        InsuranceCertificate, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class PartyPaymentStatus(models.TextChoices):
    DUE = "due", _("Payment due")
    RECORDED = "recorded", _("Payment recorded, awaiting the customer")
    DISPUTED = "disputed", _("The customer says it did not arrive")
    CONFIRMED = "confirmed", _("Paid and confirmed")
    STEPPED_IN = "stepped_in", _("Not paid in time: the marketplace stepped in")


# The marketplace watches these until the customer is paid (sellers.services.party_payments).
PARTY_PAYMENT_WATCHED = (
    PartyPaymentStatus.DUE,
    PartyPaymentStatus.RECORDED,
    PartyPaymentStatus.DISPUTED,
)


class PartyPayment(models.Model):
    """A claim the seller (or their insurer) accepted and must pay the customer themselves.

    One per claim. The accepting party records its payment through its link; the customer
    confirms receipt or says it did not arrive; unpaid or disputed by ``due_at`` the marketplace
    steps in, exactly once (a compare-and-swap on ``status``), pays and recovers the amount.
    """

    claim = models.OneToOneField(
        "claims.Claim", on_delete=models.PROTECT, related_name="party_payment"
    )
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="party_payments")
    party = models.CharField(_("paid by"), max_length=10, choices=ResponseParty)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    status = models.CharField(
        _("status"), max_length=12, choices=PartyPaymentStatus, default=PartyPaymentStatus.DUE
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    due_at = models.DateTimeField(_("must be paid by"))
    recorded_at = models.DateTimeField(_("payment recorded"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_minor = models.BigIntegerField(_("amount paid (minor units)"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    proof = models.ForeignKey(
        "claims.Evidence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proof of payment"),
    )
    confirm_by = models.DateTimeField(_("customer may dispute until"), null=True, blank=True)
    customer_answered_at = models.DateTimeField(_("customer answered"), null=True, blank=True)
    customer_note = models.TextField(_("customer's note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PartyPaymentStatus.values),
                name="party_payment_status_valid",
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="party_payment_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["recorded", "confirmed"]) | Q(recorded_at__isnull=False),
                name="party_payment_recorded_has_time",
            ),
        ]
        indexes = [
            # The watcher (party_payments_sweep): open payments by deadline.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["due", "recorded", "disputed"]),
                name="party_payment_watch_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.get_status_display()}"

    @property
    def amount_display(self) -> str:
        return format_minor(self.amount_minor, self.currency)

    @property
    def is_open(self) -> bool:
        return self.status in PARTY_PAYMENT_WATCHED
