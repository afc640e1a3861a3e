"""The medical-documents access log (GDPR art. 9 and the accountability of art. 5(2)):
supervisors read who opened which medical document, when and from which page.

Rows come from ``claims.MedicalAccess`` (append-only), within the reader's regions
(``claims.scope``). Newest first, paged by the queue's keyset engine
(``backoffice.selectors.keyset_page``, ``?after=<time>~<id>``): no page counts the table.
"""

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from backoffice.lists import form_problems
from backoffice.selectors import BadCursor, keyset_page
from backoffice.views import staff_view
from claims.models import MedicalAccess
from claims.scope import claims_visible_to
from claims_site.bounds import bounded_date_field

PAGE_SIZE = 50


class MedicalAccessFilterForm(forms.Form):
    claim = forms.CharField(label=gettext_lazy("Claim reference"), required=False, max_length=40)
    staff = forms.CharField(
        label=gettext_lazy("Staff member (user name)"), required=False, max_length=150
    )
    # Bounded before any arithmetic (the last day plus one overflows at 9999-12-31).
    since = bounded_date_field(
        past_years=20,
        future_years=1,
        label=gettext_lazy("From (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = bounded_date_field(
        past_years=20,
        future_years=1,
        label=gettext_lazy("To (date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first date is after the last one."))
        return data


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the reader's time zone (the page shows times in it)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def medical_accesses(*, user, filters: dict) -> QuerySet[MedicalAccess]:
    rows = MedicalAccess.objects.filter(claim__in=claims_visible_to(user).values("pk"))
    if filters.get("claim"):
        rows = rows.filter(claim__reference__iexact=filters["claim"].strip())
    if filters.get("staff"):
        rows = rows.filter(user__username__iexact=filters["staff"].strip())
    if filters.get("since"):
        rows = rows.filter(at__gte=_day_start(filters["since"]))
    if filters.get("until"):
        rows = rows.filter(at__lt=_day_start(filters["until"] + dt.timedelta(days=1)))
    return rows


@require_safe
@staff_view("claims.view_medicalaccess")
def medical_access_log(request: HttpRequest) -> HttpResponse:
    form = MedicalAccessFilterForm(request.GET or None)
    errors: list[str] = []
    rows = MedicalAccess.objects.none()
    if not form.is_bound:
        rows = medical_accesses(user=request.user, filters={})
    elif form.is_valid():
        rows = medical_accesses(user=request.user, filters=form.cleaned_data)
    else:
        errors = form_problems(form)
    rows = rows.select_related("user", "claim", "evidence")
    after = request.GET.get("after", "")
    try:
        page = keyset_page(rows, field="at", desc=True, after=after, size=PAGE_SIZE)
    except BadCursor:
        errors.append(_("That page link is no longer valid; showing the first page."))
        page = keyset_page(rows, field="at", desc=True, after="", size=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("after", None)
    next_url = ""
    if page.next_cursor:
        params["after"] = page.next_cursor
        next_url = "?" + params.urlencode()
    return render(
        request,
        "backoffice/medical_access.html",
        {
            "form": form,
            "rows": page.rows,
            "errors": errors,
            "next_url": next_url,
            "is_later_page": bool(after),
        },
        status=400 if errors and form.is_bound and not form.is_valid() else 200,
    )
