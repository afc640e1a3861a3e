"""Pieces shared by the payouts admin pages."""

from django.template.response import TemplateResponse


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
