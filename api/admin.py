"""Inspection only: clients and keys are managed on /staff/api-clients/."""

from django.contrib import admin

from api.models import ApiClient, ApiKey


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "seller", "insurer_email", "contact_email", "created_at"]
    list_select_related = ["seller"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(ApiClientAdmin):
    list_display = ["prefix", "client", "scopes", "rate_per_minute", "last_used_at", "revoked_at"]
    list_select_related = ["client"]
    exclude = ["hashed"]
