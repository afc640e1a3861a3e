"""The admin inspects fraud data; analysts work in /fraud/. Only the scoring thresholds are
edited here (by supervisors, with history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from claims.admin_scope import CLAIM, RegionScopeMixin
from fraud.models import (
    Assessment,
    FraudReview,
    Referral,
    Rule,
    RuleHit,
    RuleVersion,
    ScoringPolicy,
    WatchlistEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FraudReview)
class FraudReviewAdmin(RegionScopeMixin, ReadOnlyAdmin):
    list_display = ["claim", "decision", "label", "analyst", "created_at"]
    list_filter = ["decision", "label"]
    list_select_related = ["claim", "analyst"]
    search_fields = ["claim__reference", "note"]
    date_hierarchy = "created_at"


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "review_threshold", "high_threshold"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not ScoringPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RuleVersionInline(admin.TabularInline):
    model = RuleVersion
    extra = 0
    can_delete = False
    readonly_fields = [
        "version",
        "weight",
        "params",
        "enabled",
        "changed_by",
        "reason",
        "created_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ["code", "weight", "enabled", "version", "updated_at"]
    inlines = [RuleVersionInline]


class RuleHitInline(admin.TabularInline):
    model = RuleHit
    extra = 0
    can_delete = False
    fields = ["rule", "rule_version", "points", "explanation", "inputs"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(RegionScopeMixin, ReadOnlyAdmin):
    list_display = ["claim", "score", "level", "trigger", "created_at"]
    list_filter = ["level", "trigger"]
    list_select_related = ["claim"]
    search_fields = ["claim__reference"]
    inlines = [RuleHitInline]


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(RegionScopeMixin, ReadOnlyAdmin):
    # An entry taken from a claim is that claim's region's; one typed in names none: listed.
    region_scope = ((CLAIM, "source_claim"),)
    list_display = ["kind", "value", "reason", "added_by", "expires_at"]
    list_filter = ["kind"]
    list_select_related = ["added_by"]
    search_fields = ["value"]


@admin.register(Referral)
class ReferralAdmin(RegionScopeMixin, ReadOnlyAdmin):
    list_display = ["claim", "adjuster_email", "due_at", "reported_at", "recommendation"]
    list_select_related = ["claim"]
    search_fields = ["claim__reference", "adjuster_email"]
