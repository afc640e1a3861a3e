from django.contrib import admin

from privacy.models import PrivacyRequest


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    """The record of privacy requests: for inspection only (written by ``privacy.services``)."""

    list_display = ["created_at", "kind", "customer", "requested_by_party", "requested_by"]
    list_filter = ["kind", "requested_by_party"]
    search_fields = ["customer__email", "customer__marketplace_id"]
    list_select_related = ["customer", "requested_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
