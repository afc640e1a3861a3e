from django.apps import AppConfig


class ClaimsSiteConfig(AppConfig):
    name = "claims_site"
    verbose_name = "Claimdesk site"
