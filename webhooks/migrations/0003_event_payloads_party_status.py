"""Stored claim events name the party-facing status (``claims.lifecycle.PARTY_STATUS``), never an
internal state such as ``fraud_hold``: the events endpoint and every retry or replay of a
delivery send the stored payload, so the ones recorded before are rewritten once. A value that
is already party-facing stays as it is (running this twice changes nothing)."""

from django.db import migrations

# A frozen copy of claims.lifecycle.PARTY_STATUS as it was when this migration was written.
PARTY_STATUS = {
    "submitted": "received",
    "screening": "being_checked",
    "fraud_hold": "being_checked",
    "awaiting_seller": "with_seller",
    "seller_responded": "with_seller",
    "escalated": "being_decided",
    "under_review": "being_decided",
    "needs_info": "waiting_for_customer",
    "approved": "approved",
    "denied": "not_approved",
    "appealed": "appeal_being_decided",
    "payout_pending": "payment_on_its_way",
    "paid": "paid",
    "withdrawn": "withdrawn",
    "closed": "closed",
}
CLAIM_TYPES = [
    "claim.submitted",
    "claim.awaiting_seller",
    "claim.escalated",
    "claim.decided",
    "claim.paid",
    "payout.returned",
    "claim.seller_reminder_due",
]


def forwards(apps, schema_editor):
    ApiEvent = apps.get_model("webhooks", "ApiEvent")
    changed = []
    for event in ApiEvent.objects.filter(type__in=CLAIM_TYPES).only("pk", "data").iterator():
        data = dict(event.data or {})
        for key in ("status", "from_status"):
            if data.get(key) in PARTY_STATUS:
                data[key] = PARTY_STATUS[data[key]]
        if data != event.data:
            event.data = data
            changed.append(event)
        if len(changed) >= 1000:
            ApiEvent.objects.bulk_update(changed, ["data"])
            changed = []
    if changed:
        ApiEvent.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0002_more_event_types")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
