"""The Money area: payouts that need staff (failed: correct the payee, then resend; or cancel),
returns, changes of payment details awaiting a second staff member, and the reconciliation.

Payment details are never shown whole: masked (last four) everywhere. Views call one service of
``payouts.services`` each; a refusal comes back on the page with what was typed.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backoffice.forms_areas import PayeeChangeDecisionForm, PayeeChangeRequestForm, PayoutActionForm
from backoffice.lists import CHANGES, PAYOUTS, RegionFilter, area_list, reader_regions
from backoffice.services import DOMAIN_ERRORS
from backoffice.views import staff_view
from claims.actors import Actor
from claims.scope import claim_rows_visible_to, customers_visible_to
from payouts import selectors
from payouts.models import PayeeChange, PayeeDetails, PayeeScheme, Payout, PayoutStatus
from payouts.services import (
    payee_change_approve,
    payee_change_reject,
    payee_change_request,
    payout_cancel,
    payout_resend,
    payout_return,
)


class CustomerRegionFilter(RegionFilter):
    """Changes of a customer's payment details, by the region of the customer's claims."""

    region_path = "customer__claims__region"

    def filter_region(self, queryset, name, value):
        # A customer has one claim per region at most in practice; distinct keeps one row.
        return super().filter_region(queryset, name, value).distinct()


def _masked_payee(customer_id: int) -> PayeeDetails | None:
    return (
        PayeeDetails.objects.filter(customer_id=customer_id)
        .defer("account_number", "card_token")
        .first()
    )


@require_safe
@staff_view("payouts.view_payout")
def money(request: HttpRequest) -> HttpResponse:
    """Failed payouts, pending changes of payment details and returned payouts: lists of the
    queue engine (``backoffice.lists``) within the viewer's regions."""
    user = request.user
    regions = reader_regions(user).choices
    return render(
        request,
        "backoffice/money.html",
        {
            "failed": area_list(
                request,
                claim_rows_visible_to(user, selectors.payouts_needing_staff()),
                prefix="failed",
                age="updated_at",
                noun=PAYOUTS,
                regions=regions,
            ),
            "changes": area_list(
                request,
                customers_visible_to(user, selectors.payee_changes_pending(), customer="customer"),
                prefix="changes",
                age="requested_at",
                noun=CHANGES,
                regions=regions,
                filterset_class=CustomerRegionFilter,
            ),
            "returned": area_list(
                request,
                claim_rows_visible_to(user, selectors.payouts_returned()),
                prefix="returned",
                age="returned_at",
                noun=PAYOUTS,
                regions=regions,
                default_sort="newest",
            ),
            "can_reconcile": user.has_perm("payouts.view_ledgertransaction"),
        },
    )


def _payout(request: HttpRequest, pk: int) -> Payout:
    """A payout on a claim of the viewer's regions (another region's is not found)."""
    payout = (
        claim_rows_visible_to(request.user, Payout.objects.all())
        .select_related("claim__customer", "claim__region")
        .filter(pk=pk)
        .first()
    )
    if payout is None:
        raise Http404
    return payout


