"""Staff pages: the integration API's clients and their keys (supervisors).

A new key's secret is on the page that issued it and nowhere else: only its hash is stored.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import ApiClientForm, ApiKeyForm
from api.models import ApiClient, ApiKey
from api.services import ApiClientError, api_client_create, api_key_issue, api_key_revoke
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
        )
    except ApiClientError as exc:
        messages.error(request, str(exc))
        return _page(request, key_forms={client.pk: form}, status=400)
    # Shown on this response only (never cached, never stored): no redirect.
    return _page(request, issued=issued)


@require_POST
@staff_view(PERMISSION)
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    key = ApiKey.objects.select_related("client").filter(pk=pk).first()
    if key is None:
        raise Http404
    if api_key_revoke(key_id=key.pk, revoked_by=request.user):
        messages.success(
            request,
            _("Key %(prefix)s… of %(client)s is revoked; it is refused from now on.")
            % {"prefix": key.prefix, "client": key.client.name},
        )
    else:
        messages.info(request, _("That key was already revoked."))
    return redirect("backoffice:api-clients")
