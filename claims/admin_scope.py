"""Need-to-know in the admin: every admin of a region's rows lists and opens only the rows of
the viewer's regions, by the one rule in ``claims.scope`` (no rule of its own here).

An admin names, with ``region_scope``, the paths from its model to what decides: a claim
(``claim_rows_visible_to``; the empty path is the claim itself), a customer
(``customers_visible_to``: every claim of theirs visible) or a seller (``sellers_visible_to``:
the seller's region). A row is shown when everything it names along those paths is visible; a
path that may be empty (a ledger transaction with no claim, a watchlist entry from no claim)
does not hide the row when it is empty: such a row belongs to no region. A row outside is not
found: the list leaves it out, its pages answer 404 (``get_queryset``, the change, delete and
history views), and the autocomplete
of another admin that points here offers only visible rows (Django's autocomplete searches
this admin's ``get_queryset``); the choices of a foreign key to a scoped admin are limited the
same way, so a value outside cannot be picked either.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from claims.scope import (
    claim_rows_visible_to,
    claims_visible_to,
    customers_visible_to,
    sellers_visible_to,
)

CLAIM = "claim"
CUSTOMER = "customer"
SELLER = "seller"


def rows_in_scope(user, rows: QuerySet, *, kind: str, path: str) -> QuerySet:
    """``rows`` whose ``kind`` (claim, customer or seller), reached by ``path``, ``user`` sees."""
    if kind == CLAIM:
        if not path:
            return rows.filter(pk__in=claims_visible_to(user).values("pk"))
        return claim_rows_visible_to(user, rows, claim=path)
    if kind == CUSTOMER:
        return customers_visible_to(user, rows, customer=path)
    if kind == SELLER:
        return sellers_visible_to(user, rows, seller=path)
    raise ValueError(f"unknown scope kind {kind!r}")


def _may_be_empty(model, path: str) -> bool:
    for name in path.split("__") if path else []:
        field = model._meta.get_field(name)
        if field.null:
            return True
        model = field.related_model
    return False


class RegionScopeMixin:
    """For a ModelAdmin (or inline) of a region's rows; see the module's docstring.
    ``region_scope`` is a tuple of (kind, path) pairs."""

    region_scope: tuple[tuple[str, str], ...] = ((CLAIM, "claim"),)

    def get_queryset(self, request):
        return self.scope_rows(request.user, super().get_queryset(request))

    def scope_rows(self, user, rows: QuerySet) -> QuerySet:
        if user.is_active and user.is_superuser:
            return rows
        for kind, path in self.region_scope:
            if _may_be_empty(rows.model, path):
                visible = rows_in_scope(user, rows.model._base_manager.all(), kind=kind, path=path)
                rows = rows.filter(Q(**{f"{path}__isnull": True}) | Q(pk__in=visible.values("pk")))
            else:
                rows = rows_in_scope(user, rows, kind=kind, path=path)
        return rows

    # Django's admin sends a missing object's change and delete pages back to the index with a
    # message; a row outside the reader's regions is answered 404 instead, as on the staff
    # pages, and so is a row that does not exist (the two are not told apart). Through the
    # documented views, not the admin's undocumented ``get_object``.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._found_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._found_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def _found_or_404(self, request, object_id) -> None:
        try:
            pk = self.model._meta.pk.to_python(object_id)
        except ValidationError:
            raise Http404 from None
        if not self.get_queryset(request).filter(pk=pk).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history's history pages look the row up in its history when
        # ``get_queryset`` does not hold it (a deleted row's history): not for a live row
        # outside the reader's regions.
        self._not_outside_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._not_outside_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _not_outside_scope(self, request, object_id) -> None:
        try:
            pk = self.model._meta.pk.to_python(object_id)
        except ValidationError:
            return  # not a key: the view answers as for any missing row
        live = self.model._base_manager.filter(pk=pk)
        if live.exists() and not self.get_queryset(request).filter(pk=pk).exists():
            raise Http404

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        target = None
        if self.admin_site.is_registered(db_field.related_model):
            target = self.admin_site.get_model_admin(db_field.related_model)
        if "queryset" not in kwargs and isinstance(target, RegionScopeMixin):
            kwargs["queryset"] = target.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
