"""The embedded default (SQLite): the search's PostgreSQL-only migration does nothing there, and
the search, the totals, assign to me and the notifications work with plain LIKE and counts."""

from tests.support.embedded import embedded_env, manage

FLOW = r"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse

from backoffice.models import Notification
from backoffice.search import Total
from claims import roles
from claims.models import ClaimStatus
from tests.factories import CustomerFactory, OrderLineFactory, claim_in

setup_test_environment()  # responses carry their context
assert connection.vendor == "sqlite"
with connection.cursor() as cursor:
    cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%trgm%'")
    assert cursor.fetchall() == []
agent = get_user_model().objects.create_user("smoke-agent", is_staff=True)
agent.groups.add(Group.objects.get(name=roles.AGENT))
boss = get_user_model().objects.create_user("smoke-boss", is_staff=True)
boss.groups.add(Group.objects.get(name=roles.SUPERVISOR))
from claims.models import Region, StaffProfile  # noqa: E402 - need-to-know: every region

for user in (agent, boss):
    StaffProfile.objects.create(user=user).regions.set(Region.objects.all())
customer = CustomerFactory(name="Imogen Fairweather", email="imogen@example.test")
claims = [
    claim_in(ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order__customer=customer))
    for _ in range(2)
]
client = Client()
client.force_login(agent)
page = client.get(reverse("backoffice:search"), {"q": "FAIRWEATH"})
assert page.status_code == 200, page.status_code
assert {r["claim"].pk for r in page.context["rows"]} == {c.pk for c in claims}
assert page.context["total"] == Total(2, True)
one = client.get(reverse("backoffice:search"), {"q": claims[0].reference})
assert one["Location"] == reverse("backoffice:claim", args=[claims[0].pk]), one
taken = client.post(reverse("backoffice:claim-assign-to-me", args=[claims[0].pk]))
claims[0].refresh_from_db()
assert claims[0].assignee == agent
boss_client = Client()
boss_client.force_login(boss)
boss_client.post(
    reverse("backoffice:claim-assign", args=[claims[1].pk]),
    {"assignee": "smoke-agent", "reason": "Workload"},
)
assert Notification.objects.filter(recipient=agent, read_at=None).count() == 1
client.get(reverse("backoffice:claim", args=[claims[1].pk]))
assert Notification.objects.filter(recipient=agent, read_at=None).count() == 0
print("SEARCH SMOKE OK")
"""


def test_sqlite_migrates_without_trigram_indexes_and_searches_with_like(tmp_path):
    env = embedded_env(tmp_path, database="search.sqlite3")
    manage(env, "migrate", "--noinput")
    assert "SEARCH SMOKE OK" in manage(env, "shell", "--no-imports", "-c", FLOW)
    # the PostgreSQL-only migration also goes backwards on SQLite
    manage(env, "migrate", "backoffice", "0002_notifications", "--noinput")
    manage(env, "migrate", "backoffice", "--noinput")
