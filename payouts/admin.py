"""The admin for decisions, payouts and the ledger.

Inspection is read-only; every action and form calls a service and reports through messages.
Payee details are never shown in full anywhere: only the kind and the last four characters.
"""

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
from marketplace.models import Customer
from payouts import selectors
from payouts.models import (
    ApprovalPolicy,
    ApprovalRequest,
    AuthorityLimit,
    ClaimToDecide,
    LedgerEntry,
    LedgerTransaction,
    PayeeDetails,
    PayeeEvent,
    PayeeKind,
    Payout,
    PayoutStatus,
    ProviderRecord,
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
    payee_set,
    payout_cancel,
    payout_resend,
    payout_return,
    qa_review_record,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _form_page(modeladmin, request, *, title: str, form, intro: str = "", obj=None):
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "intro": intro,
        "form": form,
        "obj": obj,
    }
    return TemplateResponse(request, "admin/payouts/form.html", context)


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
    funding = forms.ChoiceField(
        label=_("Funded by"), choices=[c for c in Funding.choices if c[0]], required=False
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
        claim = get_object_or_404(Claim.objects.select_related("region"), pk=pk)
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
                        funding=form.cleaned_data["funding"],
                        note=form.cleaned_data["note"],
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
                "Approve an amount per loss item, or deny with a reason the customer will read."
            ),
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
        return _form_page(
            self,
            request,
            title=_("Second approval of %(ref)s: %(amount)s")
            % {"ref": approval.claim.reference, "amount": approval.total_display},
            intro=_(
                "Requested by %(user)s. You may not sign your own request or one on a claim "
                "whose fraud review you handled."
            )
            % {"user": approval.requested_by},
            form=form,
            obj=approval,
        )


# --- payee details and payouts ------------------------------------------------------------------


class PayeeForm(forms.Form):
    kind = forms.ChoiceField(choices=PayeeKind.choices)
    holder_name = forms.CharField(max_length=140)
    bank_code = forms.CharField(label=_("Routing number or BIC"), required=False)
    account_number = forms.CharField(
        label=_("Account number or IBAN"), required=False, widget=forms.PasswordInput
    )
    card_token = forms.CharField(required=False, widget=forms.PasswordInput)
    reason = forms.CharField(label=_("Why the change"), required=True)


@admin.register(PayeeDetails)
class PayeeDetailsAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["customer", "kind", "holder_name", "masked", "updated_at", "change"]
    fields = ["customer", "kind", "holder_name", "masked", "updated_at"]
    readonly_fields = fields
    list_select_related = ["customer"]
    search_fields = ["customer__name", "customer__email", "holder_name"]

    @admin.display(description=_("change"))
    def change(self, obj: PayeeDetails) -> str:
        url = reverse("admin:payouts_payeedetails_set", args=[obj.customer_id])
        return format_html('<a href="{}">{}</a>', url, _("Replace…"))

    def get_urls(self):
        return [
            path(
                "set/<int:customer_pk>/",
                self.admin_site.admin_view(self.set_view),
                name="payouts_payeedetails_set",
            ),
            *super().get_urls(),
        ]

    def set_view(self, request, customer_pk: int):
        if not request.user.has_perm("payouts.set_payee"):
            raise PermissionDenied
        customer = get_object_or_404(Customer, pk=customer_pk)
        form = PayeeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                payee_set(customer=customer, actor=Actor.staff(request.user), **form.cleaned_data)
            except ClaimError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("Payee details of %s replaced.") % customer.name)
                return redirect("admin:payouts_payeedetails_changelist")
        current = PayeeDetails.objects.filter(customer=customer).first()
        return _form_page(
            self,
            request,
            title=_("Payee details of %(name)s") % {"name": customer.name},
            intro=_("Currently: %(now)s. The full numbers are never shown again.")
            % {"now": current or _("none")},
            form=form,
        )


@admin.register(PayeeEvent)
class PayeeEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "customer", "actor_label", "before", "after", "reason"]
    list_select_related = ["customer"]


