"""Approval policy, the decision desk, second approvals and QA of automatic approvals."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from claims.actors import Actor
from claims.exceptions import ClaimError
from claims.models import Claim, ClaimStatus, DenialReason, Funding
from claims.money import MoneyError, format_minor, to_minor
from claims.scope import claims_visible_to
from payouts import selectors
from payouts.admin.common import ReadOnly, _form_page
from payouts.models import (
    ApprovalPolicy,
    ApprovalRequest,
    AuthorityLimit,
    ClaimToDecide,
    QAReason,
    QASample,
    QAVerdict,
    RequestStatus,
)
from payouts.services import (
    approval_reject,
    approval_second,
    decision_approve,
    decision_deny,
    qa_review_record,
)
from payouts.services.funding import funding_for

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


# --- the decision desk -------------------------------------------------------------------------


class DecisionForm(forms.Form):
    # Funding follows the policy (payouts.services.funding); a supervisor may override it.
    funding = forms.ChoiceField(
        label=_("Fund otherwise than the policy says (supervisors, with a reason)"),
        choices=[("", _("No: as the policy says")), *[c for c in Funding.choices if c[0]]],
        required=False,
    )
    funding_reason = forms.CharField(
        label=_("Why it is funded otherwise"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason_code = forms.ChoiceField(
        label=_("Denial reason"), choices=[("", "—"), *DenialReason.choices], required=False
    )
    explanation = forms.CharField(
        label=_("Explanation for the customer (denials)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, claim: Claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim
        self.items = list(claim.losses.all())
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=_("%(kind)s (claimed %(amount)s)")
                % {
                    "kind": item.get_kind_display(),
                    "amount": format_minor(item.claimed_minor, item.currency),
                },
                initial=format_minor(item.claimed_minor, item.currency).lstrip("$€£CA"),
                required=False,
            )
            self.fields[f"why_{item.pk}"] = forms.CharField(
                label=_("%(kind)s: why less than claimed (the customer reads it)")
                % {"kind": item.get_kind_display()},
                required=False,
            )

    def approved(self) -> dict[int, int]:
        amounts = {}
        for item in self.items:
            text = self.cleaned_data.get(f"item_{item.pk}") or "0"
            try:
                amounts[item.pk] = to_minor(text, item.currency)
            except MoneyError as exc:
                raise ClaimError(f"{item.get_kind_display()}: {exc}") from exc
        return amounts


@admin.register(ClaimToDecide)
class DecisionDeskAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["reference", "region", "claimed", "risk_level", "pending_request", "decide"]
    list_filter = ["region", "risk_level"]
    list_select_related = ["region"]
    search_fields = ["reference"]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("claims.decide_claim")

    def get_queryset(self, request):
        waiting = ApprovalRequest.objects.filter(claim=OuterRef("pk"), status=RequestStatus.PENDING)
        return (
            super()
            .get_queryset(request)
            .filter(status=ClaimStatus.UNDER_REVIEW)
            .annotate(waiting=Exists(waiting))
        )

    @admin.display(description=_("claimed"))
    def claimed(self, obj: Claim) -> str:
        return obj.claimed_total_display

    @admin.display(description=_("awaiting second approver"), boolean=True)
    def pending_request(self, obj: Claim) -> bool:
        return obj.waiting

    @admin.display(description=_("decide"))
    def decide(self, obj: Claim) -> str:
        url = reverse("admin:payouts_claimtodecide_decide", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Decide…"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="payouts_claimtodecide_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int):
        if not request.user.has_perm("claims.decide_claim"):
            raise PermissionDenied
        claim = get_object_or_404(claims_visible_to(request.user).select_related("region"), pk=pk)
        policy = funding_for(claim=claim)
        form = DecisionForm(request.POST or None, claim=claim)
        if request.method == "POST" and form.is_valid():
            actor = Actor.staff(request.user)
            try:
                if "deny" in request.POST:
                    decision_deny(
                        claim=claim,
                        actor=actor,
                        reason_code=form.cleaned_data["reason_code"],
                        explanation=form.cleaned_data["explanation"],
                    )
                    self.message_user(request, _("Claim %s denied.") % claim.reference)
                else:
                    result = decision_approve(
                        claim=claim,
                        actor=actor,
                        approved=form.approved(),
                        funding=form.cleaned_data["funding"] or None,
                        funding_reason=form.cleaned_data["funding_reason"],
                        note=form.cleaned_data["note"],
                        reasons={
                            item.pk: form.cleaned_data.get(f"why_{item.pk}", "")
                            for item in form.items
                        },
                    )
                    if result.approved:
                        self.message_user(request, _("Claim %s approved.") % claim.reference)
                    else:
                        self.message_user(
                            request,
                            _("Approval of %(amount)s recorded; it awaits a second approver.")
                            % {"amount": result.request.total_display},
                            messages.WARNING,
                        )
            except ClaimError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                return redirect("admin:payouts_claimtodecide_changelist")
        return _form_page(
            self,
            request,
            title=_("Decide %(ref)s") % {"ref": claim.reference},
            intro=_(
                "Approve an amount per loss item, or deny with a reason the customer will read. "
                "Who pays: %(funding)s. %(why)s"
            )
            % {"funding": policy.label, "why": policy.reason},
            form=form,
            obj=claim,
        )


class SecondApprovalForm(forms.Form):
    note = forms.CharField(
        label=_("Note (required to reject)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnly, admin.ModelAdmin):
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
        url = reverse("admin:payouts_approvalrequest_review", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Approve or reject…"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="payouts_approvalrequest_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, pk: int):
        if not request.user.has_perm("claims.decide_claim"):
            raise PermissionDenied
        approval = get_object_or_404(ApprovalRequest, pk=pk)
        form = SecondApprovalForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            actor = Actor.staff(request.user)
            note = form.cleaned_data["note"]
            try:
                if "reject" in request.POST:
                    approval_reject(request=approval, actor=actor, note=note)
                    self.message_user(
                        request, _("Approval rejected; the claim is back for review.")
                    )
                else:
                    approval_second(request=approval, actor=actor, note=note)
                    self.message_user(request, _("Claim %s approved.") % approval.claim.reference)
            except ClaimError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                return redirect("admin:payouts_approvalrequest_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Second approval of %(ref)s: %(amount)s")
            % {"ref": approval.claim.reference, "amount": approval.total_display},
            "intro": _(
                "Requested by %(user)s. You may not sign your own request or one on a claim "
                "whose fraud review you handled."
            )
            % {"user": approval.requested_by},
            "form": form,
            "obj": approval,
            "sign": _what_is_signed(approval),
        }
        return TemplateResponse(request, "admin/payouts/second_approval.html", context)


def _what_is_signed(approval: ApprovalRequest) -> dict:
    """Everything the second approver signs: per item claimed, approved and why, the funding
    (and any override), the first approver's note, the fraud score and the evidence."""
    claim = approval.claim
    amounts = {int(k): v for k, v in approval.items.items()}
    reasons = {int(k): v for k, v in approval.item_reasons.items()}
    override = (approval.policy or {}).get("funding_override") or {}
    return {
        "claim": claim,
        "items": [
            {
                "kind": item.get_kind_display(),
                "description": item.description,
                "claimed": item.claimed_display,
                "approved": format_minor(amounts.get(item.pk, 0), item.currency),
                "why": reasons.get(item.pk, ""),
            }
            for item in claim.losses.order_by("id")
        ],
        "total": approval.total_display,
        "funding": Funding(approval.funding).label if approval.funding else "",
        "override": override.get("reason", ""),
        "note": approval.note,
        "risk": f"{claim.risk_score} ({claim.get_risk_level_display()})"
        if claim.risk_score is not None
        else claim.get_risk_level_display(),
        "evidence": list(claim.evidence.order_by("created_at")),
    }


