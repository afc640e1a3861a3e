"""Decision policy as data: each region's approval policy and each role's authority limit.

Created when missing after every ``migrate`` (and after a test flush): agents may approve up to
the region's threshold on their own, supervisors without limit, analysts nothing; approvals
above the threshold need a second approver. Staff edit all of it in the admin.
"""

from django.db import transaction

from claims import roles
from claims.models import Region
from payouts.models import ApprovalPolicy, AuthorityLimit


def _defaults(region: Region) -> dict:
    return {"currency": region.currency, "four_eyes_above_minor": region.threshold_minor}


@transaction.atomic
def policy_for(region: Region) -> ApprovalPolicy:
    """The region's approval policy, created with the defaults the first time it is needed."""
    policy, created = ApprovalPolicy.objects.get_or_create(
        region=region, defaults=_defaults(region)
    )
    if created:
        AuthorityLimit.objects.bulk_create(
            [
                AuthorityLimit(policy=policy, role=roles.AGENT, limit_minor=region.threshold_minor),
                AuthorityLimit(policy=policy, role=roles.ANALYST, limit_minor=0),
                AuthorityLimit(policy=policy, role=roles.SUPERVISOR, limit_minor=None),
            ]
        )
    return policy


def policies_ensure() -> None:
    for region in Region.objects.all():
        policy_for(region)


def policies_after_migrate(sender, **kwargs) -> None:
    policies_ensure()


def authority_limit(*, user, policy: ApprovalPolicy) -> int | None:
    """The most ``user`` may approve alone under ``policy``: None means no limit, 0 nothing.

    A superuser has no limit; otherwise the most generous of the user's roles.
    """
    if user is None:
        return 0
    if user.is_superuser:
        return None
    # ``all()``: the roles prefetched once for a page of checks, else read here.
    groups = {group.name for group in user.groups.all()}
    limits = [a.limit_minor for a in policy.authority_limits.all() if a.role in groups]
    if not limits:
        return 0
    if any(limit is None for limit in limits):
        return None
    return max(limits)