def _payout_action(service, done: str, **kwargs):
    def action(modeladmin, request, queryset):
        ok = 0
        for payout in queryset.select_related("claim"):
            try:
                service(payout=payout, actor=Actor.staff(request.user), **kwargs)
                ok += 1
            except ClaimError as exc:
                modeladmin.message_user(request, str(exc), messages.WARNING)
        if ok:
            modeladmin.message_user(request, done % {"n": ok}, messages.SUCCESS)

    return action


@admin.register(Payout)
class PayoutAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "idempotency_key",
        "claim",
        "amount",
        "status",
        "payee",
        "attempts",
        "failure_code",
        "provider_reference",
        "created_at",
    ]
    list_filter = ["status", "currency", "adapter", "failure_code"]
    list_select_related = ["claim", "claim__customer__payee"]
    search_fields = ["idempotency_key", "claim__reference", "provider_reference"]
    readonly_fields = [f.name for f in Payout._meta.fields] + ["payee"]
    actions = ["resend", "cancel", "record_returned"]

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, obj: Payout) -> str:
        return obj.amount_display

    @admin.display(description=_("payee"))
    def payee(self, obj: Payout) -> str:
        customer = obj.claim.customer
        payee = getattr(customer, "payee", None)
        url = reverse("admin:payouts_payeedetails_set", args=[customer.pk])
        return format_html('<a href="{}">{}</a>', url, payee.masked if payee else _("none: set…"))

    def has_release_permission(self, request) -> bool:
        return request.user.has_perm("payouts.release_payout")

    @admin.action(
        description=_("Resend failed payouts (same idempotency key)"), permissions=["release"]
    )
    def resend(self, request, queryset):
        _payout_action(payout_resend, _("%(n)d payout(s) queued again."))(self, request, queryset)

    @admin.action(description=_("Cancel unpaid payouts"), permissions=["release"])
    def cancel(self, request, queryset):
        _payout_action(
            payout_cancel, _("%(n)d payout(s) cancelled."), reason="Cancelled in the admin"
        )(self, request, queryset)

    @admin.action(description=_("Record as returned by the bank"), permissions=["release"])
    def record_returned(self, request, queryset):
        _payout_action(
            payout_return,
            _("%(n)d payout(s) recorded as returned; their claims are back for review."),
            reason_code="MANUAL",
            reason="Recorded in the admin",
        )(self, request, queryset)


@admin.register(ProviderRecord)
class ProviderRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["adapter", "idempotency_key", "reference", "amount", "calls", "batch_file"]
    list_filter = ["adapter"]
    exclude = ["payee"]  # the bank-file adapter keeps the account there: never shown

    @admin.display(description=_("amount"))
    def amount(self, obj: ProviderRecord) -> str:
        return format_minor(obj.amount_minor, obj.currency)


# --- the ledger --------------------------------------------------------------------------------


class LedgerEntryInline(ReadOnly, admin.TabularInline):
    model = LedgerEntry
    fields = ["account", "currency", "debit_minor", "credit_minor"]
    readonly_fields = fields
    extra = 0


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "kind", "amount", "claim", "payout", "memo"]
    list_filter = ["kind", "currency"]
    list_select_related = ["claim", "payout"]
    search_fields = ["claim__reference", "payout__idempotency_key", "idempotency_key"]
    readonly_fields = [f.name for f in LedgerTransaction._meta.fields]
    inlines = [LedgerEntryInline]
    change_list_template = "admin/payouts/ledgertransaction/change_list.html"

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, obj: LedgerTransaction) -> str:
        return format_minor(obj.amount_minor, obj.currency)

    def changelist_view(self, request, extra_context=None):
        balances = [
            {
                "currency": currency,
                "rows": [
                    {
                        "account": account,
                        "debit": format_minor(v["debit"], currency),
                        "credit": format_minor(v["credit"], currency),
                        "balance": format_minor(v["balance"], currency),
                    }
                    for account, v in accounts.items()
                ],
            }
            for currency, accounts in selectors.ledger_balances().items()
        ]
        return super().changelist_view(request, {**(extra_context or {}), "balances": balances})


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


__all__ = ["PayoutStatus"]
