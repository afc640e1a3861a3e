"""Need-to-know: which claims a staff member sees. One rule; every staff surface starts here.

A staff member sees the claims of the regions on their staff profile
(``StaffProfile.regions``), and only with a claims role (``claims.view_claim``). No region
assigned means no claim: access is given, never assumed. A superuser sees every region (Django's
superuser has every permission; the demo ``admin`` is one). A claim outside one's regions is
not there: lists leave it out and pages answer 404.

The scope is a subquery on the region, so it costs no query of its own and keeps the pinned
query counts of the pages that use it.
"""

from django.db.models import QuerySet

from claims.models import Claim, Region


def staff_regions(user) -> QuerySet[Region]:
    """The regions whose claims ``user`` sees."""
    if user is None or not user.is_active:
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(staff_profiles__user=user)


def claims_visible_to(user) -> QuerySet[Claim]:
    """Every claim list and every claim page for staff starts here."""
    if user is None or not user.is_active or not user.has_perm("claims.view_claim"):
        return Claim.objects.none()
    if user.is_superuser:
        return Claim.objects.all()
    return Claim.objects.filter(region__in=staff_regions(user).values("pk"))


def staff_has_no_region(user) -> bool:
    """True for staff with a claims role but no region: pages say so instead of an empty list."""
    return (
        user.is_active
        and not user.is_superuser
        and user.has_perm("claims.view_claim")
        and not staff_regions(user).exists()
    )
