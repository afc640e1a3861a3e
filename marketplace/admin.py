from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims.admin_scope import CUSTOMER, SELLER, RegionScopeMixin
from claims_site.admin_widgets import TolerantAutocompleteMixin
from marketplace.models import Customer, Order, OrderLine, Product


@admin.register(Customer)
class CustomerAdmin(RegionScopeMixin, admin.ModelAdmin):
    region_scope = ((CUSTOMER, ""),)
    list_display = ["name", "email", "marketplace_id", "city", "country", "account_created_on"]
    list_filter = ["country"]
    search_fields = ["name", "email", "marketplace_id", "phone", "postal_code"]


@admin.register(Product)
class ProductAdmin(RegionScopeMixin, TolerantAutocompleteMixin, admin.ModelAdmin):
    region_scope = ((SELLER, "seller"),)
    list_display = ["title", "marketplace_id", "category", "seller"]
    list_filter = ["category"]
    list_select_related = ["seller"]
    search_fields = ["title", "marketplace_id", "seller__legal_name"]
    autocomplete_fields = ["seller"]


class OrderLineInline(RegionScopeMixin, TolerantAutocompleteMixin, admin.TabularInline):
    region_scope = ((CUSTOMER, "order__customer"),)
    model = OrderLine
    extra = 0
    autocomplete_fields = ["product", "seller"]


@admin.register(Order)
class OrderAdmin(RegionScopeMixin, TolerantAutocompleteMixin, admin.ModelAdmin):
    region_scope = ((CUSTOMER, "customer"),)
    list_display = ["number", "customer", "region", "currency", "placed_at"]
    list_filter = ["region"]
    list_select_related = ["customer", "region"]
    search_fields = ["number", "customer__email", "customer__name"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline]


@admin.register(OrderLine)
class OrderLineAdmin(RegionScopeMixin, TolerantAutocompleteMixin, admin.ModelAdmin):
    region_scope = ((CUSTOMER, "order__customer"),)
    list_display = ["__str__", "product", "seller", "quantity", "total", "delivered_on"]
    list_select_related = ["order", "product", "seller"]
    search_fields = ["order__number", "product__title", "seller__legal_name"]
    autocomplete_fields = ["order", "product", "seller"]
    date_hierarchy = "delivered_on"

    @admin.display(description=_("total"))
    def total(self, obj: OrderLine) -> str:
        return obj.total_display
