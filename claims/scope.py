"""Need-to-know: which claims a staff member sees. One rule; every staff surface starts here.

A staff member sees the claims of the regions on their staff profile
(``StaffProfile.regions``), and only with a claims role (``claims.view_claim``). No region
assigned means no claim: access is given, never assumed. A superuser sees every region (Django's
superuser has every permission; the demo ``admin`` is one). A claim outside one's regions is
not there: lists leave it out and pages answer 404.

The scope is a literal list of region ids (``staff_region_ids``). On a page the ids come with
the signed-in user (``claims_site.auth`` reads them in the user's own query,
``with_region_ids``), so the scope costs no query of its own and keeps the pinned query counts
of the pages that use it; elsewhere (workers, scripts) they are read once per user object, which
lives as long as the task or request that loaded it. A literal list, not a subquery: PostgreSQL
then plans a filtered list with the regions' own statistics instead of guessing the size of a
subquery's result, which led it to a slow plan for a narrow view at a million claims.

Rows that belong to a claim (approvals, payouts, recoveries, QA samples, legal holds) are
visible when their claim is (``claim_rows_visible_to``); a seller when their region is one of
the staff member's; a customer (their payment details, their privacy requests) when every claim
of theirs is visible: an export or an erasure covers all of a customer's claims, so staff
limited to some regions may not run one that reaches into another.
"""

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from claims.models import Claim, Region

# Where a user object keeps the ids of its regions (annotated by ``with_region_ids``, or read
# once by ``staff_region_ids``).
_REGION_IDS = "claimdesk_region_ids"


def staff_regions(user) -> QuerySet[Region]:
    """The regions whose claims ``user`` sees."""
    if user is None or not user.is_active:
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(staff_profiles__user=user)


def with_region_ids(users: QuerySet) -> QuerySet:
    """``users`` with the ids of each one's regions, read in the same query (PostgreSQL; other
    databases read them on first use)."""
    if connection.vendor != "postgresql":
        return users
    from django.contrib.postgres.expressions import ArraySubquery

    regions = Region.objects.filter(staff_profiles__user=OuterRef("pk")).order_by()
    return users.annotate(**{_REGION_IDS: ArraySubquery(regions.values("pk"))})


def staff_region_ids(user) -> list[int]:
    """The ids of the regions whose claims ``user`` sees, as a list (see the module's note)."""
    if user is None or not user.is_active or user.is_anonymous:
        return []
    ids = getattr(user, _REGION_IDS, None)
    if ids is None or user.is_superuser:  # a superuser sees every region, not only its profile's
        ids = list(staff_regions(user).values_list("pk", flat=True))
        setattr(user, _REGION_IDS, ids)
    return ids


def claims_visible_to(user) -> QuerySet[Claim]:
    """Every claim list and every claim page for staff starts here."""
    if user is None or not user.is_active or not user.has_perm("claims.view_claim"):
        return Claim.objects.none()
    if user.is_superuser:
        return Claim.objects.all()
    return Claim.objects.filter(region__in=staff_region_ids(user))


def claim_rows_visible_to(user, rows: QuerySet, *, claim: str = "claim") -> QuerySet:
    """``rows`` (of a model with a claim, reached by the path ``claim``) whose claim ``user``
    sees: the claims rule above, as a subquery."""
    if user is not None and user.is_active and user.is_superuser:
        return rows
    return rows.filter(**{f"{claim}__in": claims_visible_to(user).values("pk")})


def sellers_visible_to(user, sellers: QuerySet | None = None, *, seller: str = "") -> QuerySet:
    """``sellers`` (or rows reached from a seller through the path ``seller``) of the regions
    ``user`` sees, under the same claims role."""
    from sellers.models import Seller

    rows = Seller.objects.all() if sellers is None else sellers
    if user is None or not user.is_active or not user.has_perm("claims.view_claim"):
        return rows.none()
    if user.is_superuser:
        return rows
    path = f"{seller}__region__in" if seller else "region__in"
    return rows.filter(**{path: staff_region_ids(user)})


def customers_visible_to(user, rows: QuerySet | None = None, *, customer: str = "") -> QuerySet:
    """Customers (or rows reached from a customer through the path ``customer``) with at least
    one claim ``user`` sees and none they do not."""
    from marketplace.models import Customer

    rows = Customer.objects.all() if rows is None else rows
    if user is None or not user.is_active or not user.has_perm("claims.view_claim"):
        return rows.none()
    if user.is_superuser:
        return rows
    ref = OuterRef(customer or "pk")
    visible = claims_visible_to(user).values("pk")
    claims = Claim.objects.filter(customer=ref)
    return rows.filter(Exists(claims.filter(pk__in=visible))).exclude(
        Exists(claims.exclude(pk__in=visible))
    )


def alerts_visible_to(user, rows: QuerySet) -> QuerySet:
    """Safety alerts (``rows``) of a regulator covering one of ``user``'s regions: the CPSC's
    alerts for US staff, Health Canada's for Canada's (the same staff the alerts notify)."""
    if user is None or not user.is_active:
        return rows.none()
    if user.is_superuser:
        return rows
    from safety.models import Regulator

    covering = Regulator.regions.through.objects.filter(
        regulator=OuterRef("regulator"), region__in=staff_region_ids(user)
    )
    return rows.filter(Exists(covering))


def staff_covering(region_id: int) -> Q:
    """The staff who see a region's claims, as a condition on users (who to notify, who may
    be given the work): superusers and staff whose profile has the region."""
    return Q(is_superuser=True) | Q(staff_profile__regions=region_id)


def staff_has_no_region(user) -> bool:
    """True for staff with a claims role but no region: pages say so instead of an empty list."""
    return (
        user.is_active
        and not user.is_superuser
        and user.has_perm("claims.view_claim")
        and not staff_region_ids(user)
    )
