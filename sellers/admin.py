from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from claims.money import format_minor
from sellers.models import InsuranceCertificate, Seller


class CertificateInline(admin.TabularInline):
    model = InsuranceCertificate
    extra = 0
    fields = ["insurer_name", "policy_number", "insurer_rating", "expiry_date", "status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Seller)
class SellerAdmin(SimpleHistoryAdmin):
    list_display = ["legal_name", "marketplace_id", "region", "status", "gross", "email"]
    list_filter = ["status", "region"]
    list_select_related = ["region"]
    search_fields = ["legal_name", "marketplace_id", "email"]
    inlines = [CertificateInline]

    @admin.display(description=_("gross last month"), ordering="monthly_gross_minor")
    def gross(self, obj: Seller) -> str:
        return obj.monthly_gross_display


@admin.register(InsuranceCertificate)
class InsuranceCertificateAdmin(SimpleHistoryAdmin):
    list_display = [
        "seller",
        "insurer_name",
        "policy_number",
        "insurer_rating",
        "per_occurrence",
        "expiry_date",
        "status",
    ]
    list_filter = ["status", "insurer_rating", "occurrence_based"]
    list_select_related = ["seller"]
    search_fields = [
        "seller__legal_name",
        "seller__marketplace_id",
        "insurer_name",
        "policy_number",
    ]
    autocomplete_fields = ["seller"]
    date_hierarchy = "expiry_date"

    @admin.display(description=_("per occurrence"), ordering="per_occurrence_minor")
    def per_occurrence(self, obj: InsuranceCertificate) -> str:
        return format_minor(obj.per_occurrence_minor, obj.currency)
