"""The record of what privacy law asked of the marketplace and what it did: every export of a
customer's data, who asked for it and when (append-only)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import AppendOnly, Party


class RequestKind(models.TextChoices):
    EXPORT = "export", _("Data export")
    ERASURE = "erasure", _("Erasure")


class PrivacyRequest(AppendOnly):
    """One privacy request, as it was carried out."""

    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind)
    customer = models.ForeignKey(
        "marketplace.Customer",
        on_delete=models.PROTECT,
        related_name="privacy_requests",
        verbose_name=_("customer"),
    )
    requested_by_party = models.CharField(_("asked by"), max_length=10, choices=Party)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    reason = models.TextField(_("reason"), blank=True)
    # What was handed over: rows per table and files, so the record says what left.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        permissions = [
            ("export_customer_data", _("Can export a customer's data on their request")),
            ("erase_customer_data", _("Can erase a customer's personal data")),
            ("hold_claim", _("Can place and release legal holds on claims")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["export", "erasure"]), name="privacy_request_kind_valid"
            ),
            # Staff requests name the member of staff and say why; customers ask for themselves.
            models.CheckConstraint(
                condition=~Q(requested_by_party="staff")
                | (Q(requested_by__isnull=False) & ~Q(reason="")),
                name="privacy_request_staff_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id} · {self.created_at:%Y-%m-%d}"


class LegalHold(models.Model):
    """A claim that must be kept as it is (litigation, a regulator's inquiry): no erasure, by
    request or by the retention schedule, while a hold is active."""

    claim = models.ForeignKey(
        "claims.Claim",
        on_delete=models.PROTECT,
        related_name="legal_holds",
        verbose_name=_("claim"),
    )
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.TextField(_("why released"), blank=True)

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="legal_hold_has_reason"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True)
                | (Q(released_by__isnull=False) & ~Q(release_reason="")),
                name="legal_hold_release_recorded",
            ),
            # One active hold per claim.
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(released_at__isnull=True),
                name="legal_hold_one_active_per_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.reason[:40]}"


class RetentionPolicy(models.Model):
    """How long a region keeps a customer's personal data after their last claim is settled;
    the retention job erases it then (``privacy.services.retention_sweep``)."""

    region = models.OneToOneField(
        "claims.Region",
        on_delete=models.CASCADE,
        related_name="retention",
        verbose_name=_("region"),
    )
    keep_days = models.PositiveIntegerField(
        _("keep for (days)"),
        help_text=_(
            "After the customer's last claim is settled (closed, or paid or denied with "
            "the appeal window passed)."
        ),
    )
    basis = models.CharField(_("why this long"), max_length=300)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.CheckConstraint(condition=Q(keep_days__gte=30), name="retention_at_least_30d"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.keep_days} days"


class ErasureInProgress(models.Model):
    """A row exists only inside an erasure's own transaction: the database trigger that keeps
    claim events append-only lets that transaction (and no other) rewrite their text."""

    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"erasure since {self.started_at:%Y-%m-%d %H:%M}"
