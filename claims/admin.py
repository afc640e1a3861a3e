from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, IntegerField, OuterRef
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from claims.admin_scope import CLAIM, RegionScopeMixin
from claims.evidence import MEDICAL_KINDS, Looker, Viewer, evidence_with_access
from claims.models import (
    AccessLink,
    Claim,
    ClaimEvent,
    ClaimSequence,
    EventKind,
    Evidence,
    Holiday,
    LossItem,
    Outbox,
    Region,
    StaffProfile,
)
from claims.money import format_minor
from claims_site.admin_widgets import TolerantAutocompleteMixin
from sellers.admin import RecoveryInline, SellerResponseInline, claim_seller_standing


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0
    ordering = ["-date"]


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "currency",
        "union",
        "language",
        "threshold",
        "seller_response_business_days",
        "time_zone",
        "active",
    ]
    list_filter = ["active", "currency", "union"]
    search_fields = ["code", "name"]
    inlines = [HolidayInline]

    @admin.display(description=_("threshold"))
    def threshold(self, obj: Region) -> str:
        return obj.threshold_display


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "name", "region", "subdivision"]
    list_filter = ["region", "subdivision"]
    list_select_related = ["region"]
    date_hierarchy = "date"
    search_fields = ["name"]


class LossItemInline(admin.TabularInline):
    """Read-only: approved amounts change only through the decision services."""

    model = LossItem
    extra = 0
    fields = ["kind", "description", "claimed", "approved"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("claimed"))
    def claimed(self, obj: LossItem) -> str:
        return format_minor(obj.claimed_minor, obj.currency)

    @admin.display(description=_("approved"))
    def approved(self, obj: LossItem) -> str:
        return format_minor(obj.approved_minor, obj.currency)


def evidence_for(request, queryset):
    """``queryset`` with ``may_open`` on each file, by the evidence rule the staff pages use
    (``evidence_with_access``): the admin names and links a file only for those who may open
    it (a medical bill needs ``claims.view_medical_evidence``)."""
    return evidence_with_access(queryset, looker=Looker(viewer=Viewer.STAFF, user=request.user))


def events_for(request, queryset):
    """Timeline events with ``file_hidden``: an event that added a file the viewer may not open
    (``evidence_for``), whose text, the file's name, is then not shown (``event_text``)."""
    hidden = evidence_for(
        request,
        Evidence.objects.filter(
            pk=Cast(KeyTextTransform("evidence_id", OuterRef("data")), IntegerField())
        ),
    ).filter(may_open=False)
    return queryset.annotate(file_hidden=Exists(hidden))


def event_text(obj: ClaimEvent) -> str:
    if getattr(obj, "file_hidden", True) and obj.kind == EventKind.EVIDENCE:
        return gettext("A file you may not open; its name is not shown.")
    return obj.reason


def _with_names(request, fields: list[str], name_field: str) -> list[str]:
    """Search by a file's name only for those who may see every name: a match would tell the
    others a name they may not read."""
    if request.user.has_perm("claims.view_medical_evidence"):
        return [*fields, name_field]
    return fields


def evidence_name(obj: Evidence) -> str:
    if getattr(obj, "may_open", False):
        return obj.original_name
    return gettext("%(kind)s (restricted)") % {"kind": obj.get_kind_display()}


def evidence_link(obj: Evidence) -> str:
    """Evidence opens through the permission-checked view: the file itself has no public URL
    (the admin's own file widget would link to MEDIA_URL, which nothing serves). A file the
    viewer may not open has neither link nor name (``evidence_for``)."""
    if not getattr(obj, "may_open", False):
        if obj.kind in MEDICAL_KINDS:
            return gettext(
                "Health data: opening it, or seeing its name, needs the medical-records "
                "permission. Ask a supervisor."
            )
        return gettext("You may not open this file.")
    url = reverse("claims:evidence-download", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj.original_name)


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = [
        "kind",
        "download",
        "content_type",
        "size",
        "sha256",
        "uploaded_by_party",
        "created_at",
    ]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return evidence_for(request, super().get_queryset(request))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("file"))
    def download(self, obj: Evidence) -> str:
        return evidence_link(obj)


