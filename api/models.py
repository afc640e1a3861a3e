"""API clients, their keys, and the stored first responses of idempotent POSTs (issue 15)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClientKind(models.TextChoices):
    ORDER_SYSTEM = "order_system", _("Order system")
    SELLER = "seller", _("Seller")
    INSURER = "insurer", _("Insurer or third-party administrator")
    PAYMENT_PROVIDER = "payment_provider", _("Payment provider")


class Scope(models.TextChoices):
    """What a key may read and write. Each endpoint names the one scope it needs."""

    MARKETPLACE_WRITE = "marketplace:write", _("Upsert customers, orders, products, sellers")
    CLAIMS_READ = "claims:read", _("Read its own claims")
    CLAIMS_RESPOND = "claims:respond", _("Answer its own claims, record payments")
    PAYMENTS_WRITE = "payments:write", _("Report payment status and returns")
    EVENTS_READ = "events:read", _("Read its events (catch up on webhooks)")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Subscribe webhook endpoints, rotate their secrets")


# What a new key of each kind may do; supervisors may narrow it when issuing.
_EVENTS = [Scope.EVENTS_READ, Scope.WEBHOOKS_MANAGE]
DEFAULT_SCOPES: dict[str, list[str]] = {
    ClientKind.ORDER_SYSTEM: [Scope.MARKETPLACE_WRITE, *_EVENTS],
    ClientKind.SELLER: [Scope.CLAIMS_READ, Scope.CLAIMS_RESPOND, *_EVENTS],
    ClientKind.INSURER: [Scope.CLAIMS_READ, Scope.CLAIMS_RESPOND, *_EVENTS],
    ClientKind.PAYMENT_PROVIDER: [Scope.PAYMENTS_WRITE, *_EVENTS],
}


class ApiClient(models.Model):
    """A system outside the project that calls the API: one of the kinds above. A seller's
    client sees that seller's claims; an insurer's, the claims handed to its e-mail address."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ClientKind)
    seller = models.ForeignKey(
        "sellers.Seller",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_clients",
    )
    insurer_email = models.EmailField(
        _("insurer e-mail"),
        blank=True,
        help_text=_("The address sellers hand claims to; the client sees those claims."),
    )
    contact_email = models.EmailField(_("contact e-mail"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_(
            "Dates in its API answers carry this zone's offset. Empty: the seller's region's "
            "zone for a seller's client, UTC for the others."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        permissions = [("manage_apiclient", "Manage API clients and their keys")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[c.value for c in ClientKind]), name="apiclient_kind_valid"
            ),
            # Each kind names exactly what limits it to its own objects.
            models.CheckConstraint(
                condition=(Q(kind="seller") & Q(seller__isnull=False))
                | (~Q(kind="seller") & Q(seller__isnull=True)),
                name="apiclient_seller_iff_seller_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind="insurer") & ~Q(insurer_email=""))
                | (~Q(kind="insurer") & Q(insurer_email="")),
                name="apiclient_insurer_email_iff_insurer_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.time_zone:
            try:
                zoneinfo.ZoneInfo(self.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise ValidationError({"time_zone": _("Unknown time zone.")}) from exc

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The zone whose offset its answers' dates carry (the one rule: see ``time_zone``)."""
        if self.time_zone:
            return zoneinfo.ZoneInfo(self.time_zone)
        if self.kind == ClientKind.SELLER and self.seller_id:
            return zoneinfo.ZoneInfo(self.seller.region.time_zone)
        return zoneinfo.ZoneInfo("UTC")


class ApiKey(models.Model):
    """A secret shown once: only its prefix (to find it) and its SHA-256 are stored."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    hashed = models.CharField(_("SHA-256 of the key"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The one-time token of the staff form that issued the key: unique, so posting that form
    # again (a reload, a double click, back and resubmit) cannot issue a second key.
    issue_token = models.CharField(
        _("issuing form's token"), max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=1), name="apikey_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client.name} {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first response to a POST under an ``Idempotency-Key``, replayed for 24 hours.

    The unique constraint is what makes concurrent duplicates safe: the second insert waits
    for the first transaction and then fails, and the second request replays the first's
    answer (api/idempotency.py)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("SHA-256 of method, path and body"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status"), default=0)
    body = models.JSONField(_("response body"), null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"
