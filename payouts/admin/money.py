"""Payee details, payouts, the provider's records and the ledger, for inspection: repairing a
payout and changing payment details are the staff app's Money area (/staff/money/)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims.admin_scope import CLAIM, CUSTOMER, SELLER, RegionScopeMixin
from claims.money import format_minor
from claims.scope import claim_rows_visible_to
from payouts import selectors
from payouts.admin.common import ReadOnly
from payouts.models import (
    LedgerEntry,
    LedgerTransaction,
    PayeeChange,
    PayeeChangeStatus,
    PayeeDetails,
    PayeeEvent,
    Payout,
    ProviderRecord,
)

# --- payee details and payouts ------------------------------------------------------------------


def _masked_only(queryset):
    # The list and detail pages never need the numbers: leave them in the database.
    return queryset.defer("account_number", "card_token")


@admin.register(PayeeDetails)
class PayeeDetailsAdmin(RegionScopeMixin, ReadOnly, admin.ModelAdmin):
    """Inspection only. Nobody edits account numbers here: staff ask for a change in the staff
    app's Money area, which a second staff member approves (``PayeeChange``), and the customer
    changes their own on their claim page."""

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
    region_scope = ((CUSTOMER, "customer"),)

    def get_queryset(self, request):
        return _masked_only(super().get_queryset(request))

    @admin.display(description=_("change"))
    def change(self, obj: PayeeDetails) -> str:
        url = reverse("backoffice:payee-change-request", args=[obj.customer_id])
        return format_html('<a href="{}">{}</a>', url, _("Correct in the staff pages"))


@admin.register(PayeeChange)
class PayeeChangeAdmin(RegionScopeMixin, ReadOnly, admin.ModelAdmin):
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
    region_scope = ((CUSTOMER, "customer"),)
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
        url = reverse("backoffice:payee-change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Approve or reject in the staff pages"))


@admin.register(PayeeEvent)
class PayeeEventAdmin(RegionScopeMixin, ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "customer", "actor_label", "before", "after", "reason"]
    list_select_related = ["customer"]
    region_scope = ((CUSTOMER, "customer"),)


@admin.register(Payout)
class PayoutAdmin(RegionScopeMixin, ReadOnly, admin.ModelAdmin):
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

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, obj: Payout) -> str:
        return obj.amount_display

    @admin.display(description=_("payee"))
    def payee(self, obj: Payout) -> str:
        # Repairing a payout (correct the payee, resend, cancel) is on /staff/money/.
        customer = obj.claim.customer
        payee = getattr(customer, "payee", None)
        url = reverse("backoffice:payout", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, payee.masked if payee else _("none"))


@admin.register(ProviderRecord)
class ProviderRecordAdmin(RegionScopeMixin, ReadOnly, admin.ModelAdmin):
    list_display = ["adapter", "idempotency_key", "reference", "amount", "calls", "batch_file"]
    list_filter = ["adapter"]
    exclude = ["payee"]  # the bank-file adapter keeps the account there: never shown

    def scope_rows(self, user, rows):
        # The provider's record of a payout has no key to it but the payout's idempotency key:
        # it is visible when that payout is (a record of no payout here: superusers only).
        if user.is_active and user.is_superuser:
            return rows
        payouts = claim_rows_visible_to(user, Payout.objects.all())
        return rows.filter(idempotency_key__in=payouts.values("idempotency_key"))

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
class LedgerTransactionAdmin(RegionScopeMixin, ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "kind", "amount", "claim", "payout", "memo"]
    list_filter = ["kind", "currency"]
    list_select_related = ["claim", "payout"]
    search_fields = ["claim__reference", "payout__idempotency_key", "idempotency_key"]
    # Each claim, payout and seller a transaction names must be visible; one naming none is
    # the company's own (no region's) and stays listed.
    region_scope = ((CLAIM, "claim"), (CLAIM, "payout__claim"), (SELLER, "seller"))
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
