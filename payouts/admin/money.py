"""Payee details, payouts, the provider's records and the ledger."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims.actors import Actor
from claims.exceptions import ClaimError
from claims.money import format_minor
from marketplace.models import Customer
from payouts import selectors
from payouts.admin.common import ReadOnly, _form_page
from payouts.forms import BankDetailsForm
from payouts.models import (
    LedgerEntry,
    LedgerTransaction,
    PayeeChange,
    PayeeChangeStatus,
    PayeeDetails,
    PayeeEvent,
    PayeeScheme,
    Payout,
    ProviderRecord,
)
from payouts.services import (
    payee_change_approve,
    payee_change_reject,
    payee_change_request,
    payout_cancel,
    payout_resend,
    payout_return,
)

# --- payee details and payouts ------------------------------------------------------------------


class PayeeChangeRequestForm(BankDetailsForm):
    """The same checks as the customer's page, and why staff want the change."""

    def __init__(self, *args, scheme: str, **kwargs):
        super().__init__(*args, scheme=scheme, **kwargs)
        self.fields["reason"] = forms.CharField(
            label=_("Why the change (the second approver and the customer's timeline see it)"),
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )


class DecideForm(forms.Form):
    note = forms.CharField(
        label=_("Note (required to reject)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _masked_only(queryset):
    # The list and detail pages never need the numbers: leave them in the database.
    return queryset.defer("account_number", "card_token")


@admin.register(PayeeDetails)
class PayeeDetailsAdmin(ReadOnly, admin.ModelAdmin):
    """Inspection only. Nobody edits account numbers here: staff ask for a change, which a
    second staff member approves (``PayeeChange``), and the customer changes their own on
    their claim page."""

    list_display = [
        "customer",
        "kind",
        "scheme",
        "holder_name",
        "masked",
        "confirmed_by_customer",
        "hold_until",
        "updated_at",
        "change",
    ]
    fields = [
        "customer",
        "kind",
        "scheme",
        "holder_name",
        "masked",
        "confirmed_by_customer",
        "hold_until",
        "updated_at",
    ]
    readonly_fields = fields
    list_select_related = ["customer"]
    search_fields = ["customer__name", "customer__email", "holder_name"]

    def get_queryset(self, request):
        return _masked_only(super().get_queryset(request))

    @admin.display(description=_("change"))
    def change(self, obj: PayeeDetails) -> str:
        url = reverse("admin:payouts_payeedetails_set", args=[obj.customer_id])
        return format_html('<a href="{}">{}</a>', url, _("Ask for a change…"))

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
        """Ask for new payee details: nothing changes until a second staff member approves."""
        if not request.user.has_perm("payouts.set_payee"):
            raise PermissionDenied
        customer = get_object_or_404(Customer, pk=customer_pk)
        schemes = [s for s in PayeeScheme.values if s]
        asked = request.POST.get("scheme") or request.GET.get("scheme") or ""
        scheme = asked if asked in schemes else PayeeScheme.US_ABA
        form = PayeeChangeRequestForm(request.POST or None, scheme=scheme)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    payee_change_request(
                        customer=customer,
                        user=request.user,
                        details=form.details,
                        reason=form.cleaned_data["reason"],
                    )
                except ClaimError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _(
                            "Change of %s's payment details requested. It takes effect only "
                            "when another member of staff approves it; the customer is told "
                            "then, and payouts to the new account wait for the cooling-off "
                            "period unless the customer confirms it."
                        )
                        % customer.name,
                        messages.WARNING,
                    )
                    return redirect("admin:payouts_payeechange_changelist")
            status = 400
        current = _masked_only(PayeeDetails.objects.filter(customer=customer)).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Ask to change the payment details of %(name)s") % {"name": customer.name},
            "current": current.masked if current else _("none"),
            "form": form,
            "scheme": scheme,
            "schemes": [(s, PayeeScheme(s).label) for s in schemes],
        }
        return TemplateResponse(request, "admin/payouts/payee_request.html", context, status=status)


@admin.register(PayeeChange)
class PayeeChangeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "requested_at",
        "customer",
        "masked",
        "holder_name",
        "reason",
        "requested_by",
        "status",
        "decided_by",
        "decide",
    ]
    list_filter = ["status"]
    list_select_related = ["customer", "requested_by", "decided_by"]
    fields = [
        "customer",
        "kind",
        "scheme",
        "holder_name",
        "masked",
        "reason",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = fields
    search_fields = ["customer__name", "customer__email", "holder_name"]

    def get_queryset(self, request):
        return _masked_only(super().get_queryset(request))

    @admin.display(description=_("decide"))
    def decide(self, obj: PayeeChange) -> str:
        if obj.status != PayeeChangeStatus.PENDING:
            return "—"
        url = reverse("admin:payouts_payeechange_decide", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Approve or reject…"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="payouts_payeechange_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int):
        if not request.user.has_perm("payouts.approve_payee_change"):
            raise PermissionDenied
        change = get_object_or_404(
            _masked_only(PayeeChange.objects.select_related("customer", "requested_by")), pk=pk
        )
        form = DecideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if "reject" in request.POST:
                    payee_change_reject(change=change, user=request.user, note=note)
                    done = _("The change was rejected; nothing changed.")
                else:
                    payee = payee_change_approve(change=change, user=request.user, note=note)
                    done = _(
                        "The new payment details are in effect (%(masked)s); the customer was "
                        "told. Payouts to them are held until %(until)s unless the customer "
                        "confirms them."
                    ) % {"masked": payee.masked, "until": payee.hold_until or "—"}
            except ClaimError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:payouts_payeechange_changelist")
        current = _masked_only(PayeeDetails.objects.filter(customer=change.customer)).first()
        return _form_page(
            self,
            request,
            title=_("Change of payment details for %(name)s") % {"name": change.customer.name},
            intro=_(
                "%(who)s asks to pay %(name)s to %(new)s (holder %(holder)s) instead of "
                "%(now)s, because: %(reason)s"
            )
            % {
                "who": change.requested_by.get_username(),
                "name": change.customer.name,
                "new": change.masked,
                "holder": change.holder_name,
                "now": current.masked if current else _("no details"),
                "reason": change.reason,
            },
            form=form,
            obj=change,
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

    def get_queryset(self, request):
        # The payee column shows the last four only: the numbers stay in the database.
        return (
            super()
            .get_queryset(request)
            .defer("claim__customer__payee__account_number", "claim__customer__payee__card_token")
        )

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
