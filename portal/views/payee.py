"""The customer's payment details: given or changed on their own page, confirmed there when
staff entered them. Shown only masked ("account ending 1234") once entered."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from payouts.bank_details import schemes_for_currency
from payouts.exceptions import PayoutError
from payouts.forms import BankDetailsForm
from payouts.models import PayeeDetails, PayeeScheme
from payouts.services.payees import payee_confirm_by_customer, payee_submit_by_customer
from portal.limits import payee_change_limited
from portal.selectors import customer_claim
from portal.session import customer_required


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def claim_payee(request: HttpRequest, reference: str) -> HttpResponse:
    claim = customer_claim(customer=request.customer, reference=reference)
    schemes = schemes_for_currency(claim.currency)
    asked = request.POST.get("scheme") or request.GET.get("scheme") or ""
    scheme = asked if asked in schemes else schemes[0]
    form = BankDetailsForm(request.POST or None, scheme=scheme)
    status = 200
    if request.method == "POST":
        if payee_change_limited(request, customer_id=request.customer_id):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "You have changed your payment details several times today. Please try again "
                    "tomorrow, or reply to one of our e-mails."
                ),
            )
            return _payee_page(request, claim, form, scheme, schemes, status=429)
        if form.is_valid():
            try:
                payee = payee_submit_by_customer(customer=request.customer, details=form.details)
            except PayoutError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Thank you. We will pay to your account ending %(last4)s.")
                    % {"last4": payee.last4},
                )
                return redirect("portal:claim-detail", reference=claim.reference)
        status = 400
    return _payee_page(request, claim, form, scheme, schemes, status=status)


def _payee_page(request, claim, form, scheme, schemes, *, status: int) -> HttpResponse:
    current = (
        PayeeDetails.objects.filter(customer_id=request.customer_id)
        .defer("account_number", "card_token")
        .first()
    )
    return render(
        request,
        "portal/claim_payee.html",
        {
            "claim": claim,
            "form": form,
            "scheme": scheme,
            "schemes": [(s, PayeeScheme(s).label) for s in schemes],
            "current": current,
        },
        status=status,
    )


@require_POST
@customer_required
def claim_payee_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    claim = customer_claim(customer=request.customer, reference=reference)
    try:
        payee = payee_confirm_by_customer(customer=request.customer)
    except PayoutError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Thank you. You confirmed your account ending %(last4)s; we can pay you now.")
            % {"last4": payee.last4},
        )
    return redirect("portal:claim-detail", reference=claim.reference)
