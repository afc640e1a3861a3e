"""Outbound webhooks (issue 15 point 4): what each API client is told, and every attempt.

An ``ApiEvent`` is written in the same transaction as the claim event it reports (the
database is the outbox); each subscribed endpoint gets a ``Delivery`` whose due time
(``next_attempt_at``) the beat sweeper acts on, never a task scheduled days ahead."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    CLAIM_SUBMITTED = "claim.submitted", _("Claim submitted")
    CLAIM_AWAITING_SELLER = "claim.awaiting_seller", _("Claim awaiting the seller (deadline)")
    CLAIM_ESCALATED = "claim.escalated", _("Claim escalated")
    CLAIM_DECIDED = "claim.decided", _("Claim decided (amounts, funding)")
    CLAIM_PAID = "claim.paid", _("Claim paid")
    PAYOUT_RETURNED = "payout.returned", _("Payout returned")
    SELLER_REMINDER_DUE = "claim.seller_reminder_due", _("Seller reminder due (deadline near)")
    RECOVERY_OPENED = "recovery.opened", _("Recovery opened")
    RECOVERY_AMOUNT_FIXED = "recovery.amount_fixed", _("Recovery amount fixed by the decision")
    RECOVERY_WITHHELD = "recovery.withheld", _("Recovery withheld from a disbursement")
    RECOVERY_APPEAL_DECIDED = "recovery.appeal_decided", _("Recovery appeal decided")
    SAFETY_ALERT_RAISED = "safety.alert_raised", _("Safety alert raised on a product")
    PRODUCT_SUSPEND = "product.suspend_listings", _("Product listings to suspend (safety)")


# The families of events, each with its own payload (documented in ``api.event_schemas``).
CLAIM_EVENT_TYPES = [
    EventType.CLAIM_SUBMITTED,
    EventType.CLAIM_AWAITING_SELLER,
    EventType.CLAIM_ESCALATED,
    EventType.CLAIM_DECIDED,
    EventType.CLAIM_PAID,
    EventType.PAYOUT_RETURNED,
]
RECOVERY_EVENT_TYPES = [
    EventType.RECOVERY_OPENED,
    EventType.RECOVERY_AMOUNT_FIXED,
    EventType.RECOVERY_WITHHELD,
    EventType.RECOVERY_APPEAL_DECIDED,
]


class ApiEvent(models.Model):
    """One thing a client may learn about, in the order it happened (``id``). Claim moves and
    recovery steps point at the claim event they report (once per client); reminders and
    product safety events (``webhooks.events``) have none."""

    client = models.ForeignKey("api.ApiClient", on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=40, choices=EventType)
    data = models.JSONField(_("data"))
    claim_event = models.ForeignKey(
        "claims.ClaimEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "claim_event"], name="apievent_once_per_claim_event"
            )
        ]
        # The events endpoint: a client's events after a cursor.
        indexes = [models.Index(fields=["client", "id"], name="apievent_client_idx")]

    def __str__(self) -> str:
        return f"{self.public_id} {self.type}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.pk}"


class Endpoint(models.Model):
    client = models.ForeignKey(
        "api.ApiClient", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The first failure since the last success; sustained failure disables the endpoint.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class EndpointSecret(models.Model):
    """An endpoint's signing secrets: the newest signs, and a rotated one keeps signing too
    until ``expires_at`` (overlap), so receivers can switch without losing a message."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="secrets")
    secret = models.CharField(_("secret"), max_length=100)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("stops signing"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.endpoint_id}: {self.secret[:10]}…"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class Delivery(models.Model):
    """One event to one endpoint. ``webhook-id`` is ``msg_<id>``: the same on every retry and
    replay, so a receiver can drop duplicates."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(ApiEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    locked_until = models.DateTimeField(_("taken by a worker until"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(_("last response (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        permissions = [("replay_delivery", "Replay webhook deliveries")]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]),
                name="delivery_status_valid",
            ),
        ]
        indexes = [
            # The sweeper: pending deliveries by due time.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_idx",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return self.webhook_id

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.pk}"


class Attempt(models.Model):
    """Every try, with what the receiver answered and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(_("attempted"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"))
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"
