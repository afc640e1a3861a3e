"""What the back office adds to a claim: tags, saved queue views, SLA breaches.

Product-safety alerts are the ``safety`` app's (issue 17).

Statuses and the timeline stay in ``claims``; these rows only describe how staff work a claim.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClaimTag(models.Model):
    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="claim_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "tag"], name="claimtag_once_per_claim"),
        ]
        # The queue's tag filter starts from the tag.
        indexes = [models.Index(fields=["tag", "claim"], name="claimtag_tag_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.tag_id}"


class SavedView(models.Model):
    """A named queue view: a query string of the queue's filters, kept as data.

    ``{me}`` in the query string stands for the viewer (``assignee={me}``), so one row serves
    every agent. New views (e.g. "Awaiting second approval") are rows, not code.
    """

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("query string"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Empty: everyone who may see the queue. Otherwise the permission a viewer needs.
    permission = models.CharField(_("permission needed"), max_length=100, blank=True)

    class Meta:
        ordering = ["position", "name"]
        # The back office's own permissions (granted to roles in claims/roles.py).
        permissions = [
            ("view_dashboard", _("Can see the supervisor dashboard")),
            ("assign_claims", _("Can assign and reassign claims to anyone")),
        ]

    def __str__(self) -> str:
        return self.name


class SlaClock(models.TextChoices):
    SELLER_RESPONSE = "seller_response", _("Seller response")
    CUSTOMER_INFO = "customer_info", _("Customer information")
    DECISION = "decision", _("Decision target")


class SlaBreach(models.Model):
    """One row per claim and clock that ran out: the sweeper's record that the event exists."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="sla_breaches")
    clock = models.CharField(_("clock"), max_length=20, choices=SlaClock)
    due_at = models.DateTimeField(_("was due"))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Exactly once per claim and clock, however often or concurrently the sweeper runs.
            models.UniqueConstraint(fields=["claim", "clock"], name="slabreach_once_per_clock"),
            models.CheckConstraint(
                condition=Q(clock__in=SlaClock.values), name="slabreach_clock_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.clock}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Claim assigned to you")
    APPROVAL = "approval", _("Second approval awaiting you")
    SLA_AT_RISK = "sla_at_risk", _("Deadline about to pass")
    SLA_BREACHED = "sla_breached", _("Deadline passed")
    ANSWERED = "answered", _("Answer on your claim")
    SAFETY_RAISED = "safety_raised", _("Safety alert raised")
    SAFETY_REMINDER = "safety_reminder", _("Safety report due soon")
    SAFETY_ESCALATED = "safety_escalated", _("Safety report about to breach")


class Notification(models.Model):
    """Something that needs one staff member: written by the service where it happened
    (``backoffice.notifications``), read from the header count and the notifications page,
    marked read when acted on (opening the claim, deciding the approval) or by the reader."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind)
    # What it is about: a claim, or a product safety alert (one of them, never neither).
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    safety_alert = models.ForeignKey(
        "safety.SafetyAlert", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The second approval awaiting the recipient (kind "approval").
    approval_request = models.ForeignKey(
        "payouts.ApprovalRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # Every kind is rendered in the reader's language from ``params`` and the claim
    # (``backoffice.notifications.notification_text``); ``text`` is that rendering in English,
    # as written, shown for rows written before their kind kept parameters.
    text = models.CharField(_("what happened"), max_length=300)
    params = models.JSONField(default=dict, blank=True)
    # The deadline an SLA notification is about.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Writers that may run twice (the SLA sweeper) give a key: one notification per key.
    key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~Q(key=""),
                name="notification_once_per_key",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(claim__isnull=False) | Q(safety_alert__isnull=False),
                name="notification_about_something",
            ),
        ]
        indexes = [
            # The header's unread count and the unread part of the page, on every staff page.
            models.Index(
                fields=["recipient", "claim"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # The notifications page, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.text}"
