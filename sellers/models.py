import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
    monthly_gross_minor = models.BigIntegerField(
        _("gross proceeds last month (minor units)"), default=0
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SellerStatus.values), name="seller_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(monthly_gross_minor__gte=0), name="seller_gross_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.marketplace_id})"

    @property
    def monthly_gross_display(self) -> str:
        return format_minor(self.monthly_gross_minor, self.currency)

    @property
    def insurance_required(self) -> bool:
        return self.monthly_gross_minor > self.region.insurance_required_gross_minor


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
    PENDING = "pending", _("Pending check")
    VALID = "valid", _("Valid")
    REJECTED = "rejected", _("Rejected")


def certificate_upload_to(instance: "InsuranceCertificate", filename: str) -> str:
    return f"insurance/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


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
    cancellation_notice_days = models.PositiveSmallIntegerField(
        _("notice of cancellation (days)"), default=30
    )
    effective_date = models.DateField(_("effective from"))
    expiry_date = models.DateField(_("expires on"))
    document = models.FileField(
        _("certificate document"), upload_to=certificate_upload_to, blank=True, max_length=200
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CertificateStatus, default=CertificateStatus.PENDING
    )
    check_failures = models.JSONField(_("failed checks"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["seller", "-expiry_date"]
        constraints = [
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
        ]

    def __str__(self) -> str:
        return f"{self.insurer_name} {self.policy_number}"
