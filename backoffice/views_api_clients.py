"""Staff pages: the integration API's clients and their keys (supervisors).

A new key's secret is on the page that issued it and nowhere else: only its hash is stored.
So that page is the POST's own response (no redirect, never cached), and the form carries a
one-time token the key keeps: the same form posted again (a reload, a double click, back and
resubmit) issues nothing and says so. Revoking a key is a confirmation step naming it.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import ApiClientForm, ApiKeyForm
from api.models import ApiClient, ApiKey
from api.services import (
    ApiClientError,
    ApiKeyIssuedAlready,
    api_client_create,
    api_key_issue,
    api_key_revoke,
)
from backoffice.views import staff_view

PERMISSION = "api.manage_apiclient"


def _page(request, *, form=None, key_forms=None, issued=None, status=200) -> HttpResponse:
    clients = list(
        ApiClient.objects.select_related("seller").prefetch_related("keys").order_by("name")
    )
    key_forms = key_forms or {}
    rows = [(c, key_forms.get(c.pk) or ApiKeyForm(client=c)) for c in clients]
    return render(
        request,
        "backoffice/api_clients.html",
        {"rows": rows, "form": form or ApiClientForm(), "issued": issued},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@staff_view(PERMISSION)
def api_clients(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = ApiClientForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: please correct the errors below."))
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        client = api_client_create(
            name=data["name"],
            kind=data["kind"],
            contact_email=data["contact_email"],
            seller=data["seller_obj"],
            insurer_email=data.get("insurer_email") or "",
            time_zone=data.get("time_zone") or "",
            created_by=request.user,
        )
    except ApiClientError as exc:
        messages.error(request, str(exc))
        return _page(request, form=form, status=400)
    messages.success(request, _("Client %(name)s added; issue it a key.") % {"name": client.name})
    return redirect("backoffice:api-clients")


@require_POST
@never_cache
@staff_view(PERMISSION)
def api_key_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    client = ApiClient.objects.filter(pk=pk).first()
    if client is None:
        raise Http404
    form = ApiKeyForm(request.POST, client=client)
    if not form.is_valid():
        messages.error(request, _("No key was issued: please correct the errors below."))
        return _page(request, key_forms={client.pk: form}, status=400)
    try:
        issued = api_key_issue(
            client=client,
            scopes=form.cleaned_data["scopes"],
            rate_per_minute=form.cleaned_data["rate_per_minute"],
            created_by=request.user,
            issue_token=form.cleaned_data["token"],
        )
    except ApiKeyIssuedAlready:
        messages.warning(
            request,
            _(
                "This key was issued already; its secret is shown only once. Issue another "
                "key? Use the new-key form of %(client)s again: it is ready below."
            )
            % {"client": client.name},
        )
        again = ApiKeyForm(
            client=client,
            initial={k: form.cleaned_data[k] for k in ("scopes", "rate_per_minute")},
        )
        return _page(request, key_forms={client.pk: again}, status=409)
    except ApiClientError as exc:
        messages.error(request, str(exc))
        return _page(request, key_forms={client.pk: form}, status=400)
    # Shown on this response only (never cached, never stored): no redirect.
    return _page(request, issued=issued)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(PERMISSION)
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation step naming the key; only its confirm button revokes."""
    key = get_object_or_404(ApiKey.objects.select_related("client"), pk=pk)
    if key.revoked_at is not None:
        messages.info(request, _("That key was already revoked."))
        return redirect("backoffice:api-clients")
    if request.method != "POST" or request.POST.get("confirm") != "revoke":
        status = 200
        if request.method == "POST":
            messages.error(request, _("Nothing was revoked: confirm with the button below."))
            status = 400
        return render(request, "backoffice/api_key_revoke.html", {"key": key}, status=status)
    if api_key_revoke(key_id=key.pk, revoked_by=request.user):
        messages.success(
            request,
            _("Key %(prefix)s… of %(client)s is revoked; it is refused from now on.")
            % {"prefix": key.prefix, "client": key.client.name},
        )
    else:
        messages.info(request, _("That key was already revoked."))
    return redirect("backoffice:api-clients")
