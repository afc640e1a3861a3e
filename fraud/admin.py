from django.contrib import admin

from fraud.models import FraudReview


@admin.register(FraudReview)
class FraudReviewAdmin(admin.ModelAdmin):
    list_display = ["claim", "decision", "label", "analyst", "created_at"]
    list_filter = ["decision", "label"]
    list_select_related = ["claim", "analyst"]
    search_fields = ["claim__reference", "note"]
    date_hierarchy = "created_at"
    readonly_fields = ["claim", "analyst", "decision", "label", "note", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # decisions go through fraud.services, which also moves the claim

    def has_change_permission(self, request, obj=None) -> bool:
        return False
