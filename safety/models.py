"""Product safety: the customer's structured facts about an incident, the regulators' rules as
data, the alerts those rules raise (with their history), and the recall lists matched to
products.

Reading order: ``IncidentFacts`` (what the customer told us), ``Regulator`` (what makes an
incident reportable and by when), ``SafetyAlert`` and ``AlertEvent`` (the work and its
history), ``Recall`` and ``RecallMatch``.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MedicalCare(models.TextChoices):
    """The most serious care anyone hurt received, in order of seriousness."""

    NONE = "none", _("No medical care")
    FIRST_AID = "first_aid", _("First aid")
    DOCTOR = "doctor", _("Seen by a doctor")
    EMERGENCY = "emergency_room", _("Emergency room")
    HOSPITAL = "hospital_admission", _("Admitted to hospital")


CARE_RANK = {care: rank for rank, care in enumerate(MedicalCare.values)}


class ChildHurt(models.TextChoices):
    NONE = "none", _("No child under 14 was hurt")
    UNDER_14 = "under_14", _("A child aged 5 to 13 was hurt")
    UNDER_5 = "under_5", _("A child under 5 was hurt")


class Hazard(models.TextChoices):
    FIRE = "fire_smoke", _("Fire or smoke")
    BURN = "burn", _("Burn")
    SHOCK = "electric_shock", _("Electric shock")
    CHOKING = "choking", _("Choking")
    CUT = "cut", _("Cut")
    FALL = "fall", _("Fall")
    POISONING = "poisoning", _("Poisoning or carbon monoxide")
    OTHER = "other", _("Other")


class IncidentFacts(models.Model):
    """What the customer said happened, as answers rather than words: the alert rules read
    these, in whatever language the claim was written. Staff may correct them (history kept)."""

    claim = models.OneToOneField(
        "claims.Claim", on_delete=models.CASCADE, related_name="safety_facts"
    )
    medical_care = models.CharField(
        _("most serious medical care"), max_length=20, choices=MedicalCare, default="none"
    )
    death = models.BooleanField(_("someone died"), default=False)
    child_hurt = models.CharField(
        _("a child was hurt"), max_length=10, choices=ChildHurt, default="none"
    )
    hazard = models.CharField(_("hazard"), max_length=20, choices=Hazard)
    product_model = models.CharField(_("product model"), max_length=100, blank=True)
    batch_serial = models.CharField(_("batch or serial number"), max_length=100, blank=True)
    kept_for_inspection = models.BooleanField(_("product kept for inspection"), default=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # When the alert rules last weighed these facts; empty: the sweeper weighs them next.
    weighed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["weighed_at"])

    class Meta:
        verbose_name = _("incident facts")
        verbose_name_plural = _("incident facts")
        constraints = [
            models.CheckConstraint(
                condition=Q(medical_care__in=MedicalCare.values), name="facts_care_valid"
            ),
            models.CheckConstraint(
                condition=Q(child_hurt__in=ChildHurt.values), name="facts_child_valid"
            ),
            models.CheckConstraint(condition=Q(hazard__in=Hazard.values), name="facts_hazard"),
        ]
        indexes = [
            # The alert sweeper: facts not weighed yet.
            models.Index(
                fields=["id"], condition=Q(weighed_at__isnull=True), name="facts_unweighed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.get_hazard_display()}"


class ClockUnit(models.TextChoices):
    HOURS = "hours", _("hours (elapsed time)")
    DAYS = "days", _("calendar days in the regulator's time zone")


class ReportForm(models.TextChoices):
    """The shape of the report a regulator expects (the field lists are in safety/reports.py)."""

    CPSC = "cpsc", _("CPSC section 15(b) report")
    HEALTH_CANADA = "health_canada", _("Health Canada incident report (CCPSA section 14)")
    EU_GPSR = "eu_gpsr", _("EU Safety Business Gateway notification (GPSR article 20)")
    UK = "uk", _("UK Product Safety Database notification (GPSR 2005 regulation 9)")


def validate_hazard_list(value: str) -> None:
    unknown = [h for h in hazard_list(value) if h not in Hazard.values]
    if unknown:
        raise ValidationError(_("Unknown hazard: %(h)s.") % {"h": ", ".join(unknown)})


def hazard_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Regulator(models.Model):
    """One regulator's rules, as data staff can edit (history kept): which claims it covers
    (by region), what makes an incident reportable, and its clocks."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    law = models.CharField(_("law"), max_length=200)
    channel = models.CharField(_("where reports are filed"), max_length=200)
    report_form = models.CharField(_("report form"), max_length=20, choices=ReportForm)
    regions = models.ManyToManyField(
        "claims.Region", related_name="regulators", verbose_name=_("regions covered")
    )
    time_zone = models.CharField(_("time zone of the clock"), max_length=64)
    report_within = models.PositiveSmallIntegerField(_("report within"))
    report_unit = models.CharField(_("unit"), max_length=5, choices=ClockUnit)
    written_report_days = models.PositiveSmallIntegerField(
        _("written report within (calendar days)"), null=True, blank=True
    )
    death_reportable = models.BooleanField(_("a death is reportable"), default=True)
    min_medical_care = models.CharField(
        _("reportable from this medical care"),
        max_length=20,
        choices=MedicalCare,
        default=MedicalCare.EMERGENCY,
    )
    child_min_medical_care = models.CharField(
        _("for a child hurt, reportable from this medical care"),
        max_length=20,
        choices=MedicalCare,
        default=MedicalCare.DOCTOR,
    )
    child_under_5_only = models.BooleanField(
        _("the child rule is for children under 5 only"), default=False
    )
    hazards_without_injury = models.CharField(
        _("hazards reportable even without an injury"),
        max_length=200,
        blank=True,
        validators=[validate_hazard_list],
        help_text=_("Comma-separated hazard codes, for example fire_smoke,electric_shock."),
    )
    cluster_claims = models.PositiveSmallIntegerField(
        _("claims on one product that make a cluster (0: no cluster rule)"), default=3
    )
    cluster_window_days = models.PositiveSmallIntegerField(_("cluster window (days)"), default=30)
    reminder_hours = models.CharField(
        _("reminders (hours before the deadline)"), max_length=60, default="12,4", blank=True
    )
    escalate_hours_before = models.PositiveSmallIntegerField(
        _("escalate to supervisors this many hours before the deadline"), default=2
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report_unit__in=ClockUnit.values), name="regulator_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(report_form__in=ReportForm.values), name="regulator_form_valid"
            ),
            models.CheckConstraint(condition=Q(report_within__gt=0), name="regulator_clock_pos"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from exc

    @property
    def reminder_offsets(self) -> list[int]:
        parts = [p.strip() for p in self.reminder_hours.split(",") if p.strip()]
        return sorted({int(p) for p in parts if p.isdigit() and int(p) > 0}, reverse=True)


class AlertTrigger(models.TextChoices):
    INCIDENT = "incident", _("Reportable incident")
    CLUSTER = "cluster", _("Several claims on one product")
    RECALL = "recall", _("Product on a recall list")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Under investigation")
    FILED = "filed", _("Filed with the regulator")
    DISMISSED = "dismissed", _("Dismissed")


LIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.INVESTIGATING)
# The written report's clock (Health Canada, CCPSA 14(3)) keeps running after the incident
# report is filed, until the written report is filed; dismissing the alert stops it.
WRITTEN_STATUSES = (*LIVE_STATUSES, AlertStatus.FILED)


