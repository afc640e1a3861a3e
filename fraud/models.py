from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FraudDecision(models.TextChoices):
    HOLD = "hold", _("Placed on fraud hold")
    CLEARED = "cleared", _("Cleared")
    CONFIRMED = "confirmed", _("Fraud confirmed")


class FraudLabel(models.TextChoices):
    FALSE_POSITIVE = "false_positive", _("False positive")
    VALUABLE_ALERT = "valuable_alert", _("Valuable alert")
    RISK_CONFIRMED = "risk_confirmed", _("Risk confirmed")


class FraudReview(models.Model):
    """An analyst's decision on a claim under fraud review, with the label and the reasoning."""

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="fraud_reviews"
    )
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fraud_reviews",
    )
    decision = models.CharField(_("decision"), max_length=12, choices=FraudDecision)
    label = models.CharField(_("label"), max_length=20, choices=FraudLabel, blank=True)
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=FraudDecision.values), name="fraudreview_decision_valid"
            ),
            # Clearing or confirming always carries the analyst's label (rule performance).
            models.CheckConstraint(
                condition=Q(decision="hold") | ~Q(label=""), name="fraudreview_label_on_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.get_decision_display()}"
