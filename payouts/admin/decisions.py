"""Approval policy (edited here, with history), and approval requests and QA samples for
inspection: deciding, signing and reviewing are the staff app's Decisions area (/staff/)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from claims.admin_scope import RegionScopeMixin
from claims.money import format_minor
from payouts import selectors
from payouts.admin.common import ReadOnly
from payouts.models import (
    ApprovalPolicy,
    ApprovalRequest,
    AuthorityLimit,
    QASample,
    RequestStatus,
)

# --- policy ------------------------------------------------------------------------------------


class AuthorityLimitInline(admin.TabularInline):
    model = AuthorityLimit
    extra = 0


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(SimpleHistoryAdmin):
    list_display = [
        "region",
        "four_eyes_above",
        "auto_approve_enabled",
        "qa_sample_percent",
    ]
    inlines = [AuthorityLimitInline]
    readonly_fields = ["region", "currency"]

    def has_add_permission(self, request) -> bool:
        return False  # one per region, created with the region

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("second approver above"))
    def four_eyes_above(self, obj: ApprovalPolicy) -> str:
        return format_minor(obj.four_eyes_above_minor, obj.currency)


# --- approval requests and QA samples: inspection; deciding is on /staff/decisions/ ---------


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(RegionScopeMixin, ReadOnly, admin.ModelAdmin):
    list_display = ["claim", "total", "funding", "requested_by", "status", "created_at", "review"]
    list_filter = ["status"]
    list_select_related = ["claim", "requested_by"]
    readonly_fields = [f.name for f in ApprovalRequest._meta.fields]

    @admin.display(description=_("total"))
    def total(self, obj: ApprovalRequest) -> str:
        return obj.total_display

    @admin.display(description=_("review"))
    def review(self, obj: ApprovalRequest) -> str:
        if obj.status != RequestStatus.PENDING:
            return "—"
        url = reverse("backoffice:decision-approval", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Sign or reject in the staff pages"))


# --- QA of automatic approvals -----------------------------------------------------------------


@admin.register(QASample)
class QASampleAdmin(RegionScopeMixin, ReadOnly, admin.ModelAdmin):
    list_display = ["claim", "sampled_at", "verdict", "reason", "reviewed_by", "review"]
    list_filter = ["verdict", "reason"]
    list_select_related = ["claim", "reviewed_by"]
    change_list_template = "admin/payouts/qasample/change_list.html"

    @admin.display(description=_("review"))
    def review(self, obj: QASample) -> str:
        if obj.verdict:
            return "—"
        url = reverse("backoffice:qa-sample", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Review in the staff pages"))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request,
            {
                **(extra_context or {}),
                # the figures of the samples the reader sees, as on the staff pages
                "report": selectors.qa_report(
                    samples=self.scope_rows(request.user, QASample.objects.all())
                ),
            },
        )
