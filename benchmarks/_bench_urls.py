"""URLs for the queue benchmark: the project's, plus the stock Django admin for claims with
default options (a plain ModelAdmin on its own AdminSite): what a team gets for free."""

from django.contrib import admin
from django.urls import path

from claims.models import Claim
from claims_site.urls import urlpatterns as site_urlpatterns

stock_site = admin.AdminSite(name="stockadmin")
stock_site.register(Claim)

urlpatterns = [path("stock-admin/", stock_site.urls), *site_urlpatterns]
