import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims.lifecycle import (  # noqa: F401  (the status choices and groups live there)
    DECIDING_STATUSES,
    FINISHED_STATUSES,
    MONEY_DECIDED_STATUSES,
    PARTY_STATUS,
    SETTLED_STATUSES,
    WORKABLE_STATUSES,
    ClaimStatus,
    Party,
    PartyStatus,
)
from claims.money import CURRENCY_CHOICES, format_minor
from claims.regions import region_name


def validate_reminder_hours(value: str) -> None:
    """A comma-separated list of whole hours before a deadline, e.g. ``48,24``."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not all(p.isdigit() and 0 < int(p) <= 24 * 30 for p in parts):
        raise ValidationError(
            _("Give whole hours between 1 and 720, separated by commas, for example 48,24.")
        )


class Region(models.Model):
    """One row per region: the program's policy numbers, as data that staff can edit."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=80)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    language = models.CharField(_("language"), max_length=8, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/New_York")
    holiday_calendar = models.CharField(
        _("holiday calendar"),
        max_length=16,
        help_text=_("Country or market code in the `holidays` package (US, CA, GB, DE, FR…)."),
    )
    holiday_subdivisions = models.CharField(
        _("subdivisions with their own holidays"),
        max_length=60,
        blank=True,
        help_text=_(
            "Comma-separated ISO 3166-2 codes in the `holidays` package, for example QC: "
            "customers there count their own holidays too."
        ),
    )
    union = models.CharField(
        _("union"),
        max_length=4,
        blank=True,
        choices=[("", _("None")), ("EU", _("European Union"))],
        help_text=_(
            "A member state shares the union's currency, thresholds and rules (in the EU a "
            "reseller may name the producer and the producer's insurer)."
        ),
    )
    threshold_minor = models.BigIntegerField(
        _("concession threshold (minor units)"),
        help_text=_("Valid claims at or under this amount are paid by the marketplace."),
    )
    max_claim_minor = models.BigIntegerField(_("maximum claim (minor units)"))
    insurance_required_gross_minor = models.BigIntegerField(
        _("monthly gross requiring insurance (minor units)")
    )
    filing_window_days = models.PositiveSmallIntegerField(_("filing window (days)"), default=90)
    seller_response_business_days = models.PositiveSmallIntegerField(
        _("seller response window (business days)"), default=5
    )
    insurance_proof_days = models.PositiveSmallIntegerField(
        _("insurance proof window (days)"), default=7
    )
    insurance_min_limit_minor = models.BigIntegerField(
        _("insurance: minimum per-occurrence and aggregate limit (minor units)"),
        default=100_000_000,
    )
    insurance_max_deductible_minor = models.BigIntegerField(
        _("insurance: maximum deductible (minor units)"), default=1_000_000
    )
    appeal_window_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=30)
    # Above the threshold, a claim the seller (or insurer) accepted: who pays the customer.
    accepted_claims_paid_by = models.CharField(
        _("accepted claims above the threshold are paid by"),
        max_length=12,
        choices=[
            ("party", _("The accepting seller or insurer; the marketplace watches and steps in")),
            ("marketplace", _("The marketplace at once, withheld from the seller")),
        ],
        default="party",
    )
    party_payment_business_days = models.PositiveSmallIntegerField(
        _("seller or insurer must pay within (business days)"), default=10
    )
    seller_reminder_hours = models.CharField(
        _("seller reminders (hours before the deadline)"),
        max_length=60,
        default="48,24",
        blank=True,
        validators=[validate_reminder_hours],
        help_text=_("Comma-separated, for example 48,24. Empty sends no reminders."),
    )
    customer_info_days = models.PositiveSmallIntegerField(
        _("customer information window (days)"), default=14
    )
    decision_target_days = models.PositiveSmallIntegerField(_("decision target (days)"), default=90)
    active = models.BooleanField(_("accepting claims"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region policy")
        verbose_name_plural = _("region policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_minor__gt=0)
                & Q(max_claim_minor__gte=models.F("threshold_minor")),
                name="region_threshold_positive_and_below_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"

    @property
    def display_name(self) -> str:
        """The region's name in the reader's language (``claims.regions``)."""
        return region_name(self.code, self.name)

    def clean(self) -> None:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from exc

    @property
    def threshold_display(self) -> str:
        return format_minor(self.threshold_minor, self.currency)

    @property
    def reminder_offsets(self) -> list[int]:
        """Reminder offsets in hours, largest first."""
        parts = [p.strip() for p in self.seller_reminder_hours.split(",") if p.strip()]
        return sorted({int(p) for p in parts if p.isdigit() and int(p) > 0}, reverse=True)


class Holiday(models.Model):
    """A day on which the region's business-day clocks do not run. Seeded, then staff-edited."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="holidays")
    subdivision = models.CharField(
        _("only in subdivision"),
        max_length=8,
        blank=True,
        help_text=_("Empty for the whole region; QC for Quebec's own holidays."),
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "subdivision", "date"], name="holiday_one_per_region_day"
            ),
        ]

    def __str__(self) -> str:
        where = f"-{self.subdivision}" if self.subdivision else ""
        return f"{self.region.code}{where} {self.date} {self.name}"


class IncidentKind(models.TextChoices):
    PERSONAL_INJURY = "personal_injury", _("Personal injury")
    PROPERTY_DAMAGE = "property_damage", _("Property damage")
    BOTH = "both", _("Personal injury and property damage")


class Funding(models.TextChoices):
    UNDECIDED = "", _("Not decided")
    CONCESSION = "concession", _("Marketplace concession")
    SELLER = "seller", _("Seller")
    INSURER = "insurer", _("Seller's insurer")
    STEP_IN = "step_in", _("Marketplace step-in, recovered from seller")


# The marketplace pays the customer itself (a payout); otherwise the seller or insurer does.
MARKETPLACE_FUNDING = (Funding.CONCESSION, Funding.STEP_IN)


class LossKind(models.TextChoices):
    PURCHASE_PRICE = "purchase_price", _("Purchase price")
    MEDICAL = "medical", _("Medical bills")
    LOST_EARNINGS = "lost_earnings", _("Lost earnings")
    PROPERTY = "property", _("Property damage")


class DenialReason(models.TextChoices):
    NOT_DEFECTIVE = "not_defective", _("No evidence the product was defective")
    NOT_CAUSED = "not_caused", _("The loss was not caused by the product")
    OUTSIDE_WINDOW = "outside_window", _("Filed outside the filing window")
    NOT_COVERED = "not_covered", _("The loss is not covered by the program")
    NO_PROOF = "no_proof", _("No proof of loss")
    DUPLICATE = "duplicate", _("Duplicate of another claim")
    FRAUD = "fraud", _("Fraud confirmed")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    UNSCORED = "", _("Not scored")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Claim(models.Model):
    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="claims")
    customer = models.ForeignKey(
        "marketplace.Customer", on_delete=models.PROTECT, related_name="claims"
    )
    order_line = models.ForeignKey(
        "marketplace.OrderLine", on_delete=models.PROTECT, related_name="claims"
    )
    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="claims")

    incident_date = models.DateField(_("incident date"))
    incident_kind = models.CharField(_("incident kind"), max_length=20, choices=IncidentKind)
    description = models.TextField(_("what happened"))
    people_injured = models.PositiveSmallIntegerField(_("people injured"), default=0)

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    claimed_total_minor = models.BigIntegerField(_("claimed total (minor units)"))
    approved_total_minor = models.BigIntegerField(
        _("approved total (minor units)"), null=True, blank=True
    )
    funding = models.CharField(
        _("funding"), max_length=16, choices=Funding, default=Funding.UNDECIDED, blank=True
    )

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ClaimStatus,
        default=ClaimStatus.SUBMITTED,
        editable=False,
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    seller_respond_by = models.DateTimeField(_("seller must respond by"), null=True, blank=True)
    customer_info_due = models.DateTimeField(_("customer information due"), null=True, blank=True)
    decision_due = models.DateTimeField(_("decision target"), null=True, blank=True)

    denial_reason = models.CharField(
        _("denial reason"), max_length=20, choices=DenialReason, blank=True
    )
    risk_score = models.PositiveSmallIntegerField(_("risk score"), null=True, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=RiskLevel, default=RiskLevel.UNSCORED, blank=True
    )
    # The language the customer filed in: their e-mails about the claim are written in it.
    language = models.CharField(
        _("customer's language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        db_default="",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_claims",
        verbose_name=_("assignee"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Field history of corrections made in the admin. The business timeline is ClaimEvent;
    # status moves are conditional updates and never create history rows here.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-submitted_at"]
        permissions = [
            ("transition_claim", _("Can move claims through their lifecycle")),
            ("decide_claim", _("Can approve or deny claims")),
            ("review_fraud", _("Can clear or confirm fraud holds")),
            (
                "override_funding",
                _("Can fund a claim otherwise than the policy says, with a reason"),
            ),
            ("view_all_claims", _("Can see every region's claims and money figures")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(funding__in=Funding.values), name="claim_funding_valid"
            ),
            models.CheckConstraint(
                condition=Q(claimed_total_minor__gt=0), name="claim_claimed_total_positive"
            ),
            models.CheckConstraint(
                condition=Q(risk_level__in=RiskLevel.values), name="claim_risk_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(risk_score__isnull=True) | Q(risk_score__lte=100),
                name="claim_risk_score_range",
            ),
            models.CheckConstraint(
                condition=Q(approved_total_minor__isnull=True)
                | (
                    Q(approved_total_minor__gte=0)
                    & Q(approved_total_minor__lte=models.F("claimed_total_minor"))
                ),
                name="claim_approved_within_claimed",
            ),
            # Money only moves on a decision: an approved, payout-pending or paid claim has an
            # amount above zero and a funding (the decision service writes both).
            models.CheckConstraint(
                condition=~Q(status__in=MONEY_DECIDED_STATUSES)
                | (Q(approved_total_minor__gt=0) & ~Q(funding="")),
                name="claim_money_decided",
            ),
            # The customer files one claim per incident and order line: a second one is allowed
            # only once the first is settled (paid, withdrawn or closed).
            models.UniqueConstraint(
                fields=["order_line"],
                condition=~Q(status__in=SETTLED_STATUSES),
                name="claim_one_open_per_order_line",
            ),
        ]
        indexes = [
            # Staff queue: filter by status and region, newest first. The risk level rides along
            # (PostgreSQL): a view narrowed by risk too is counted from the index alone, not by
            # reading the claims (200 ms to 1 ms for "under review, US, high" at a million).
            models.Index(
                fields=["status", "region", "-submitted_at"],
                include=["risk_level"],
                name="claim_queue_cover_idx",
            ),
            # Newest first: the default order of every claim list and the admin's date drill-down.
            models.Index(fields=["-submitted_at"], name="claim_submitted_idx"),
            # "My claims" for an agent.
            models.Index(fields=["assignee", "status"], name="claim_assignee_idx"),
            models.Index(fields=["seller", "status"], name="claim_seller_idx"),
            models.Index(fields=["customer", "-submitted_at"], name="claim_customer_idx"),
            # Deadline sweeper: only claims still waiting on the seller carry a live deadline.
            models.Index(
                fields=["seller_respond_by"],
                condition=Q(status="awaiting_seller"),
                name="claim_seller_overdue_idx",
            ),
            # Deadline sweeper: information requests the customer has not answered.
            models.Index(
                fields=["customer_info_due"],
                condition=Q(status="needs_info"),
                name="claim_info_overdue_idx",
            ),
            # Back office queue (issue 7): keyset pages, one index per filter and sort.
            models.Index(fields=["-submitted_at", "-id"], name="claim_keyset_idx"),
            models.Index(fields=["status", "-submitted_at", "-id"], name="claim_status_idx"),
            models.Index(fields=["region", "-submitted_at", "-id"], name="claim_region_idx"),
            # One seller's claims, newest first: the queue's seller filter (issue 13).
            models.Index(fields=["seller", "-submitted_at", "-id"], name="claim_seller_newest_idx"),
            models.Index(fields=["funding", "-submitted_at"], name="claim_funding_idx"),
            models.Index(fields=["risk_level", "-submitted_at"], name="claim_risk_idx"),
            models.Index(fields=["claimed_total_minor", "id"], name="claim_amount_idx"),
            models.Index(fields=["status_changed_at", "id"], name="claim_waiting_idx"),
            # Decision clock: "due within N hours", "breached" and the SLA sweeper.
            models.Index(
                fields=["decision_due"],
                condition=Q(status__in=DECIDING_STATUSES),
                name="claim_decision_due_idx",
            ),
            # "Take next": unassigned work, most urgent first.
            models.Index(
                fields=["decision_due", "submitted_at"],
                condition=Q(assignee__isnull=True, status__in=WORKABLE_STATUSES),
                name="claim_take_next_idx",
            ),
            # Product-safety alerts: recent injury claims.
            models.Index(
                fields=["submitted_at"],
                condition=Q(incident_kind__in=["personal_injury", "both"]),
                name="claim_injury_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def customer_language(self) -> str:
        """The language of the customer's e-mails: the one they filed in, else the region's."""
        return self.language or self.region.language

    @property
    def party_status(self) -> PartyStatus:
        """The status a seller, its insurer or an API client reads (never fraud screening)."""
        return PARTY_STATUS[self.status]

    @property
    def claimed_total_display(self) -> str:
        return format_minor(self.claimed_total_minor, self.currency)

    @property
    def approved_total_display(self) -> str:
        return format_minor(self.approved_total_minor, self.currency)

    @property
    def is_at_or_under_threshold(self) -> bool:
        return self.claimed_total_minor <= self.region.threshold_minor

    @property
    def is_seller_overdue(self) -> bool:
        return (
            self.status == ClaimStatus.AWAITING_SELLER
            and self.seller_respond_by is not None
            and self.seller_respond_by < timezone.now()
        )


class LossItem(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="losses")
    kind = models.CharField(_("kind"), max_length=20, choices=LossKind)
    description = models.CharField(_("description"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    claimed_minor = models.BigIntegerField(_("claimed (minor units)"))
    approved_minor = models.BigIntegerField(_("approved (minor units)"), null=True, blank=True)
    # Why less than claimed was approved: the customer reads it on their claim page.
    reduction_reason = models.TextField(_("why reduced"), blank=True, default="")

    class Meta:
        ordering = ["claim", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LossKind.values), name="loss_kind_valid"),
            models.CheckConstraint(condition=Q(claimed_minor__gt=0), name="loss_claimed_positive"),
            models.CheckConstraint(
                condition=Q(approved_minor__isnull=True)
                | (Q(approved_minor__gte=0) & Q(approved_minor__lte=models.F("claimed_minor"))),
                name="loss_approved_within_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_minor(self.claimed_minor, self.currency)}"

    @property
    def claimed_display(self) -> str:
        return format_minor(self.claimed_minor, self.currency)

    @property
    def approved_display(self) -> str:
        return (
            format_minor(self.approved_minor, self.currency)
            if self.approved_minor is not None
            else ""
        )

    @property
    def is_reduced(self) -> bool:
        return self.approved_minor is not None and self.approved_minor < self.claimed_minor


class EvidenceKind(models.TextChoices):
    PRODUCT_PHOTO = "product_photo", _("Photo of the product")
    DAMAGE_PHOTO = "damage_photo", _("Photo of the injury or damage")
    MEDICAL_BILL = "medical_bill", _("Medical bill")
    RECEIPT = "receipt", _("Receipt")
    REPORT = "report", _("Report")
    INSURANCE = "insurance", _("Insurance document")
    OTHER = "other", _("Other")


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # The uploader's file name is never part of the path.
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
        instance.content_type, "pdf"
    )
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Evidence(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by_party = models.CharField(_("uploaded by"), max_length=10, choices=Party)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when staff share a file the customer would not otherwise see (claims.evidence), or
    # when the file is addressed to the customer (a seller's proof of paying them).
    shared_with_customer_at = models.DateTimeField(
        _("shared with the customer"), null=True, blank=True
    )

    class Meta:
        ordering = ["claim", "created_at"]
        verbose_name_plural = _("evidence")
        permissions = [
            # Special-category data (GDPR art. 9): health records open only to the staff who
            # need them (claims.evidence), and every opening is logged (MedicalAccess).
            ("view_medical_evidence", _("Can open medical documents (health data)")),
        ]

    def __str__(self) -> str:
        # Not its file name: a medical bill's name is health data that only some staff may
        # read (claims.evidence), and the admin's titles and logs write ``str``.
        return f"{self.get_kind_display()} #{self.pk}"


class EventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    NOTE = "note", _("Internal note")
    ASSIGNMENT = "assignment", _("Assignment")
    EVIDENCE = "evidence", _("Evidence")
    MESSAGE = "message", _("Message")
    RECOVERY = "recovery", _("Recovery")
    SELLER = "seller", _("Seller response")
    PAYMENT = "payment", _("Payment")


class AppendOnly(models.Model):
    """Rows of history: written once, never updated or deleted (the admin and the database
    triggers enforce the same for the tables that need it)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are append-only.")


class ClaimEvent(AppendOnly):
    """The claim's business timeline. Append-only: rows are never updated or deleted."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind, default=EventKind.STATUS)
    from_status = models.CharField(max_length=20, choices=ClaimStatus, blank=True)
    to_status = models.CharField(max_length=20, choices=ClaimStatus, blank=True)
    actor_party = models.CharField(max_length=10, choices=Party)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["claim", "created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"], name="event_timeline_idx")]

    def __str__(self) -> str:
        if self.kind == EventKind.STATUS:
            return f"{self.from_status or '—'} → {self.to_status}"
        return self.get_kind_display()


class ClaimSequence(models.Model):
    """The counter behind human references: PL-<region>-<year>-<number>."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="sequence_one_per_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last_number}"


class Outbox(models.Model):
    """Follow-up work the database promised: the worker's queue of record.

    Written in the same transaction as the change that needs it, dispatched to Celery on commit,
    and re-dispatched by a periodic sweeper while ``done_at`` is empty.
    """

    topic = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # The sweeper's own back-off: how often it has re-sent the message, and not before when
    # again. A message waiting behind a backlog on the broker is not sent again every sweep.
    redispatches = models.PositiveSmallIntegerField(default=0, db_default=0)
    redispatch_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        indexes = [
            # The re-dispatch sweeper scans only work that is still outstanding.
            models.Index(
                fields=["created_at"], condition=Q(done_at__isnull=True), name="outbox_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    away = models.BooleanField(_("away"), default=False)
    max_open_claims = models.PositiveSmallIntegerField(_("open claim limit"), default=40)
    # Need-to-know: the regions whose claims this person sees (claims.scope). None assigned
    # means no claims at all; a supervisor for everything is given every region.
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("regions"),
        blank=True,
        related_name="staff_profiles",
        help_text=_("The staff member sees only the claims of these regions."),
    )

    def __str__(self) -> str:
        return str(self.user)


class LinkPurpose(models.TextChoices):
    CUSTOMER_SIGN_IN = "customer_sign_in", _("Customer sign-in")
    SELLER_SIGN_IN = "seller_sign_in", _("Seller sign-in")
    SELLER_RESPONSE = "seller_response", _("Seller response")
    INSURER_RESPONSE = "insurer_response", _("Insurer response")
    ADJUSTER_REVIEW = "adjuster_review", _("Adjuster review")


class AccessLink(models.Model):
    """A secure link for someone without a password: signed, expiring, bound, revocable.

    The token in the URL is ``<id>:<secret>`` signed with the project's key; only the SHA-256 of
    the secret is stored, so a database leak does not leak working links.
    """

    purpose = models.CharField(_("purpose"), max_length=20, choices=LinkPurpose)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(_("sent to"))
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="access_links"
    )
    customer = models.ForeignKey(
        "marketplace.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_links",
    )
    seller = models.ForeignKey(
        "sellers.Seller",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_links",
    )
    single_use = models.BooleanField(default=False)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.CharField(_("revocation reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=LinkPurpose.values), name="accesslink_purpose_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["claim", "purpose"], name="accesslink_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.email}"

    @property
    def is_live(self) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > timezone.now()
            and not (self.single_use and self.used_at)
        )


class MedicalAccessAction(models.TextChoices):
    VIEWED = "viewed", _("Viewed on the page")
    DOWNLOADED = "downloaded", _("Downloaded")


class MedicalAccess(AppendOnly):
    """One staff opening of a medical document (GDPR art. 9, accountability under art. 5(2)).

    Written by ``claims.evidence.medical_access_record`` from the one view that serves files
    to staff; append-only here and in the database (migration 0014). It holds references and
    the page's path, never a copy of the file's name or any of the customer's text, so an
    erasure has nothing to rewrite in it.
    """

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=12, choices=MedicalAccessAction)
    page = models.CharField(_("from page"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("medical document access")
        verbose_name_plural = _("medical document accesses")
        indexes = [
            # The log page: newest first, keyset on (at, id); filtered by claim or user.
            models.Index(fields=["-at", "-id"], name="medicalaccess_recent_idx"),
            models.Index(fields=["claim", "-at"], name="medicalaccess_claim_idx"),
            models.Index(fields=["user", "-at"], name="medicalaccess_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_action_display()} evidence #{self.evidence_id}"
