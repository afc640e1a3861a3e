"""Inspection of events and deliveries; staff replay a delivery (same webhook-id)."""

from django.contrib import admin, messages

from webhooks.models import ApiEvent, Attempt, Delivery, Endpoint
from webhooks.services import delivery_replay, endpoint_enable


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Endpoint)
class EndpointAdmin(ReadOnly):
    list_display = ["url", "client", "event_types", "failing_since", "disabled_at"]
    list_select_related = ["client"]
    actions = ["enable"]

    @admin.action(description="Enable the selected endpoints again", permissions=["replay"])
    def enable(self, request, queryset):
        for endpoint in queryset:
            endpoint_enable(endpoint=endpoint)
        self.message_user(request, f"{queryset.count()} endpoint(s) enabled.", messages.SUCCESS)

    def has_replay_permission(self, request):
        return request.user.has_perm("webhooks.replay_delivery")


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ["attempted_at", "status_code", "response_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = [
        "__str__",
        "endpoint",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_response_ms",
    ]
    list_filter = ["status"]
    list_select_related = ["endpoint", "event"]
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.action(
        description="Replay the selected deliveries (same webhook-id)", permissions=["replay"]
    )
    def replay(self, request, queryset):
        done = sum(delivery_replay(delivery_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{done} delivery(ies) queued again.", messages.SUCCESS)

    def has_replay_permission(self, request):
        return request.user.has_perm("webhooks.replay_delivery")


@admin.register(ApiEvent)
class ApiEventAdmin(ReadOnly):
    list_display = ["__str__", "client", "type", "created_at"]
    list_filter = ["type"]
    list_select_related = ["client"]
