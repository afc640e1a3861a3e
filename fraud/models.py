"""Fraud review: rules (versioned), scores with their explanations, the attributes that link
claims, photo fingerprints, watchlists, analyst decisions and adjuster referrals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims.lifecycle import Party


class FraudDecision(models.TextChoices):
    HOLD = "hold", _("Placed on fraud hold")
    CLEARED = "cleared", _("Cleared")
    CONFIRMED = "confirmed", _("Fraud confirmed")
    REFERRED = "referred", _("Referred to an adjuster")


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
        indexes = [
            # Rule performance: the outcome of each claim in a period.
            models.Index(fields=["claim", "-created_at"], name="fraudreview_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.get_decision_display()}"


class ScoringPolicy(models.Model):
    """The one row of scoring thresholds (policy as data, every change kept in its history)."""

    review_threshold = models.PositiveSmallIntegerField(
        _("review threshold"),
        default=40,
        help_text=_("A claim scoring at least this goes on fraud hold for an analyst."),
    )
    high_threshold = models.PositiveSmallIntegerField(
        _("high-risk threshold"), default=70, help_text=_("Scores from here are high risk.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_threshold__gte=1)
                & Q(review_threshold__lte=models.F("high_threshold"))
                & Q(high_threshold__lte=100),
                name="scoringpolicy_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"review ≥ {self.review_threshold}, high ≥ {self.high_threshold}"


class Rule(models.Model):
    """A rule's current settings. Code is fixed (``fraud/rules``); analysts change the rest,
    and every change becomes a new ``RuleVersion`` that hits refer to."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=300)
    weight = models.PositiveSmallIntegerField(_("weight (points)"))
    params = models.JSONField(_("parameters"), default=dict)
    enabled = models.BooleanField(_("enabled"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__lte=100), name="rule_weight_range"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The rule's name in the reader's language (defined with the rule, ``fraud.rules``)."""
        from fraud.rules import rule_label

        return rule_label(self.code)

    @property
    def params_shown(self) -> list[tuple[str, str]]:
        """The parameters named and in the reader's language (``fraud.rules.params_shown``)."""
        from fraud.rules import params_shown

        return params_shown(self.params)


class RuleVersion(models.Model):
    """Append-only audit of every rule setting ever used: who, when, why, what."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    weight = models.PositiveSmallIntegerField()
    params = models.JSONField(default=dict)
    enabled = models.BooleanField(default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="ruleversion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"

    @property
    def params_shown(self) -> list[tuple[str, str]]:
        """This version's parameters named and in the reader's language, as the rule's."""
        from fraud.rules import params_shown

        return params_shown(self.params)


class Assessment(models.Model):
    """One scoring of one claim. Past assessments are never rewritten."""

    class Trigger(models.TextChoices):
        SCREENING = "screening", _("Screening")
        EVIDENCE = "evidence", _("New evidence")
        MANUAL = "manual", _("Re-scored by staff")

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="fraud_assessments"
    )
    score = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=8)
    review_threshold = models.PositiveSmallIntegerField()
    trigger = models.CharField(max_length=12, choices=Trigger)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="assessment_score_range"),
        ]
        indexes = [models.Index(fields=["claim", "-created_at"], name="assessment_claim_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.score}"


class RuleHit(models.Model):
    """A rule that fired in an assessment: the version used, the inputs and a readable sentence."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="hits")
    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="hits")
    rule_version = models.PositiveIntegerField()
    points = models.PositiveSmallIntegerField()
    inputs = models.JSONField(default=dict)
    explanation = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-points", "rule__code"]
        indexes = [
            # Rule performance over a period, and the queue's "rule" filter.
            models.Index(fields=["rule", "created_at"], name="rulehit_rule_idx"),
            models.Index(fields=["claim", "rule"], name="rulehit_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} +{self.points}"

    @property
    def explained(self) -> str:
        """Why the rule fired, written now from its facts in the reader's language and zone;
        the sentence stored at scoring time when the facts are from an older version."""
        from fraud.rules import explain

        return explain(self.rule.code, self.inputs, fallback=self.explanation)


class AttributeKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Postal address")
    PAYOUT = "payout", _("Payout account")
    DEVICE = "device", _("Device")
    IP = "ip", _("IP address")


class ClaimAttribute(models.Model):
    """A normalised identifying attribute a claim was made with: what links claims together."""

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="fraud_attributes"
    )
    customer = models.ForeignKey("marketplace.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=AttributeKind)
    value = models.CharField(max_length=300)
    claim_submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "kind", "value"], name="claimattribute_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AttributeKind.values), name="claimattribute_kind_valid"
            ),
        ]
        indexes = [
            # Every "who else has this?" lookup of the rules and the linked-claims panel.
            models.Index(
                fields=["kind", "value", "claim_submitted_at"], name="claimattr_lookup_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


# Fraud screening looks at the customer's evidence only: the files a seller, its insurer, an
# adjuster or staff attach are their side of the case, never a sign of the customer's fraud
# (a seller's dispute photo matching another claim must not hold this customer's claim).
SCREENED_PARTY = Party.CUSTOMER


class EvidencePhotoQuerySet(models.QuerySet):
    def screened(self) -> "EvidencePhotoQuerySet":
        """The photos fraud screening compares: the customers' (``SCREENED_PARTY``)."""
        return self.filter(evidence__uploaded_by_party=SCREENED_PARTY)


class EvidencePhoto(models.Model):
    """Perceptual hash of an evidence image, split in four 16-bit bands so near-duplicate
    lookups are index-backed (a distance ≤ 3 leaves at least one band equal), and the
    capture date read from EXIF before re-encoding removed it. Only the customer's images
    are fingerprinted (``SCREENED_PARTY``)."""

    evidence = models.OneToOneField(
        "claims.Evidence", on_delete=models.CASCADE, related_name="fraud_photo"
    )
    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="+")
    phash = models.CharField(max_length=16)
    band0 = models.CharField(max_length=4)
    band1 = models.CharField(max_length=4)
    band2 = models.CharField(max_length=4)
    band3 = models.CharField(max_length=4)
    taken_at = models.DateTimeField(null=True, blank=True)

    objects = EvidencePhotoQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["band0"], name="photo_band0_idx"),
            models.Index(fields=["band1"], name="photo_band1_idx"),
            models.Index(fields=["band2"], name="photo_band2_idx"),
            models.Index(fields=["band3"], name="photo_band3_idx"),
        ]

    def __str__(self) -> str:
        return self.phash


