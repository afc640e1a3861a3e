"""Need-to-know in the demo (issue 16 point 6): staff regions, the medical-records role, medical
bills on injury claims and an access log with entries, all through the same functions as real
use (``claims.evidence.medical_access_record`` is what the staff file view calls)."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from claims import roles
from claims.actors import Actor
from claims.evidence import medical_access_record
from claims.models import (
    Claim,
    EvidenceKind,
    IncidentKind,
    MedicalAccessAction,
    Region,
    StaffProfile,
)
from claims.services import evidence_add

# Who handles injury claims in the demo: ``agent`` has the medical-records role, ``agent2`` and
# ``analyst`` do not (they see a medical bill listed without a link).
MEDICAL_DEMO_USERS = ("agent",)
REGIONAL_AGENT_PREFIX = "agent-"


def demo_staff_regions(*, users: dict) -> None:
    """Every demo staff member covers every region (the US and whatever else exists)."""
    regions = list(Region.objects.all())
    for user in users.values():
        profile, _created = StaffProfile.objects.get_or_create(user=user)
        profile.regions.set(regions)
    for username in MEDICAL_DEMO_USERS:
        users[username].groups.add(Group.objects.get(name=roles.MEDICAL))


# The regions whose own agent the demo adds: Canada-only and UK-only logins, to see the region
# scoping (their queue, search and exports hold only their region's claims).
REGIONAL_AGENT_REGIONS = ("CA", "GB")


def demo_regional_agents(*, users: dict) -> list[str]:
    """One more agent, ``agent-<code>``, covering only that region, for each region of
    ``REGIONAL_AGENT_REGIONS`` that is active: run after the regions are opened (a region that
    takes no claims has nothing to show its agent). Returns their usernames."""
    from claims.demo import DEMO_PASSWORD

    regional = []
    active = Region.objects.filter(active=True, code__in=REGIONAL_AGENT_REGIONS).order_by("code")
    for region in active:
        username = f"{REGIONAL_AGENT_PREFIX}{region.code.lower()}"
        user = get_user_model().objects.create_user(
            username=username,
            email=f"{username}@claimdesk.example",
            password=DEMO_PASSWORD,
            is_staff=True,
            first_name=f"Agent {region.code}",
        )
        user.groups.add(Group.objects.get(name=roles.AGENT))
        profile = StaffProfile.objects.create(user=user, time_zone=region.time_zone)
        profile.regions.set([region])
        users[username] = user
        regional.append(username)
    return regional


def demo_medical_access(*, users: dict, now: dt.datetime, rng: random.Random) -> int:
    """Medical bills on the first injury claims, and the log of staff opening them over the
    last days. Returns the number of log entries."""
    from claims.demo import _photo

    injury = Claim.objects.filter(
        incident_kind__in=[IncidentKind.PERSONAL_INJURY, IncidentKind.BOTH]
    ).order_by("pk")[:6]
    readers = [users["supervisor"], *(users[name] for name in MEDICAL_DEMO_USERS)]
    entries = 0
    for n, claim in enumerate(injury):
        bill = evidence_add(
            claim=claim,
            data=_photo(rng, f"{claim.reference} emergency room bill"),
            filename="er-bill.jpg",
            kind=EvidenceKind.MEDICAL_BILL,
            actor=Actor.customer(claim.customer),
        )
        for k in range(1 + n % 3):
            reader = readers[(n + k) % len(readers)]
            medical_access_record(
                evidence=bill,
                user=reader,
                action=MedicalAccessAction.VIEWED if k % 2 == 0 else MedicalAccessAction.DOWNLOADED,
                # The staff workspace, or the fraud case of the same claim for a reader who
                # reviews fraud (both in /staff/; an agent never opens the fraud case).
                page=reverse(
                    "backoffice:fraud-claim"
                    if k % 2 and reader.has_perm("claims.review_fraud")
                    else "backoffice:claim",
                    args=[claim.pk],
                ),
                now=now - dt.timedelta(days=6 - n, hours=rng.randrange(1, 9), minutes=k * 7),
            )
            entries += 1
    return entries


def demo_regional_logins() -> list[tuple[str, str]]:
    """The demo agents limited to one region, with it (for the printed logins)."""
    return [
        (p.user.get_username(), ", ".join(r.code for r in p.regions.all()))
        for p in StaffProfile.objects.filter(user__username__startswith=REGIONAL_AGENT_PREFIX)
        .prefetch_related("regions")
        .select_related("user")
    ]
