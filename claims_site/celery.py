import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claims_site.settings.local")

app = Celery("claims_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