@dataclass(frozen=True)
class AlertClock:
    """One of an alert's clocks, by the names of its fields (the deadline, the next reminder,
    when to escalate, when it was escalated) and which alerts it still runs for (its report
    not filed, the alert not dismissed). The sweeper, the e-mails and the pages read both
    clocks through these (``ALERT_CLOCKS``), so both follow one rule."""

    code: str
    due: str
    next_reminder: str
    escalate_at: str
    escalated_at: str
    running: Q


REPORT_CLOCK = AlertClock(
    code="report",
    due="report_due",
    next_reminder="next_reminder_at",
    escalate_at="escalate_at",
    escalated_at="escalated_at",
    running=Q(status__in=LIVE_STATUSES),
)
WRITTEN_CLOCK = AlertClock(
    code="written",
    due="written_report_due",
    next_reminder="written_next_reminder_at",
    escalate_at="written_escalate_at",
    escalated_at="written_escalated_at",
    running=Q(
        status__in=WRITTEN_STATUSES,
        written_report_due__isnull=False,
        written_sent_at__isnull=True,
    ),
)
ALERT_CLOCKS = {clock.code: clock for clock in (REPORT_CLOCK, WRITTEN_CLOCK)}


class SafetyAlert(models.Model):
    """A product that may have to be reported to one regulator, with that regulator's clock.

    One live alert per product and regulator: later incidents join it (each a history entry);
    once filed or dismissed, a new incident opens a new alert with a new clock.
    """

    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    regulator = models.ForeignKey(Regulator, on_delete=models.PROTECT, related_name="alerts")
    trigger = models.CharField(_("raised by"), max_length=10, choices=AlertTrigger)
    reasons = models.JSONField(_("rules that fired"), default=list, blank=True)
    claims = models.ManyToManyField(
        "claims.Claim", related_name="safety_alerts", blank=True, verbose_name=_("claims")
    )
    recall = models.ForeignKey(
        "safety.Recall", on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    status = models.CharField(
        _("status"), max_length=14, choices=AlertStatus, default=AlertStatus.OPEN
    )
    aware_at = models.DateTimeField(_("aware since"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    report_due = models.DateTimeField(_("report due"))
    written_report_due = models.DateTimeField(_("written report due"), null=True, blank=True)
    # Due times the beat sweeper acts on (never a task scheduled ahead).
    next_reminder_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("escalate at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    # The report draft: what staff completed (field code -> text); the rest is pre-filled.
    draft = models.JSONField(_("report draft"), default=dict, blank=True)
    filed_reference = models.CharField(_("regulator's reference"), max_length=100, blank=True)
    filed_at = models.DateTimeField(_("report sent"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    # The written report (Health Canada, CCPSA 14(3)): its own clock and its own filing.
    written_next_reminder_at = models.DateTimeField(
        _("next written-report reminder"), null=True, blank=True
    )
    written_escalate_at = models.DateTimeField(
        _("escalate the written report at"), null=True, blank=True
    )
    written_escalated_at = models.DateTimeField(
        _("written report escalated"), null=True, blank=True
    )
    written_reference = models.CharField(
        _("regulator's reference for the written report"), max_length=100, blank=True
    )
    written_sent_at = models.DateTimeField(_("written report sent"), null=True, blank=True)
    written_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written report sent by"),
    )
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report_due"]
        permissions = [
            ("file_safetyalert", _("Can complete and file safety reports")),
            ("import_recall", _("Can import recall lists")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AlertStatus.values), name="alert_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=AlertTrigger.values), name="alert_trigger_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="filed")
                | (~Q(filed_reference="") & Q(filed_at__isnull=False) & Q(filed_by__isnull=False)),
                name="alert_filed_has_reference_time_sender",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""),
                name="alert_dismissed_has_reason",
            ),
            # A written report is filed after the incident report, with its own reference,
            # time and sender, and only where the regulator asks for one.
            models.CheckConstraint(
                condition=Q(written_sent_at__isnull=True)
                | (
                    Q(status="filed")
                    & Q(written_report_due__isnull=False)
                    & ~Q(written_reference="")
                    & Q(written_sent_by__isnull=False)
                ),
                name="alert_written_filed_complete",
            ),
            # Raising is idempotent: one live alert per product and regulator.
            models.UniqueConstraint(
                fields=["product", "regulator"],
                condition=Q(status__in=["open", "investigating"]),
                name="alert_one_live_per_product_regulator",
            ),
        ]
        indexes = [
            # The safety page and the sweeper: live alerts, most urgent first.
            models.Index(
                fields=["report_due"],
                condition=Q(status__in=["open", "investigating"]),
                name="alert_live_idx",
            ),
            # The sweeper: reminders due.
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(status__in=["open", "investigating"]),
                name="alert_reminder_idx",
            ),
            # The sweeper and the safety page: written reports still to file.
            models.Index(
                fields=["written_next_reminder_at"],
                condition=Q(
                    status__in=["open", "investigating", "filed"],
                    written_report_due__isnull=False,
                    written_sent_at__isnull=True,
                ),
                name="alert_written_reminder_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ({self.regulator})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_live and self.report_due < timezone.now()

    @property
    def written_pending(self) -> bool:
        """The written report is still to file (the rule of ``WRITTEN_CLOCK.running_q``)."""
        return (
            self.status in WRITTEN_STATUSES
            and self.written_report_due is not None
            and self.written_sent_at is None
        )

    @property
    def written_overdue(self) -> bool:
        return self.written_pending and self.written_report_due < timezone.now()


class AlertEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    INCIDENT = "incident", _("Incident added")
    OPENED = "opened", _("First opened")
    REMINDED = "reminded", _("Reminder sent")
    ESCALATED = "escalated", _("Escalated to supervisors")
    STATUS = "status", _("Status changed")
    DRAFT = "draft", _("Report draft saved")
    FILED = "filed", _("Filed with the regulator")
    WRITTEN = "written", _("Written report filed")
    RECALL = "recall", _("Recall matched")


class AlertEvent(models.Model):
    """Append-only history: every change of an alert writes one row in the same transaction."""

    alert = models.ForeignKey(SafetyAlert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=10, choices=AlertEventKind)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AlertEventKind.values), name="alertevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"

    @property
    def from_label(self) -> str:
        return AlertStatus(self.from_status).label if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return AlertStatus(self.to_status).label if self.to_status else ""


class RecallSource(models.TextChoices):
    CPSC = "cpsc_json", _("CPSC recalls (JSON)")
    CSV = "csv", _("Recall list (CSV)")


class Recall(models.Model):
    source = models.CharField(_("source"), max_length=10, choices=RecallSource)
    regulator = models.ForeignKey(Regulator, on_delete=models.PROTECT, related_name="recalls")
    number = models.CharField(_("recall number"), max_length=60)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    hazard = models.TextField(_("hazard"), blank=True)
    remedy = models.TextField(_("remedy"), blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    published_on = models.DateField(_("published"), null=True, blank=True)
    product_names = models.JSONField(_("product names"), default=list, blank=True)
    model_numbers = models.JSONField(_("model numbers"), default=list, blank=True)
    gtins = models.JSONField(_("UPC / GTIN"), default=list, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_on", "-pk"]
        constraints = [
            # Importing the same list twice changes nothing.
            models.UniqueConstraint(fields=["source", "number"], name="recall_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class MatchedOn(models.TextChoices):
    GTIN = "gtin", _("UPC / GTIN")
    MODEL = "model", _("Model number")
    TITLE = "title", _("Product name")


class RecallMatch(models.Model):
    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="matches")
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.PROTECT, related_name="recall_matches"
    )
    matched_on = models.CharField(_("matched on"), max_length=5, choices=MatchedOn)
    matched_value = models.CharField(_("matched value"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recall", "product"], name="recallmatch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.recall_id} → {self.product_id}"
