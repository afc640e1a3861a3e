from django.contrib import admin

from claims.admin_scope import CUSTOMER, RegionScopeMixin
from privacy.models import LegalHold, PrivacyRequest, RetentionPolicy


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(RegionScopeMixin, admin.ModelAdmin):
    """The record of privacy requests: for inspection only (written by ``privacy.services``)."""

    region_scope = ((CUSTOMER, "customer"),)

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


@admin.register(LegalHold)
class LegalHoldAdmin(RegionScopeMixin, admin.ModelAdmin):
    """For inspection: holds are placed and released on /staff/privacy/ (``privacy.services``)."""

    list_display = ["claim", "reason", "placed_by", "placed_at", "released_at"]
    list_filter = ["released_at"]
    search_fields = ["claim__reference"]
    list_select_related = ["claim", "placed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """Policy numbers as data: how long each region keeps personal data (supervisors edit)."""

    list_display = ["region", "keep_days", "basis"]
    list_select_related = ["region"]