class WatchlistEntry(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=AttributeKind)
    value = models.CharField(_("value (normalised)"), max_length=300)
    reason = models.CharField(_("reason"), max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    source_claim = models.ForeignKey(
        "claims.Claim", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("watchlist entries")
        indexes = [
            models.Index(fields=["kind", "value"], name="watchlist_lookup_idx"),
            # The watchlist page (backoffice.lists): newest or oldest first.
            models.Index(fields=["created_at", "id"], name="watchlist_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class Recommendation(models.TextChoices):
    CLEAR = "clear", _("Clear: no fraud found")
    CONFIRM = "confirm", _("Confirm fraud")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Referral(models.Model):
    """A claim referred to an external adjuster, who reports back through a secure link."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="referrals")
    adjuster_email = models.EmailField(_("adjuster's e-mail"))
    link = models.ForeignKey(
        "claims.AccessLink", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("report due"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=12, choices=Recommendation, blank=True
    )
    report_note = models.TextField(_("adjuster's summary"), blank=True)
    report = models.ForeignKey(
        "claims.Evidence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Reminder sweeper: referrals still waiting for a report.
            models.Index(
                fields=["due_at"], condition=Q(reported_at__isnull=True), name="referral_open_idx"
            ),
            models.Index(fields=["claim", "-created_at"], name="referral_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} → {self.adjuster_email}"

    @property
    def is_overdue(self) -> bool:
        return self.reported_at is None and self.due_at < timezone.now()
