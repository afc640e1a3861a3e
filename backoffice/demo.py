"""Demo data for the back office: an injury cluster and a serious injury (safety.demo adds their
facts and alerts), risk
scores, tags, and SLA breaches recorded by the same sweeper the beat runs."""

import datetime as dt
import random
from collections import defaultdict

from backoffice.services import claim_tag_add, sla_breaches_record
from claims.actors import Actor
from claims.lifecycle import Via
from claims.models import Claim, ClaimStatus, IncidentKind, LossKind, StaffProfile
from claims.services import LossInput, claim_create, claim_transition


def _injury_claim(line, *, now, people: int, description: str, medical: int):
    claim = claim_create(
        order_line=line,
        incident_date=max(line.delivered_on, (now - dt.timedelta(days=3)).date()),
        incident_kind=IncidentKind.PERSONAL_INJURY,
        description=description,
        people_injured=people,
        losses=[
            LossInput(kind=LossKind.PURCHASE_PRICE, amount_minor=line.total_minor),
            LossInput(kind=LossKind.MEDICAL, amount_minor=medical, description="Burns unit"),
        ],
        actor=Actor.customer(line.order.customer),
        now=now - dt.timedelta(days=2),
    )
    return claim_transition(
        claim=claim,
        to=ClaimStatus.SCREENING,
        actor=Actor.system("screening"),
        now=now - dt.timedelta(days=2),
        via=Via.SCREENING,
    )


def demo_seed_backoffice(*, now: dt.datetime, users: dict, lines: list, rng: random.Random) -> dict:
    by_product = defaultdict(list)
    for line in lines:
        by_product[line.product_id].append(line)
    cluster = max(by_product.values(), key=len)[:3]
    for i, line in enumerate(cluster):
        _injury_claim(
            line,
            now=now - dt.timedelta(days=i),
            people=1,
            description="The heater's casing melted and burned my hand.",
            medical=rng.randrange(40_000, 120_000),
        )
    others = [
        line for line in lines if line not in cluster and line.product_id != cluster[0].product_id
    ]
    serious = _injury_claim(
        others[0],
        now=now,
        people=2,
        description="The charger exploded; two children were taken to hospital with burns.",
        medical=780_000,
    )
    claim_transition(
        claim=serious, to=ClaimStatus.UNDER_REVIEW, actor=Actor.system("triage"), now=now
    )
    supervisor = users["supervisor"]
    # Risk scores come from the fraud rules (fraud.demo scores every demo claim afterwards).
    claims = list(Claim.objects.order_by("pk"))
    for i, claim in enumerate(claims):
        if i % 11 == 0:
            claim_tag_add(claim=claim, user=supervisor, name="recall-watch")
        if i % 17 == 0:
            claim_tag_add(claim=claim, user=supervisor, name="vip")
    for name in ("agent", "agent2"):
        StaffProfile.objects.update_or_create(
            user=users[name], defaults={"max_open_claims": 25, "away": name == "agent2"}
        )
    # The safety alerts of these claims are raised from their facts (safety.demo).
    return {"breaches": sla_breaches_record(now=now)}
