"""Payee details, payouts, the provider's records and the ledger."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims.actors import Actor
from claims.exceptions import ClaimError
from claims.money import format_minor
from marketplace.models import Customer
from payouts import selectors
from payouts.admin.common import ReadOnly, _form_page
from payouts.models import (
    LedgerEntry,
    LedgerTransaction,
    PayeeDetails,
    PayeeEvent,
    PayeeKind,
    Payout,
    ProviderRecord,
)
from payouts.services import (
    payee_set,
    payout_cancel,
    payout_resend,
    payout_return,
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