def _payout_page(
    request: HttpRequest,
    payout: Payout,
    *,
    action: str = "",
    form: PayoutActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The payout's page; after a refused ``action`` (resend, cancel, return) its form comes
    back with the problem and what was typed."""
    customer = payout.claim.customer
    pending_change = selectors.payee_changes_pending().filter(customer_id=customer.pk).first()
    return render(
        request,
        "backoffice/payout.html",
        {
            "payout": payout,
            "claim": payout.claim,
            "payee": _masked_payee(customer.pk),
            "pending_change": pending_change,
            "history": selectors.payout_history(payout=payout),
            "can_release": request.user.has_perm("payouts.release_payout"),
            "can_set_payee": request.user.has_perm("payouts.set_payee"),
            "action": action,
            "form": form or PayoutActionForm(),
            "failed": payout.status == PayoutStatus.FAILED,
            "paid": payout.status == PayoutStatus.PAID,
        },
        status=status,
    )


@require_safe
@staff_view("payouts.view_payout")
def payout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _payout_page(request, _payout(request, pk))


def _payout_action(request: HttpRequest, pk: int, *, action: str, run, done: str) -> HttpResponse:
    payout = _payout(request, pk)
    form = PayoutActionForm(request.POST)
    if form.is_valid():
        try:
            run(payout=payout, actor=Actor.staff(request.user), reason=form.cleaned_data["reason"])
        except DOMAIN_ERRORS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done % {"key": payout.idempotency_key})
            return redirect("backoffice:payout", pk=payout.pk)
    return _payout_page(request, payout, action=action, form=form, status=400)


@require_POST
@staff_view("payouts.release_payout")
def payout_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _payout_action(
        request,
        pk,
        action="resend",
        run=payout_resend,
        done=_("Payout %(key)s is queued again, with the same idempotency key."),
    )


@require_POST
@staff_view("payouts.release_payout")
def payout_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _payout_action(
        request,
        pk,
        action="cancel",
        run=payout_cancel,
        done=_("Payout %(key)s cancelled; its accrual reversed."),
    )


def _return(*, payout, actor, reason):
    return payout_return(payout=payout, actor=actor, reason_code="MANUAL", reason=reason)


@require_POST
@staff_view("payouts.release_payout")
def payout_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _payout_action(
        request,
        pk,
        action="return",
        run=_return,
        done=_("Payout %(key)s recorded as returned; its claim is back for review."),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("payouts.set_payee")
def payee_change_request_view(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Ask for new payment details: nothing changes until a second staff member approves."""
    customer = customers_visible_to(request.user).filter(pk=customer_pk).first()
    if customer is None:
        raise Http404
    schemes = [s for s in PayeeScheme.values if s]
    asked = request.POST.get("scheme") or request.GET.get("scheme") or ""
    scheme = asked if asked in schemes else PayeeScheme.US_ABA
    form = PayeeChangeRequestForm(request.POST or None, scheme=scheme)
    status = 200
    back = request.POST.get("payout") or request.GET.get("payout") or ""
    if request.method == "POST":
        if form.is_valid():
            try:
                payee_change_request(
                    customer=customer,
                    user=request.user,
                    details=form.details,
                    reason=form.cleaned_data["reason"],
                )
            except DOMAIN_ERRORS as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Change of %(name)s's payment details requested. It takes effect only "
                        "when another member of staff approves it; the customer is told then, "
                        "and payouts to the new account wait for the cooling-off period unless "
                        "the customer confirms it."
                    )
                    % {"name": customer.name},
                )
                if back.isdigit():
                    return redirect("backoffice:payout", pk=int(back))
                return redirect("backoffice:money")
        status = 400
    current = _masked_payee(customer.pk)
    return render(
        request,
        "backoffice/payee_change_request.html",
        {
            "customer": customer,
            "current": current.masked if current else _("none"),
            "form": form,
            "scheme": scheme,
            "schemes": [(s, PayeeScheme(s).label) for s in schemes],
            "back": back if back.isdigit() else "",
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("payouts.approve_payee_change")
def payee_change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = (
        customers_visible_to(request.user, PayeeChange.objects.all(), customer="customer")
        .select_related("customer", "requested_by", "decided_by")
        .defer("account_number", "card_token")
        .filter(pk=pk)
        .first()
    )
    if change is None:
        raise Http404
    form = PayeeChangeDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            note = form.cleaned_data["note"].strip()
            try:
                if form.cleaned_data["decision"] == "reject":
                    payee_change_reject(change=change, user=request.user, note=note)
                    done = _("The change was rejected; nothing changed.")
                else:
                    payee = payee_change_approve(change=change, user=request.user, note=note)
                    done = _(
                        "The new payment details are in effect (%(masked)s); the customer was "
                        "told. Payouts to them are held until the cooling-off period ends unless "
                        "the customer confirms them."
                    ) % {"masked": payee.masked}
            except DOMAIN_ERRORS as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done)
                if form.cleaned_data["decision"] == "approve":
                    # The next step is resending the payout that waited on the new details.
                    waiting = list(
                        claim_rows_visible_to(request.user, selectors.payouts_needing_staff())
                        .filter(claim__customer_id=change.customer_id)
                        .values_list("pk", flat=True)[:2]
                    )
                    if len(waiting) == 1:
                        return redirect("backoffice:payout", pk=waiting[0])
                return redirect("backoffice:money")
        status = 400
    current = _masked_payee(change.customer_id)
    failed = list(
        selectors.payouts_needing_staff().filter(claim__customer_id=change.customer_id)[:20]
    )
    return render(
        request,
        "backoffice/payee_change.html",
        {
            "change": change,
            "current": current.masked if current else _("no details"),
            "form": form,
            "pending": change.status == "pending",
            "own": change.requested_by_id == request.user.pk,
            "failed": failed,
        },
        status=status,
    )


@require_safe
@staff_view("payouts.view_ledgertransaction")
def money_reconciliation(request: HttpRequest) -> HttpResponse:
    """The ledger against the payouts and the money paths (``payouts.reconcile``), run when
    asked: it reads every payout, so it is not run on every visit."""
    from payouts.reconcile import reconcile

    ran = request.GET.get("run") == "1"
    differences = reconcile() if ran else []
    balances = []
    if ran:
        from payouts.models import Account

        labels = dict(Account.choices)
        balances = [
            {
                "currency": currency,
                "rows": [
                    {"account": labels.get(account, account), **figures}
                    for account, figures in accounts.items()
                ],
            }
            for currency, accounts in selectors.ledger_balances().items()
        ]
    return render(
        request,
        "backoffice/reconciliation.html",
        {"ran": ran, "differences": differences, "balances": balances},
    )
