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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["export"]), name="privacy_request_kind_valid"
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