class ClaimEventInline(admin.TabularInline):
    """The business timeline, read-only: events are append-only."""

    model = ClaimEvent
    extra = 0
    fields = [
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor_party",
        "actor_label",
        "text",
    ]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    can_delete = False

    def get_queryset(self, request):
        return events_for(request, super().get_queryset(request))

    @admin.display(description=_("reason"))
    def text(self, obj: ClaimEvent) -> str:
        return event_text(obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(RegionScopeMixin, TolerantAutocompleteMixin, SimpleHistoryAdmin):
    region_scope = ((CLAIM, ""),)
    list_display = [
        "reference",
        "status",
        "region",
        "customer_name",
        "seller",
        "claimed",
        "funding",
        "assignee",
        "seller_respond_by",
        "submitted_at",
    ]
    list_filter = ["status", "region", "funding", "incident_kind"]
    list_select_related = ["region", "customer", "seller", "assignee"]
    search_fields = [
        "reference",
        "customer__email",
        "customer__name",
        "seller__legal_name",
        "seller__marketplace_id",
        "order_line__order__number",
    ]
    search_help_text = _("Reference, customer name or e-mail, seller, order number")
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    readonly_fields = [
        "reference",
        "status",
        "status_changed_at",
        "region",
        "customer",
        "order_line",
        "seller",
        "currency",
        "claimed",
        "approved",
        "funding",
        "submitted_at",
        "seller_respond_by",
        "customer_info_due",
        "decision_due",
        "assignee",
        "staff_page",
        "seller_standing",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["reference", "status", "staff_page", "status_changed_at", "assignee"]},
        ),
        (
            _("Parties"),
            {"fields": ["region", "customer", "order_line", "seller", "seller_standing"]},
        ),
        (
            _("Incident"),
            {"fields": ["incident_date", "incident_kind", "description", "people_injured"]},
        ),
        (
            _("Money"),
            {"fields": ["currency", "claimed", "approved", "funding"]},
        ),
        (
            _("Deadlines"),
            {"fields": ["submitted_at", "seller_respond_by", "customer_info_due", "decision_due"]},
        ),
    ]
    inlines = [
        LossItemInline,
        EvidenceInline,
        SellerResponseInline,
        RecoveryInline,
        ClaimEventInline,
    ]

    def has_add_permission(self, request) -> bool:
        return False  # claims are filed by customers through the claim_create service

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a claim is closed or withdrawn, never deleted

    @admin.display(description=_("customer"), ordering="customer__name")
    def customer_name(self, obj: Claim) -> str:
        return obj.customer.name

    @admin.display(description=_("claimed"), ordering="claimed_total_minor")
    def claimed(self, obj: Claim) -> str:
        return format_minor(obj.claimed_total_minor, obj.currency)

    @admin.display(description=_("approved"), ordering="approved_total_minor")
    def approved(self, obj: Claim) -> str:
        return format_minor(obj.approved_total_minor, obj.currency)

    @admin.display(description=_("staff page"))
    def staff_page(self, obj: Claim) -> str:
        # The claim's work (decisions, messages, assignment, the seller) is done on /staff/.
        if not obj.pk:
            return "—"
        url = reverse("backoffice:claim", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Work on this claim in the staff pages"))

    @admin.display(description=_("seller standing"))
    def seller_standing(self, obj: Claim) -> str:
        return claim_seller_standing(obj)


@admin.register(ClaimEvent)
class ClaimEventAdmin(RegionScopeMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "claim",
        "kind",
        "from_status",
        "to_status",
        "actor_party",
        "actor_label",
    ]
    list_filter = ["kind", "to_status", "actor_party"]
    list_select_related = ["claim"]
    search_fields = ["claim__reference", "actor_label"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    exclude = ["reason"]  # through ``text``: an evidence event's text is the file's name
    readonly_fields = ["text"]

    def get_queryset(self, request):
        return events_for(request, super().get_queryset(request))

    def get_search_fields(self, request):
        return _with_names(request, self.search_fields, "reason")

    @admin.display(description=_("reason"))
    def text(self, obj: ClaimEvent) -> str:
        return event_text(obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(RegionScopeMixin, admin.ModelAdmin):
    list_display = [
        "claim",
        "kind",
        "name",
        "content_type",
        "size",
        "uploaded_by_party",
        "created_at",
    ]
    list_filter = ["kind", "content_type", "uploaded_by_party"]
    list_select_related = ["claim"]
    search_fields = ["claim__reference", "sha256"]
    # The file's name only through ``name``, which hides it from those who may not open it.
    readonly_fields = [
        f.name for f in Evidence._meta.fields if f.name not in ("file", "original_name")
    ] + ["name", "download"]
    exclude = ["file", "original_name"]

    def get_queryset(self, request):
        return evidence_for(request, super().get_queryset(request))

    def get_search_fields(self, request):
        return _with_names(request, self.search_fields, "original_name")

    @admin.display(description=_("original file name"))
    def name(self, obj: Evidence) -> str:
        return evidence_name(obj)

    @admin.display(description=_("file"))
    def download(self, obj: Evidence) -> str:
        return evidence_link(obj)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LossItem)
class LossItemAdmin(RegionScopeMixin, admin.ModelAdmin):
    list_display = ["claim", "kind", "claimed", "approved"]
    list_filter = ["kind", "currency"]
    list_select_related = ["claim"]
    search_fields = ["claim__reference"]
    readonly_fields = ["claim", "kind", "description", "claimed", "approved"]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # amounts change only through claim_approve

    @admin.display(description=_("claimed"))
    def claimed(self, obj: LossItem) -> str:
        return format_minor(obj.claimed_minor, obj.currency)

    @admin.display(description=_("approved"))
    def approved(self, obj: LossItem) -> str:
        return format_minor(obj.approved_minor, obj.currency)


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "created_at", "attempts", "done_at", "last_error"]
    list_filter = ["topic", ("done_at", admin.EmptyFieldListFilter)]
    readonly_fields = [
        "topic",
        "payload",
        "dedupe_key",
        "created_at",
        "locked_until",
        "attempts",
        "last_error",
        "done_at",
    ]
    actions = ["retry"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Retry selected messages now"), permissions=["change"])
    def retry(self, request, queryset):
        from claims.outbox import dispatch

        pending = list(queryset.filter(done_at__isnull=True).values_list("pk", flat=True))
        queryset.filter(pk__in=pending).update(attempts=0, locked_until=None)
        sent = sum(dispatch(message_id=pk) for pk in pending)
        self.message_user(request, _("%(n)d message(s) sent to the workers.") % {"n": sent})


@admin.register(StaffProfile)
class StaffProfileAdmin(TolerantAutocompleteMixin, admin.ModelAdmin):
    list_display = ["user", "time_zone", "away", "max_open_claims", "region_codes"]
    list_filter = ["away", "regions"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description=_("regions"))
    def region_codes(self, obj: StaffProfile) -> str:
        return ", ".join(r.code for r in obj.regions.all()) or _("none: sees no claims")

    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    search_fields = ["user__username", "user__email"]


@admin.register(AccessLink)
class AccessLinkAdmin(admin.ModelAdmin):
    list_display = [
        "purpose",
        "email",
        "claim",
        "expires_at",
        "used_at",
        "revoked_at",
        "created_at",
    ]
    list_filter = ["purpose", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["claim"]
    search_fields = ["email", "claim__reference"]
    readonly_fields = [
        "purpose",
        "email",
        "claim",
        "customer",
        "seller",
        "single_use",
        "expires_at",
        "used_at",
        "last_seen_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "created_by",
        "created_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # links are issued by the workflows that e-mail them

    @admin.action(description=_("Revoke selected links"), permissions=["change"])
    def revoke(self, request, queryset):
        from claims.links import link_revoke

        for link in queryset:
            link_revoke(link=link, revoked_by=request.user, reason="Revoked in the admin")
        self.message_user(request, _("Links revoked."), messages.SUCCESS)


@admin.register(ClaimSequence)
class ClaimSequenceAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "last_number"]
    list_select_related = ["region"]
    readonly_fields = ["region", "year", "last_number"]

    def has_add_permission(self, request) -> bool:
        return False
