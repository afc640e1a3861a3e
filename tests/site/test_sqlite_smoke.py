"""The embedded default (SQLite) migrates from nothing and runs the main flow."""

from tests.support.embedded import embedded_env, manage

FLOW = r"""
from django.db import connection
from django.core import mail
from claims import lifecycle
from claims.actors import Actor
from claims.models import Claim, ClaimStatus, Outbox
from claims.outbox import deliver
from claims.services import claim_approve, claim_transition, claim_withdraw
from claims.demo import DEMO_ORDER_NUMBER
from marketplace.models import OrderLine

assert connection.vendor == "sqlite"
assert Claim.objects.values("status").distinct().count() == len(ClaimStatus.values)
line = OrderLine.objects.filter(order__number=DEMO_ORDER_NUMBER).first()
from tests.factories import claim_new
claim = claim_new(order_line=line)
for message in Outbox.objects.filter(done_at__isnull=True):
    deliver(message_id=message.pk)
claim.refresh_from_db()
assert claim.status == "screening", claim.status
for step in ("awaiting_seller", "seller_responded", "under_review"):
    via = min(lifecycle.owners(claim.status, step))
    claim = claim_transition(claim=claim, to=step, actor=Actor.system(), via=via)
items = {item.pk: item.claimed_minor for item in claim.losses.all()}
claim = claim_approve(claim=claim, actor=Actor.system(), approved=items, funding="concession")
for step in ("payout_pending", "paid", "closed"):
    via = min(lifecycle.owners(claim.status, step))
    claim = claim_transition(claim=claim, to=step, actor=Actor.system(), via=via)
assert claim.events.count() == 9, claim.events.count()

# The payout pipeline in batches, on SQLite: created by the outbox, sent, recorded.
from payouts.adapters.sandbox import SandboxAdapter
from payouts.models import Payout
from payouts.services import payee_set, payouts_send_due
second = claim_new()
payee_set(customer=second.customer, actor=Actor.system(), kind="bank_account",
          holder_name="J Doe", bank_code="021000021", account_number="12345678")
for step in ("screening", "awaiting_seller", "seller_responded", "under_review"):
    via = min(lifecycle.owners(second.status, step))
    second = claim_transition(claim=second, to=step, actor=Actor.system(), via=via)
items = {item.pk: item.claimed_minor for item in second.losses.all()}
second = claim_approve(claim=second, actor=Actor.system(), approved=items, funding="concession")
for message in Outbox.objects.filter(done_at__isnull=True, topic="payouts.create"):
    deliver(message_id=message.pk)
calm = SandboxAdapter(latency_ms=(0, 0), timeout_rate=0, lost_response_rate=0)
assert payouts_send_due(adapter=calm) >= 1
second.refresh_from_db()
assert second.status == "paid", second.status
assert Payout.objects.get(claim=second).status == "paid"
print("SMOKE OK", claim.reference)
"""


def test_fresh_sqlite_database_migrates_seeds_and_walks_the_main_flow(tmp_path):
    env = embedded_env(tmp_path, database="smoke.sqlite3")

    manage(env, "migrate", "--noinput")
    assert "supervisor" in manage(env, "seed_demo")
    assert "already there" in manage(env, "seed_demo")
    assert "SMOKE OK PL-US-" in manage(env, "shell", "--no-imports", "-c", FLOW)
