"""The saved queue views every agent starts with. More are rows of SavedView, not code."""

from django.utils.translation import gettext_noop

from claims.lifecycle import DECIDING_STATUSES, WORKABLE_STATUSES

# Names are stored in English and translated when shown ({% translate view.name %}).

# "My claims" shows the claims still being decided or waiting on the customer.
OPEN = "&".join(f"status={s}" for s in (*DECIDING_STATUSES, "needs_info") if s != "submitted")
WORKABLE = "&".join(f"status={s}" for s in WORKABLE_STATUSES)
DEFAULT_VIEWS = [
    # slug, name, query, position, permission
    ("mine", gettext_noop("My claims"), f"assignee={{me}}&{OPEN}&sort=waiting", 10, ""),
    ("due-today", gettext_noop("Due today"), "due_within=24&sort=waiting", 20, ""),
    ("breached", gettext_noop("Breached"), "breached=true&sort=waiting", 30, ""),
    ("escalated", gettext_noop("Escalated"), "status=escalated&sort=waiting", 40, ""),
    ("fraud-hold", gettext_noop("Fraud hold"), "status=fraud_hold&sort=waiting", 50, ""),
    (
        "second-approval",
        gettext_noop("Awaiting second approval"),
        "second_approval=true&sort=waiting",
        55,
        "",
    ),
    ("unassigned", gettext_noop("Unassigned"), f"assignee=none&{WORKABLE}&sort=waiting", 60, ""),
]


def saved_views_ensure(sender=None, **kwargs) -> None:
    """Create the default views that are missing (post_migrate, like the staff groups);
    views staff have edited are left as they are."""
    from backoffice.models import SavedView

    for slug, name, query, position, permission in DEFAULT_VIEWS:
        SavedView.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "query": query, "position": position, "permission": permission},
        )
