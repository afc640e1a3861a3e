"""The events' payloads, for the published schema: one envelope per family of event types
(``type`` tells which), each with its ``data``. The events endpoint returns them; webhook
bodies carry the same ``type``, ``timestamp`` and ``data`` (Standard Webhooks). Their dates
are in UTC whatever the reader's zone: a payload is stored once and signed."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from claims.lifecycle import PartyStatus
from webhooks.models import (
    CLAIM_EVENT_TYPES,
    RECOVERY_EVENT_TYPES,
    EventType,
)


class ClaimMoveData(serializers.Serializer):
    claim = serializers.CharField(help_text="The claim's reference.")
    status = serializers.ChoiceField(
        choices=PartyStatus.choices, help_text="The status the claim moved to."
    )
    from_status = serializers.ChoiceField(
        choices=PartyStatus.choices, allow_blank=True, help_text="Empty for a new claim."
    )
    region = serializers.CharField()
    currency = serializers.CharField()
    claimed_total_minor = serializers.IntegerField()
    approved_total_minor = serializers.IntegerField(allow_null=True)
    funding = serializers.CharField(help_text="Who pays (claim.decided): empty until decided.")
    respond_by = serializers.DateTimeField(allow_null=True, help_text="The seller's deadline.")
    occurred_at = serializers.DateTimeField()


class ReminderData(serializers.Serializer):
    claim = serializers.CharField()
    status = serializers.ChoiceField(choices=PartyStatus.choices)
    region = serializers.CharField()
    respond_by = serializers.DateTimeField(help_text="The deadline the reminder is about.")
    hours_before = serializers.IntegerField(help_text="The region's reminder offset it met.")
    occurred_at = serializers.DateTimeField()


class RecoveryData(serializers.Serializer):
    recovery = serializers.IntegerField()
    claim = serializers.CharField()
    seller_id = serializers.CharField()
    reason = serializers.CharField(help_text="step_in or no_insurance")
    status = serializers.CharField(help_text="open, appealed, settled, waived or cancelled")
    currency = serializers.CharField()
    amount_minor = serializers.IntegerField(help_text="What is owed, after this step.")
    withheld_minor = serializers.IntegerField()
    outstanding_minor = serializers.IntegerField()
    appeal_due = serializers.DateTimeField(
        allow_null=True, help_text="Appeal by (empty until a decision fixes the amount)."
    )
    occurred_at = serializers.DateTimeField()
    previous_amount_minor = serializers.IntegerField(
        required=False, allow_null=True, help_text="recovery.amount_fixed"
    )
    withheld_now_minor = serializers.IntegerField(required=False, help_text="recovery.withheld")
    disbursement_reference = serializers.CharField(required=False, help_text="recovery.withheld")
    outcome = serializers.ChoiceField(
        choices=["upheld", "rejected"],
        required=False,
        help_text="recovery.appeal_decided: upheld waives the recovery; rejected re-opens it.",
    )
    decision_note = serializers.CharField(required=False, help_text="recovery.appeal_decided")


class AlertOut(serializers.Serializer):
    alert = serializers.IntegerField()
    regulator = serializers.CharField(help_text="cpsc, health_canada, eu, uk…")
    trigger = serializers.CharField(help_text="incident, cluster or recall")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Rules that fired.")
    recall = serializers.CharField(allow_null=True, help_text="The recall number, if any.")
    raised_at = serializers.DateTimeField()


class ProductFields(serializers.Serializer):
    product_id = serializers.CharField(help_text="The marketplace's product (listing) id.")
    title = serializers.CharField()
    gtin = serializers.CharField(allow_blank=True)
    model_number = serializers.CharField(allow_blank=True)
    seller_id = serializers.CharField(help_text="The marketplace's seller id.")


class SafetyAlertData(ProductFields, AlertOut):
    occurred_at = serializers.DateTimeField()


class RecallOut(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class SuspendData(ProductFields):
    alerts = AlertOut(many=True, help_text="The open serious alerts on the product.")
    recalls = RecallOut(many=True, help_text="The recalls that matched the product.")
    occurred_at = serializers.DateTimeField()


def _envelope(name: str, types: list[str], data: serializers.Serializer, doc: str):
    fields = {
        "id": serializers.CharField(help_text="evt_…: pass as ?after= to read on."),
        "type": serializers.ChoiceField(choices=[str(t) for t in types]),
        "timestamp": serializers.DateTimeField(help_text="When it happened, in UTC."),
        "data": data,
        "__doc__": doc,
    }
    return type(name, (serializers.Serializer,), fields)


ClaimMoveEvent = _envelope(
    "ClaimMoveEvent",
    CLAIM_EVENT_TYPES,
    ClaimMoveData(),
    "A claim's move: to its seller (once sent to it) and the insurer it was handed to; "
    "claim.submitted to the order system.",
)
ReminderEvent = _envelope(
    "SellerReminderEvent",
    [EventType.SELLER_REMINDER_DUE],
    ReminderData(),
    "The seller's response deadline is near (at each of the region's reminder offsets): to "
    "the claim's seller and the insurer it was handed to.",
)
RecoveryEvent = _envelope(
    "RecoveryEvent",
    RECOVERY_EVENT_TYPES,
    RecoveryData(),
    "A step of what the seller owes the marketplace: to that seller only.",
)
SafetyAlertEvent = _envelope(
    "SafetyAlertEvent",
    [EventType.SAFETY_ALERT_RAISED],
    SafetyAlertData(),
    "A product safety alert raised: to the order system and the product's seller.",
)
SuspendEvent = _envelope(
    "ProductSuspendEvent",
    [EventType.PRODUCT_SUSPEND],
    SuspendData(),
    "Suspend the product's listings: a serious alert was raised (a reportable incident) or a "
    "recall matched it; lists every reason it stands on. To the order system and the "
    "product's seller; may come once per reason (suspending twice is harmless).",
)


def event_list(**kwargs) -> PolymorphicProxySerializer:
    """Events of every type, told apart by ``type`` (a discriminated ``oneOf``)."""
    return PolymorphicProxySerializer(
        component_name="Event",
        resource_type_field_name="type",
        serializers={
            **dict.fromkeys(map(str, CLAIM_EVENT_TYPES), ClaimMoveEvent),
            EventType.SELLER_REMINDER_DUE.value: ReminderEvent,
            **dict.fromkeys(map(str, RECOVERY_EVENT_TYPES), RecoveryEvent),
            EventType.SAFETY_ALERT_RAISED.value: SafetyAlertEvent,
            EventType.PRODUCT_SUSPEND.value: SuspendEvent,
        },
        many=True,
        **kwargs,
    )