# --- QA of automatic approvals -----------------------------------------------------------------


class QAReviewForm(forms.Form):
    verdict = forms.ChoiceField(choices=[c for c in QAVerdict.choices if c[0]])
    reason = forms.ChoiceField(choices=QAReason.choices, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


@admin.register(QASample)
class QASampleAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["claim", "sampled_at", "verdict", "reason", "reviewed_by", "review"]
    list_filter = ["verdict", "reason"]
    list_select_related = ["claim", "reviewed_by"]
    change_list_template = "admin/payouts/qasample/change_list.html"

    @admin.display(description=_("review"))
    def review(self, obj: QASample) -> str:
        if obj.verdict:
            return "—"
        url = reverse("admin:payouts_qasample_review", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Review…"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="payouts_qasample_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, pk: int):
        if not request.user.has_perm("payouts.review_qa"):
            raise PermissionDenied
        sample = get_object_or_404(QASample.objects.select_related("claim"), pk=pk)
        form = QAReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                qa_review_record(
                    sample=sample, actor=Actor.staff(request.user), **form.cleaned_data
                )
            except ClaimError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("Review recorded."))
                return redirect("admin:payouts_qasample_changelist")
        return _form_page(
            self,
            request,
            title=_("QA review of %(ref)s") % {"ref": sample.claim.reference},
            intro=_("Was this automatic approval right? If not, say why."),
            form=form,
        )

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {**(extra_context or {}), "report": selectors.qa_report()}
        )
