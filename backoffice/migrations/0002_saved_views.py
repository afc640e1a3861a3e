"""The saved queue views every agent starts with. More are rows, not code (see SavedView)."""

from django.db import migrations

VIEWS = [
    ("mine", "My claims", "assignee={me}&status=screening&status=fraud_hold&status=awaiting_seller"
     "&status=seller_responded&status=escalated&status=needs_info&status=under_review"
     "&status=appealed&sort=waiting", 10, ""),
    ("due-today", "Due today", "due_within=24&sort=waiting", 20, ""),
    ("breached", "Breached", "breached=true&sort=waiting", 30, ""),
    ("escalated", "Escalated", "status=escalated&sort=waiting", 40, ""),
    ("fraud-hold", "Fraud hold", "status=fraud_hold&sort=waiting", 50, ""),
    ("unassigned", "Unassigned", "assignee=none&status=screening&status=under_review"
     "&status=escalated&status=seller_responded&status=appealed&sort=waiting", 60, ""),
]


def add(apps, schema_editor):
    SavedView = apps.get_model("backoffice", "SavedView")
    for slug, name, query, position, permission in VIEWS:
        SavedView.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "query": query, "position": position, "permission": permission},
        )


def remove(apps, schema_editor):
    apps.get_model("backoffice", "SavedView").objects.filter(
        slug__in=[v[0] for v in VIEWS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
