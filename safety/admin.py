"""The admin inspects safety data and edits the regulators' rules (history kept). Alerts move
only through the staff pages (/staff/safety/), which write their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from claims.admin_scope import SELLER, RegionScopeMixin
from safety.models import IncidentFacts, Recall, RecallMatch, Regulator, SafetyAlert


@admin.register(Regulator)
class RegulatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "report_within", "report_unit", "written_report_days", "active"]
    filter_horizontal = ["regions"]


@admin.register(IncidentFacts)
class IncidentFactsAdmin(RegionScopeMixin, SimpleHistoryAdmin):
    list_display = ["claim", "hazard", "medical_care", "death", "child_hurt", "updated_at"]
    list_filter = ["hazard", "medical_care", "death", "child_hurt"]
    list_select_related = ["claim"]
    readonly_fields = ["claim"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SafetyAlert)
class SafetyAlertAdmin(RegionScopeMixin, admin.ModelAdmin):
    # By the product's seller: every alert has one, while an alert raised by a recall list
    # has no claim (see README, Need-to-know).
    region_scope = ((SELLER, "product__seller"),)

    list_display = [
        "product",
        "regulator",
        "trigger",
        "status",
        "report_due",
        "written_report_due",
        "written_sent_at",
    ]
    list_filter = ["status", "regulator", "trigger"]
    list_select_related = ["product", "regulator"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RecallMatchInline(admin.TabularInline):
    model = RecallMatch
    extra = 0
    can_delete = False
    readonly_fields = ["product", "matched_on", "matched_value", "created_at"]


@admin.register(Recall)
class RecallAdmin(admin.ModelAdmin):
    """For inspection: recall lists arrive by import (/staff/safety/recalls/, import_recalls),
    which validates them and matches them to products; none is typed in here."""

    list_display = ["number", "title", "regulator", "published_on"]
    inlines = [RecallMatchInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
