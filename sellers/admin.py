from django.contrib import admin
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from claims.admin_scope import SELLER, RegionScopeMixin
from claims.money import format_minor
from claims_site.admin_widgets import TolerantAutocompleteMixin
from sellers.exports import HEADER, csv_lines, csv_safe
from sellers.models import (
    CertificateVerification,
    InsuranceCertificate,
    ProducerDeclaration,
    Recovery,
    RecoveryStatus,
    Seller,
    SellerMonthlyGross,
    SellerResponse,
    Withholding,
)
from sellers.selectors import seller_standing


class CertificateInline(admin.TabularInline):
    model = InsuranceCertificate
    extra = 0
    fields = ["insurer_name", "policy_number", "insurer_rating", "expiry_date", "status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class InspectionInline(admin.TabularInline):
    """Rows another process writes (an import, a staff page): shown, never edited here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ProducerInline(admin.TabularInline):
    """What an EU reseller declared: the producer and the producer's insurer, per product or for
    every product (staff record it from the seller's declaration; every change is kept)."""

    model = ProducerDeclaration
    extra = 0
    fields = [
        "product",
        "producer_name",
        "producer_country",
        "insurer_name",
        "insurer_email",
        "insurer_policy_number",
    ]
    raw_id_fields = ["product"]


class MonthlyGrossInline(InspectionInline):
    """The imported monthly gross proceeds (``import_orders --gross``)."""

    model = SellerMonthlyGross
    fields = ["month", "gross", "imported_at"]
    ordering = ["-month"]

    @admin.display(description=_("gross proceeds"))
    def gross(self, obj: SellerMonthlyGross) -> str:
        return obj.gross_display


@admin.register(Seller)
class SellerAdmin(RegionScopeMixin, SimpleHistoryAdmin):
    region_scope = ((SELLER, ""),)
    list_display = ["legal_name", "marketplace_id", "region", "status", "email"]
    list_filter = ["status", "region"]
    list_select_related = ["region"]
    search_fields = ["legal_name", "marketplace_id", "email"]
    # Monthly gross proceeds arrive with the import; the insurance requirement is computed
    # from them and cannot be typed here.
    readonly_fields = ["insurance_required_since", "standing"]
    inlines = [MonthlyGrossInline, CertificateInline, ProducerInline]

    @admin.display(description=_("insurance required from"))
    def insurance_required_since(self, obj: Seller) -> str:
        since = obj.insurance_required_since if obj.pk else None
        return (
            since.isoformat() if since else _("not required (no imported month over the threshold)")
        )

    @admin.display(description=_("standing"))
    def standing(self, obj: Seller) -> str:
        return seller_standing(seller=obj).summary() if obj.pk else "—"


class VerificationInline(InspectionInline):
    """Every staff verification of the certificate (the staff verification page writes them)."""

    model = CertificateVerification
    fields = ["created_at", "actor", "outcome", "changes", "failures", "reason"]


@admin.register(InsuranceCertificate)
class InsuranceCertificateAdmin(RegionScopeMixin, TolerantAutocompleteMixin, SimpleHistoryAdmin):
    """Inspection only: sellers upload certificates, staff verify them in the staff queue."""

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
    region_scope = ((SELLER, "seller"),)
    search_fields = [
        "seller__legal_name",
        "seller__marketplace_id",
        "insurer_name",
        "policy_number",
    ]
    date_hierarchy = "expiry_date"
    # The file field's own widget links to MEDIA_URL, which nothing serves (uploads are
    # private): the document is a download for staff, and verified on the staff pages.
    exclude = ["document"]
    readonly_fields = [
        f.name for f in InsuranceCertificate._meta.fields if f.name != "document"
    ] + ["document_link", "verify_link"]
    inlines = [VerificationInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("certificate document"))
    def document_link(self, obj: InsuranceCertificate) -> str:
        if not obj.pk or not obj.document:
            return "—"
        url = reverse("sellers:certificate-document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    @admin.display(description=_("per occurrence"), ordering="per_occurrence_minor")
    def per_occurrence(self, obj: InsuranceCertificate) -> str:
        return format_minor(obj.per_occurrence_minor, obj.currency)

    @admin.display(description=_("verification"))
    def verify_link(self, obj: InsuranceCertificate) -> str:
        url = reverse("backoffice:certificate", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open on the verification page"))


# --- issue 4: responses and recoveries, inlined on the claim and listed on their own ------


class SellerResponseInline(admin.TabularInline):
    """Every version of the seller's (or insurer's) answer, newest first. Append-only."""

    model = SellerResponse
    extra = 0
    fields = ["version", "party", "decision", "reasons", "insurer_name", "created_at"]
    readonly_fields = fields
    ordering = ["-version"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RecoveryInline(admin.TabularInline):
    model = Recovery
    extra = 0
    fields = ["reason", "amount", "withheld", "status", "appeal_due", "link"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("amount"))
    def amount(self, obj: Recovery) -> str:
        return obj.amount_display

    @admin.display(description=_("withheld"))
    def withheld(self, obj: Recovery) -> str:
        return obj.withheld_display

    @admin.display(description=_("recovery"))
    def link(self, obj: Recovery) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:sellers_recovery_change", args=[obj.pk]), obj.pk
        )


class WithholdingInline(admin.TabularInline):
    model = Withholding
    extra = 0
    fields = ["disbursement_reference", "currency", "amount_minor", "recorded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Recovery)
class RecoveryAdmin(RegionScopeMixin, admin.ModelAdmin):
    list_display = [
        "claim",
        "seller",
        "reason",
        "amount",
        "outstanding",
        "status",
        "opened_at",
        "appeal_due",
    ]
    list_filter = ["status", "reason", "currency"]
    list_select_related = ["claim", "seller"]
    search_fields = ["claim__reference", "seller__legal_name", "seller__marketplace_id"]
    readonly_fields = [f.name for f in Recovery._meta.fields] + ["decide_link"]
    inlines = [WithholdingInline]
    actions = ["export_withholdings"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False  # recoveries are opened by the escalation policy

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_export_withholdings_permission(self, request) -> bool:
        return request.user.has_perm("sellers.export_withholdings")

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, obj: Recovery) -> str:
        return obj.amount_display

    @admin.display(description=_("outstanding"))
    def outstanding(self, obj: Recovery) -> str:
        return obj.outstanding_display

    @admin.display(description=_("appeal"))
    def decide_link(self, obj: Recovery) -> str:
        if obj.status != RecoveryStatus.APPEALED:
            return "—"
        url = reverse("backoffice:recovery", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Decide the appeal in the staff pages"))

    @admin.action(
        description=_("Export what to withhold (CSV)"), permissions=["export_withholdings"]
    )
    def export_withholdings(self, request, queryset):
        """The selected recoveries that still have something to withhold, as CSV."""
        from sellers.selectors import withholdings_due

        due = withholdings_due().filter(pk__in=queryset.values("pk"))

        def rows():
            yield HEADER
            for r in due.iterator(chunk_size=500):
                yield [
                    r.pk,
                    r.seller.marketplace_id,
                    r.seller.legal_name,
                    r.claim.reference,
                    r.reason,
                    r.currency,
                    r.outstanding_minor,
                    csv_safe(format_minor(r.outstanding_minor, r.currency)),
                ]

        response = StreamingHttpResponse(csv_lines(rows()), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="withholdings.csv"'
        return response


# --- the claim's admin page: the seller's side (overruling and links are on /staff/) ------


def claim_seller_standing(claim) -> str:
    return seller_standing(seller=claim.seller).summary() if claim.pk else "—"
